// Ingress decoding and validation (see ingress.h). Every failure says which field of which part of the
// envelope is wrong, so a client author can fix the request from the 4xx body alone.
#include "replica/http/ingress.h"

#include <algorithm>
#include <ctime>

#include "candid/binary.h"
#include "candid/types.h"
#include "ic/crypto/keys.h"
#include "ic/request_id.h"

namespace replica::ingress {

namespace cbor = ic::cbor;
using ic::Principal;

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Call: return "call";
    case Kind::Query: return "query";
    case Kind::ReadState: return "read_state";
  }
  return "?";
}

std::string format_time_ns(uint64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000ull);
  struct tm tmv {};
  gmtime_r(&secs, &tmv);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tmv);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09llu", static_cast<unsigned long long>(ns % 1'000'000'000ull));
  return std::string(buf) + frac + " UTC";
}

namespace {

std::string principal_text(const Principal& p) { return p.is_management() ? "aaaaa-aa" : p.to_text(); }

// ---------------------------------------------------------------------------------------------------
// Routes

bool parse_version(std::string_view s, int& v) {
  if (s.size() != 2 || s[0] != 'v' || s[1] < '2' || s[1] > '4') return false;
  v = s[1] - '0';
  return true;
}

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    parts.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------------
// CBOR field helpers: each names the field and what was expected.

Checked<const cbor::Value*> field(const cbor::Value& map, std::string_view key, std::string_view where, bool required) {
  const cbor::Value* v = map.get(key);
  if (!v && required) return bad_request(std::string(where) + ": missing required field `" + std::string(key) + "`");
  return v;
}

std::string type_problem(std::string_view where, std::string_view key, std::string_view expected, const cbor::Value& v) {
  return std::string(where) + ": field `" + std::string(key) + "` must be " + std::string(expected) + ", got " +
         cbor::kind_name(v.kind()) + " " + cbor::diagnostic(v, 60);
}

Checked<ic::Bytes> bytes_field(const cbor::Value& v, std::string_view where, std::string_view key) {
  const ic::Bytes* b = v.as_bytes();
  if (!b) return bad_request(type_problem(where, key, "a byte string", v));
  return *b;
}

Checked<Principal> principal_field(const cbor::Value& v, std::string_view where, std::string_view key) {
  const ic::Bytes* b = v.as_bytes();
  if (!b) return bad_request(type_problem(where, key, "a byte string (a principal)", v));
  auto p = Principal::from_bytes(*b);
  if (!p) return bad_request(std::string(where) + ": field `" + std::string(key) + "` is not a principal: " + p.error().message);
  return *p;
}

Checked<uint64_t> nat_field(const cbor::Value& v, std::string_view where, std::string_view key) {
  if (auto n = v.as_uint()) return *n;
  if (v.as_bignat()) return bad_request(std::string(where) + ": field `" + std::string(key) + "` does not fit in 64 bits");
  return bad_request(type_problem(where, key, "an unsigned integer (nat)", v));
}

Checked<std::string> text_field(const cbor::Value& v, std::string_view where, std::string_view key) {
  auto t = v.as_text();
  if (!t) return bad_request(type_problem(where, key, "a text string", v));
  return std::string(*t);
}

#define CHECKED_TRY(decl, expr)                        \
  auto IC_CONCAT(chk_, __LINE__) = (expr);             \
  if (!IC_CONCAT(chk_, __LINE__).ok()) return IC_CONCAT(chk_, __LINE__).problem(); \
  decl = std::move(IC_CONCAT(chk_, __LINE__).value())

#define CHECK_OK(expr)                                  \
  do {                                                  \
    auto chk_ok_ = (expr);                              \
    if (!chk_ok_.ok()) return chk_ok_.problem();        \
  } while (0)

Checked<Delegation> parse_delegation(const cbor::Value& entry, size_t index, size_t count, const Limits& limits) {
  std::string where = "sender_delegation[" + std::to_string(index) + "] (of " + std::to_string(count) + ")";
  if (!entry.is_map()) return bad_request(where + " must be a map {delegation, signature}, got " + cbor::kind_name(entry.kind()));
  CHECKED_TRY(const cbor::Value* dv, field(entry, "delegation", where, true));
  CHECKED_TRY(const cbor::Value* sv, field(entry, "signature", where, true));
  Delegation d;
  CHECKED_TRY(d.signature, bytes_field(*sv, where, "signature"));
  if (!dv->is_map()) return bad_request(where + ": field `delegation` must be a map, got " + cbor::kind_name(dv->kind()));
  std::string dwhere = where + ".delegation";
  CHECKED_TRY(const cbor::Value* pk, field(*dv, "pubkey", dwhere, true));
  CHECKED_TRY(d.pubkey, bytes_field(*pk, dwhere, "pubkey"));
  CHECKED_TRY(const cbor::Value* exp, field(*dv, "expiration", dwhere, true));
  CHECKED_TRY(d.expiration, nat_field(*exp, dwhere, "expiration"));
  CHECKED_TRY(const cbor::Value* tv, field(*dv, "targets", dwhere, false));
  if (tv) {
    const cbor::Array* arr = tv->as_array();
    if (!arr) return bad_request(type_problem(dwhere, "targets", "an array of canister ids", *tv));
    if (arr->size() > limits.max_delegation_targets)
      return bad_request(dwhere + ": " + std::to_string(arr->size()) + " targets, at most " +
                         std::to_string(limits.max_delegation_targets) + " are allowed");
    std::vector<Principal> targets;
    for (size_t i = 0; i < arr->size(); ++i) {
      CHECKED_TRY(Principal p, principal_field((*arr)[i], dwhere, "targets[" + std::to_string(i) + "]"));
      targets.push_back(std::move(p));
    }
    d.targets = std::move(targets);
  }
  CHECKED_TRY(const cbor::Value* pv, field(*dv, "permissions", dwhere, false));
  if (pv) {
    CHECKED_TRY(std::string perm, text_field(*pv, dwhere, "permissions"));
    if (perm != "queries" && perm != "all")
      return bad_request(dwhere + ": permissions \"" + perm + "\" is not valid (expected \"queries\" or \"all\")");
    d.permissions = perm;
  }
  auto h = ic::hash_of_map(*dv);
  if (!h) return bad_request(dwhere + " cannot be hashed: " + h.error().message);
  d.hash = *h;
  return d;
}

}  // namespace

Checked<Route> parse_route(std::string_view path) {
  auto q = path.find('?');
  if (q != std::string_view::npos) path = path.substr(0, q);
  auto parts = split_path(path);
  // "", "api", "vN", "canister"|"subnet", "<id>", "call"|"query"|"read_state"
  auto not_found = [&]() {
    return Problem{404, "no such endpoint: " + std::string(path) +
                            " (this node serves /api/v2/status, /api/v2|v3|v4/canister/<id>/call, "
                            "/api/v2|v3/canister/<id>/query, /api/v2|v3/canister/<id>/read_state and "
                            "/api/v2|v3/subnet/<id>/read_state)"};
  };
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "api") return not_found();
  Route r;
  if (!parse_version(parts[2], r.version)) return not_found();
  if (parts[3] == "canister")
    r.subnet = false;
  else if (parts[3] == "subnet")
    r.subnet = true;
  else
    return not_found();
  if (parts[5] == "call")
    r.kind = Kind::Call;
  else if (parts[5] == "query")
    r.kind = Kind::Query;
  else if (parts[5] == "read_state")
    r.kind = Kind::ReadState;
  else
    return not_found();
  bool served = r.subnet ? (r.kind == Kind::ReadState && r.version <= 3)
                         : (r.kind == Kind::Call || r.version <= 3);
  if (!served) return not_found();
  auto p = Principal::from_text(parts[4]);
  if (!p)
    return bad_request(std::string(r.subnet ? "subnet id" : "effective canister id") + " in the URL (\"" +
                       std::string(parts[4]) + "\") is not a valid principal: " + p.error().message);
  r.target = *p;
  return r;
}

Checked<Envelope> decode_envelope(ic::ByteView body, const Limits& limits) {
  if (body.size() > limits.max_body_bytes())
    return Problem{413, "request body of " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                            std::to_string(limits.max_body_bytes()) + " bytes (" +
                            std::to_string(limits.max_ingress_bytes) +
                            " bytes of ingress payload plus envelope); install large modules in chunks"};
  if (body.empty()) return bad_request("empty request body: expected a CBOR envelope {content, sender_pubkey, sender_sig}");
  cbor::DecodeOptions opts;
  opts.max_depth = limits.max_cbor_depth;
  opts.max_items = limits.max_cbor_items;
  auto decoded = cbor::decode(body, opts);
  if (!decoded) return bad_request("malformed CBOR envelope: " + decoded.error().message);
  const cbor::Value& top = decoded->untagged();
  if (top.kind() == cbor::Kind::Tag)
    return bad_request("envelope: unexpected CBOR tag " + std::to_string(*top.tag_number()) +
                       " (only the self-describe tag 55799 may wrap the envelope)");
  if (!top.is_map())
    return bad_request(std::string("envelope must be a CBOR map {content, sender_pubkey, sender_sig, sender_delegation}, got ") +
                       cbor::kind_name(top.kind()));
  for (const auto& [k, v] : *top.as_map())
    if (!k.as_text()) return bad_request("envelope: map keys must be text strings, got " + cbor::diagnostic(k, 40));
  Envelope env;
  CHECKED_TRY(const cbor::Value* content, field(top, "content", "envelope", true));
  if (!content->untagged().is_map())
    return bad_request(std::string("envelope: field `content` must be a map, got ") + cbor::kind_name(content->kind()));
  env.content = content->untagged();
  CHECKED_TRY(const cbor::Value* pk, field(top, "sender_pubkey", "envelope", false));
  if (pk) {
    CHECKED_TRY(ic::Bytes b, bytes_field(*pk, "envelope", "sender_pubkey"));
    env.sender_pubkey = std::move(b);
  }
  CHECKED_TRY(const cbor::Value* sig, field(top, "sender_sig", "envelope", false));
  if (sig) {
    CHECKED_TRY(ic::Bytes b, bytes_field(*sig, "envelope", "sender_sig"));
    env.sender_sig = std::move(b);
  }
  CHECKED_TRY(const cbor::Value* del, field(top, "sender_delegation", "envelope", false));
  if (del) {
    const cbor::Array* arr = del->as_array();
    if (!arr) return bad_request(type_problem("envelope", "sender_delegation", "an array of signed delegations", *del));
    if (arr->size() > limits.max_delegations)
      return bad_request("envelope: sender_delegation has " + std::to_string(arr->size()) + " delegations, at most " +
                         std::to_string(limits.max_delegations) + " are allowed");
    std::vector<Delegation> chain;
    for (size_t i = 0; i < arr->size(); ++i) {
      CHECKED_TRY(Delegation d, parse_delegation((*arr)[i], i, arr->size(), limits));
      chain.push_back(std::move(d));
    }
    env.sender_delegation = std::move(chain);
  }
  return env;
}

Checked<Request> parse_content(const cbor::Value& content_in, Kind endpoint, const Limits& limits) {
  const cbor::Value& content = content_in.untagged();
  const char* where = "content";
  if (!content.is_map()) return bad_request("content must be a map");
  for (const auto& [k, v] : *content.as_map())
    if (!k.as_text()) return bad_request("content: map keys must be text strings, got " + cbor::diagnostic(k, 40));
  Request r;
  CHECKED_TRY(const cbor::Value* rt, field(content, "request_type", where, true));
  CHECKED_TRY(std::string type, text_field(*rt, where, "request_type"));
  if (type == "call")
    r.kind = Kind::Call;
  else if (type == "query")
    r.kind = Kind::Query;
  else if (type == "read_state")
    r.kind = Kind::ReadState;
  else
    return bad_request("unknown request_type \"" + type.substr(0, 64) + "\" (expected \"call\", \"query\" or \"read_state\")");
  if (r.kind != endpoint)
    return bad_request("request_type \"" + type + "\" was sent to the " + kind_name(endpoint) + " endpoint (send it to /" +
                       kind_name(r.kind) + ")");
  CHECKED_TRY(const cbor::Value* sv, field(content, "sender", where, true));
  CHECKED_TRY(r.sender, principal_field(*sv, where, "sender"));
  CHECKED_TRY(const cbor::Value* ev, field(content, "ingress_expiry", where, true));
  CHECKED_TRY(r.ingress_expiry, nat_field(*ev, where, "ingress_expiry"));
  CHECKED_TRY(const cbor::Value* nv, field(content, "nonce", where, false));
  if (nv) {
    CHECKED_TRY(ic::Bytes nonce, bytes_field(*nv, where, "nonce"));
    if (nonce.size() > limits.max_nonce_bytes)
      return bad_request("content: nonce has " + std::to_string(nonce.size()) + " bytes, at most " +
                         std::to_string(limits.max_nonce_bytes) + " are allowed");
    r.nonce = std::move(nonce);
  }
  if (content.get("sender_info"))
    return bad_request("content: sender_info (canister-signature sender information) is not supported by the local network");
  if (r.kind == Kind::Call || r.kind == Kind::Query) {
    CHECKED_TRY(const cbor::Value* cv, field(content, "canister_id", where, true));
    CHECKED_TRY(r.canister_id, principal_field(*cv, where, "canister_id"));
    CHECKED_TRY(const cbor::Value* mv, field(content, "method_name", where, true));
    CHECKED_TRY(r.method, text_field(*mv, where, "method_name"));
    CHECKED_TRY(const cbor::Value* av, field(content, "arg", where, true));
    CHECKED_TRY(r.arg, bytes_field(*av, where, "arg"));
    uint64_t size = r.method.size() + r.arg.size();
    if (size > limits.max_ingress_bytes)
      return Problem{413, "the " + std::string(kind_name(r.kind)) + " to " + principal_text(r.canister_id) + "." +
                              r.method.substr(0, 64) + " carries " + std::to_string(size) +
                              " bytes of method name and argument, more than the ingress limit of " +
                              std::to_string(limits.max_ingress_bytes) + " bytes; install large modules in chunks"};
  } else {
    CHECKED_TRY(const cbor::Value* pv, field(content, "paths", where, true));
    const cbor::Array* paths = pv->as_array();
    if (!paths) return bad_request(type_problem(where, "paths", "an array of paths", *pv));
    if (paths->size() > limits.max_paths)
      return bad_request("content: " + std::to_string(paths->size()) + " paths requested, at most " +
                         std::to_string(limits.max_paths) + " are allowed per read_state");
    for (size_t i = 0; i < paths->size(); ++i) {
      const cbor::Array* labels = (*paths)[i].as_array();
      if (!labels)
        return bad_request("content: paths[" + std::to_string(i) + "] must be an array of byte strings, got " +
                           cbor::kind_name((*paths)[i].kind()));
      if (labels->size() > limits.max_path_labels)
        return bad_request("content: paths[" + std::to_string(i) + "] has " + std::to_string(labels->size()) +
                           " labels, at most " + std::to_string(limits.max_path_labels) + " are allowed");
      ic::Path path;
      for (size_t j = 0; j < labels->size(); ++j) {
        const ic::Bytes* b = (*labels)[j].as_bytes();
        if (!b)
          return bad_request("content: paths[" + std::to_string(i) + "][" + std::to_string(j) +
                             "] must be a byte string, got " + cbor::kind_name((*labels)[j].kind()));
        path.push_back(*b);
      }
      r.paths.push_back(std::move(path));
    }
  }
  auto rid = ic::request_id(content);
  if (!rid) return bad_request("content cannot be hashed into a request id: " + rid.error().message);
  r.request_id = *rid;
  return r;
}

Check verify_sender(const Envelope& env, Request& request, uint64_t now_ns, const Limits& limits) {
  bool has_pk = env.sender_pubkey.has_value(), has_sig = env.sender_sig.has_value();
  bool has_del = env.sender_delegation.has_value();
  if (!has_pk && !has_sig && !has_del) {
    if (!request.sender.is_anonymous())
      return bad_request("the envelope has no sender_pubkey and no sender_sig, so only the anonymous principal "
                         "2vxsx-fae may be its sender, not " + principal_text(request.sender) +
                         " (sign the request with the sender's key)");
    return Ok{};
  }
  if (has_pk && !has_sig) return bad_request("the envelope has sender_pubkey but no sender_sig (both or neither)");
  if (has_sig && !has_pk) return bad_request("the envelope has sender_sig but no sender_pubkey (both or neither)");
  if (has_del && !has_pk)
    return bad_request("the envelope has sender_delegation but no sender_pubkey and sender_sig");
  if (request.sender.is_anonymous())
    return bad_request("the anonymous principal 2vxsx-fae cannot sign requests: send it without sender_pubkey and sender_sig");

  const ic::Bytes& pk = *env.sender_pubkey;
  Principal expected = Principal::self_authenticating(pk);
  if (expected != request.sender)
    return bad_request("sender " + principal_text(request.sender) +
                       " is not the self-authenticating principal of sender_pubkey (that would be " +
                       expected.to_text() + ")");
  auto key = ic::crypto::der_decode_public_key(pk);
  if (!key)
    return bad_request("sender_pubkey is not an Ed25519, ECDSA secp256k1 or ECDSA P-256 DER public key (" +
                       key.error().message +
                       "); WebAuthn and canister-signature keys are not supported by the local network");

  // Delegation chain (§1.2): each signed by the previous key, none expired, no key twice; targets intersect.
  const ic::Bytes* signer = &pk;
  std::vector<const ic::Bytes*> seen{&pk};
  if (has_del) {
    const auto& chain = *env.sender_delegation;
    if (chain.size() > limits.max_delegations)
      return bad_request("sender_delegation has " + std::to_string(chain.size()) + " delegations, at most " +
                         std::to_string(limits.max_delegations) + " are allowed");
    for (size_t i = 0; i < chain.size(); ++i) {
      const Delegation& d = chain[i];
      std::string where = "sender_delegation[" + std::to_string(i) + "] (of " + std::to_string(chain.size()) + ")";
      ic::Bytes msg = ic::domain_separated("ic-request-auth-delegation", d.hash);
      auto st = ic::crypto::verify_signature(*signer, msg, d.signature);
      if (!st)
        return bad_request(where + ": invalid signature by " + (i == 0 ? "sender_pubkey" : "the previous delegation's key") +
                           ": " + st.error().message);
      if (d.expiration < now_ns)
        return bad_request(where + " expired at " + format_time_ns(d.expiration) + " (node time " +
                           format_time_ns(now_ns) + "): create a new delegation");
      for (const ic::Bytes* s : seen)
        if (*s == d.pubkey)
          return bad_request(where + ": the delegation chain delegates to a key it already contains (a cycle)");
      seen.push_back(&d.pubkey);
      if (d.targets) {
        std::set<Principal> t(d.targets->begin(), d.targets->end());
        if (request.delegation_targets) {
          std::set<Principal> both;
          for (const auto& p : t)
            if (request.delegation_targets->count(p)) both.insert(p);
          request.delegation_targets = std::move(both);
        } else {
          request.delegation_targets = std::move(t);
        }
      }
      if (d.permissions && *d.permissions == "queries") request.queries_only = true;
      signer = &d.pubkey;
    }
  }
  auto st = ic::crypto::verify_signature(*signer, ic::request_signing_payload(request.request_id), *env.sender_sig);
  if (!st)
    return bad_request("Invalid signature: sender_sig does not verify for request id " + ic::to_hex(request.request_id) +
                       " under " + (has_del ? "the last delegation's key" : "sender_pubkey") + ": " + st.error().message);
  if (request.queries_only && request.kind == Kind::Call)
    return Problem{403, "the delegation chain permits only queries and read_state (permissions \"queries\"), not update calls"};
  return Ok{};
}

Check check_expiry(const Request& request, uint64_t now_ns, const Limits& limits) {
  // Spec 0.29: anonymous query and read_state requests are valid with any expiry.
  if (request.sender.is_anonymous() && request.kind != Kind::Call) return Ok{};
  uint64_t min = now_ns;
  uint64_t max = now_ns + limits.max_ingress_ttl_ns + limits.permitted_drift_ns;
  if (request.ingress_expiry >= min && request.ingress_expiry <= max) return Ok{};
  return bad_request(std::string("Invalid request expiry: Specified ingress_expiry not within expected range: ") +
                     "Minimum allowed expiry: " + format_time_ns(min) + ", Maximum allowed expiry: " + format_time_ns(max) +
                     ", Provided expiry: " + format_time_ns(request.ingress_expiry) +
                     ", Local replica time: " + format_time_ns(now_ns) + " (ingress_expiry " +
                     std::to_string(request.ingress_expiry) + " ns, replica time " + std::to_string(now_ns) +
                     " ns; " + (request.ingress_expiry < min ? "the request has expired" : "the expiry is too far in the future") +
                     ": is the client's clock synchronized?)");
}

bool in_ranges(const Ranges& ranges, const Principal& id) {
  for (const auto& [lo, hi] : ranges)
    if (lo <= id && id <= hi) return true;
  return false;
}

Checked<std::optional<Principal>> routing_canister(const Request& request) {
  if (!request.canister_id.is_management()) return std::optional<Principal>(request.canister_id);
  const std::string& m = request.method;
  if (request.kind == Kind::Call && (m == "provisional_create_canister_with_cycles" || m == "create_canister"))
    return std::optional<Principal>();
  if (request.kind == Kind::Query && m == "list_canisters") return std::optional<Principal>();
  // §5.1: the record argument's canister_id field (target_canister for install_chunked_code).
  const char* fname = (request.kind == Kind::Call && m == "install_chunked_code") ? "target_canister" : "canister_id";
  auto args = candid::decode(request.arg);
  std::string what = "the management canister call " + m.substr(0, 64);
  if (!args)
    return bad_request(what + " has an argument that is not valid Candid (" + args.error().message +
                       "), so its effective canister id cannot be checked");
  if (args->values.empty() || args->values[0].kind != candid::Op::Record)
    return bad_request(what + " must take a record with a `" + fname + "` field as its first argument");
  const candid::Value* f = args->values[0].field(candid::field_hash(fname));
  if (!f || f->kind != candid::Op::Principal)
    return bad_request(what + " has no `" + fname + "` principal field in its argument, so it has no effective canister id");
  auto p = Principal::from_bytes(f->bytes);
  if (!p) return bad_request(what + ": `" + fname + "` is not a principal: " + p.error().message);
  return std::optional<Principal>(*p);
}

Check check_effective_canister(const Request& request, const Principal& url_ecid, const Ranges& ranges) {
  CHECKED_TRY(std::optional<Principal> routed, routing_canister(request));
  if (routed && *routed != url_ecid) {
    if (request.canister_id.is_management())
      return bad_request("the effective canister id in the URL (" + principal_text(url_ecid) +
                         ") must be the canister named in the argument of the management call " + request.method.substr(0, 64) +
                         " (" + principal_text(*routed) + ")");
    return bad_request("Specified CanisterId " + principal_text(*routed) +
                       " does not match effective canister id in URL " + principal_text(url_ecid));
  }
  if (!in_ranges(ranges, url_ecid)) {
    std::string r;
    for (const auto& [lo, hi] : ranges) r += (r.empty() ? "" : ", ") + lo.to_text() + " … " + hi.to_text();
    return bad_request("effective canister id " + principal_text(url_ecid) +
                       " is not in this subnet's canister ranges (" + r + ")");
  }
  if (request.delegation_targets) {
    const Principal& target = request.canister_id.is_management() ? url_ecid : request.canister_id;
    if (!request.delegation_targets->count(target))
      return Problem{403, "the sender's delegation does not allow requests to canister " + principal_text(target) +
                              " (it is not among the delegation targets)"};
  }
  return Ok{};
}

Check check_read_state_paths(const Request& request, const Route& route, const StateAccess& access) {
  const std::string endpoint = route.subnet ? "the subnet read_state endpoint" : "the canister read_state endpoint";
  std::optional<ic::Bytes> rid_seen;
  auto label = [](const ic::Bytes& b) { return std::string(b.begin(), b.end()); };
  auto path_text = [&](const ic::Path& p) {
    std::string s;
    for (const auto& l : p) {
      bool printable = !l.empty() && std::all_of(l.begin(), l.end(), [](uint8_t c) { return c >= 0x21 && c < 0x7f && c != '/'; });
      s += "/" + (printable ? label(l).substr(0, 64) : ic::to_hex(l).substr(0, 64));
    }
    return s.empty() ? std::string("/") : s;
  };
  if (request.delegation_targets && !route.subnet && !request.delegation_targets->count(route.target))
    return Problem{403, "the sender's delegation does not allow requests to canister " + principal_text(route.target) +
                            " (it is not among the delegation targets)"};
  for (const ic::Path& p : request.paths) {
    if (p.empty()) return bad_request("read_state path / (the whole state tree) may not be requested; name a subtree");
    std::string head = label(p[0]);
    if (head == "time") {
      if (p.size() != 1) return Problem{404, "Invalid path requested: " + path_text(p)};
    } else if (head == "request_status") {
      if (route.subnet) return Problem{404, "request_status may not be read at " + endpoint + " (" + path_text(p) + ")"};
      if (p.size() < 2 || p.size() > 3) return Problem{404, "Invalid path requested: " + path_text(p)};
      if (p[1].size() != 32)
        return bad_request("read_state path " + path_text(p) + ": a request id has 32 bytes, not " + std::to_string(p[1].size()));
      if (rid_seen && *rid_seen != p[1])
        return bad_request("all request_status paths of one read_state must name the same request id (" +
                           ic::to_hex(*rid_seen) + " and " + ic::to_hex(p[1]) + ")");
      rid_seen = p[1];
      ic::Hash256 rid{};
      std::copy(p[1].begin(), p[1].end(), rid.begin());
      if (access.request_origin) {
        if (auto origin = access.request_origin(rid)) {
          if (origin->first != request.sender)
            return Problem{403, "request " + ic::to_hex(rid) + " was sent by " + principal_text(origin->first) +
                                    ", not by " + principal_text(request.sender) +
                                    ": request status may only be read by its sender"};
          if (origin->second != route.target)
            return Problem{403, "request " + ic::to_hex(rid) + " was sent to effective canister " +
                                    principal_text(origin->second) + ", not " + principal_text(route.target)};
        }
      }
    } else if (head == "canister") {
      if (route.subnet) return Problem{404, "canister paths may not be read at " + endpoint + " (" + path_text(p) + ")"};
      if (p.size() < 3) return Problem{404, "Invalid path requested: " + path_text(p) + " (name a field, e.g. module_hash)"};
      auto cid = Principal::from_bytes(p[1]);
      if (!cid) return bad_request("read_state path " + path_text(p) + ": not a canister id: " + cid.error().message);
      if (*cid != route.target)
        return bad_request("Effective principal id in URL " + principal_text(route.target) +
                           " does not match requested principal id: " + principal_text(*cid));
      std::string leaf = label(p[2]);
      if (leaf == "metadata") {
        if (p.size() != 4) return Problem{404, "Invalid path requested: " + path_text(p) + " (expected /canister/<id>/metadata/<name>)"};
        std::string name = label(p[3]);
        if (access.is_private_metadata && access.is_private_metadata(*cid, name)) {
          auto ctl = access.controllers ? access.controllers(*cid) : std::nullopt;
          bool allowed = ctl && std::find(ctl->begin(), ctl->end(), request.sender) != ctl->end();
          if (!allowed)
            return Problem{403, "metadata \"" + name.substr(0, 64) + "\" of canister " + principal_text(*cid) +
                                    " is private (icp:private): only its controllers may read it"};
        }
      } else if (leaf == "module_hash" || leaf == "controllers" || leaf == "canister_creation_timestamp" ||
                 leaf == "last_install_timestamp") {
        if (p.size() != 3) return Problem{404, "Invalid path requested: " + path_text(p)};
      } else {
        return Problem{404, "Invalid path requested: " + path_text(p) +
                                " (readable: module_hash, controllers, metadata/<name>)"};
      }
    } else if (head == "subnet") {
      if (p.size() >= 3 && label(p[2]) == "metrics" && !route.subnet)
        return Problem{404, "subnet metrics may only be read at the subnet read_state endpoint (" + path_text(p) + ")"};
      if (route.subnet && p.size() >= 2 && p[1] != route.target.bytes())
        return bad_request("read_state path " + path_text(p) + " names another subnet than the URL (" +
                           route.target.to_text() + ")");
    } else if (head == "canister_ranges") {
      if (!route.subnet)
        return Problem{404, "canister_ranges may only be read at the subnet read_state endpoint (" + path_text(p) + ")"};
      if (p.size() < 2 || p[1] != route.target.bytes())
        return bad_request("read_state path " + path_text(p) + ": canister_ranges must name the URL's subnet " +
                           route.target.to_text());
    } else if (head == "api_boundary_nodes") {
      // Always absent on the local network; reading proves that.
    } else {
      return Problem{404, "Invalid path requested: " + path_text(p)};
    }
  }
  return Ok{};
}

Checked<Request> validate(ic::ByteView body, const Route& route, const NodeFacts& facts, const Limits& limits) {
  CHECKED_TRY(Envelope env, decode_envelope(body, limits));
  CHECKED_TRY(Request req, parse_content(env.content, route.kind, limits));
  CHECK_OK(verify_sender(env, req, facts.now_ns, limits));
  CHECK_OK(check_expiry(req, facts.now_ns, limits));
  if (route.subnet) {
    if (route.target != facts.subnet_id)
      return Problem{404, "subnet " + route.target.to_text() + " is not this node's subnet (" +
                              facts.subnet_id.to_text() + ")"};
  } else if (req.kind == Kind::ReadState) {
    if (!in_ranges(facts.ranges, route.target))
      return bad_request("effective canister id " + principal_text(route.target) +
                         " is not in this subnet's canister ranges");
  } else {
    CHECK_OK(check_effective_canister(req, route.target, facts.ranges));
  }
  return req;
}

}  // namespace replica::ingress
