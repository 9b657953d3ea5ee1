// The management canister aaaaa-aa (ic-protocol.md §5, candid/ic.did): canister lifecycle, code
// installation (plain and chunked, atomic upgrades), settings, status, cycles, raw_rand.
#include <algorithm>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "replica/node/internal.h"

namespace replica {

extern const char* const kIcDid;  // candid/ic.did, embedded by CMake (ic_did.cpp)

namespace {

using candid::FieldValue;
using candid::Value;

const candid::text::DidFile& ic_did() {
  static const candid::text::DidFile did = [] {
    auto d = candid::text::parse_did(kIcDid);
    return d ? std::move(d).value() : candid::text::DidFile{};
  }();
  return did;
}

ic::Result<candid::Args> decode_arg(const std::string& method, ic::ByteView arg) {
  IC_TRY(candid::FuncType f, ic_did().method(method));
  return candid::decode(arg, &ic_did().table, &f.args);
}

Bytes encode_reply(const std::string& method, std::vector<Value> values) {
  auto f = ic_did().method(method);
  if (!f) return empty_candid();
  auto b = candid::encode(ic_did().table, f->results, values);
  return b ? std::move(b).value() : empty_candid();
}

FieldValue fv(std::string_view name, Value v) { return FieldValue{candid::field_hash(name), std::move(v)}; }

Value nat_value(Cycles c) {
  uint8_t le[16];
  for (int i = 0; i < 16; ++i) le[i] = static_cast<uint8_t>(c >> (8 * i));
  return Value::of_nat(ic::BigNat::from_bytes_le(ic::ByteView(le, 16)));
}

const Value* opt_field(const Value& rec, std::string_view name) {
  const Value* v = rec.field(name);
  if (!v || v->kind != candid::Op::Opt || v->items.empty()) return nullptr;
  return &v->items[0];
}

std::optional<Cycles> to_cycles(const Value& v) {
  const ic::BigNat& n = v.number.magnitude();
  if (n.bit_length() > 128) return std::nullopt;
  Bytes le = n.to_bytes_le();
  Cycles c = 0;
  for (size_t i = le.size(); i-- > 0;) c = (c << 8) | le[i];
  return c;
}

std::optional<Principal> principal_field(const Value& rec, std::string_view name) {
  const Value* v = rec.field(name);
  if (!v) return std::nullopt;
  auto p = Principal::from_bytes(v->bytes);
  if (!p) return std::nullopt;
  return *p;
}

Reject bad_payload(const std::string& method, const std::string& why) {
  return make_reject(4, "Error decoding candid of management method " + method + ": " + why, "IC0408");
}

// The ic.did settings record applied onto `s`; error text for an invalid one.
std::optional<std::string> apply_settings(Settings& s, const Value& rec) {
  Settings n = s;
  if (const Value* c = opt_field(rec, "controllers")) {
    if (c->items.size() > 10) return "Invalid settings: at most 10 controllers are allowed, got " + std::to_string(c->items.size());
    n.controllers.clear();
    for (const auto& p : c->items) {
      auto pr = Principal::from_bytes(p.bytes);
      if (!pr) return std::string("Invalid settings: bad controller principal");
      if (std::find(n.controllers.begin(), n.controllers.end(), *pr) == n.controllers.end()) n.controllers.push_back(*pr);
    }
  }
  auto u64 = [&](std::string_view name, uint64_t& out, uint64_t max) -> std::optional<std::string> {
    if (const Value* v = opt_field(rec, name)) {
      auto x = v->number.magnitude().to_u64();
      if (!x || *x > max) return "Invalid settings: " + std::string(name) + " must be at most " + std::to_string(max);
      out = *x;
    }
    return std::nullopt;
  };
  if (auto e = u64("compute_allocation", n.compute_allocation, 100)) return e;
  if (auto e = u64("memory_allocation", n.memory_allocation, 1ull << 48)) return e;
  if (auto e = u64("freezing_threshold", n.freezing_threshold, UINT64_MAX)) return e;
  if (auto e = u64("wasm_memory_limit", n.wasm_memory_limit, 1ull << 48)) return e;
  if (auto e = u64("wasm_memory_threshold", n.wasm_memory_threshold, 1ull << 48)) return e;
  if (const Value* v = opt_field(rec, "reserved_cycles_limit")) {
    auto c = to_cycles(*v);
    if (!c) return std::string("Invalid settings: reserved_cycles_limit too large");
    n.reserved_cycles_limit = *c;
  }
  if (const Value* v = opt_field(rec, "log_visibility"); v && !v->fields.empty()) {
    uint32_t id = v->fields[0].id;
    n.log_viewers.clear();
    if (id == candid::field_hash("controllers")) n.log_visibility = 0;
    else if (id == candid::field_hash("public")) n.log_visibility = 1;
    else {
      n.log_visibility = 2;
      for (const auto& p : v->fields[0].value.items)
        if (auto pr = Principal::from_bytes(p.bytes)) n.log_viewers.push_back(*pr);
    }
  }
  s = std::move(n);
  return std::nullopt;
}

Value settings_value(const Settings& s) {
  std::vector<Value> ctrls;
  for (const auto& c : s.controllers) ctrls.push_back(Value::of_principal(c.bytes()));
  Value vis;
  if (s.log_visibility == 0) vis = Value::of_variant(fv("controllers", Value::null()));
  else if (s.log_visibility == 1) vis = Value::of_variant(fv("public", Value::null()));
  else {
    std::vector<Value> v;
    for (const auto& p : s.log_viewers) v.push_back(Value::of_principal(p.bytes()));
    vis = Value::of_variant(fv("allowed_viewers", Value::of_vec(std::move(v))));
  }
  return Value::of_record({
      fv("controllers", Value::of_vec(std::move(ctrls))),
      fv("compute_allocation", nat_value(s.compute_allocation)),
      fv("memory_allocation", nat_value(s.memory_allocation)),
      fv("freezing_threshold", nat_value(s.freezing_threshold)),
      fv("reserved_cycles_limit", nat_value(s.reserved_cycles_limit)),
      fv("log_visibility", std::move(vis)),
      fv("wasm_memory_limit", nat_value(s.wasm_memory_limit)),
      fv("wasm_memory_threshold", nat_value(s.wasm_memory_threshold)),
  });
}

Bytes status_reply(const Canister& c) {
  const char* st = c.status == CanisterStatus::Running ? "running" : c.status == CanisterStatus::Stopping ? "stopping" : "stopped";
  uint64_t heap = c.instance ? c.instance->heap_bytes() : 0, stable = c.instance ? c.instance->stable_bytes() : 0;
  uint64_t chunks = 0;
  for (const auto& [h, b] : c.chunks) chunks += b.size();
  uint64_t custom = c.module ? c.module->custom_sections_size() : 0;
  Value metrics = Value::of_record({
      fv("wasm_memory_size", nat_value(heap)), fv("stable_memory_size", nat_value(stable)),
      fv("global_memory_size", nat_value(0)), fv("wasm_binary_size", nat_value(c.wasm.size())),
      fv("custom_sections_size", nat_value(custom)), fv("canister_history_size", nat_value(0)),
      fv("wasm_chunk_store_size", nat_value(chunks)), fv("snapshots_size", nat_value(0))});
  Value qstats = Value::of_record({fv("num_calls_total", nat_value(0)), fv("num_instructions_total", nat_value(0)),
                                   fv("request_payload_bytes_total", nat_value(0)),
                                   fv("response_payload_bytes_total", nat_value(0))});
  Value mh = c.module ? Value::some(Value::of_blob(Bytes(c.module->hash.begin(), c.module->hash.end()))) : Value::none();
  Value rec = Value::of_record({
      fv("status", Value::of_variant(fv(st, Value::null()))),
      fv("ready_for_migration", Value::of_bool(false)),
      fv("version", Value::of_fixed_nat(candid::Op::Nat64, c.version)),
      fv("settings", settings_value(c.settings)),
      fv("module_hash", std::move(mh)),
      fv("memory_size", nat_value(heap + stable + c.wasm.size() + chunks + custom)),
      fv("memory_metrics", std::move(metrics)),
      fv("cycles", nat_value(c.cycles)),
      fv("reserved_cycles", nat_value(0)),
      fv("idle_cycles_burned_per_day", nat_value(fees::idle_burn_per_day(c.memory_bytes(), c.settings.compute_allocation))),
      fv("query_stats", std::move(qstats)),
  });
  return encode_reply("canister_status", {std::move(rec)});
}

Reject not_controller(const Canister& c, const Principal& sender) {
  std::string list;
  for (const auto& p : c.settings.controllers) list += (list.empty() ? "" : " ") + p.to_text();
  return make_reject(5,
                     "Only the controllers of the canister " + c.id.to_text() + " can control it.\nCanister's controllers: " +
                         list + "\nSender's ID: " + sender.to_text(),
                     "IC0512");
}

Reject not_found(const Principal& id) { return make_reject(3, "Canister " + id.to_text() + " not found", "IC0301"); }

const std::set<std::string>& ingress_methods() {
  static const std::set<std::string> m = {
      "provisional_create_canister_with_cycles", "provisional_top_up_canister", "install_code", "install_chunked_code",
      "upload_chunk", "stored_chunks", "clear_chunk_store", "uninstall_code", "canister_status", "update_settings",
      "start_canister", "stop_canister", "delete_canister"};
  return m;
}

constexpr uint64_t kMaxChunkBytes = 1ull << 20;
constexpr size_t kMaxChunks = 100;

}  // namespace

Principal Node::Impl::allocate_id() {
  while (next_index <= kLastIndex &&
         (retired.count(next_index) || canisters.count(Principal::from_canister_index(next_index))))
    ++next_index;
  Principal id = Principal::from_canister_index(next_index);
  ++next_index;
  meta_dirty = true;
  return id;
}

Canister& Node::Impl::create_canister(const Principal& id, const Principal& creator, Cycles cycles, const Settings& s) {
  Canister& c = canisters[id];
  c.id = id;
  c.settings = s;
  c.cycles = cycles;
  c.created_ns = round_time;
  c.storage_charged_ns = round_time;
  c.meta_dirty = true;
  (void)creator;
  return c;
}

std::optional<Reject> Node::Impl::check_management_ingress(const IngressMessage& msg) {
  if (!ingress_methods().count(msg.method)) {
    if (ic_did().method(msg.method))
      return make_reject(4, "Only canisters can call ic00 method " + msg.method, "IC0406");
    return make_reject(4, "Management canister has no method '" + msg.method + "'", "IC0407");
  }
  if (msg.method == "provisional_create_canister_with_cycles") return std::nullopt;
  auto a = decode_arg(msg.method, msg.arg);
  if (!a || a->values.empty()) return bad_payload(msg.method, a ? "no argument" : a.error().message);
  auto id = principal_field(a->values[0], msg.method == "install_chunked_code" ? "target_canister" : "canister_id");
  if (!id) return bad_payload(msg.method, "missing canister id");
  auto it = canisters.find(*id);
  if (it == canisters.end()) return not_found(*id);
  if (msg.method == "provisional_top_up_canister") return std::nullopt;
  if (!it->second.is_controller(msg.sender) && !(msg.method == "canister_status" && msg.sender == *id))
    return not_controller(it->second, msg.sender);
  return std::nullopt;
}

QueryReply Node::Impl::management_query(const Principal& sender, const std::string& method, ic::ByteView arg) {
  QueryReply q;
  if (method != "canister_status") {
    q.reject = make_reject(3, "Management canister has no query method '" + method + "'", "IC0536");
    return q;
  }
  auto a = decode_arg(method, arg);
  std::optional<Principal> id;
  if (a && !a->values.empty()) id = principal_field(a->values[0], "canister_id");
  if (!id) {
    q.reject = bad_payload(method, a ? "missing canister_id" : a.error().message);
    return q;
  }
  auto it = canisters.find(*id);
  if (it == canisters.end()) {
    q.reject = not_found(*id);
    return q;
  }
  if (!it->second.is_controller(sender) && sender != *id) {
    q.reject = not_controller(it->second, sender);
    return q;
  }
  q.replied = true;
  q.reply = status_reply(it->second);
  return q;
}

void Node::Impl::execute_management(Request req) {
  const std::string& m = req.method;
  Cycles attached = req.cycles;
  auto reply = [&](Bytes b, Cycles refund) { respond(req.origin, true, std::move(b), {}, refund); };
  auto reject = [&](Reject r) { respond(req.origin, false, {}, std::move(r), attached); };
  bool from_canister = req.origin.kind == Origin::Canister;

  auto f = ic_did().method(m);
  if (!f) return reject(make_reject(4, "Management canister has no method '" + m + "'", "IC0407"));
  if (!from_canister && !ingress_methods().count(m))
    return reject(make_reject(4, "Only canisters can call ic00 method " + m, "IC0406"));
  if (m == "raw_rand") {
    ic::Sha256 h;
    h.update(seed);
    h.update("raw_rand");
    uint64_t n = rand_counter++;
    h.update(ic::ByteView(reinterpret_cast<const uint8_t*>(&n), 8));
    h.update(ic::ByteView(reinterpret_cast<const uint8_t*>(&round_time), 8));
    auto d = h.finish();
    meta_dirty = true;
    return reply(encode_reply(m, {Value::of_blob(Bytes(d.begin(), d.end()))}), attached);
  }
  auto decoded = decode_arg(m, req.arg);
  if (!decoded || decoded->values.empty())
    return reject(bad_payload(m, decoded ? "no argument" : decoded.error().message));
  const Value& arg = decoded->values[0];

  // Creation.
  if (m == "create_canister" || m == "provisional_create_canister_with_cycles") {
    Settings s;
    s.controllers = {req.sender};
    if (const Value* sv = opt_field(arg, "settings"))
      if (auto e = apply_settings(s, *sv)) return reject(make_reject(4, *e, "IC0408"));
    Cycles cycles;
    Principal id;
    if (m == "create_canister") {
      if (attached < fees::kCanisterCreation)
        return reject(make_reject(4,
                                  "Creating a canister requires a fee of " + cycles_text(fees::kCanisterCreation) +
                                      " that is deducted from the canister's initial balance but only " +
                                      cycles_text(attached) + " cycles were received with the create_canister request.",
                                  "IC0403"));
      cycles = attached - fees::kCanisterCreation;
      attached = 0;
      if (next_index > kLastIndex) return reject(make_reject(1, "The subnet has no canister ids left", "IC0102"));
      id = allocate_id();
    } else {
      cycles = cfg.default_provisional_cycles;
      if (const Value* a = opt_field(arg, "amount")) {
        auto c = to_cycles(*a);
        if (!c) return reject(bad_payload(m, "amount does not fit in 128 bits"));
        cycles = *c;
      }
      if (const Value* sid = opt_field(arg, "specified_id")) {
        auto p = Principal::from_bytes(sid->bytes);
        auto idx = p ? p->canister_index() : std::nullopt;
        if (!idx || *idx < kFirstIndex || *idx > kLastIndex)
          return reject(make_reject(4, "The specified_id " + (p ? p->to_text() : std::string("?")) +
                                           " is not a canister id within this subnet's canister ranges",
                                       "IC0408"));
        if (canisters.count(*p) || retired.count(*idx) || *idx < next_index)
          return reject(make_reject(2, "Canister " + p->to_text() + " is already installed or its id was used before",
                                    "IC0205"));
        id = *p;
        retired.insert(*idx);  // allocate_id() skips it from now on
        meta_dirty = true;
      } else {
        if (next_index > kLastIndex) return reject(make_reject(1, "The subnet has no canister ids left", "IC0102"));
        id = allocate_id();
      }
    }
    create_canister(id, req.sender, cycles, s);
    return reply(encode_reply(m, {Value::of_record({fv("canister_id", Value::of_principal(id.bytes()))})}), attached);
  }

  const char* id_field = m == "install_chunked_code" ? "target_canister" : "canister_id";
  auto id = principal_field(arg, id_field);
  if (!id) return reject(bad_payload(m, std::string("missing ") + id_field));
  auto it = canisters.find(*id);
  if (it == canisters.end()) return reject(not_found(*id));
  Canister& c = it->second;

  if (m == "provisional_top_up_canister") {
    auto amount = arg.field("amount") ? to_cycles(*arg.field("amount")) : std::nullopt;
    if (!amount) return reject(bad_payload(m, "bad amount"));
    c.cycles += *amount;
    c.meta_dirty = true;
    return reply(empty_candid(), attached);
  }
  if (m == "deposit_cycles") {
    c.cycles += attached;
    c.meta_dirty = true;
    return reply(empty_candid(), 0);
  }
  if (m == "canister_status") {
    if (!c.is_controller(req.sender) && req.sender != c.id) return reject(not_controller(c, req.sender));
    return reply(status_reply(c), attached);
  }
  if (!c.is_controller(req.sender)) return reject(not_controller(c, req.sender));

  if (m == "update_settings") {
    const Value* sv = arg.field("settings");
    if (sv)
      if (auto e = apply_settings(c.settings, *sv)) return reject(make_reject(4, *e, "IC0408"));
    ++c.version;
    c.meta_dirty = true;
    return reply(empty_candid(), attached);
  }
  if (m == "start_canister") {
    if (c.status == CanisterStatus::Stopping)
      for (const auto& w : c.stop_waiters)
        respond(w, false, {}, make_reject(5, "Canister " + c.id.to_text() + " was started while stopping: stop cancelled", "IC0511"), 0);
    c.stop_waiters.clear();
    c.status = CanisterStatus::Running;
    c.meta_dirty = true;
    return reply(empty_candid(), attached);
  }
  if (m == "stop_canister") {
    if (c.status == CanisterStatus::Stopped) return reply(empty_candid(), attached);
    c.status = CanisterStatus::Stopping;
    c.meta_dirty = true;
    c.stop_waiters.push_back(req.origin);  // answered by check_stopped once no call context is open
    check_stopped(c);
    return;
  }
  if (m == "delete_canister") {
    if (c.status != CanisterStatus::Stopped)
      return reject(make_reject(5, "Canister " + c.id.to_text() + " must be stopped before it is deleted.", "IC0510"));
    if (req.sender == c.id) return reject(make_reject(5, "Canister " + c.id.to_text() + " cannot delete itself", "IC0504"));
    drop_call_contexts(c, "Canister " + c.id.to_text() + " has been deleted.");
    for (auto& msg : c.queue)
      if (auto* r = std::get_if<Request>(&msg)) respond(r->origin, false, {}, not_found(c.id), r->cycles);
    if (auto idx = c.id.canister_index()) retired.insert(*idx);
    deleted.push_back(c.id);
    canisters.erase(it);
    meta_dirty = true;
    return reply(empty_candid(), attached);
  }
  if (m == "uninstall_code") {
    drop_call_contexts(c, "Canister " + c.id.to_text() + " has been uninstalled.");
    c.module.reset();
    c.instance.reset();
    c.wasm.clear();
    c.certified_data.clear();
    c.global_timer = 0;
    ++c.version;
    c.memory_replaced = c.wasm_dirty = c.meta_dirty = true;
    return reply(empty_candid(), attached);
  }
  if (m == "upload_chunk") {
    const Value* chunk = arg.field("chunk");
    if (!chunk) return reject(bad_payload(m, "missing chunk"));
    if (chunk->bytes.size() > kMaxChunkBytes)
      return reject(make_reject(5, "Wasm chunk size " + std::to_string(chunk->bytes.size()) + " exceeds the maximum of 1 MiB", "IC0505"));
    ic::Hash256 h = ic::sha256(chunk->bytes);
    if (!c.chunks.count(h) && c.chunks.size() >= kMaxChunks)
      return reject(make_reject(5, "Wasm chunk store of canister " + c.id.to_text() + " is full (100 chunks)", "IC0505"));
    c.chunks[h] = chunk->bytes;
    c.chunks_dirty = c.meta_dirty = true;
    return reply(encode_reply(m, {Value::of_record({fv("hash", Value::of_blob(Bytes(h.begin(), h.end())))})}), attached);
  }
  if (m == "stored_chunks") {
    std::vector<Value> v;
    for (const auto& [h, b] : c.chunks) v.push_back(Value::of_record({fv("hash", Value::of_blob(Bytes(h.begin(), h.end())))}));
    return reply(encode_reply(m, {Value::of_vec(std::move(v))}), attached);
  }
  if (m == "clear_chunk_store") {
    c.chunks.clear();
    c.chunks_dirty = c.meta_dirty = true;
    return reply(empty_candid(), attached);
  }

  // install_code / install_chunked_code
  Bytes wasm;
  if (m == "install_code") {
    const Value* w = arg.field("wasm_module");
    if (!w) return reject(bad_payload(m, "missing wasm_module"));
    wasm = w->bytes;
  } else {
    Canister* store = &c;
    if (const Value* sc = opt_field(arg, "store_canister")) {
      auto sp = Principal::from_bytes(sc->bytes);
      auto sit = sp ? canisters.find(*sp) : canisters.end();
      if (sit == canisters.end()) return reject(not_found(sp ? *sp : Principal()));
      if (!sit->second.is_controller(req.sender) && req.sender != sit->second.id)
        return reject(not_controller(sit->second, req.sender));
      store = &sit->second;
    }
    const Value* list = arg.field("chunk_hashes_list");
    const Value* want = arg.field("wasm_module_hash");
    if (!list || !want) return reject(bad_payload(m, "missing chunk_hashes_list or wasm_module_hash"));
    for (const auto& ch : list->items) {
      const Value* hv = ch.field("hash");
      ic::Hash256 h{};
      if (!hv || hv->bytes.size() != 32) return reject(bad_payload(m, "chunk hash must be 32 bytes"));
      std::copy(hv->bytes.begin(), hv->bytes.end(), h.begin());
      auto cit = store->chunks.find(h);
      if (cit == store->chunks.end())
        return reject(make_reject(5, "Chunk " + ic::to_hex(h) + " is not in the chunk store of canister " + store->id.to_text(), "IC0505"));
      wasm.insert(wasm.end(), cit->second.begin(), cit->second.end());
    }
    ic::Hash256 got = ic::sha256(wasm);
    if (want->bytes != Bytes(got.begin(), got.end()))
      return reject(make_reject(5, "Wasm module hash " + ic::to_hex(want->bytes) + " does not match the hash " +
                                       ic::to_hex(got) + " of the concatenated chunks",
                                "IC0505"));
  }
  Bytes install_arg;
  if (const Value* a = arg.field("arg")) install_arg = a->bytes;
  const Value* mode = arg.field("mode");
  if (!mode || mode->fields.empty()) return reject(bad_payload(m, "missing mode"));
  uint32_t mode_id = mode->fields[0].id;
  bool skip_pre = false;
  if (mode_id == candid::field_hash("upgrade")) {
    const Value& o = mode->fields[0].value;
    if (o.kind == candid::Op::Opt && !o.items.empty())
      if (const Value* s = opt_field(o.items[0], "skip_pre_upgrade")) skip_pre = s->boolean;
  }
  std::string cid = c.id.to_text();
  bool upgrade = mode_id == candid::field_hash("upgrade");
  bool reinstall = mode_id == candid::field_hash("reinstall");
  if (!upgrade && !reinstall && c.module)
    return reject(make_reject(5, "Canister " + cid + " cannot be installed because the canister is not empty. Try installing with mode='reinstall' instead.", "IC0514"));
  if (upgrade && !c.module)
    return reject(make_reject(5, "Error from Canister " + cid + ": Attempted to upgrade, but the canister contains no Wasm module.", "IC0537"));
  auto module = compile(wasm);
  if (!module) return reject(make_reject(5, "Error from Canister " + cid + ": Canister's Wasm module is not valid: " + module.error().message, "IC0505"));
  if (auto fz = check_frozen(c, fees::execution(cfg.limits.install_instructions))) return reject(*fz);

  auto run = [&](WasmInstance& inst, exec::EntryKind kind, Bytes a) {
    exec::Invocation inv = base_invocation(c, kind);
    inv.caller = req.sender;
    inv.arg = std::move(a);
    inv.instruction_limit = cfg.limits.install_instructions;
    exec::ExecResult r = inst.execute(inv);
    round_instructions += r.instructions;
    charge(c, fees::execution(r.instructions));
    return r;
  };

  std::unique_ptr<WasmInstance> fresh;
  exec::ExecResult last;
  if (upgrade) {
    // Atomic upgrade: the old instance's image is kept until post_upgrade succeeded.
    exec::Image before = c.instance->image();
    if (!skip_pre && c.module->exports("canister_pre_upgrade")) {
      exec::ExecResult r = run(*c.instance, exec::EntryKind::PreUpgrade, {});
      if (!r.ok()) return reject(exec_reject(c, r));
    }
    exec::Image stable = c.instance->image();
    stable.heap_pages.clear();
    stable.heap_bytes = 0;
    stable.globals.clear();
    auto restore_old = [&] {
      auto old = rt->restore(c.module, before);
      if (old) {
        c.instance = std::move(old).value();
        c.memory_replaced = true;
      }
    };
    auto created = rt->create(*module, &stable);
    if (!created) {
      restore_old();
      return reject(make_reject(5, "Error from Canister " + cid + ": " + created.error().message, "IC0505"));
    }
    fresh = std::move(created).value();
    if ((*module)->exports("canister_post_upgrade")) {
      last = run(*fresh, exec::EntryKind::PostUpgrade, install_arg);
      if (!last.ok()) {
        restore_old();
        return reject(exec_reject(c, last));
      }
    }
  } else {
    auto created = rt->create(*module, nullptr);
    if (!created) return reject(make_reject(5, "Error from Canister " + cid + ": " + created.error().message, "IC0505"));
    fresh = std::move(created).value();
    if ((*module)->exports("canister_init")) {
      last = run(*fresh, exec::EntryKind::Init, install_arg);
      if (!last.ok()) return reject(exec_reject(c, last));
    }
    if (reinstall) drop_call_contexts(c, "Canister " + cid + " has been reinstalled.");
    c.certified_data.clear();
  }
  c.instance = std::move(fresh);
  c.module = *module;
  c.wasm = std::move(wasm);
  c.global_timer = 0;  // timers do not survive install/reinstall/upgrade (§5.2)
  if (last.ok()) {
    if (last.certified_data) c.certified_data = *last.certified_data;
    if (last.global_timer) c.global_timer = *last.global_timer;
    charge(c, last.cycles_burned);
  }
  ++c.version;
  c.installed_ns = round_time;
  c.memory_replaced = c.wasm_dirty = c.meta_dirty = true;
  return reply(empty_candid(), attached);
}

}  // namespace replica
