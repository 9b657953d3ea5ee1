// cdk::mock: a native ic0 so canister code runs inside a Catch2 test, with the IC's message semantics:
// controllable caller, time, cycles and stable memory, scripted replies to outgoing calls, timers, upgrades.
#pragma once

// One canister per test program (its exports register by name). Every message execution (entry point or
// callback) runs on its own stack; a trap abandons that stack without running destructors and rolls back
// what the IC rolls back: stable memory, every cdk::Heap (when copyable), certified data, the global timer,
// cycles and the calls the execution made. Queries roll everything back when they end.
// What the mock cannot roll back is other native memory: plain globals (use cdk::Heap for canister state)
// and coroutine frames. After a trap in a callback, the kit's cleanup destroys the frames as they were at
// the await on the IC, except that locals changed after the await keep their new values here, and a
// sub-task that finished before the trap has already run its destructors.
// Upgrade runs canister_pre_upgrade, then rebuilds every cdk::Heap (the IC's fresh Wasm heap), deactivates
// the global timer, and runs canister_post_upgrade; stable memory is kept. Outgoing calls still pending at
// an upgrade are dropped (stop a canister before upgrading it).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "cdk/candid.h"
#include "cdk/runtime.h"
#include "ic/bytes.h"
#include "ic/principal.h"

namespace cdk::mock {

// Thrown when kit code called directly from a test (outside any message) traps.
struct Trapped : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Status { Pending, Replied, Rejected };

// The outcome of a message the test sent (or of install/upgrade).
struct Response {
  uint64_t id = 0;  // call context, for Env::response(id) later
  Status status = Status::Pending;
  ic::Bytes reply;
  uint32_t reject_code = 0;
  std::string reject_message;
  bool trapped = false;  // rejected because the canister trapped

  bool replied() const { return status == Status::Replied; }
  bool rejected() const { return status == Status::Rejected; }
  bool pending() const { return status == Status::Pending; }
  // The reply decoded as T (or std::tuple<Ts...> for several values); throws std::runtime_error saying why not.
  template <class T>
  T as() const;
};

// A call the canister made to another canister, waiting for the test to answer it.
struct Call {
  uint64_t id = 0;
  uint64_t context = 0;  // the call context that made it
  ic::Principal callee;
  std::string method;
  ic::Bytes arg;
  Cycles cycles = 0;
  template <class... Ts>
  std::tuple<Ts...> args() const;  // throws std::runtime_error when the argument does not decode
};

// What a scripted callee answers.
struct Answer {
  bool reply = true;
  ic::Bytes bytes;       // reply (Candid)
  uint32_t code = 4;     // reject code (CANISTER_REJECT)
  std::string message;   // reject message
  Cycles refund = 0;     // cycles sent back (the rest of the attached cycles are kept by the callee)
  template <class... Ts>
  static Answer with(const Ts&... values) {
    return Answer{true, encode_args(values...), 0, {}, 0};
  }
  static Answer reject(uint32_t code, std::string message) { return Answer{false, {}, code, std::move(message), 0}; }
};

class Env {
 public:
  // A fresh, not yet installed canister: empty stable memory, heap rebuilt, no calls, time 2026-01-01.
  void reset();

  // --- the environment
  void set_self(const ic::Principal& p) { self_ = p; }
  const ic::Principal& self() const { return self_; }
  void set_caller(const ic::Principal& p) { caller_ = p; }
  const ic::Principal& caller() const { return caller_; }
  void set_controllers(std::vector<ic::Principal> c) { controllers_ = std::move(c); }
  void set_time(uint64_t ns) { time_ = ns; }
  uint64_t time() const { return time_; }
  void set_balance(Cycles c) { balance_ = c; }
  Cycles balance() const { return balance_; }
  // Queries run non-replicated by default (data certificates available); true makes them replicated.
  void set_replicated_queries(bool r) { replicated_queries_ = r; }

  // --- lifecycle
  Response install(ic::ByteView arg = kEmptyArgs);
  template <class... Ts>
  Response install_with(const Ts&... args) { return install(encode_args(args...)); }
  Response upgrade(ic::ByteView arg = kEmptyArgs);
  template <class... Ts>
  Response upgrade_with(const Ts&... args) { return upgrade(encode_args(args...)); }

  // --- messages from the test (caller = caller(), unless given)
  Response update_raw(const std::string& method, ic::ByteView arg, Cycles cycles = 0);
  Response query_raw(const std::string& method, ic::ByteView arg);
  template <class... Ts>
  Response update(const std::string& method, const Ts&... args) { return update_raw(method, encode_args(args...)); }
  template <class... Ts>
  Response query(const std::string& method, const Ts&... args) { return query_raw(method, encode_args(args...)); }
  // canister_inspect_message: true if the canister accepted the ingress message.
  bool inspect(const std::string& method, ic::ByteView arg);
  // The current state of a message's call context.
  Response response(uint64_t id) const;

  // --- calls the canister made (to other canisters; calls to itself run in run())
  std::vector<Call> calls() const;
  // The first pending call to `method` (throws if none).
  Call call(const std::string& method) const;
  // Runs the reply or reject callback of a pending call (and its cleanup if that traps).
  void answer(uint64_t call_id, const Answer& a);
  template <class... Ts>
  void reply(uint64_t call_id, const Ts&... values) { answer(call_id, Answer::with(values...)); }
  void reject(uint64_t call_id, uint32_t code, std::string message) { answer(call_id, Answer::reject(code, std::move(message))); }
  // Answers every present and future call to (callee, method) with `f` (method "" = any method).
  void on_call(const ic::Principal& callee, const std::string& method, std::function<Answer(const Call&)> f);
  // Delivers calls to self and scripted answers until nothing more happens. Returns the number of steps.
  size_t run();

  // --- time and timers
  uint64_t global_timer() const { return global_timer_; }
  // Moves time forward; if the global timer is due, runs canister_global_timer and then run().
  void advance_time(uint64_t ns);

  // --- state
  const ic::Bytes& stable_memory() const { return stable_; }
  uint64_t stable_pages() const { return stable_.size() / kWasmPage; }
  const ic::Bytes& certified_data() const { return certified_data_; }
  // The certificate data_certificate_copy returns in a query: CBOR {tree, signature} whose tree holds
  // /canister/<self>/certified_data and /time (the signature is 48 zero bytes: the mock has no subnet key).
  ic::Bytes certificate() const;
  const std::vector<std::string>& log() const { return log_; }
  // Messages executed (entry points and callbacks) since reset, trapped ones included.
  uint64_t executions() const { return executions_; }

  static constexpr uint64_t kWasmPage = 65536;
  static const ic::Bytes kEmptyArgs;

  // Implementation state, used by the ic0 functions (mock.cpp).
  struct Impl;
  Impl& impl() { return *impl_; }

  Env();
  ~Env();

 private:
  friend struct Impl;
  ic::Principal self_, caller_;
  std::vector<ic::Principal> controllers_;
  uint64_t time_ = 0;
  Cycles balance_ = 0;
  bool replicated_queries_ = false;
  uint64_t global_timer_ = 0;
  ic::Bytes stable_;
  ic::Bytes certified_data_;
  std::vector<std::string> log_;
  uint64_t executions_ = 0;
  Impl* impl_;
};

// The mock (the ic0 functions are global, so there is one).
Env& env();
// reset() and return env().
Env& fresh();

template <class T>
T Response::as() const {
  if (status != Status::Replied)
    throw std::runtime_error("message " + std::to_string(id) + " did not reply: " +
                             (status == Status::Pending ? std::string("still pending") : reject_message));
  std::string error;
  if constexpr (requires { std::tuple_size<T>::value; }) {
    T out;
    if (!decode_args(reply, out, error)) throw std::runtime_error("reply does not decode: " + error);
    return out;
  } else {
    std::tuple<T> out;
    if (!decode_args(reply, out, error)) throw std::runtime_error("reply does not decode: " + error);
    return std::move(std::get<0>(out));
  }
}

template <class... Ts>
std::tuple<Ts...> Call::args() const {
  std::tuple<Ts...> out;
  std::string error;
  if (!decode_args(arg, out, error)) throw std::runtime_error("argument of call to " + method + " does not decode: " + error);
  return out;
}

}  // namespace cdk::mock
