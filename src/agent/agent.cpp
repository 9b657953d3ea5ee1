#include "agent/agent.h"

#include <algorithm>
#include <random>
#include <thread>

#include "ic/crypto/keys.h"
#include "ic/request_id.h"

namespace agent {
using ic::cbor::Value;

const char* reject_code_name(uint64_t code) {
  switch (code) {
    case 1: return "SYS_FATAL";
    case 2: return "SYS_TRANSIENT";
    case 3: return "DESTINATION_INVALID";
    case 4: return "CANISTER_REJECT";
    case 5: return "CANISTER_ERROR";
    case 6: return "SYS_UNKNOWN";
  }
  return "unknown reject code";
}

ic::Error reject_to_error(const Reply& r, const std::string& what) {
  std::string msg = what + " was rejected: reject code " + std::to_string(r.reject_code) + " (" +
                    reject_code_name(r.reject_code) + ")" + (r.error_code.empty() ? "" : ", " + r.error_code) + ": " +
                    r.reject_message;
  std::string hint;
  if (!r.certified) hint = "this rejection is not certified by the subnet (it came before consensus)";
  if (r.error_code == "IC0512" || r.reject_message.find("controller") != std::string::npos)
    hint = "only a controller may do this: check the identity (--identity / --pem)";
  if (r.error_code == "IC0301" || r.reject_code == 3) hint = "check the canister id and the network (--network)";
  return ic::make_error(ic::Errc::rejected, msg, hint);
}

namespace {

ic::Result<Value> decode_body(const HttpResponse& resp, const std::string& what) {
  auto v = ic::cbor::decode(resp.body);
  if (!v || !v->untagged().is_map())
    return ic::make_error(ic::Errc::decode, what + ": the response is not a CBOR map (HTTP " + std::to_string(resp.status) +
                                                ", " + std::to_string(resp.body.size()) + " bytes)",
                          "is the URL an IC replica or boundary node?");
  return std::move(*v);
}

std::string body_excerpt(const HttpResponse& r) {
  std::string t = r.body_text();
  for (char& c : t)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') c = ' ';
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  if (t.size() > 400) t = t.substr(0, 400) + "…";
  return t;
}

std::string text_field(const Value& m, std::string_view key) {
  const Value* v = m.get(key);
  auto t = v ? v->as_text() : std::nullopt;
  return t ? std::string(*t) : std::string();
}

}  // namespace

Agent::Agent(AgentOptions opts) : opts_(std::move(opts)) {
  if (!opts_.identity) opts_.identity = anonymous_identity();
  if (!opts_.clock) opts_.clock = system_clock_ns;
  if (!opts_.sleep) opts_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!opts_.transport) {
    TransportOptions t = opts_.transport_options;
    if (!t.log) t.log = opts_.log;
    opts_.transport = make_http_transport(opts_.url, t);
  }
  if (!opts_.bls) opts_.bls = default_bls_verifier();
  clock_ = opts_.clock;
}

void Agent::log(const std::string& line) const {
  if (opts_.log) opts_.log(line);
}

VerifyOptions Agent::verify_options() const {
  VerifyOptions v;
  v.root_key = opts_.root_key;
  v.now_ns = now_ns();
  v.max_age_ns = opts_.max_certificate_age_ns;
  v.max_future_ns = opts_.max_certificate_age_ns;
  v.bls = opts_.bls;
  return v;
}

ic::Result<StatusInfo> Agent::status() {
  IC_TRY(HttpResponse resp, opts_.transport->get("/api/v2/status"));
  if (resp.status != 200) return http_error(resp, "GET /api/v2/status", ic::Principal());
  IC_TRY(Value v, decode_body(resp, "status"));
  StatusInfo s;
  const Value& m = v.untagged();
  if (const Value* k = m.get("root_key"); k && k->as_bytes()) s.root_key = *k->as_bytes();
  s.impl_version = text_field(m, "impl_version");
  s.replica_health_status = text_field(m, "replica_health_status");
  if (const Value* h = m.get("certified_height"); h && h->as_uint()) s.certified_height = *h->as_uint();
  s.raw = m;
  return s;
}

ic::Result<ic::Bytes> Agent::fetch_root_key() {
  IC_TRY(StatusInfo s, status());
  if (!s.root_key)
    return ic::make_error(ic::Errc::not_found, opts_.transport->base_url() + " publishes no root key in /api/v2/status",
                          "mainnet never does: use --root-key ic, or give the key as --root-key HEX");
  opts_.root_key = *s.root_key;
  return *s.root_key;
}

ic::Error Agent::http_error(const HttpResponse& resp, const std::string& what, const ic::Principal& ecid) {
  std::string body = body_excerpt(resp);
  // The replica's wording for an expiry outside its window (ic-protocol.md §1.3): almost always clock skew.
  if (resp.status == 400 && (body.find("ingress_expiry") != std::string::npos ||
                             body.find("Invalid request expiry") != std::string::npos))
    return clock_skew_error(body, ecid);
  std::string msg = what + " failed: HTTP " + std::to_string(resp.status) + (body.empty() ? "" : ": " + body);
  if (resp.status >= 500 || resp.status == 429)
    return ic::make_error(ic::Errc::network, msg, "the replica is overloaded or unavailable; try again later");
  return ic::make_error(ic::Errc::rejected, msg);
}

ic::Error Agent::clock_skew_error(const std::string& replica_message, const ic::Principal& ecid) {
  uint64_t local = now_ns();
  std::string clocks = "this machine's clock: " + format_time(local);
  // The replica's own time, certified: an anonymous read_state of /time may carry any expiry (spec 0.29).
  std::optional<uint64_t> remote;
  if (!ecid.empty() && !reading_replica_clock_) {
    reading_replica_clock_ = true;  // that read may be refused the same way: no recursion
    // Not checked for freshness: the point is to learn how far apart the clocks are.
    auto cert = read_state_at("canister", ecid, {ic::make_path({"time"})}, *anonymous_identity(), false);
    if (cert) remote = cert->info.time_ns;
    reading_replica_clock_ = false;
  }
  if (remote) {
    uint64_t d = local > *remote ? local - *remote : *remote - local;
    clocks += "; replica's clock (certified /time): " + format_time(*remote) + "; this machine is " + format_duration(d) +
              (local > *remote ? " ahead" : " behind");
  } else {
    clocks += "; the replica's clock could not be read";
  }
  return ic::make_error(ic::Errc::rejected, "the replica refused the request's ingress expiry (" + replica_message + "); " + clocks,
                        "synchronize this machine's clock (chrony, systemd-timesyncd) and try again");
}

ic::Result<SignedRequest> Agent::sign_call(RequestType type, const ic::Principal& canister, std::string_view method,
                                           ic::ByteView arg) {
  uint64_t expiry = ingress_expiry(now_ns(), opts_.ingress_ttl_ns);
  // A random nonce keeps identical calls distinct (the replica deduplicates by request id).
  std::optional<ic::Bytes> nonce;
  if (type == RequestType::Call) {
    std::random_device rd;
    ic::Bytes n(16);
    for (auto& b : n) b = uint8_t(rd());
    nonce = std::move(n);
  }
  return sign_request(*opts_.identity,
                      call_content(type, opts_.identity->sender(), canister, method, arg, expiry, std::move(nonce)));
}

// --- read_state ---

ic::Result<CertifiedState> Agent::read_state_at(const std::string& kind, const ic::Principal& id,
                                                const std::vector<ic::Path>& paths, const Identity& signer,
                                                bool fresh) {
  uint64_t expiry = ingress_expiry(now_ns(), opts_.ingress_ttl_ns);
  IC_TRY(SignedRequest req, sign_request(signer, read_state_content(signer.sender(), paths, expiry)));
  int& version = kind == "canister" ? read_state_version_ : subnet_read_version_;
  for (;;) {
    std::string path = "/api/v" + std::to_string(version) + "/" + kind + "/" + id.to_text() + "/read_state";
    IC_TRY(HttpResponse resp, opts_.transport->post(path, req.body));
    if (resp.status == 404 && version > 2) {
      log(path + ": 404, falling back to v" + std::to_string(version - 1));
      --version;
      continue;
    }
    if (resp.status != 200) return http_error(resp, "read_state of " + kind + " " + id.to_text(), id);
    IC_TRY(Value body, decode_body(resp, "read_state"));
    const Value* c = body.untagged().get("certificate");
    if (!c || !c->as_bytes())
      return ic::make_error(ic::Errc::decode, "read_state response without a certificate from " + path);
    IC_TRY(Certificate cert, Certificate::decode(*c->as_bytes()));
    VerifyOptions vo = verify_options();
    if (!fresh) vo.now_ns.reset();
    if (kind == "canister") vo.canister_id = id;
    else vo.subnet_id = id;
    auto check = check_certificate(cert, vo);
    if (!check.ok) return std::move(check.error).context("certificate from " + path + " (" + check.failed_check + ")");
    return CertifiedState{std::move(cert), std::move(check.info)};
  }
}

ic::Result<CertifiedState> Agent::read_state(const ic::Principal& ecid, const std::vector<ic::Path>& paths) {
  return read_state_at("canister", ecid, paths, *opts_.identity);
}

ic::Result<CertifiedState> Agent::read_subnet_state(const ic::Principal& subnet, const std::vector<ic::Path>& paths) {
  return read_state_at("subnet", subnet, paths, *opts_.identity);
}

ic::Result<RequestStatus> Agent::request_status(const ic::Principal& ecid, const ic::Hash256& rid) {
  ic::Path p{ic::to_bytes("request_status"), ic::Bytes(rid.begin(), rid.end())};
  IC_TRY(CertifiedState st, read_state(ecid, {p}));
  return lookup_request_status(st.certificate, rid);
}

// --- calls ---

ic::Result<Reply> Agent::reply_from_status(const RequestStatus& s, const VerifiedCertificate& info,
                                           const ic::Hash256& rid, int version) {
  Reply r;
  r.request_id = rid;
  r.certified = true;
  r.time_ns = info.time_ns;
  r.api_version = version;
  if (s.status == "replied") {
    r.arg = s.reply;
  } else {
    r.rejected = true;
    r.reject_code = s.reject_code;
    r.reject_message = s.reject_message;
    r.error_code = s.error_code;
  }
  return r;
}

ic::Result<Reply> Agent::call(const ic::Principal& canister, std::string_view method, ic::ByteView arg,
                              std::optional<ic::Principal> ecid) {
  IC_TRY(SignedRequest req, sign_call(RequestType::Call, canister, method, arg));
  return submit(ecid.value_or(canister), req);
}

ic::Result<Reply> Agent::submit(const ic::Principal& ecid, const SignedRequest& req) {
  std::string rid_hex = ic::to_hex(req.request_id);
  for (;;) {
    int version = call_version_;
    std::string path = "/api/v" + std::to_string(version) + "/canister/" + ecid.to_text() + "/call";
    IC_TRY(HttpResponse resp, opts_.transport->post(path, req.body));
    // ic-protocol.md §1.4: a replica without the synchronous endpoints answers 404; step down like agent-js.
    if (resp.status == 404 && version > 2) {
      log(path + ": 404, falling back to v" + std::to_string(version - 1));
      call_version_ = version - 1;
      continue;
    }
    if (resp.status == 202) {
      log("request " + rid_hex + " accepted; polling for its status");
      return wait(ecid, req.request_id, version);
    }
    if (resp.status != 200) return http_error(resp, "call " + rid_hex, ecid);
    IC_TRY(Value body, decode_body(resp, "call"));
    const Value& m = body.untagged();
    std::string status = text_field(m, "status");
    if (version == 2 || status == "non_replicated_rejection") {
      // Rejected before consensus (e.g. canister_inspect_message): not certified.
      Reply r;
      r.rejected = true;
      r.request_id = req.request_id;
      r.api_version = version;
      if (const Value* c = m.get("reject_code"); c && c->as_uint()) r.reject_code = *c->as_uint();
      r.reject_message = text_field(m, "reject_message");
      r.error_code = text_field(m, "error_code");
      if (!r.reject_code)
        return ic::make_error(ic::Errc::decode, "the call response (HTTP 200) is neither a certificate nor a rejection");
      return r;
    }
    const Value* c = m.get("certificate");
    if (status != "replied" || !c || !c->as_bytes())
      return ic::make_error(ic::Errc::decode, "unexpected synchronous call response (status \"" + status + "\")");
    IC_TRY(Certificate cert, Certificate::decode(*c->as_bytes()));
    VerifyOptions vo = verify_options();
    vo.canister_id = ecid;
    auto check = check_certificate(cert, vo);
    if (!check.ok) return std::move(check.error).context("certificate of call " + rid_hex + " (" + check.failed_check + ")");
    IC_TRY(RequestStatus s, lookup_request_status(cert, req.request_id));
    if (s.status == "replied" || s.status == "rejected") return reply_from_status(s, check.info, req.request_id, version);
    log("request " + rid_hex + " is " + s.status + " in the certificate; polling");
    return wait(ecid, req.request_id, version);
  }
}

ic::Result<Reply> Agent::wait(const ic::Principal& ecid, const ic::Hash256& rid, int version) {
  std::string rid_hex = ic::to_hex(rid);
  uint64_t start = now_ns();
  std::chrono::milliseconds delay = opts_.poll.initial, slept{0};
  std::minstd_rand rng(uint32_t(start ^ (start >> 32)));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  std::string last = "unknown";
  for (;;) {
    ic::Path p{ic::to_bytes("request_status"), ic::Bytes(rid.begin(), rid.end())};
    IC_TRY(CertifiedState st, read_state(ecid, {p}));
    IC_TRY(RequestStatus s, lookup_request_status(st.certificate, rid));
    if (s.status == "replied" || s.status == "rejected") return reply_from_status(s, st.info, rid, version);
    if (s.status == "done")
      return ic::make_error(ic::Errc::not_found,
                            "request " + rid_hex + " is done: its reply was already pruned from the subnet's state",
                            "the call executed; its result can no longer be read");
    if (s.status != last) log("request " + rid_hex + ": " + s.status);
    last = s.status;
    uint64_t elapsed_ns = std::max<uint64_t>(now_ns() - start, uint64_t(slept.count()) * 1'000'000ull);
    if (elapsed_ns >= uint64_t(opts_.poll.timeout.count()) * 1'000'000ull)
      return ic::make_error(ic::Errc::network,
                            "timed out after " + format_duration(elapsed_ns) + " waiting for request " + rid_hex +
                                " (last status: " + last + ")",
                            "the call may still execute; ask again later with its request id");
    auto d = std::chrono::milliseconds(int64_t(double(delay.count()) * jitter(rng)));
    opts_.sleep(d);
    slept += d;
    delay = std::min(std::chrono::milliseconds(int64_t(double(delay.count()) * opts_.poll.multiplier)), opts_.poll.max);
  }
}

// --- queries ---

ic::Result<Agent::SubnetKeys> Agent::subnet_keys_for(const ic::Principal& canister, bool refresh) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = subnet_keys_.find(canister);
    if (it != subnet_keys_.end() && !refresh) return it->second;
  }
  // /subnet read for the canister: the certificate is signed by (or delegated to) the canister's subnet
  // and reveals its nodes' keys (ic-protocol.md §1.6).
  IC_TRY(CertifiedState st, read_state_at("canister", canister, {ic::make_path({"subnet"})}, *anonymous_identity()));
  SubnetKeys k;
  k.subnet = st.info.subnet_id;
  IC_TRY(k.node_keys, lookup_node_keys(st.certificate, k.subnet));
  std::lock_guard<std::mutex> lock(mu_);
  subnet_keys_[canister] = k;
  return k;
}

ic::Status Agent::verify_query_response(const ic::Principal& ecid, const ic::Hash256& rid, const Value& resp,
                                        const Reply& r) {
  const Value* sigs = resp.get("signatures");
  const ic::cbor::Array* list = sigs ? sigs->as_array() : nullptr;
  if (!list || list->empty())
    return ic::make_error(ic::Errc::crypto, "the query response carries no node signatures",
                          "the replica or boundary node is too old or not genuine");
  IC_TRY(SubnetKeys keys, subnet_keys_for(ecid));
  for (const Value& s : *list) {
    const Value* ts = s.get("timestamp");
    const Value* sig = s.get("signature");
    const Value* node = s.get("identity");
    if (!ts || !ts->as_uint() || !sig || !sig->as_bytes() || !node || !node->as_bytes())
      return ic::make_error(ic::Errc::crypto, "a query node signature lacks timestamp, signature or identity");
    IC_TRY(ic::Principal node_id, ic::Principal::from_bytes(*node->as_bytes()));
    // §1.6: the node signs "\x0Bic-response" · hash_of_map of the response with its timestamp and request id.
    Value signed_map = r.rejected ? Value::text_map({{"status", Value::text("rejected")},
                                                     {"reject_code", Value::uint(r.reject_code)},
                                                     {"reject_message", Value::text(r.reject_message)}})
                                  : Value::text_map({{"status", Value::text("replied")},
                                                     {"reply", Value::text_map({{"arg", Value::bytes(r.arg)}})}});
    if (r.rejected && resp.get("error_code")) signed_map.set("error_code", Value::text(r.error_code));
    signed_map.set("timestamp", Value::uint(*ts->as_uint()));
    signed_map.set("request_id", Value::bytes(ic::ByteView(rid)));
    IC_TRY(ic::Hash256 h, ic::hash_of_map(signed_map));
    auto key = keys.node_keys.find(node_id);
    if (key == keys.node_keys.end()) {
      // Nodes join and leave subnets: refresh the membership once before refusing.
      IC_TRY(keys, subnet_keys_for(ecid, true));
      key = keys.node_keys.find(node_id);
      if (key == keys.node_keys.end())
        return ic::make_error(ic::Errc::crypto, "the query was signed by node " + node_id.to_text() +
                                                    ", which is not a node of subnet " + keys.subnet.to_text());
    }
    if (auto st = ic::crypto::verify_signature(key->second, ic::domain_separated("ic-response", h), *sig->as_bytes()); !st)
      return ic::make_error(ic::Errc::crypto, "the signature of node " + node_id.to_text() + " on the query response does not verify",
                            "the response was altered on its way");
    uint64_t now = now_ns(), t = *ts->as_uint();
    if (t + opts_.max_certificate_age_ns < now || t > now + opts_.max_certificate_age_ns)
      return ic::make_error(ic::Errc::network,
                            "the query response is signed at " + format_time(t) + ", " + format_duration(t > now ? t - now : now - t) +
                                (t > now ? " ahead of" : " behind") + " this machine's clock " + format_time(now),
                            "is this machine's clock synchronized?");
  }
  return {};
}

ic::Result<Reply> Agent::query(const ic::Principal& canister, std::string_view method, ic::ByteView arg,
                               std::optional<ic::Principal> ecid_opt) {
  ic::Principal ecid = ecid_opt.value_or(canister);
  IC_TRY(SignedRequest req, sign_call(RequestType::Query, canister, method, arg));
  for (;;) {
    int version = query_version_;
    std::string path = "/api/v" + std::to_string(version) + "/canister/" + ecid.to_text() + "/query";
    IC_TRY(HttpResponse resp, opts_.transport->post(path, req.body));
    if (resp.status == 404 && version > 2) {
      log(path + ": 404, falling back to v" + std::to_string(version - 1));
      query_version_ = version - 1;
      continue;
    }
    if (resp.status != 200) return http_error(resp, "query " + std::string(method), ecid);
    IC_TRY(Value body, decode_body(resp, "query"));
    const Value& m = body.untagged();
    Reply r;
    r.request_id = req.request_id;
    r.api_version = version;
    std::string status = text_field(m, "status");
    if (status == "replied") {
      const Value* reply = m.get("reply");
      const Value* a = reply ? reply->get("arg") : nullptr;
      if (!a || !a->as_bytes()) return ic::make_error(ic::Errc::decode, "query reply without `reply.arg`");
      r.arg = *a->as_bytes();
    } else if (status == "rejected") {
      r.rejected = true;
      if (const Value* c = m.get("reject_code"); c && c->as_uint()) r.reject_code = *c->as_uint();
      r.reject_message = text_field(m, "reject_message");
      r.error_code = text_field(m, "error_code");
    } else {
      return ic::make_error(ic::Errc::decode, "query response with unknown status \"" + status + "\"");
    }
    if (opts_.verify_query_signatures) {
      IC_CHECK(verify_query_response(ecid, req.request_id, m, r));
      r.certified = true;
      if (const Value* s = m.get("signatures"); s && s->as_array() && !s->as_array()->empty())
        if (const Value* ts = s->as_array()->front().get("timestamp")) r.time_ns = ts->as_uint();
    }
    return r;
  }
}

}  // namespace agent
