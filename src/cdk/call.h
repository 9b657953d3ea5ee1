// Inter-canister calls as C++20 coroutines: `auto r = co_await cdk::call<Nat>(ledger, "icrc1_balance_of", acct);`
// with typed Candid arguments and reply, reject codes, attached cycles and cleanup when a callback traps.
#pragma once

// A call is performed (ic0.call_perform) when cdk::call returns, so several calls started before the first
// co_await run in parallel. Awaiting ends the message execution: see cdk/task.h for what is committed.
// The returned CallFuture may be awaited once; destroying it without awaiting abandons the result.
//
// Compiler pitfall (native mock builds): g++ 12 destroys a brace-initialized aggregate temporary twice when
// it appears inside a co_await expression, e.g. `co_await cdk::call<R>(id, "m", Arg{a, b})` (a double free).
// Build such arguments in a named variable first; clang (the wasm build) is not affected.

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "cdk/candid.h"
#include "cdk/runtime.h"
#include "cdk/task.h"

namespace cdk {

// Reject codes (interface spec "Reject codes"), and 0 for a reply that did not decode as the expected type.
enum class RejectCode : uint32_t {
  kReplyNotDecoded = 0,
  kSysFatal = 1,
  kSysTransient = 2,
  kDestinationInvalid = 3,
  kCanisterReject = 4,
  kCanisterError = 5,
  kSysUnknown = 6,
};

// The reply bytes as they came, for cdk::call<RawReply>.
struct RawReply {
  ic::Bytes bytes;
};

namespace detail {

struct CallState {
  enum class Status : uint8_t { Pending, Replied, Rejected };
  Status status = Status::Pending;
  uint32_t reject_code = 0;
  std::string reject_message;
  ic::Bytes reply;
  Cycles refunded = 0;
  std::string method;                 // for error messages
  std::coroutine_handle<> waiter;     // the coroutine suspended on this call
  PromiseBase* waiter_promise = nullptr;
  PromiseBase* waiter_root = nullptr;     // the root of its chain at the await (what cleanup destroys)
  // Freed when both the future is gone and no callback can come any more.
  bool future_alive = true;           // the CallFuture still exists
  bool callbacks_pending = true;      // reply or reject (and, after a trap in it, cleanup) still to come
  bool in_callback = false;           // one of those callbacks is running
};

// call_new + call_on_cleanup + call_data_append + call_cycles_add128 + call_perform. A failed call_perform
// gives a state that is already Rejected (SYS_TRANSIENT) and gets no callbacks.
CallState* perform_call(const ic::Principal& callee, std::string_view method, ic::ByteView arg, Cycles cycles);
void release_future(CallState* s);

template <class R>
struct ReplyDecoder {
  static bool decode(ic::ByteView bytes, R& out, std::string& error) {
    std::tuple<R> t;
    if (!decode_args(bytes, t, error)) return false;
    out = std::move(std::get<0>(t));
    return true;
  }
  static std::string text() { return args_text<R>(); }
};
template <class... Ts>
struct ReplyDecoder<std::tuple<Ts...>> {  // methods with several results
  static bool decode(ic::ByteView bytes, std::tuple<Ts...>& out, std::string& error) {
    return decode_args(bytes, out, error);
  }
  static std::string text() { return args_text<Ts...>(); }
};
template <>
struct ReplyDecoder<RawReply> {
  static bool decode(ic::ByteView bytes, RawReply& out, std::string&) {
    out.bytes.assign(bytes.begin(), bytes.end());
    return true;
  }
  static std::string text() { return "(raw)"; }
};

}  // namespace detail

// The outcome of a call: the decoded reply, or a reject (code and message).
template <class R>
class CallResult {
 public:
  bool ok() const { return code_ == 0 && value_.has_value(); }
  explicit operator bool() const { return ok(); }
  R& value() {
    if (!ok()) trap("cdk::CallResult::value() on a failed call: " + message_);
    return *value_;
  }
  R& operator*() { return value(); }
  R* operator->() { return &value(); }
  RejectCode reject_code() const { return static_cast<RejectCode>(code_); }
  const std::string& reject_message() const { return message_; }
  Cycles refunded() const { return refunded_; }

 private:
  template <class>
  friend class CallFuture;
  std::optional<R> value_;
  uint32_t code_ = 0;
  std::string message_;
  Cycles refunded_ = 0;
};

template <>
class CallResult<void> {
 public:
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  RejectCode reject_code() const { return static_cast<RejectCode>(code_); }
  const std::string& reject_message() const { return message_; }
  Cycles refunded() const { return refunded_; }

 private:
  template <class>
  friend class CallFuture;
  bool failed_ = false;
  uint32_t code_ = 0;
  std::string message_;
  Cycles refunded_ = 0;
};

template <class R>
class [[nodiscard]] CallFuture {
 public:
  explicit CallFuture(detail::CallState* s) : s_(s) {}
  CallFuture(CallFuture&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  CallFuture& operator=(CallFuture&&) = delete;
  ~CallFuture() {
    if (s_) detail::release_future(s_);
  }

  bool await_ready() const { return s_->status != detail::CallState::Status::Pending; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    detail::PromiseBase& p = detail::awaiting_promise(h);
    s_->waiter = h;
    s_->waiter_promise = &p;
    detail::PromiseBase* root = &p;
    while (root->parent) root = root->parent;
    s_->waiter_root = root;
    detail::g_running = p.parent;
  }
  CallResult<R> await_resume() {
    if (s_->waiter_promise) detail::g_running = s_->waiter_promise;
    CallResult<R> r;
    r.refunded_ = s_->refunded;
    if (s_->status == detail::CallState::Status::Rejected) {
      r.code_ = s_->reject_code;
      r.message_ = std::move(s_->reject_message);
      if constexpr (std::is_void_v<R>) r.failed_ = true;
      return r;
    }
    if constexpr (!std::is_void_v<R>) {
      std::string error;
      R value{};
      if (detail::ReplyDecoder<R>::decode(s_->reply, value, error)) {
        r.value_.emplace(std::move(value));
      } else {
        r.code_ = 0;
        r.message_ = "the reply of " + s_->method + " is not " + detail::ReplyDecoder<R>::text() + ": " + error;
      }
    }
    return r;
  }

 private:
  detail::CallState* s_;
};

// Calls `method` of `callee` with Candid arguments; R is the reply type (a std::tuple for several results,
// void to ignore the reply, RawReply for the bytes).
template <class R = void, class... Args>
CallFuture<R> call(const ic::Principal& callee, std::string_view method, const Args&... args) {
  return CallFuture<R>(detail::perform_call(callee, method, encode_args(args...), 0));
}
// The same with cycles attached (the callee may accept some; the rest comes back as CallResult::refunded()).
template <class R = void, class... Args>
CallFuture<R> call_with_cycles(const ic::Principal& callee, std::string_view method, Cycles cycles,
                               const Args&... args) {
  return CallFuture<R>(detail::perform_call(callee, method, encode_args(args...), cycles));
}
// Raw argument bytes (already Candid-encoded, or not Candid at all).
template <class R = RawReply>
CallFuture<R> call_raw(const ic::Principal& callee, std::string_view method, ic::ByteView arg, Cycles cycles = 0) {
  return CallFuture<R>(detail::perform_call(callee, method, arg, cycles));
}

}  // namespace cdk
