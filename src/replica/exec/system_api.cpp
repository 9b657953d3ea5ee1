// replica::exec — the System API (interface spec "System API imports", ic-protocol.md §6.2): every ic0
// function with its signature and the contexts it may be called in, and one execution from start to end.

#include <algorithm>
#include <cstring>

#include "replica/exec/internal.h"

namespace replica::exec {
namespace {

using vm::ValType;
constexpr ValType i32 = ValType::I32;
constexpr ValType i64 = ValType::I64;

// Context bits (§6.2 availability codes).
enum : uint32_t {
  cI = 1u << 0,    // canister_init, canister_post_upgrade
  cG = 1u << 1,    // canister_pre_upgrade
  cU = 1u << 2,    // update
  cRQ = 1u << 3,   // replicated query
  cNRQ = 1u << 4,  // non-replicated query
  cCQ = 1u << 5,   // composite query
  cRy = 1u << 6,   // reply callback
  cRt = 1u << 7,   // reject callback
  cC = 1u << 8,    // cleanup
  cF = 1u << 9,    // canister_inspect_message
  cT = 1u << 10,   // system task: heartbeat, global timer, on_low_wasm_memory
  cS = 1u << 11,   // the start function
  cAll = cI | cG | cU | cRQ | cNRQ | cCQ | cRy | cRt | cC | cF | cT,
};

enum Fn {
  msg_arg_data_size, msg_arg_data_copy, msg_caller_size, msg_caller_copy, msg_reject_code, msg_reject_msg_size,
  msg_reject_msg_copy, msg_deadline, msg_reply_data_append, msg_reply, msg_reject, msg_cycles_available,
  msg_cycles_available128, msg_cycles_refunded, msg_cycles_refunded128, msg_cycles_accept, msg_cycles_accept128,
  cycles_burn128, canister_self_size, canister_self_copy, canister_cycle_balance, canister_cycle_balance128,
  canister_liquid_cycle_balance128, canister_status, canister_version, subnet_self_size, subnet_self_copy,
  msg_method_name_size, msg_method_name_copy, accept_message, call_new, call_on_cleanup, call_data_append,
  call_with_best_effort_response, call_cycles_add, call_cycles_add128, call_perform, stable_size, stable_grow,
  stable_write, stable_read, stable64_size, stable64_grow, stable64_write, stable64_read, root_key_size,
  root_key_copy, certified_data_set, data_certificate_present, data_certificate_size, data_certificate_copy,
  time_, global_timer_set, performance_counter, is_controller, in_replicated_execution, debug_print, trap,
  env_var_count, unsupported,
};

struct Ic0 {
  const char* name;
  Fn id;
  vm::Signature sig;
  uint32_t contexts;
};

constexpr uint32_t kReplyCtx = cU | cRQ | cNRQ | cCQ | cRy | cRt;
constexpr uint32_t kCallCtx = cU | cCQ | cRy | cRt | cT;
constexpr uint32_t kReplicated = cI | cG | cU | cRQ | cRy | cRt | cC | cT;

const std::vector<Ic0>& table() {
  static const std::vector<Ic0> t = {
      {"msg_arg_data_size", msg_arg_data_size, {{}, {i32}}, cI | cU | cRQ | cNRQ | cCQ | cRy | cF},
      {"msg_arg_data_copy", msg_arg_data_copy, {{i32, i32, i32}, {}}, cI | cU | cRQ | cNRQ | cCQ | cRy | cF},
      {"msg_caller_size", msg_caller_size, {{}, {i32}}, cAll},
      {"msg_caller_copy", msg_caller_copy, {{i32, i32, i32}, {}}, cAll},
      {"msg_reject_code", msg_reject_code, {{}, {i32}}, cRy | cRt},
      {"msg_reject_msg_size", msg_reject_msg_size, {{}, {i32}}, cRt},
      {"msg_reject_msg_copy", msg_reject_msg_copy, {{i32, i32, i32}, {}}, cRt},
      {"msg_deadline", msg_deadline, {{}, {i64}}, kReplyCtx},
      {"msg_reply_data_append", msg_reply_data_append, {{i32, i32}, {}}, kReplyCtx},
      {"msg_reply", msg_reply, {{}, {}}, kReplyCtx},
      {"msg_reject", msg_reject, {{i32, i32}, {}}, kReplyCtx},
      {"msg_cycles_available", msg_cycles_available, {{}, {i64}}, cU | cRQ | cRt | cRy},
      {"msg_cycles_available128", msg_cycles_available128, {{i32}, {}}, cU | cRQ | cRt | cRy},
      {"msg_cycles_refunded", msg_cycles_refunded, {{}, {i64}}, cRt | cRy},
      {"msg_cycles_refunded128", msg_cycles_refunded128, {{i32}, {}}, cRt | cRy},
      {"msg_cycles_accept", msg_cycles_accept, {{i64}, {i64}}, cU | cRQ | cRt | cRy},
      {"msg_cycles_accept128", msg_cycles_accept128, {{i64, i64, i32}, {}}, cU | cRQ | cRt | cRy},
      {"cycles_burn128", cycles_burn128, {{i64, i64, i32}, {}}, cI | cG | cU | cRQ | cRy | cRt | cC | cT},
      {"canister_self_size", canister_self_size, {{}, {i32}}, cAll},
      {"canister_self_copy", canister_self_copy, {{i32, i32, i32}, {}}, cAll},
      {"canister_cycle_balance", canister_cycle_balance, {{}, {i64}}, cAll},
      {"canister_cycle_balance128", canister_cycle_balance128, {{i32}, {}}, cAll},
      {"canister_liquid_cycle_balance128", canister_liquid_cycle_balance128, {{i32}, {}}, cAll},
      {"canister_status", canister_status, {{}, {i32}}, cAll},
      {"canister_version", canister_version, {{}, {i64}}, cAll},
      {"subnet_self_size", subnet_self_size, {{}, {i32}}, cAll},
      {"subnet_self_copy", subnet_self_copy, {{i32, i32, i32}, {}}, cAll},
      {"msg_method_name_size", msg_method_name_size, {{}, {i32}}, cF},
      {"msg_method_name_copy", msg_method_name_copy, {{i32, i32, i32}, {}}, cF},
      {"accept_message", accept_message, {{}, {}}, cF},
      {"call_new", call_new, {{i32, i32, i32, i32, i32, i32, i32, i32}, {}}, kCallCtx},
      {"call_on_cleanup", call_on_cleanup, {{i32, i32}, {}}, kCallCtx},
      {"call_data_append", call_data_append, {{i32, i32}, {}}, kCallCtx},
      {"call_with_best_effort_response", call_with_best_effort_response, {{i32}, {}}, kCallCtx},
      {"call_cycles_add", call_cycles_add, {{i64}, {}}, cU | cRy | cRt | cT},
      {"call_cycles_add128", call_cycles_add128, {{i64, i64}, {}}, cU | cRy | cRt | cT},
      {"call_perform", call_perform, {{}, {i32}}, kCallCtx},
      {"stable_size", stable_size, {{}, {i32}}, cAll | cS},
      {"stable_grow", stable_grow, {{i32}, {i32}}, cAll | cS},
      {"stable_write", stable_write, {{i32, i32, i32}, {}}, cAll | cS},
      {"stable_read", stable_read, {{i32, i32, i32}, {}}, cAll | cS},
      {"stable64_size", stable64_size, {{}, {i64}}, cAll | cS},
      {"stable64_grow", stable64_grow, {{i64}, {i64}}, cAll | cS},
      {"stable64_write", stable64_write, {{i64, i64, i64}, {}}, cAll | cS},
      {"stable64_read", stable64_read, {{i64, i64, i64}, {}}, cAll | cS},
      {"root_key_size", root_key_size, {{}, {i32}}, kReplicated},
      {"root_key_copy", root_key_copy, {{i32, i32, i32}, {}}, kReplicated},
      {"certified_data_set", certified_data_set, {{i32, i32}, {}}, cI | cG | cU | cRy | cRt | cT},
      {"data_certificate_present", data_certificate_present, {{}, {i32}}, cAll},
      {"data_certificate_size", data_certificate_size, {{}, {i32}}, cNRQ | cCQ},
      {"data_certificate_copy", data_certificate_copy, {{i32, i32, i32}, {}}, cNRQ | cCQ},
      {"time", time_, {{}, {i64}}, cAll},
      {"global_timer_set", global_timer_set, {{i64}, {i64}}, cI | cG | cU | cRy | cRt | cC | cT},
      {"performance_counter", performance_counter, {{i32}, {i64}}, cAll | cS},
      {"is_controller", is_controller, {{i32, i32}, {i32}}, cAll | cS},
      {"in_replicated_execution", in_replicated_execution, {{}, {i32}}, cAll | cS},
      {"debug_print", debug_print, {{i32, i32}, {}}, cAll | cS},
      {"trap", trap, {{i32, i32}, {}}, cAll | cS},
      {"env_var_count", env_var_count, {{}, {i32}}, cAll},
      // Valid System API imports the local network does not implement: calling one traps.
      {"env_var_name_size", unsupported, {{i32}, {i32}}, cAll},
      {"env_var_name_copy", unsupported, {{i32, i32, i32, i32}, {}}, cAll},
      {"env_var_name_exists", unsupported, {{i32, i32}, {i32}}, cAll},
      {"env_var_value_size", unsupported, {{i32, i32}, {i32}}, cAll},
      {"env_var_value_copy", unsupported, {{i32, i32, i32, i32, i32}, {}}, cAll},
      {"mint_cycles128", unsupported, {{i64, i64, i32}, {}}, cU | cRt | cRy},
      {"cost_call", unsupported, {{i64, i64, i32}, {}}, cAll},
      {"cost_create_canister", unsupported, {{i32}, {}}, cAll},
      {"cost_http_request", unsupported, {{i64, i64, i32}, {}}, cAll},
      {"cost_sign_with_ecdsa", unsupported, {{i32, i32, i32, i32}, {i32}}, cAll},
      {"cost_sign_with_schnorr", unsupported, {{i32, i32, i32, i32}, {i32}}, cAll},
      {"cost_vetkd_derive_key", unsupported, {{i32, i32, i32, i32}, {i32}}, cAll},
  };
  return t;
}

const Ic0* find(const std::string& name) {
  static const std::unordered_map<std::string, const Ic0*> by_name = [] {
    std::unordered_map<std::string, const Ic0*> m;
    for (const auto& f : table()) m[f.name] = &f;
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

uint32_t context_of(EntryKind k) {
  switch (k) {
    case EntryKind::Init:
    case EntryKind::PostUpgrade: return cI;
    case EntryKind::PreUpgrade: return cG;
    case EntryKind::Update: return cU;
    case EntryKind::ReplicatedQuery: return cRQ;
    case EntryKind::NonReplicatedQuery: return cNRQ;
    case EntryKind::CompositeQuery: return cCQ;
    case EntryKind::InspectMessage: return cF;
    case EntryKind::Heartbeat:
    case EntryKind::GlobalTimer:
    case EntryKind::OnLowWasmMemory: return cT;
    case EntryKind::ReplyCallback: return cRy;
    case EntryKind::RejectCallback: return cRt;
    case EntryKind::Cleanup: return cC;
  }
  return 0;
}

bool always_rolls_back(EntryKind k) {
  return k == EntryKind::ReplicatedQuery || k == EntryKind::NonReplicatedQuery || k == EntryKind::CompositeQuery ||
         k == EntryKind::InspectMessage;
}

Cycles cycles128(uint64_t hi, uint64_t lo) { return (Cycles(hi) << 64) | lo; }

std::string cycles_text(Cycles c) {
  if (c == 0) return "0";
  std::string s;
  while (c) {
    s.push_back(char('0' + int(c % 10)));
    c /= 10;
  }
  return {s.rbegin(), s.rend()};
}

// The interpreter's trap texts, in mainnet's words ("Canister trapped: …").
std::string trap_text(const std::string& wabt) {
  struct M {
    const char* from;
    const char* to;
  };
  static const M map[] = {
      {"unreachable", "unreachable"},
      {"out of bounds memory access", "heap out of bounds"},
      {"integer divide by zero", "integer division by 0"},
      {"integer overflow", "integer overflow"},
      {"invalid conversion to integer", "float to int conversion"},
      {"call stack exhausted",
       "stack overflow (the local network's interpreter allows about 1,600 nested calls; mainnet allows more)"},
      {"indirect call signature mismatch", "indirect call signature mismatch"},
      {"uninitialized table element", "uninitialized table element"},
      {"undefined table index", "table index out of bounds"},
      {"out of bounds table access", "table out of bounds"},
  };
  for (const auto& m : map)
    if (wabt.find(m.from) != std::string::npos) return std::string("Canister trapped: ") + m.to;
  return "Canister trapped: " + wabt;
}

std::string export_for(const Invocation& inv) {
  switch (inv.kind) {
    case EntryKind::Init: return "canister_init";
    case EntryKind::PreUpgrade: return "canister_pre_upgrade";
    case EntryKind::PostUpgrade: return "canister_post_upgrade";
    case EntryKind::Update: return "canister_update " + inv.method;
    case EntryKind::ReplicatedQuery:
    case EntryKind::NonReplicatedQuery: return "canister_query " + inv.method;
    case EntryKind::CompositeQuery: return "canister_composite_query " + inv.method;
    case EntryKind::InspectMessage: return "canister_inspect_message";
    case EntryKind::Heartbeat: return "canister_heartbeat";
    case EntryKind::GlobalTimer: return "canister_global_timer";
    case EntryKind::OnLowWasmMemory: return "canister_on_low_wasm_memory";
    default: return {};
  }
}

std::string printable(const ic::Bytes& b) {
  std::string s(b.begin(), b.end());
  // Replace invalid UTF-8 by '?' so texts stay printable (mainnet: lossy conversion).
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    bool ok = n >= 0 && i + n < s.size() + (n == 0);
    for (int k = 1; ok && k <= n; ++k) ok = i + k < s.size() && (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (!ok) {
      s[i] = '?';
      ++i;
    } else {
      i += n + 1;
    }
  }
  return s;
}

}  // namespace

namespace detail {
const vm::Signature* ic0_signature(const std::string& name) {
  const Ic0* f = find(name);
  return f ? &f->sig : nullptr;
}
int ic0_id(const std::string& name) {
  const Ic0* f = find(name);
  return f ? static_cast<int>(f - table().data()) : -1;
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------------------
// One execution

void Instance::Impl::begin(const Invocation* i, ExecResult* r, uint32_t context, const char* name) {
  inv = i;
  res = r;
  ctx = context;
  ctx_name = name;
  limit = i->instruction_limit;
  host_outcome.reset();
  host_message.clear();
  host_charged = 0;
  responded = false;
  reply_buf.clear();
  available = i->cycles_available;
  accepted = spent = 0;
  pending.reset();
  pending_timeout_set = false;
  stable_undo.clear();
  stable_dirty.clear();
  stable_pages_before = stable.pages64;
  stable_accessed = 0;
  timer = i->global_timer;
  vm->set_budget(static_cast<int64_t>(std::min<uint64_t>(limit, uint64_t(INT64_MAX))));
  uint64_t pages = 65536;
  if (i->wasm_memory_limit) pages = std::min<uint64_t>(pages, i->wasm_memory_limit / detail::kWasmPage);
  vm->set_memory_limit_pages(pages);
}

void Instance::Impl::finish(bool keep) {
  if (keep) {
    std::vector<uint64_t> changed;
    vm->commit(&changed);
    heap_changed.insert(changed.begin(), changed.end());
    stable_changed.insert(stable_dirty.begin(), stable_dirty.end());
  } else {
    vm->rollback();
    for (auto& [idx, old] : stable_undo) {
      if (old) stable.pages[idx] = std::move(*old);
      else stable.pages.erase(idx);
    }
    stable.pages64 = stable_pages_before;
  }
  stable_undo.clear();
  stable_dirty.clear();
  inv = nullptr;
  res = nullptr;
}

ExecResult Instance::Impl::execute(const Invocation& i) {
  ExecResult r;
  begin(&i, &r, context_of(i.kind), entry_kind_name(i.kind));
  vm::CallResult cr;
  bool is_callback = i.kind == EntryKind::ReplyCallback || i.kind == EntryKind::RejectCallback || i.kind == EntryKind::Cleanup;
  if (is_callback) {
    cr = vm->call_table(i.callback.fun, static_cast<uint32_t>(i.callback.env));
  } else {
    std::string name = export_for(i);
    if (!vm->has_export(name)) {
      bool method = i.kind == EntryKind::Update || i.kind == EntryKind::ReplicatedQuery ||
                    i.kind == EntryKind::NonReplicatedQuery || i.kind == EntryKind::CompositeQuery;
      finish(false);
      if (!method) return r;  // a system entry point the module does not export: nothing to run
      r.outcome = Outcome::Trapped;
      const char* what = i.kind == EntryKind::Update ? "update" : i.kind == EntryKind::CompositeQuery ? "composite query" : "query";
      r.message = std::string("Canister has no ") + what + " method '" + i.method + "'";
      return r;
    }
    cr = vm->call_export(name);
  }
  int64_t left = vm->budget();
  uint64_t used = left >= 0 ? limit - static_cast<uint64_t>(left) : limit + static_cast<uint64_t>(-left);
  r.instructions = used;
  switch (cr.status) {
    case vm::Status::Ok: break;
    case vm::Status::HostTrap:
      r.outcome = host_outcome.value_or(Outcome::Trapped);
      r.message = host_message;
      break;
    case vm::Status::InstructionLimit:
      r.outcome = Outcome::InstructionLimit;
      r.message = "Canister exceeded the limit of " + std::to_string(limit) + " instructions for single message execution.";
      break;
    case vm::Status::Trap:
      r.outcome = Outcome::Trapped;
      r.message = trap_text(cr.message);
      break;
  }
  if (r.outcome == Outcome::InstructionLimit) r.instructions = std::min(r.instructions, limit);
  bool ok = r.outcome == Outcome::Ok;
  if (ok) {
    if (responded) {
      if (!r.reject) r.reply = std::move(reply_buf);
    }
    if (pending) {
      // A call built but never performed is discarded (its cycles return to the balance).
      spent -= pending->cycles;
      pending.reset();
    }
    r.cycles_accepted = accepted;
  } else {
    r.reply.reset();
    r.reject.reset();
    r.calls.clear();
    r.cycles_accepted = 0;
    r.cycles_burned = 0;
    r.certified_data.reset();
    r.global_timer.reset();
    r.message_accepted = false;
  }
  finish(ok && !always_rolls_back(i.kind));
  return r;
}

ExecResult Instance::Impl::run_start() {
  Invocation i;
  i.instruction_limit = 300'000'000'000ull;
  ExecResult r;
  begin(&i, &r, cS, "the start function");
  vm::CallResult cr = vm->run_start();
  switch (cr.status) {
    case vm::Status::Ok: break;
    case vm::Status::HostTrap:
      r.outcome = host_outcome.value_or(Outcome::Trapped);
      r.message = host_message;
      break;
    case vm::Status::InstructionLimit:
      r.outcome = Outcome::InstructionLimit;
      r.message = "the start function exceeded the instruction limit";
      break;
    case vm::Status::Trap:
      r.outcome = Outcome::Trapped;
      r.message = trap_text(cr.message);
      break;
  }
  finish(r.ok());
  // Nothing of the start function counts as a change to persist: the node writes new instances whole.
  heap_changed.clear();
  stable_changed.clear();
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

bool Instance::Impl::fail(Outcome o, std::string msg) {
  if (!host_outcome) {
    host_outcome = o;
    host_message = std::move(msg);
  }
  return false;
}

bool Instance::Impl::violation(const char* fn) {
  return fail(Outcome::ContractViolation,
              std::string("Canister violated contract: ic0.") + fn + " cannot be called in " + ctx_name);
}

bool Instance::Impl::charge(uint64_t n) {
  int64_t b = vm->budget();
  b -= static_cast<int64_t>(std::min<uint64_t>(n, uint64_t(INT64_MAX / 2)));
  vm->set_budget(b);
  if (b < 0)
    return fail(Outcome::InstructionLimit,
                "Canister exceeded the limit of " + std::to_string(limit) + " instructions for single message execution.");
  return true;
}

bool Instance::Impl::heap_range(const char* fn, uint64_t off, uint64_t len) {
  if (vm->in_bounds(off, len)) return true;
  return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + fn + ": heap out of bounds (offset " +
                                    std::to_string(off) + ", length " + std::to_string(len) + ", heap size " +
                                    std::to_string(vm->heap_bytes()) + ")");
}

bool Instance::Impl::copy_out(const char* fn, uint64_t dst, uint64_t offset, uint64_t size, const uint8_t* src,
                              uint64_t src_len) {
  if (offset + size < offset || offset + size > src_len)
    return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + fn + ": source out of bounds (offset " +
                                      std::to_string(offset) + " + size " + std::to_string(size) + " > " +
                                      std::to_string(src_len) + ")");
  return write_heap(fn, dst, src + offset, size);
}

bool Instance::Impl::write_heap(const char* fn, uint64_t dst, const uint8_t* data, uint64_t len) {
  if (!heap_range(fn, dst, len) || !charge(len)) return false;
  if (len) {
    std::memcpy(vm->heap() + dst, data, len);
    vm->mark_dirty(dst, len);
  }
  return true;
}

bool Instance::Impl::read_heap(const char* fn, uint64_t src, uint64_t len, ic::Bytes* out) {
  if (!heap_range(fn, src, len) || !charge(len)) return false;
  const uint8_t* h = vm->heap();
  out->assign(h + src, h + src + len);
  return true;
}

bool Instance::Impl::write_cycles(const char* fn, uint64_t dst, Cycles c) {
  uint8_t b[16];
  for (int k = 0; k < 16; ++k) b[k] = static_cast<uint8_t>(c >> (8 * k));  // little-endian (§6.2)
  return write_heap(fn, dst, b, 16);
}

bool Instance::Impl::stable_access(uint64_t bytes) {
  stable_accessed += bytes;
  if (stable_accessed > inv->stable_access_limit)
    return fail(Outcome::Trapped,
                "Canister trapped: exceeded the limit of " + std::to_string(inv->stable_access_limit) +
                    " bytes of stable memory read or written in a single message execution");
  return charge(bytes);
}

bool Instance::Impl::stable_put(uint64_t offset, const uint8_t* data, uint64_t len) {
  while (len) {
    uint64_t p = offset / detail::kPage, in = offset % detail::kPage;
    uint64_t n = std::min(len, detail::kPage - in);
    auto it = stable.pages.find(p);
    if (!stable_undo.count(p))
      stable_undo[p] = it == stable.pages.end() ? std::nullopt : std::optional<ic::Bytes>(it->second);
    if (it == stable.pages.end()) it = stable.pages.emplace(p, ic::Bytes(detail::kPage, 0)).first;
    std::memcpy(it->second.data() + in, data, n);
    stable_dirty.insert(p);
    offset += n;
    data += n;
    len -= n;
  }
  return true;
}

void Instance::Impl::stable_get(uint64_t offset, uint8_t* out, uint64_t len) const {
  while (len) {
    uint64_t p = offset / detail::kPage, in = offset % detail::kPage;
    uint64_t n = std::min(len, detail::kPage - in);
    auto it = stable.pages.find(p);
    if (it == stable.pages.end()) std::memset(out, 0, n);
    else std::memcpy(out, it->second.data() + in, n);
    offset += n;
    out += n;
    len -= n;
  }
}

int64_t Instance::Impl::stable_extend(uint64_t pages, uint64_t max_pages) {
  uint64_t old = stable.pages64;
  if (pages > max_pages || old + pages > max_pages) return -1;
  stable.pages64 = old + pages;
  return static_cast<int64_t>(old);
}

// ---------------------------------------------------------------------------------------------------------
// Dispatch

bool Instance::Impl::call(uint32_t import_index, const uint64_t* a, uint64_t* out) {
  int id = module->impl().import_ids[import_index];
  const Ic0& f = table()[id];
  if (!(f.contexts & ctx)) return violation(f.name);
  if (!charge(1)) return false;
  const Invocation& in = *inv;
  auto blob_copy = [&](const ic::Bytes& b) { return copy_out(f.name, a[0], a[1], a[2], b.data(), b.size()); };
  constexpr uint64_t kMaxStablePages = (500ull << 30) / detail::kWasmPage;  // §6.3: 500 GiB
  switch (f.id) {
    case msg_arg_data_size: out[0] = in.arg.size(); return true;
    case msg_arg_data_copy: return blob_copy(in.arg);
    case msg_caller_size: out[0] = in.caller.bytes().size(); return true;
    case msg_caller_copy: return blob_copy(in.caller.bytes());
    case msg_reject_code: out[0] = in.kind == EntryKind::RejectCallback ? in.reject_code : 0; return true;
    case msg_reject_msg_size: out[0] = in.reject_message.size(); return true;
    case msg_reject_msg_copy:
      return copy_out(f.name, a[0], a[1], a[2], reinterpret_cast<const uint8_t*>(in.reject_message.data()),
                      in.reject_message.size());
    case msg_deadline: out[0] = 0; return true;
    case msg_reply_data_append: {
      if (responded)
        return fail(Outcome::ContractViolation, "Canister violated contract: ic0.msg_reply_data_append: the message was already replied to or rejected");
      if (reply_buf.size() + a[1] > in.max_reply_bytes)
        return fail(Outcome::Trapped, "Canister trapped: ic0.msg_reply_data_append: the reply would be " +
                                          std::to_string(reply_buf.size() + a[1]) + " bytes, more than the limit of " +
                                          std::to_string(in.max_reply_bytes));
      ic::Bytes chunk;
      if (!read_heap(f.name, a[0], a[1], &chunk)) return false;
      reply_buf.insert(reply_buf.end(), chunk.begin(), chunk.end());
      return true;
    }
    case msg_reply:
      if (responded)
        return fail(Outcome::ContractViolation, "Canister violated contract: ic0.msg_reply: the message was already replied to or rejected");
      responded = true;
      res->reply = reply_buf;
      return true;
    case msg_reject: {
      if (responded)
        return fail(Outcome::ContractViolation, "Canister violated contract: ic0.msg_reject: the message was already replied to or rejected");
      ic::Bytes msg;
      if (a[1] > in.max_reply_bytes)
        return fail(Outcome::Trapped, "Canister trapped: ic0.msg_reject: the message is longer than " + std::to_string(in.max_reply_bytes) + " bytes");
      if (!read_heap(f.name, a[0], a[1], &msg)) return false;
      responded = true;
      res->reject = printable(msg);
      return true;
    }
    case msg_cycles_available: {
      if (available >> 64) return fail(Outcome::Trapped, "Canister trapped: ic0.msg_cycles_available: the amount does not fit 64 bits, use msg_cycles_available128");
      out[0] = static_cast<uint64_t>(available);
      return true;
    }
    case msg_cycles_available128: return write_cycles(f.name, a[0], available);
    case msg_cycles_refunded: {
      if (in.cycles_refunded >> 64) return fail(Outcome::Trapped, "Canister trapped: ic0.msg_cycles_refunded: the amount does not fit 64 bits");
      out[0] = static_cast<uint64_t>(in.cycles_refunded);
      return true;
    }
    case msg_cycles_refunded128: return write_cycles(f.name, a[0], in.cycles_refunded);
    case msg_cycles_accept: {
      Cycles take = std::min<Cycles>(a[0], available);
      available -= take;
      accepted += take;
      res->cycles_accepted = accepted;
      out[0] = static_cast<uint64_t>(take);
      return true;
    }
    case msg_cycles_accept128: {
      Cycles take = std::min<Cycles>(cycles128(a[0], a[1]), available);
      available -= take;
      accepted += take;
      res->cycles_accepted = accepted;
      return write_cycles(f.name, a[2], take);
    }
    case cycles_burn128: {
      Cycles liquid = in.liquid_balance + accepted > spent ? in.liquid_balance + accepted - spent : 0;
      Cycles burn = std::min(cycles128(a[0], a[1]), liquid);
      spent += burn;
      res->cycles_burned += burn;
      return write_cycles(f.name, a[2], burn);
    }
    case canister_self_size: out[0] = in.self.bytes().size(); return true;
    case canister_self_copy: return blob_copy(in.self.bytes());
    case canister_cycle_balance: {
      Cycles b = in.balance + accepted - std::min(spent, in.balance + accepted);
      if (b >> 64) return fail(Outcome::Trapped, "Canister trapped: ic0.canister_cycle_balance: the balance does not fit 64 bits, use canister_cycle_balance128");
      out[0] = static_cast<uint64_t>(b);
      return true;
    }
    case canister_cycle_balance128:
      return write_cycles(f.name, a[0], in.balance + accepted - std::min(spent, in.balance + accepted));
    case canister_liquid_cycle_balance128:
      return write_cycles(f.name, a[0], in.liquid_balance + accepted - std::min(spent, in.liquid_balance + accepted));
    case canister_status: out[0] = in.canister_status; return true;
    case canister_version: out[0] = in.canister_version; return true;
    case subnet_self_size: out[0] = in.subnet.bytes().size(); return true;
    case subnet_self_copy: return blob_copy(in.subnet.bytes());
    case msg_method_name_size: out[0] = in.method.size(); return true;
    case msg_method_name_copy:
      return copy_out(f.name, a[0], a[1], a[2], reinterpret_cast<const uint8_t*>(in.method.data()), in.method.size());
    case accept_message:
      if (res->message_accepted)
        return fail(Outcome::ContractViolation, "Canister violated contract: ic0.accept_message: the message was already accepted");
      res->message_accepted = true;
      return true;
    case call_new: {
      if (pending) spent -= pending->cycles;  // a new call discards the one being built (§6.2)
      pending.reset();
      ic::Bytes callee, name;
      if (!read_heap(f.name, a[0], a[1], &callee) || !read_heap(f.name, a[2], a[3], &name)) return false;
      auto p = ic::Principal::from_bytes(callee);
      if (!p) return fail(Outcome::Trapped, "Canister trapped: ic0.call_new: the callee is not a valid principal (" + std::to_string(callee.size()) + " bytes)");
      OutgoingCall c;
      c.callee = *p;
      c.method.assign(name.begin(), name.end());
      c.on_reply = {static_cast<uint32_t>(a[4]), a[5]};
      c.on_reject = {static_cast<uint32_t>(a[6]), a[7]};
      pending = std::move(c);
      pending_timeout_set = false;
      return true;
    }
    case call_on_cleanup:
      if (!pending) return fail(Outcome::Trapped, "Canister trapped: ic0.call_on_cleanup called without ic0.call_new");
      if (pending->on_cleanup) return fail(Outcome::Trapped, "Canister trapped: ic0.call_on_cleanup called twice for the same call");
      pending->on_cleanup = Callback{static_cast<uint32_t>(a[0]), a[1]};
      return true;
    case call_data_append: {
      if (!pending) return fail(Outcome::Trapped, "Canister trapped: ic0.call_data_append called without ic0.call_new");
      if (pending->arg.size() + a[1] > in.max_call_arg_bytes)
        return fail(Outcome::Trapped, "Canister trapped: ic0.call_data_append: the argument would be " +
                                          std::to_string(pending->arg.size() + a[1]) + " bytes, more than the limit of " +
                                          std::to_string(in.max_call_arg_bytes));
      ic::Bytes chunk;
      if (!read_heap(f.name, a[0], a[1], &chunk)) return false;
      pending->arg.insert(pending->arg.end(), chunk.begin(), chunk.end());
      return true;
    }
    case call_with_best_effort_response:
      if (!pending) return fail(Outcome::Trapped, "Canister trapped: ic0.call_with_best_effort_response called without ic0.call_new");
      if (pending_timeout_set) return fail(Outcome::Trapped, "Canister trapped: ic0.call_with_best_effort_response called twice for the same call");
      pending_timeout_set = true;
      pending->timeout_seconds = std::clamp<uint32_t>(static_cast<uint32_t>(a[0]), 1, 300);  // MAX_CALL_TIMEOUT
      return true;
    case call_cycles_add:
    case call_cycles_add128: {
      if (!pending) return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + " called without ic0.call_new");
      Cycles amount = f.id == call_cycles_add ? Cycles(a[0]) : cycles128(a[0], a[1]);
      Cycles liquid = in.liquid_balance + accepted > spent ? in.liquid_balance + accepted - spent : 0;
      if (amount > liquid)
        return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + ": cannot attach " + cycles_text(amount) +
                                          " cycles, the canister's liquid balance is " + cycles_text(liquid));
      spent += amount;
      pending->cycles += amount;
      return true;
    }
    case call_perform:
      if (!pending) return fail(Outcome::Trapped, "Canister trapped: ic0.call_perform called without ic0.call_new");
      res->calls.push_back(std::move(*pending));
      pending.reset();
      out[0] = 0;
      return true;
    case stable_size:
      if (stable.pages64 > 65536) return fail(Outcome::Trapped, "Canister trapped: ic0.stable_size: stable memory is larger than 4 GiB, use stable64_size");
      out[0] = stable.pages64;
      return true;
    case stable_grow: {
      if (stable.pages64 > 65536) return fail(Outcome::Trapped, "Canister trapped: ic0.stable_grow: stable memory is larger than 4 GiB, use stable64_grow");
      int64_t r = stable_extend(static_cast<uint32_t>(a[0]), 65536);
      out[0] = static_cast<uint32_t>(static_cast<int32_t>(r));
      return true;
    }
    case stable64_size: out[0] = stable.pages64; return true;
    case stable64_grow: out[0] = static_cast<uint64_t>(stable_extend(a[0], kMaxStablePages)); return true;
    case stable_write:
    case stable64_write: {
      uint64_t off = a[0], src = a[1], len = a[2];
      if (f.id == stable_write && stable.pages64 > 65536) return fail(Outcome::Trapped, "Canister trapped: ic0.stable_write: stable memory is larger than 4 GiB, use stable64_write");
      if (off + len < off || off + len > stable.pages64 * detail::kWasmPage)
        return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + ": stable memory out of bounds (offset " +
                                          std::to_string(off) + " + size " + std::to_string(len) + " > " +
                                          std::to_string(stable.pages64 * detail::kWasmPage) + ")");
      if (!heap_range(f.name, src, len) || !stable_access(len)) return false;
      return stable_put(off, vm->heap() + src, len);
    }
    case stable_read:
    case stable64_read: {
      uint64_t dst = a[0], off = a[1], len = a[2];
      if (f.id == stable_read && stable.pages64 > 65536) return fail(Outcome::Trapped, "Canister trapped: ic0.stable_read: stable memory is larger than 4 GiB, use stable64_read");
      if (off + len < off || off + len > stable.pages64 * detail::kWasmPage)
        return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + ": stable memory out of bounds (offset " +
                                          std::to_string(off) + " + size " + std::to_string(len) + " > " +
                                          std::to_string(stable.pages64 * detail::kWasmPage) + ")");
      if (!heap_range(f.name, dst, len) || !stable_access(len)) return false;
      stable_get(off, vm->heap() + dst, len);
      vm->mark_dirty(dst, len);
      return true;
    }
    case root_key_size: out[0] = in.root_key.size(); return true;
    case root_key_copy: return blob_copy(in.root_key);
    case certified_data_set: {
      if (a[1] > 32)
        return fail(Outcome::Trapped, "Canister trapped: ic0.certified_data_set: certified data is " + std::to_string(a[1]) + " bytes, at most 32 are allowed");
      ic::Bytes d;
      if (!read_heap(f.name, a[0], a[1], &d)) return false;
      res->certified_data = std::move(d);
      return true;
    }
    case data_certificate_present:
      out[0] = (ctx & (cNRQ | cCQ)) && in.data_certificate ? 1 : 0;
      return true;
    case data_certificate_size:
      if (!in.data_certificate) return fail(Outcome::Trapped, "Canister trapped: ic0.data_certificate_size: no data certificate is available");
      out[0] = in.data_certificate->size();
      return true;
    case data_certificate_copy:
      if (!in.data_certificate) return fail(Outcome::Trapped, "Canister trapped: ic0.data_certificate_copy: no data certificate is available");
      return blob_copy(*in.data_certificate);
    case time_: out[0] = in.time_ns; return true;
    case global_timer_set:
      out[0] = timer;
      timer = a[0];
      res->global_timer = timer;
      return true;
    case performance_counter: {
      if (a[0] > 1) return fail(Outcome::Trapped, "Canister trapped: ic0.performance_counter: unknown counter type " + std::to_string(a[0]));
      int64_t left = vm->budget();
      out[0] = left >= 0 ? limit - static_cast<uint64_t>(left) : limit;
      return true;
    }
    case is_controller: {
      if (a[1] > ic::Principal::kMaxLength)
        return fail(Outcome::Trapped, "Canister trapped: ic0.is_controller: " + std::to_string(a[1]) + " bytes is not a principal (at most 29)");
      ic::Bytes b;
      if (!read_heap(f.name, a[0], a[1], &b)) return false;
      out[0] = std::any_of(in.controllers.begin(), in.controllers.end(), [&](const ic::Principal& p) { return p.bytes() == b; });
      return true;
    }
    case in_replicated_execution: out[0] = (ctx & (cNRQ | cCQ | cF)) ? 0 : 1; return true;
    case debug_print: {
      ic::Bytes b;
      uint64_t len = std::min<uint64_t>(a[1], 64 * 1024);  // mainnet truncates long debug prints too
      if (!vm->in_bounds(a[0], len)) return true;            // debug_print never traps
      const uint8_t* h = vm->heap();
      b.assign(h + a[0], h + a[0] + len);
      res->debug_prints.push_back(printable(b));
      return true;
    }
    case trap: {
      ic::Bytes b;
      uint64_t len = std::min<uint64_t>(a[1], 16 * 1024);
      if (vm->in_bounds(a[0], len)) b.assign(vm->heap() + a[0], vm->heap() + a[0] + len);
      return fail(Outcome::Trapped, "Canister called `ic0.trap` with message: '" + printable(b) + "'");
    }
    case env_var_count: out[0] = 0; return true;
    case unsupported:
      return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + " is not supported by the local network");
  }
  return fail(Outcome::Trapped, std::string("Canister trapped: ic0.") + f.name + " is not implemented");
}

}  // namespace replica::exec
