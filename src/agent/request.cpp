#include "agent/request.h"

namespace agent {
using ic::cbor::Value;

uint64_t ingress_expiry(uint64_t now_ns, uint64_t ttl_ns) {
  uint64_t raw = now_ns + ttl_ns;
  uint64_t unit = ttl_ns > 90 * kNanosPerSecond ? 60 * kNanosPerSecond : kNanosPerSecond;
  return raw / unit * unit;
}

const char* request_type_name(RequestType t) {
  switch (t) {
    case RequestType::Call: return "call";
    case RequestType::Query: return "query";
    case RequestType::ReadState: return "read_state";
  }
  return "?";
}

Value call_content(RequestType type, const ic::Principal& sender, const ic::Principal& canister,
                   std::string_view method, ic::ByteView arg, uint64_t expiry_ns, std::optional<ic::Bytes> nonce) {
  Value c = Value::text_map({{"request_type", Value::text(request_type_name(type))},
                             {"sender", Value::bytes(sender.view())},
                             {"ingress_expiry", Value::uint(expiry_ns)},
                             {"canister_id", Value::bytes(canister.view())},
                             {"method_name", Value::text(method)},
                             {"arg", Value::bytes(arg)}});
  if (nonce) c.set("nonce", Value::bytes(std::move(*nonce)));
  return c;
}

Value read_state_content(const ic::Principal& sender, const std::vector<ic::Path>& paths, uint64_t expiry_ns) {
  Value list = Value::array();
  for (const auto& path : paths) {
    Value labels = Value::array();
    for (const auto& label : path) labels.push(Value::bytes(label));
    list.push(std::move(labels));
  }
  return Value::text_map({{"request_type", Value::text("read_state")},
                          {"sender", Value::bytes(sender.view())},
                          {"ingress_expiry", Value::uint(expiry_ns)},
                          {"paths", std::move(list)}});
}

ic::Result<SignedRequest> sign_request(const Identity& identity, Value content) {
  const Value* sender = content.get("sender");
  if (!sender || !sender->as_bytes() || *sender->as_bytes() != identity.sender().bytes())
    return ic::make_error(ic::Errc::internal, "the request's sender is not the signing identity's principal");
  SignedRequest r;
  IC_TRY(r.request_id, ic::request_id(content));
  if (auto e = content.get("ingress_expiry"); e && e->as_uint()) r.expiry_ns = *e->as_uint();
  Value envelope = Value::text_map({{"content", content}});
  if (auto der = identity.public_key_der()) {
    IC_TRY(ic::Bytes sig, identity.sign(ic::request_signing_payload(r.request_id)));
    envelope.set("sender_pubkey", Value::bytes(std::move(*der)));
    envelope.set("sender_sig", Value::bytes(std::move(sig)));
  }
  r.body = ic::cbor::encode_self_describe(envelope);
  r.content = std::move(content);
  return r;
}

ic::Result<Envelope> decode_envelope(ic::ByteView body) {
  IC_TRY(Value v, ic::cbor::decode(body));
  const Value& m = v.untagged();
  const Value* content = m.get("content");
  if (!content || !content->is_map())
    return ic::make_error(ic::Errc::decode, "not a request envelope: no `content` map");
  Envelope e;
  e.content = *content;
  if (auto k = m.get("sender_pubkey"); k && k->as_bytes()) e.sender_pubkey = *k->as_bytes();
  if (auto s = m.get("sender_sig"); s && s->as_bytes()) e.sender_sig = *s->as_bytes();
  return e;
}

}  // namespace agent
