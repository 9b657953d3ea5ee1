// Message execution: ingress induction, input queues, call contexts and callbacks, cycles, timers and
// heartbeat (ic-protocol.md §1.5 reject codes, §6 System API contexts; fees.h / README.md fee model).
#include <algorithm>

#include "ic/bignum.h"
#include "replica/node/internal.h"

namespace replica {

std::string cycles_text(Cycles c) {
  if (c == 0) return "0";
  std::string s;
  while (c > 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(c % 10)));
    c /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

Bytes empty_candid() { return Bytes{'D', 'I', 'D', 'L', 0, 0}; }

ic::Result<std::shared_ptr<const ModuleInfo>> Node::Impl::compile(ic::ByteView wasm) {
  std::string key = ic::to_hex(ic::sha256(wasm));
  if (auto it = module_cache.find(key); it != module_cache.end()) return it->second;
  IC_TRY(auto m, rt->compile(wasm));
  module_cache[key] = m;
  return m;
}

void Node::Impl::charge(Canister& c, Cycles amount) {
  c.cycles = amount > c.cycles ? 0 : c.cycles - amount;
  c.meta_dirty = true;
}

std::optional<Reject> Node::Impl::check_frozen(const Canister& c, Cycles extra) const {
  Cycles need = c.freezing_reserve() + extra;
  if (c.cycles >= need) return std::nullopt;
  return make_reject(2,
                     "Canister " + c.id.to_text() + " is out of cycles: please top up the canister with at least " +
                         cycles_text(need - c.cycles) + " additional cycles",
                     "IC0207");
}

exec::Invocation Node::Impl::base_invocation(const Canister& c, exec::EntryKind kind) const {
  exec::Invocation inv;
  inv.kind = kind;
  inv.self = c.id;
  inv.subnet = subnet;
  inv.time_ns = round_time;
  inv.balance = c.cycles;
  Cycles reserve = c.freezing_reserve();
  inv.liquid_balance = c.cycles > reserve ? c.cycles - reserve : 0;
  inv.controllers = c.settings.controllers;
  inv.canister_status = static_cast<uint32_t>(c.status);
  inv.canister_version = c.version;
  inv.global_timer = c.global_timer;
  inv.root_key = root_der;
  inv.instruction_limit = cfg.limits.update_instructions;
  inv.max_reply_bytes = cfg.limits.max_response_bytes;
  inv.max_call_arg_bytes = cfg.limits.max_request_bytes;
  inv.wasm_memory_limit = c.settings.wasm_memory_limit;
  return inv;
}

Reject Node::Impl::exec_reject(const Canister& c, const exec::ExecResult& r) const {
  std::string msg = "Error from Canister " + c.id.to_text() + ": " + r.message;
  switch (r.outcome) {
    case exec::Outcome::InstructionLimit: return make_reject(5, msg, "IC0522");
    case exec::Outcome::OutOfMemory: return make_reject(5, msg, "IC0507");
    case exec::Outcome::ContractViolation: return make_reject(5, msg, "IC0504");
    default: break;
  }
  // An explicit ic0.trap is IC0503 (CanisterCalledTrap); any other trap IC0502 (CanisterTrapped).
  bool called = r.message.find("ic0.trap") != std::string::npos || r.message.find("called trap") != std::string::npos;
  return make_reject(5, msg, called ? "IC0503" : "IC0502");
}

void Node::Impl::respond(const Origin& to, bool replied, Bytes payload, Reject reject, Cycles refund) {
  inflight_dirty = true;
  switch (to.kind) {
    case Origin::Ingress: {
      auto it = ingress.find(to.request_id);
      if (it == ingress.end()) return;
      IngressEntry& e = it->second;
      e.status = replied ? "replied" : "rejected";
      if (replied) e.reply = std::move(payload);
      else e.reject = std::move(reject);
      e.dirty = true;
      return;
    }
    case Origin::Canister: {
      auto it = canisters.find(to.canister);
      if (it == canisters.end()) return;  // the caller was deleted: the response (and refund) is dropped
      Response r;
      r.receiver = to.canister;
      r.callback = to.callback;
      r.replied = replied;
      r.payload = std::move(payload);
      r.reject = std::move(reject);
      r.refund = refund;
      it->second.queue.push_back(std::move(r));
      return;
    }
    case Origin::System: return;
  }
}

void Node::Impl::route(Request req) {
  inflight_dirty = true;
  if (req.receiver.is_management()) {
    mgmt_queue.push_back(std::move(req));
    return;
  }
  auto it = canisters.find(req.receiver);
  if (it == canisters.end()) {
    respond(req.origin, false, {},
            make_reject(3, "Canister " + req.receiver.to_text() + " not found", "IC0301"), req.cycles);
    return;
  }
  it->second.queue.push_back(std::move(req));
}

void Node::Impl::induct(IngressMessage msg) {
  IngressEntry e;
  e.sender = msg.sender;
  e.effective_canister_id = msg.effective_canister_id;
  e.canister = msg.canister_id;
  e.status = "received";
  e.expiry = msg.ingress_expiry ? msg.ingress_expiry : round_time + cfg.limits.ingress_ttl_ns;
  ingress[msg.request_id] = std::move(e);
  // Ingress induction fee (fees.h), paid by the receiving canister; calls to aaaaa-aa are not charged.
  if (!msg.canister_id.is_management()) {
    auto it = canisters.find(msg.canister_id);
    if (it != canisters.end()) charge(it->second, fees::ingress(msg.method.size() + msg.arg.size()));
  }
  Request r;
  r.sender = msg.sender;
  r.receiver = msg.canister_id;
  r.method = std::move(msg.method);
  r.arg = std::move(msg.arg);
  r.origin.kind = Origin::Ingress;
  r.origin.request_id = msg.request_id;
  route(std::move(r));
}

bool Node::Impl::has_queued() const {
  if (!mgmt_queue.empty()) return true;
  for (const auto& [id, c] : canisters)
    if (!c.queue.empty()) return true;
  return false;
}

bool Node::Impl::schedule() {
  for (;;) {
    bool progress = false;
    // The management canister first (its messages are short), then one message per canister in turn.
    for (size_t n = mgmt_queue.size(); n > 0 && !mgmt_queue.empty(); --n) {
      Request r = std::move(mgmt_queue.front());
      mgmt_queue.pop_front();
      execute_management(std::move(r));
      progress = true;
    }
    for (auto& [id, c] : canisters) {
      if (c.queue.empty()) continue;
      Message m = std::move(c.queue.front());
      c.queue.pop_front();
      progress = true;
      if (auto* req = std::get_if<Request>(&m)) execute_request(c, std::move(*req));
      else execute_response(c, std::move(std::get<Response>(m)));
      if (round_instructions >= cfg.limits.round_instructions) return has_queued();
    }
    if (!progress) return false;
    if (round_instructions >= cfg.limits.round_instructions) return has_queued();
  }
}

void Node::Impl::execute_request(Canister& c, Request req) {
  auto reject_now = [&](Reject r) { respond(req.origin, false, {}, std::move(r), req.cycles); };
  std::string cid = c.id.to_text();
  if (c.status == CanisterStatus::Stopped) return reject_now(make_reject(5, "Canister " + cid + " is stopped", "IC0508"));
  if (c.status == CanisterStatus::Stopping)
    return reject_now(make_reject(5, "Canister " + cid + " is stopping", "IC0509"));
  if (!c.module || !c.instance)
    return reject_now(make_reject(
        5, "Error from Canister " + cid + ": Attempted to execute a message, but the canister contains no Wasm module.",
        "IC0537"));
  exec::EntryKind kind;
  if (c.module->update_methods.count(req.method)) kind = exec::EntryKind::Update;
  else if (c.module->query_methods.count(req.method)) kind = exec::EntryKind::ReplicatedQuery;
  else return reject_now(make_reject(5, "Error from Canister " + cid + ": Canister has no update method '" + req.method + "'.", "IC0536"));
  // Execution is prepaid for the instruction limit (refunded down to what ran), as on mainnet.
  if (auto f = check_frozen(c, fees::execution(cfg.limits.update_instructions))) return reject_now(*f);

  uint64_t ctx_id = next_context++;
  CallContext ctx;
  ctx.canister = c.id;
  ctx.origin = req.origin;
  ctx.caller = req.sender;
  ctx.available = req.cycles;
  contexts[ctx_id] = ctx;
  if (req.origin.kind == Origin::Ingress) {
    if (auto it = ingress.find(req.origin.request_id); it != ingress.end()) {
      it->second.status = "processing";
      it->second.dirty = true;
    }
  }
  exec::Invocation inv = base_invocation(c, kind);
  inv.method = std::move(req.method);
  inv.arg = std::move(req.arg);
  inv.caller = req.sender;
  inv.cycles_available = req.cycles;
  exec::ExecResult r = c.instance->execute(inv);
  finish_execution(c, ctx_id, r, false);
}

void Node::Impl::execute_response(Canister& c, Response resp) {
  c.cycles += resp.refund;
  c.meta_dirty = true;
  inflight_dirty = true;
  auto cbit = callbacks.find(resp.callback);
  if (cbit == callbacks.end()) return;  // dropped by uninstall/reinstall
  CallbackRec cb = cbit->second;
  callbacks.erase(cbit);
  auto ctxit = contexts.find(cb.context);
  if (ctxit == contexts.end()) return;
  uint64_t ctx_id = cb.context;
  if (ctxit->second.outstanding > 0) --ctxit->second.outstanding;
  if (!c.instance) return close_if_done(ctx_id);
  const CallContext& ctx = ctxit->second;
  exec::Invocation inv =
      base_invocation(c, resp.replied ? exec::EntryKind::ReplyCallback : exec::EntryKind::RejectCallback);
  inv.callback = resp.replied ? cb.on_reply : cb.on_reject;
  inv.caller = ctx.caller;
  inv.cycles_available = ctx.available;
  inv.cycles_refunded = resp.refund;
  if (resp.replied) {
    inv.arg = std::move(resp.payload);
  } else {
    inv.reject_code = resp.reject.code;
    inv.reject_message = resp.reject.message;
  }
  exec::ExecResult r = c.instance->execute(inv);
  if (!r.ok() && cb.on_cleanup) {
    // §6: the cleanup callback runs when a reply/reject callback traps; its own failure is ignored.
    exec::Invocation ci = base_invocation(c, exec::EntryKind::Cleanup);
    ci.callback = *cb.on_cleanup;
    ci.caller = ctx.caller;
    exec::ExecResult cr = c.instance->execute(ci);
    round_instructions += cr.instructions;
    charge(c, Cycles(cr.instructions) * fees::kPerInstruction);
  }
  finish_execution(c, ctx_id, r, true);
}

void Node::Impl::finish_execution(Canister& c, uint64_t ctx_id, exec::ExecResult& r, bool is_callback) {
  round_instructions += r.instructions;
  charge(c, fees::execution(r.instructions));
  auto it = contexts.find(ctx_id);
  if (it == contexts.end()) return;
  CallContext& ctx = it->second;
  if (!r.ok()) {
    if (!ctx.responded && ctx.outstanding == 0) {
      respond(ctx.origin, false, {}, exec_reject(c, r), ctx.available);
      ctx.available = 0;
      ctx.responded = true;
    }
    return close_if_done(ctx_id);
  }
  if (r.certified_data) c.certified_data = *r.certified_data;
  if (r.global_timer) c.global_timer = *r.global_timer;
  Cycles accepted = std::min(r.cycles_accepted, ctx.available);
  ctx.available -= accepted;
  c.cycles += accepted;
  charge(c, r.cycles_burned);
  for (auto& call : r.calls) {
    charge(c, fees::call(call.method.size() + call.arg.size()));
    Cycles attached = std::min(call.cycles, c.cycles);
    c.cycles -= attached;
    uint64_t cb_id = next_callback++;
    callbacks[cb_id] = CallbackRec{c.id, ctx_id, call.on_reply, call.on_reject, call.on_cleanup};
    ++ctx.outstanding;
    Request req;
    req.sender = c.id;
    req.receiver = call.callee;
    req.method = std::move(call.method);
    req.arg = std::move(call.arg);
    req.cycles = attached;
    req.origin.kind = Origin::Canister;
    req.origin.canister = c.id;
    req.origin.callback = cb_id;
    route(std::move(req));
  }
  if (!ctx.responded && (r.reply || r.reject)) {
    if (r.reply) respond(ctx.origin, true, std::move(*r.reply), {}, ctx.available);
    else respond(ctx.origin, false, {}, make_reject(4, "Error from Canister " + c.id.to_text() + ": " + *r.reject, "IC0406"),
                 ctx.available);
    ctx.available = 0;
    ctx.responded = true;
  }
  (void)is_callback;
  close_if_done(ctx_id);
}

void Node::Impl::close_if_done(uint64_t ctx_id) {
  auto it = contexts.find(ctx_id);
  if (it == contexts.end() || it->second.outstanding > 0) return;
  CallContext ctx = std::move(it->second);
  contexts.erase(it);
  inflight_dirty = true;
  auto cit = canisters.find(ctx.canister);
  if (!ctx.responded && ctx.origin.kind != Origin::System) {
    respond(ctx.origin, false, {},
            make_reject(5, "Error from Canister " + ctx.canister.to_text() + ": Canister did not reply to the call",
                        "IC0506"),
            ctx.available);
  } else if (ctx.available > 0 && cit != canisters.end()) {
    cit->second.cycles += ctx.available;  // a system task's unspent cycles stay with the canister
  }
  if (cit != canisters.end()) check_stopped(cit->second);
}

void Node::Impl::check_stopped(Canister& c) {
  if (c.status != CanisterStatus::Stopping) return;
  for (const auto& [id, ctx] : contexts)
    if (ctx.canister == c.id) return;
  c.status = CanisterStatus::Stopped;
  c.meta_dirty = true;
  for (const auto& w : c.stop_waiters) respond(w, true, empty_candid(), {}, 0);
  c.stop_waiters.clear();
}

void Node::Impl::drop_call_contexts(Canister& c, const std::string& why) {
  for (auto it = contexts.begin(); it != contexts.end();) {
    if (it->second.canister != c.id) {
      ++it;
      continue;
    }
    if (!it->second.responded && it->second.origin.kind != Origin::System)
      respond(it->second.origin, false, {}, make_reject(4, why, "IC0510"), it->second.available);
    it = contexts.erase(it);
  }
  for (auto it = callbacks.begin(); it != callbacks.end();)
    it = it->second.owner == c.id ? callbacks.erase(it) : std::next(it);
  inflight_dirty = true;
}

void Node::Impl::execute_system(Canister& c, exec::EntryKind kind) {
  if (check_frozen(c, fees::execution(cfg.limits.update_instructions))) return;
  uint64_t ctx_id = next_context++;
  CallContext ctx;
  ctx.canister = c.id;
  ctx.origin.kind = Origin::System;
  ctx.caller = Principal::management();
  contexts[ctx_id] = ctx;
  exec::Invocation inv = base_invocation(c, kind);
  inv.caller = Principal::management();
  exec::ExecResult r = c.instance->execute(inv);
  finish_execution(c, ctx_id, r, false);
}

void Node::Impl::run_system_tasks() {
  // Like the IC's round: due global timers and heartbeats of running canisters before other messages.
  for (auto& [id, c] : canisters) {
    if (c.status != CanisterStatus::Running || !c.instance || !c.module) continue;
    if (c.global_timer != 0 && round_time >= c.global_timer && c.module->exports("canister_global_timer")) {
      c.global_timer = 0;  // deactivated before it runs (§6.2 global_timer_set)
      c.meta_dirty = true;
      execute_system(c, exec::EntryKind::GlobalTimer);
    }
    if (c.module->exports("canister_heartbeat")) execute_system(c, exec::EntryKind::Heartbeat);
  }
}

void Node::Impl::charge_storage() {
  // Charged every 10 s of round time (not every round, so idle canisters are not rewritten each round).
  for (auto& [id, c] : canisters) {
    if (c.storage_charged_ns == 0 || c.storage_charged_ns > round_time) {
      c.storage_charged_ns = round_time;
      continue;
    }
    uint64_t dt = round_time - c.storage_charged_ns;
    if (dt < 10 * fees::kSecondNs) continue;
    charge(c, fees::idle_burn(c.memory_bytes(), c.settings.compute_allocation, dt));
    c.storage_charged_ns = round_time;
  }
}

}  // namespace replica
