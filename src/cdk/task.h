// cdk::Task<T>: the coroutine type of update methods and timers that await inter-canister calls.
// Tasks start eagerly, may await other tasks and calls, and reply when the method's task completes.
#pragma once

// What an await means on the IC (interface spec "Message execution"): `co_await cdk::call(...)` ends the
// current message execution. Everything the method did before the await is committed at that point (heap
// and stable memory changes, the outgoing call itself) and other messages may run before the coroutine
// resumes in the reply or reject callback, a new execution. If code after an await traps, only the changes
// since that await are rolled back; the caller then gets no reply from this method, and the kit's cleanup
// callback destroys the waiting coroutines from their root, running the destructors of everything alive at
// the await (so cdk::LockSet guards and cdk::Reservations tickets held across the await are released).
// Invariants must therefore hold at every co_await; use cdk/guard.h to keep other messages off state that
// an in-flight call will change.

#include <coroutine>
#include <optional>
#include <utility>

#include "cdk/runtime.h"

namespace cdk {

namespace detail {

struct PromiseBase {
  PromiseBase();
  ~PromiseBase();
  PromiseBase(const PromiseBase&) = delete;
  std::coroutine_handle<> self;
  std::coroutine_handle<> continuation;   // the coroutine awaiting this one
  PromiseBase* parent;                    // the coroutine running when this one was created (its owner)
  void (*on_done)(PromiseBase&) = nullptr;  // set for detached roots: reply, ...
  bool detached = false;                  // no Task object owns the frame: it frees itself at the end
};

// The coroutine whose body is executing, nullptr in plain code. Entry points reset it.
extern PromiseBase* g_running;
#if CDK_NATIVE
// Natively, coroutine frames are tracked so the mock can roll them back like the IC rolls back the Wasm
// heap: it saves every live frame before a message execution and restores them after a trap (frees made
// during the execution are deferred by the mock, so what restored frames point to is still there).
void* frame_alloc(size_t n);
void frame_free(void* p) noexcept;
bool promise_alive(const PromiseBase* p);  // inside a tracked frame
void frames_save();
void frames_restore();
void frames_drop();
#endif

// Every cdk awaitable records the awaiting coroutine, so that a trap after the await can destroy the chain.
template <class P>
PromiseBase& awaiting_promise(std::coroutine_handle<P> h) {
  static_assert(std::is_base_of_v<PromiseBase, P>, "cdk awaitables can only be awaited in a cdk::Task coroutine");
  return h.promise();
}

struct FinalAwaiter {
  bool await_ready() noexcept { return false; }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
    PromiseBase& p = h.promise();
    g_running = p.parent;
    if (p.on_done) p.on_done(p);
    if (p.detached) {
      h.destroy();
      return std::noop_coroutine();
    }
    if (p.continuation) return p.continuation;
    return std::noop_coroutine();
  }
  void await_resume() noexcept {}
};

struct InitialAwaiter {
  PromiseBase* p;
  bool await_ready() noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) noexcept {}
  void await_resume() noexcept { g_running = p; }
};

template <class T>
struct ValueHolder {
  std::optional<T> value;
  void return_value(T v) { value.emplace(std::move(v)); }
  T take() { return std::move(*value); }
};
template <>
struct ValueHolder<void> {
  void return_void() {}
  void take() {}
};

}  // namespace detail

template <class T = void>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase, detail::ValueHolder<T> {
    Task get_return_object() {
      auto h = std::coroutine_handle<promise_type>::from_promise(*this);
      self = h;
      return Task(h);
    }
    detail::InitialAwaiter initial_suspend() noexcept { return {this}; }
    detail::FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() { trap("unhandled C++ exception in a cdk::Task"); }
#if CDK_NATIVE
    static void* operator new(size_t n) { return detail::frame_alloc(n); }
    static void operator delete(void* p) noexcept { detail::frame_free(p); }
#endif
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  bool done() const { return h_ && h_.done(); }
  promise_type& promise() { return h_.promise(); }
  // The result of a finished task.
  T take() { return h_.promise().take(); }
  // Gives up ownership: the frame frees itself when the coroutine ends (after calling promise().on_done).
  void detach() {
    h_.promise().detached = true;
    h_.promise().parent = nullptr;
    h_ = {};
  }

  // co_await task: resumes the awaiting coroutine with the task's result when it finishes.
  struct Awaiter {
    Handle h;
    detail::PromiseBase* awaiting = nullptr;
    bool await_ready() { return h.done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> a) {
      awaiting = &detail::awaiting_promise(a);
      h.promise().continuation = a;
      detail::g_running = awaiting->parent;
    }
    T await_resume() {
      if (awaiting) detail::g_running = awaiting;
      return h.promise().take();
    }
  };
  Awaiter operator co_await() & { return Awaiter{h_}; }
  Awaiter operator co_await() && { return Awaiter{h_}; }

 private:
  explicit Task(Handle h) : h_(h) {}
  Handle h_;
};

// Runs a task to completion on its own (fire and forget): its frame frees itself when it ends.
inline void spawn(Task<void> task) {
  if (!task.done()) task.detach();
}

}  // namespace cdk
