// Performing calls and the three callbacks the IC invokes for them (interface spec "Inter-canister calls").
#include "cdk/call.h"

#include "cdk/ic0.h"

namespace cdk::detail {

namespace {

void resume_waiter(CallState* s) {
  s->in_callback = true;
  if (s->future_alive && s->waiter) {
    g_running = nullptr;
    s->waiter.resume();  // runs the coroutine chain to its next await or to the end (reply)
  }
  // Reached only if nothing trapped: no cleanup will come for this call.
  s->in_callback = false;
  s->callbacks_pending = false;
  if (!s->future_alive) delete s;
}

void on_reply(uintptr_t env) {
  auto* s = reinterpret_cast<CallState*>(env);
  s->status = CallState::Status::Replied;
  s->reply = arg_data();
  s->refunded = msg_cycles_refunded();
  resume_waiter(s);
}

void on_reject(uintptr_t env) {
  auto* s = reinterpret_cast<CallState*>(env);
  s->status = CallState::Status::Rejected;
  s->reject_code = ic0::msg_reject_code();
  ic::Bytes m(ic0::msg_reject_msg_size());
  if (!m.empty()) ic0::msg_reject_msg_copy(m.data(), 0, static_cast<uint32_t>(m.size()));
  s->reject_message.assign(m.begin(), m.end());
  s->refunded = msg_cycles_refunded();
  resume_waiter(s);
}

// The reply or reject callback trapped: the IC rolled its changes back, so the coroutines are again suspended
// at this call's await, and no callback will ever resume them. Destroy the chain from its root (the method's
// detached task), which runs the destructors of what was alive at the await: guards release, tickets return.
// The call context gets no reply from it; the IC rejects the original call once nothing is outstanding.
void on_cleanup(uintptr_t env) {
  auto* s = reinterpret_cast<CallState*>(env);
  s->in_callback = true;
  PromiseBase* root = s->waiter_root;  // recorded at the await; cleared if that chain was destroyed since
#if CDK_NATIVE
  if (root && !promise_alive(root)) root = nullptr;  // defensive: the mock restores frames after a trap
#endif
  if (root && root->detached) {
    root->on_done = nullptr;
    root->self.destroy();
  }
  delete s;
}

}  // namespace

CallState* perform_call(const ic::Principal& callee, std::string_view method, ic::ByteView arg, Cycles cycles) {
  auto* s = new CallState;
  s->method = std::string(method);
  auto env = reinterpret_cast<uintptr_t>(s);
  const ic::Bytes& id = callee.bytes();
  // A function's address is its table index on wasm32, which is what call_new takes.
  ic0::call_new(id.data(), static_cast<uint32_t>(id.size()), method.data(), static_cast<uint32_t>(method.size()),
                reinterpret_cast<uintptr_t>(&on_reply), env, reinterpret_cast<uintptr_t>(&on_reject), env);
  ic0::call_on_cleanup(reinterpret_cast<uintptr_t>(&on_cleanup), env);
  if (!arg.empty()) ic0::call_data_append(arg.data(), static_cast<uint32_t>(arg.size()));
  if (cycles != 0) ic0::call_cycles_add128(static_cast<uint64_t>(cycles >> 64), static_cast<uint64_t>(cycles));
  if (uint32_t err = ic0::call_perform(); err != 0) {
    // Spec: the call is not enqueued and none of its callbacks will run; the cycles stay with us.
    s->status = CallState::Status::Rejected;
    s->reject_code = static_cast<uint32_t>(RejectCode::kSysTransient);
    s->reject_message = "call_perform failed with error " + std::to_string(err) + ": the call to " + s->method +
                        " was not sent (queue full or cycles too low); retry later";
    s->refunded = cycles;
    s->callbacks_pending = false;
  }
  return s;
}

void release_future(CallState* s) {
  s->future_alive = false;
  if (s->in_callback) return;  // the running callback frees it (or, after a trap, the cleanup callback)
  s->waiter_promise = nullptr;  // the frame that awaited it is being destroyed
  s->waiter_root = nullptr;
  if (!s->callbacks_pending) delete s;
}

}  // namespace cdk::detail
