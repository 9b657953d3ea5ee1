#include "agent/certificate.h"

#include <algorithm>

#include "agent/clock.h"
#include "ic/cbor.h"
#include "ic/leb128.h"
#include "ic/request_id.h"

namespace agent {
using ic::cbor::Value;

const ic::Bytes& mainnet_root_key() {
  static const ic::Bytes key =
      ic::from_hex(
          "308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100"
          "814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b"
          "4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae")
          .value();
  return key;
}

ic::Result<ic::Bytes> parse_root_key_hex(std::string_view hex) {
  auto b = ic::from_hex(hex);
  const ic::Bytes& mainnet = mainnet_root_key();
  const size_t prefix = mainnet.size() - 96;  // the DER header every BLS12-381 G2 key shares (§3.3)
  if (b && b->size() == 96) {
    ic::Bytes der(mainnet.begin(), mainnet.begin() + long(prefix));
    der.insert(der.end(), b->begin(), b->end());
    return der;
  }
  if (b && b->size() == mainnet.size() && std::equal(mainnet.begin(), mainnet.begin() + long(prefix), b->begin()))
    return std::move(*b);
  return ic::make_error(ic::Errc::invalid_input, "the root key is not a BLS12-381 public key in hex",
                        "give the 133-byte DER key (266 hex digits, 308182301d…) or the raw 96-byte key (192 hex "
                        "digits), or `ic` for mainnet");
}

namespace {

ic::Error decode_error(std::string msg) {
  return ic::make_error(ic::Errc::decode, "malformed certificate: " + std::move(msg),
                        "the file must hold a certificate or a read_state response body (CBOR)");
}

ic::Path path_of(std::initializer_list<ic::ByteView> labels) {
  ic::Path p;
  for (auto l : labels) p.emplace_back(l.begin(), l.end());
  return p;
}

ic::ByteView txt(std::string_view s) { return ic::as_view(s); }

std::string short_hex(ic::ByteView b) { return ic::to_hex(b.first(std::min<size_t>(b.size(), 8))) + "…"; }

std::string leaf_text(ic::ByteView v) { return std::string(v.begin(), v.end()); }

}  // namespace

ic::Result<Certificate> Certificate::decode(ic::ByteView bytes) {
  auto decoded = ic::cbor::decode(bytes);
  if (!decoded) return decode_error(decoded.error().message);
  const Value& m = decoded->untagged();
  if (!m.is_map()) return decode_error("not a CBOR map");
  const Value* tree = m.get("tree");
  const Value* sig = m.get("signature");
  if (!tree || !sig || !sig->as_bytes()) return decode_error("`tree` or `signature` missing");
  Certificate c;
  c.raw_.assign(bytes.begin(), bytes.end());
  auto t = ic::HashTree::from_cbor(*tree);
  if (!t) return decode_error("tree: " + t.error().message);
  c.tree_ = std::move(*t);
  c.signature_ = *sig->as_bytes();
  if (const Value* d = m.get("delegation"); d && !d->is_null()) {
    const Value* sid = d->get("subnet_id");
    const Value* inner = d->get("certificate");
    if (!sid || !sid->as_bytes() || !inner || !inner->as_bytes())
      return decode_error("delegation without `subnet_id` or `certificate`");
    auto p = ic::Principal::from_bytes(*sid->as_bytes());
    if (!p) return decode_error("delegation subnet_id: " + p.error().message);
    auto dc = Certificate::decode(*inner->as_bytes());
    if (!dc) return std::move(dc).take_error().context("delegation");
    c.delegation_subnet_ = *p;
    c.delegation_cert_ = std::make_shared<const Certificate>(std::move(*dc));
  }
  return c;
}

ic::Result<Certificate> Certificate::from_saved(ic::ByteView bytes) {
  auto decoded = ic::cbor::decode(bytes);
  if (!decoded) return decode_error(decoded.error().message);
  const Value& m = decoded->untagged();
  if (const Value* inner = m.get("certificate"); inner && inner->as_bytes()) return decode(*inner->as_bytes());
  return decode(bytes);
}

ic::Result<uint64_t> Certificate::time() const {
  auto r = tree_.lookup({"time"});
  if (!r.found())
    return ic::make_error(ic::Errc::crypto, std::string("the certificate has no /time (") + ic::lookup_status_name(r.status) + ")",
                          "every certificate must certify /time; this one is incomplete or forged");
  size_t pos = 0;
  auto t = ic::read_uleb64(r.value, pos);
  if (!t || pos != r.value.size())
    return ic::make_error(ic::Errc::crypto, "the certificate's /time is not a LEB128 number (" + ic::to_hex(r.value) + ")");
  return *t;
}

ic::Result<std::vector<CanisterRange>> decode_canister_ranges(ic::ByteView cbor) {
  auto v = ic::cbor::decode(cbor);
  if (!v) return ic::make_error(ic::Errc::crypto, "canister ranges are not CBOR: " + v.error().message);
  const ic::cbor::Array* arr = v->untagged().as_array();
  if (!arr) return ic::make_error(ic::Errc::crypto, "canister ranges are not a CBOR array");
  std::vector<CanisterRange> out;
  for (const Value& r : *arr) {
    const ic::cbor::Array* pair = r.as_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].as_bytes() || !(*pair)[1].as_bytes())
      return ic::make_error(ic::Errc::crypto, "a canister range is not a pair of principals");
    auto a = ic::Principal::from_bytes(*(*pair)[0].as_bytes());
    auto b = ic::Principal::from_bytes(*(*pair)[1].as_bytes());
    if (!a || !b) return ic::make_error(ic::Errc::crypto, "a canister range bound is not a principal");
    out.push_back({*a, *b});
  }
  return out;
}

namespace {

std::string ranges_text(const std::vector<CanisterRange>& rs) {
  std::string s;
  for (size_t i = 0; i < rs.size() && i < 4; ++i)
    s += (i ? ", " : "") + rs[i].first.to_text() + " – " + rs[i].last.to_text();
  if (rs.size() > 4) s += ", … (" + std::to_string(rs.size()) + " ranges)";
  return s;
}

struct Failure {
  std::string check;
  ic::Error error;
};

// §4.3 scope check: `canister` must lie in the ranges `d` (the delegation certificate) gives `subnet`.
// Sharded layout /canister_ranges/<sid>/<first id> first (the shard with the greatest key ≤ id), then the
// flat /subnet/<sid>/canister_ranges, as agent-rs does.
std::optional<Failure> check_ranges(const Certificate& d, const ic::Principal& subnet, const ic::Principal& canister) {
  auto outside = [&](const std::vector<CanisterRange>& rs, const std::string& layout) -> std::optional<Failure> {
    for (auto& r : rs)
      if (r.first <= canister && canister <= r.last) return std::nullopt;
    return Failure{"canister_range",
                   ic::make_error(ic::Errc::crypto,
                                  "canister " + canister.to_text() + " is outside the canister ranges delegated to subnet " +
                                      subnet.to_text() + " (" + layout + ": " + (rs.empty() ? "none" : ranges_text(rs)) + ")",
                                  "this subnet may not certify that canister's state: is the canister id (effective "
                                  "canister id) right?")};
  };
  auto pruned = [&](const std::string& what) {
    return Failure{"canister_ranges_pruned",
                   ic::make_error(ic::Errc::crypto,
                                  "the delegation does not reveal " + what + " for subnet " + subnet.to_text() +
                                      " (pruned), so it cannot show that canister " + canister.to_text() + " belongs to it",
                                  "a genuine delegation reveals the ranges covering the canister; this one was cut")};
  };
  auto bad = [&](const ic::Error& e) { return Failure{"delegation", ic::Error(e).context("delegation")}; };

  ic::Path sharded = path_of({txt("canister_ranges"), subnet.view()});
  auto sub = d.tree().lookup_subtree(sharded);
  if (sub.status == ic::LookupStatus::Found) {
    auto shard = d.tree().floor_label(sharded, canister.view());
    if (shard.status == ic::LookupStatus::Unknown) return pruned("the canister range shard");
    if (shard.status != ic::LookupStatus::Found) return outside({}, "sharded ranges");
    const ic::HashTree& leaf = shard.tree->subtree();
    if (leaf.kind() == ic::HashTree::Kind::Pruned) return pruned("the canister range shard");
    if (leaf.kind() != ic::HashTree::Kind::Leaf)
      return bad(ic::make_error(ic::Errc::crypto, "a canister range shard is not a leaf"));
    auto rs = decode_canister_ranges(leaf.value());
    if (!rs) return bad(rs.error());
    return outside(*rs, "sharded ranges, shard " + ic::to_hex(shard.tree->label()));
  }
  auto flat = d.lookup(path_of({txt("subnet"), subnet.view(), txt("canister_ranges")}));
  if (flat.found()) {
    auto rs = decode_canister_ranges(flat.value);
    if (!rs) return bad(rs.error());
    return outside(*rs, "flat ranges");
  }
  if (sub.status == ic::LookupStatus::Unknown || flat.status == ic::LookupStatus::Unknown)
    return pruned("the canister ranges");
  return Failure{"canister_range",
                 ic::make_error(ic::Errc::crypto,
                                "the delegation certifies no canister ranges for subnet " + subnet.to_text() +
                                    ", so canister " + canister.to_text() + " is not among them")};
}

std::string key_name(const Certificate& c) {
  return c.delegated() ? "subnet " + c.delegation_subnet().to_text() + "'s key" : "the root key";
}

}  // namespace

CertificateCheck check_certificate(const Certificate& cert, const VerifyOptions& opts) {
  CertificateCheck out;
  const ic::Bytes& root_key = opts.root_key.empty() ? mainnet_root_key() : opts.root_key;
  BlsVerifier bls = opts.bls ? opts.bls : default_bls_verifier();
  auto fail = [&](std::string check, ic::Error e) {
    out.failed_check = std::move(check);
    out.error = std::move(e);
    return out;
  };
  auto sig_failure = [&](const std::string& check, ic::Error e, const std::string& what) {
    // A signature that does not verify, or a malformed signature or key, is a finding about the certificate;
    // anything else (no BLS in this build) says why it could not be checked.
    if (e.code == ic::Errc::crypto || e.code == ic::Errc::decode)
      e = ic::make_error(ic::Errc::crypto, what + (e.code == ic::Errc::decode ? " (" + e.message + ")" : ""),
                         "the certificate was altered, or the root key is not the one it was made for");
    return fail(check, std::move(e));
  };

  ic::Bytes key = root_key;
  ic::Principal subnet = ic::Principal::self_authenticating(root_key);
  if (const Certificate* d = cert.delegation()) {
    if (d->delegated())
      return fail("delegation", ic::make_error(ic::Errc::crypto,
                                               "the delegation's certificate carries a delegation itself (only one level is allowed)"));
    ic::Hash256 droot = d->root_hash();
    if (auto st = bls(d->signature(), ic::domain_separated("ic-state-root", droot), root_key); !st)
      return sig_failure("delegation_signature", st.take_error(),
                         "the delegation's signature does not verify under the root key (delegation tree root " +
                             ic::to_hex(droot) + ")");
    subnet = cert.delegation_subnet();
    auto pk = d->lookup(path_of({txt("subnet"), subnet.view(), txt("public_key")}));
    if (!pk.found())
      return fail("delegation", ic::make_error(ic::Errc::crypto,
                                               "the delegation has no public key for subnet " + subnet.to_text() + " (" +
                                                   ic::lookup_status_name(pk.status) + ")"));
    key.assign(pk.value.begin(), pk.value.end());
    if (opts.canister_id)
      if (auto f = check_ranges(*d, subnet, *opts.canister_id)) return fail(f->check, std::move(f->error));
  }
  if (opts.subnet_id && *opts.subnet_id != subnet)
    return fail("subnet", ic::make_error(ic::Errc::crypto,
                                         "the certificate is signed by subnet " + subnet.to_text() +
                                             (cert.delegated() ? " (delegated)" : " (the root subnet)") + ", not by subnet " +
                                             opts.subnet_id->to_text()));

  ic::Hash256 root = cert.root_hash();
  if (auto st = bls(cert.signature(), ic::domain_separated("ic-state-root", root), key); !st)
    return sig_failure("signature", st.take_error(),
                       "the certificate's signature does not verify over its tree (root hash " + ic::to_hex(root) +
                           ") under " + key_name(cert) + ": the tree or the signature was altered");

  auto t = cert.time();
  if (!t) return fail("time", t.take_error());
  if (opts.now_ns) {
    uint64_t now = *opts.now_ns;
    std::string clocks = "certified time " + format_time(*t) + ", this machine's clock " + format_time(now);
    if (*t + opts.max_age_ns < now)
      return fail("freshness", ic::make_error(ic::Errc::network,
                                              "the certificate is stale: " + format_duration(now - *t) + " old (" +
                                                  clocks + ", at most " + format_duration(opts.max_age_ns) + " allowed)",
                                              "is this machine's clock synchronized? Otherwise the answer was replayed "
                                              "from the past (a stale or malicious boundary node)"));
    if (*t > now + opts.max_future_ns)
      return fail("freshness", ic::make_error(ic::Errc::network,
                                              "the certificate is " + format_duration(*t - now) +
                                                  " ahead of this machine's clock (" + clocks + ")",
                                              "this machine's clock is probably behind: synchronize it (chrony, "
                                              "systemd-timesyncd)"));
  }
  out.ok = true;
  out.info.time_ns = *t;
  out.info.subnet_id = subnet;
  out.info.delegated = cert.delegated();
  out.info.signing_key = std::move(key);
  return out;
}

ic::Result<VerifiedCertificate> verify_certificate(const Certificate& cert, const VerifyOptions& opts) {
  auto c = check_certificate(cert, opts);
  if (!c.ok) return std::move(c.error);
  return std::move(c.info);
}

// --- lookups ---

ic::Result<RequestStatus> lookup_request_status(const Certificate& cert, const ic::Hash256& rid) {
  RequestStatus s;
  auto base = [&](std::string_view leaf) { return path_of({txt("request_status"), rid, txt(leaf)}); };
  auto st = cert.lookup(base("status"));
  if (!st.found()) return s;  // Absent or pruned: the subnet does not know the request (yet)
  s.status = leaf_text(st.value);
  if (s.status == "replied") {
    auto r = cert.lookup(base("reply"));
    if (!r.found())
      return ic::make_error(ic::Errc::crypto, "request " + ic::to_hex(rid) + " is `replied` but the certificate has no reply");
    s.reply.assign(r.value.begin(), r.value.end());
  } else if (s.status == "rejected") {
    auto code = cert.lookup(base("reject_code"));
    auto msg = cert.lookup(base("reject_message"));
    size_t pos = 0;
    auto c = code.found() ? ic::read_uleb64(code.value, pos) : ic::Result<uint64_t>(ic::make_error(ic::Errc::decode, ""));
    if (!c || !msg.found())
      return ic::make_error(ic::Errc::crypto, "request " + ic::to_hex(rid) + " is `rejected` without a reject code and message");
    s.reject_code = *c;
    s.reject_message = leaf_text(msg.value);
    if (auto e = cert.lookup(base("error_code")); e.found()) s.error_code = leaf_text(e.value);
  }
  return s;
}

namespace {
ic::Error not_covered(const std::string& what) {
  return ic::make_error(ic::Errc::not_found, "the certificate does not cover " + what + " (pruned)",
                        "read that path explicitly with read_state");
}
}  // namespace

ic::Result<std::optional<ic::Bytes>> lookup_module_hash(const Certificate& cert, const ic::Principal& canister) {
  auto r = cert.lookup(path_of({txt("canister"), canister.view(), txt("module_hash")}));
  if (r.found()) return std::optional<ic::Bytes>(ic::Bytes(r.value.begin(), r.value.end()));
  if (r.status == ic::LookupStatus::Absent) return std::optional<ic::Bytes>();
  return not_covered("/canister/" + canister.to_text() + "/module_hash");
}

ic::Result<std::vector<ic::Principal>> lookup_controllers(const Certificate& cert, const ic::Principal& canister) {
  std::string where = "/canister/" + canister.to_text() + "/controllers";
  auto r = cert.lookup(path_of({txt("canister"), canister.view(), txt("controllers")}));
  if (r.status == ic::LookupStatus::Absent)
    return ic::make_error(ic::Errc::not_found, "canister " + canister.to_text() + " does not exist (the certificate proves " +
                                                   where + " absent)",
                          "check the canister id and the network");
  if (!r.found()) return not_covered(where);
  // A CBOR array of principal byte strings, usually tagged 55799 (spec "Canister information").
  auto v = ic::cbor::decode(r.value);
  const ic::cbor::Array* arr = v ? v->untagged().as_array() : nullptr;
  if (!arr) return ic::make_error(ic::Errc::decode, where + " is not a CBOR array");
  std::vector<ic::Principal> out;
  for (auto& e : *arr) {
    auto p = e.as_bytes() ? ic::Principal::from_bytes(*e.as_bytes()) : ic::Result<ic::Principal>(ic::make_error(ic::Errc::decode, ""));
    if (!p) return ic::make_error(ic::Errc::decode, where + " holds something that is not a principal");
    out.push_back(*p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ic::Result<std::optional<ic::Bytes>> lookup_metadata(const Certificate& cert, const ic::Principal& canister,
                                                     std::string_view name) {
  auto r = cert.lookup(path_of({txt("canister"), canister.view(), txt("metadata"), txt(name)}));
  if (r.found()) return std::optional<ic::Bytes>(ic::Bytes(r.value.begin(), r.value.end()));
  if (r.status == ic::LookupStatus::Absent) return std::optional<ic::Bytes>();
  return not_covered("/canister/" + canister.to_text() + "/metadata/" + std::string(name));
}

ic::Result<ic::Bytes> lookup_subnet_public_key(const Certificate& cert, const ic::Principal& subnet) {
  auto r = cert.lookup(path_of({txt("subnet"), subnet.view(), txt("public_key")}));
  if (r.found()) return ic::Bytes(r.value.begin(), r.value.end());
  if (r.status == ic::LookupStatus::Absent)
    return ic::make_error(ic::Errc::not_found, "the certificate proves subnet " + subnet.to_text() + " has no public key");
  return not_covered("/subnet/" + subnet.to_text() + "/public_key");
}

ic::Result<std::map<ic::Principal, ic::Bytes>> lookup_node_keys(const Certificate& cert, const ic::Principal& subnet) {
  auto all = cert.tree().collect(path_of({txt("subnet"), subnet.view(), txt("node")}));
  std::map<ic::Principal, ic::Bytes> out;
  for (auto& [labels, value] : all.leaves) {
    if (labels.size() != 2 || std::string_view(reinterpret_cast<const char*>(labels[1].data()), labels[1].size()) != "public_key")
      continue;
    auto node = ic::Principal::from_bytes(labels[0]);
    if (!node) continue;
    out.emplace(*node, ic::Bytes(value.begin(), value.end()));
  }
  if (out.empty())
    return ic::make_error(ic::Errc::not_found, "the certificate reveals no node keys for subnet " + subnet.to_text(),
                          "read /subnet for a canister on that subnet");
  return out;
}

// --- rendering ---

namespace {

bool printable(ic::ByteView b) {
  if (b.empty()) return false;
  for (uint8_t c : b)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

std::string label_text(ic::ByteView label, const std::vector<std::string>& parents) {
  // Ids under /canister, /subnet, …/node and /canister_ranges(/<sid>) print as principals.
  if (!parents.empty() && label.size() <= ic::Principal::kMaxLength) {
    const std::string& p = parents.back();
    bool id_slot = p == "canister" || p == "subnet" || p == "node" || p == "canister_ranges" ||
                   (parents.size() >= 2 && parents[parents.size() - 2] == "canister_ranges");
    if (id_slot)
      if (auto pr = ic::Principal::from_bytes(label)) return pr->to_text();
  }
  if (printable(label)) return std::string(label.begin(), label.end());
  return "0x" + ic::to_hex(label);
}

void render(const ic::HashTree& t, std::vector<std::string>& parts, std::string& out, size_t max_chars) {
  auto path = [&] {
    std::string p;
    for (auto& s : parts) p += "/" + s;
    return p.empty() ? std::string("/") : p;
  };
  switch (t.kind()) {
    case ic::HashTree::Kind::Empty:
      break;
    case ic::HashTree::Kind::Fork:
      render(t.left(), parts, out, max_chars);
      render(t.right(), parts, out, max_chars);
      break;
    case ic::HashTree::Kind::Labeled:
      parts.push_back(label_text(t.label(), parts));
      render(t.subtree(), parts, out, max_chars);
      parts.pop_back();
      break;
    case ic::HashTree::Kind::Pruned:
      out += path() + (parts.empty() ? "" : "/") + "… (pruned " + short_hex(t.pruned_hash()) + ")\n";
      break;
    case ic::HashTree::Kind::Leaf: {
      const ic::Bytes& v = t.value();
      std::string shown;
      const std::string& last = parts.empty() ? std::string() : parts.back();
      size_t pos = 0;
      if (last == "time" || last.ends_with("_timestamp") || last == "reject_code") {
        auto n = ic::read_uleb64(v, pos);
        if (n && pos == v.size()) shown = std::to_string(*n) + (last == "reject_code" ? "" : " (" + format_time(*n) + ")");
      }
      if (shown.empty()) {
        if (printable(v) && last != "public_key" && last != "module_hash")
          shown = "\"" + std::string(v.begin(), v.end()) + "\"";
        else
          shown = "0x" + ic::to_hex(v);
        if (shown.size() > max_chars) shown = shown.substr(0, max_chars) + "… (" + std::to_string(v.size()) + " bytes)";
      }
      out += path() + " = " + shown + "\n";
      break;
    }
  }
}

}  // namespace

std::string render_tree(const ic::HashTree& tree, size_t max_value_chars) {
  std::string out;
  std::vector<std::string> parts;
  render(tree, parts, out, max_value_chars);
  return out;
}

}  // namespace agent
