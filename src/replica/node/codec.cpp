// On-disk records of the node (CBOR), written into replica_store blobs once per round: node metadata,
// canister records, ingress history entries and in-flight messages (queues, call contexts, callbacks).
#include "replica/node/codec.h"

namespace replica::codec {
namespace {

using ic::cbor::Value;

Value cycles_v(Cycles c) {
  uint8_t le[16];
  for (int i = 0; i < 16; ++i) le[i] = static_cast<uint8_t>(c >> (8 * i));
  return Value::bignat(ic::BigNat::from_bytes_le(ic::ByteView(le, 16)));
}
Cycles cycles_of(const Value* v) {
  if (!v) return 0;
  auto n = v->as_bignat();
  if (!n) return 0;
  Bytes le = n->to_bytes_le();
  Cycles c = 0;
  for (size_t i = std::min<size_t>(le.size(), 16); i-- > 0;) c = (c << 8) | le[i];
  return c;
}
uint64_t u64(const Value* v) { return v && v->as_uint() ? *v->as_uint() : 0; }
Bytes bytes(const Value* v) { return v && v->as_bytes() ? *v->as_bytes() : Bytes{}; }
std::string text(const Value* v) { return v && v->as_text() ? std::string(*v->as_text()) : std::string(); }
Principal principal(const Value* v) {
  auto p = Principal::from_bytes(bytes(v));
  return p ? *p : Principal();
}
Value principals_v(const std::vector<Principal>& ps) {
  Value a = Value::array();
  for (const auto& p : ps) a.push(Value::bytes(p.view()));
  return a;
}
std::vector<Principal> principals(const Value* v) {
  std::vector<Principal> out;
  if (v && v->as_array())
    for (const auto& e : *v->as_array()) out.push_back(principal(&e));
  return out;
}
Value hash_v(const ic::Hash256& h) { return Value::bytes(ic::ByteView(h)); }
ic::Hash256 hash_of(const Value* v) {
  ic::Hash256 h{};
  Bytes b = bytes(v);
  if (b.size() == 32) std::copy(b.begin(), b.end(), h.begin());
  return h;
}

Value origin_v(const Origin& o) {
  return Value::array({Value::uint(o.kind), hash_v(o.request_id), Value::bytes(o.canister.view()), Value::uint(o.callback)});
}
Origin origin_of(const Value* v) {
  Origin o;
  if (!v || !v->as_array() || v->as_array()->size() != 4) return o;
  const auto& a = *v->as_array();
  o.kind = static_cast<Origin::Kind>(u64(&a[0]));
  o.request_id = hash_of(&a[1]);
  o.canister = principal(&a[2]);
  o.callback = u64(&a[3]);
  return o;
}
Value reject_v(const Reject& r) {
  return Value::array({Value::uint(r.code), Value::text(r.message), Value::text(r.error_code)});
}
Reject reject_of(const Value* v) {
  Reject r;
  if (!v || !v->as_array() || v->as_array()->size() != 3) return r;
  const auto& a = *v->as_array();
  r.code = static_cast<uint32_t>(u64(&a[0]));
  r.message = text(&a[1]);
  r.error_code = text(&a[2]);
  return r;
}
Value callback_v(const exec::Callback& c) { return Value::array({Value::uint(c.fun), Value::uint(c.env)}); }
exec::Callback callback_of(const Value* v) {
  exec::Callback c;
  if (v && v->as_array() && v->as_array()->size() == 2) {
    c.fun = static_cast<uint32_t>(u64(&(*v->as_array())[0]));
    c.env = u64(&(*v->as_array())[1]);
  }
  return c;
}
Value request_v(const Request& r) {
  return Value::array({Value::uint(0), Value::bytes(r.sender.view()), Value::bytes(r.receiver.view()), Value::text(r.method),
                       Value::bytes(ic::ByteView(r.arg)), cycles_v(r.cycles), origin_v(r.origin)});
}
Value response_v(const Response& r) {
  return Value::array({Value::uint(1), Value::bytes(r.receiver.view()), Value::uint(r.callback), Value::boolean(r.replied),
                       Value::bytes(ic::ByteView(r.payload)), reject_v(r.reject), cycles_v(r.refund)});
}
std::optional<Message> message_of(const Value& v) {
  const auto* a = v.as_array();
  if (!a || a->size() != 7) return std::nullopt;
  if (u64(&(*a)[0]) == 0) {
    Request r;
    r.sender = principal(&(*a)[1]);
    r.receiver = principal(&(*a)[2]);
    r.method = text(&(*a)[3]);
    r.arg = bytes(&(*a)[4]);
    r.cycles = cycles_of(&(*a)[5]);
    r.origin = origin_of(&(*a)[6]);
    return Message(std::move(r));
  }
  Response r;
  r.receiver = principal(&(*a)[1]);
  r.callback = u64(&(*a)[2]);
  r.replied = (*a)[3].as_bool().value_or(false);
  r.payload = bytes(&(*a)[4]);
  r.reject = reject_of(&(*a)[5]);
  r.refund = cycles_of(&(*a)[6]);
  return Message(std::move(r));
}

}  // namespace

Bytes encode_canister(const Canister& c) {
  const Settings& s = c.settings;
  Value settings = Value::text_map({
      {"controllers", principals_v(s.controllers)},
      {"compute", Value::uint(s.compute_allocation)},
      {"memory", Value::uint(s.memory_allocation)},
      {"freezing", Value::uint(s.freezing_threshold)},
      {"reserved_limit", cycles_v(s.reserved_cycles_limit)},
      {"wasm_memory_limit", Value::uint(s.wasm_memory_limit)},
      {"wasm_memory_threshold", Value::uint(s.wasm_memory_threshold)},
      {"log_visibility", Value::uint(s.log_visibility)},
      {"log_viewers", principals_v(s.log_viewers)},
  });
  Value waiters = Value::array();
  for (const auto& w : c.stop_waiters) waiters.push(origin_v(w));
  Value queue = Value::array();
  for (const auto& m : c.queue) queue.push(std::holds_alternative<Request>(m) ? request_v(std::get<Request>(m)) : response_v(std::get<Response>(m)));
  return ic::cbor::encode(Value::text_map({
      {"id", Value::bytes(c.id.view())},
      {"settings", settings},
      {"status", Value::uint(static_cast<uint64_t>(c.status))},
      {"cycles", cycles_v(c.cycles)},
      {"certified_data", Value::bytes(ic::ByteView(c.certified_data))},
      {"global_timer", Value::uint(c.global_timer)},
      {"version", Value::uint(c.version)},
      {"created", Value::uint(c.created_ns)},
      {"installed", Value::uint(c.installed_ns)},
      {"storage_charged", Value::uint(c.storage_charged_ns)},
      {"stop_waiters", waiters},
      {"queue", queue},
  }));
}

ic::Status decode_canister(ic::ByteView b, Canister& c) {
  IC_TRY(Value v, ic::cbor::decode(b));
  if (!v.is_map()) return ic::make_error(ic::Errc::decode, "canister record is not a CBOR map");
  c.id = principal(v.get("id"));
  if (const Value* s = v.get("settings")) {
    c.settings.controllers = principals(s->get("controllers"));
    c.settings.compute_allocation = u64(s->get("compute"));
    c.settings.memory_allocation = u64(s->get("memory"));
    c.settings.freezing_threshold = u64(s->get("freezing"));
    c.settings.reserved_cycles_limit = cycles_of(s->get("reserved_limit"));
    c.settings.wasm_memory_limit = u64(s->get("wasm_memory_limit"));
    c.settings.wasm_memory_threshold = u64(s->get("wasm_memory_threshold"));
    c.settings.log_visibility = static_cast<uint8_t>(u64(s->get("log_visibility")));
    c.settings.log_viewers = principals(s->get("log_viewers"));
  }
  c.status = static_cast<CanisterStatus>(u64(v.get("status")));
  if (c.status < CanisterStatus::Running || c.status > CanisterStatus::Stopped) c.status = CanisterStatus::Running;
  c.cycles = cycles_of(v.get("cycles"));
  c.certified_data = bytes(v.get("certified_data"));
  c.global_timer = u64(v.get("global_timer"));
  c.version = u64(v.get("version"));
  c.created_ns = u64(v.get("created"));
  c.installed_ns = u64(v.get("installed"));
  c.storage_charged_ns = u64(v.get("storage_charged"));
  if (const Value* w = v.get("stop_waiters"); w && w->as_array())
    for (const auto& e : *w->as_array()) c.stop_waiters.push_back(origin_of(&e));
  if (const Value* q = v.get("queue"); q && q->as_array())
    for (const auto& e : *q->as_array())
      if (auto m = message_of(e)) c.queue.push_back(std::move(*m));
  return {};
}

Bytes encode_chunks(const std::map<ic::Hash256, Bytes>& chunks) {
  Value a = Value::array();
  for (const auto& [h, b] : chunks) a.push(Value::bytes(ic::ByteView(b)));
  return ic::cbor::encode(a);
}
std::map<ic::Hash256, Bytes> decode_chunks(ic::ByteView b) {
  std::map<ic::Hash256, Bytes> out;
  auto v = ic::cbor::decode(b);
  if (v && v->as_array())
    for (const auto& e : *v->as_array())
      if (e.as_bytes()) out[ic::sha256(*e.as_bytes())] = *e.as_bytes();
  return out;
}

Bytes encode_globals(const std::vector<uint64_t>& g) {
  Value a = Value::array();
  for (uint64_t x : g) a.push(Value::uint(x));
  return ic::cbor::encode(a);
}
std::vector<uint64_t> decode_globals(ic::ByteView b) {
  std::vector<uint64_t> g;
  auto v = ic::cbor::decode(b);
  if (v && v->as_array())
    for (const auto& e : *v->as_array()) g.push_back(u64(&e));
  return g;
}

Bytes encode_ingress(const IngressEntry& e) {
  return ic::cbor::encode(Value::text_map({
      {"sender", Value::bytes(e.sender.view())},
      {"ecid", Value::bytes(e.effective_canister_id.view())},
      {"canister", Value::bytes(e.canister.view())},
      {"status", Value::text(e.status)},
      {"reply", Value::bytes(ic::ByteView(e.reply))},
      {"reject", reject_v(e.reject)},
      {"expiry", Value::uint(e.expiry)},
  }));
}
ic::Result<IngressEntry> decode_ingress(ic::ByteView b) {
  IC_TRY(Value v, ic::cbor::decode(b));
  IngressEntry e;
  e.sender = principal(v.get("sender"));
  e.effective_canister_id = principal(v.get("ecid"));
  e.canister = principal(v.get("canister"));
  e.status = text(v.get("status"));
  e.reply = bytes(v.get("reply"));
  e.reject = reject_of(v.get("reject"));
  e.expiry = u64(v.get("expiry"));
  e.dirty = false;
  return e;
}

Bytes encode_inflight(const std::map<uint64_t, CallContext>& contexts, const std::map<uint64_t, CallbackRec>& callbacks,
                      const std::deque<Request>& mgmt) {
  Value ctxs = Value::array();
  for (const auto& [id, c] : contexts)
    ctxs.push(Value::array({Value::uint(id), Value::bytes(c.canister.view()), origin_v(c.origin),
                            Value::bytes(c.caller.view()), cycles_v(c.available), Value::boolean(c.responded),
                            Value::uint(c.outstanding)}));
  Value cbs = Value::array();
  for (const auto& [id, c] : callbacks)
    cbs.push(Value::array({Value::uint(id), Value::bytes(c.owner.view()), Value::uint(c.context), callback_v(c.on_reply),
                           callback_v(c.on_reject), c.on_cleanup ? callback_v(*c.on_cleanup) : Value::null()}));
  Value mq = Value::array();
  for (const auto& r : mgmt) mq.push(request_v(r));
  return ic::cbor::encode(Value::array({ctxs, cbs, mq}));
}

ic::Status decode_inflight(ic::ByteView b, std::map<uint64_t, CallContext>& contexts,
                           std::map<uint64_t, CallbackRec>& callbacks, std::deque<Request>& mgmt) {
  IC_TRY(Value v, ic::cbor::decode(b));
  const auto* a = v.as_array();
  if (!a || a->size() != 3) return ic::make_error(ic::Errc::decode, "in-flight record malformed");
  for (const auto& e : *(*a)[0].as_array()) {
    const auto& f = *e.as_array();
    CallContext c;
    c.canister = principal(&f[1]);
    c.origin = origin_of(&f[2]);
    c.caller = principal(&f[3]);
    c.available = cycles_of(&f[4]);
    c.responded = f[5].as_bool().value_or(false);
    c.outstanding = static_cast<uint32_t>(u64(&f[6]));
    contexts[u64(&f[0])] = c;
  }
  for (const auto& e : *(*a)[1].as_array()) {
    const auto& f = *e.as_array();
    CallbackRec c;
    c.owner = principal(&f[1]);
    c.context = u64(&f[2]);
    c.on_reply = callback_of(&f[3]);
    c.on_reject = callback_of(&f[4]);
    if (!f[5].is_null()) c.on_cleanup = callback_of(&f[5]);
    callbacks[u64(&f[0])] = c;
  }
  for (const auto& e : *(*a)[2].as_array())
    if (auto m = message_of(e); m && std::holds_alternative<Request>(*m)) mgmt.push_back(std::get<Request>(*m));
  return {};
}

}  // namespace replica::codec
