// Timers multiplexed on the IC's single global timer: one-shot and periodic, as heap closures or as named
// stable timers that survive upgrades (the kit re-arms the global timer in canister_post_upgrade).
#pragma once

// Each due timer runs in its own message: the kit's canister_global_timer makes a call to the canister
// itself (method `__cdk_timer`, callable only by the canister), so a timer that traps rolls back only its
// own work and the other timers still run. Handlers may be coroutines (cdk::Task<void>) that await calls.
// A periodic timer that fell behind fires once and is rescheduled one interval after now.
//
// Heap timers (set_timer, set_timer_interval) hold closures, which an upgrade discards together with the
// heap (and the IC deactivates the global timer on upgrade): set them again in post_upgrade.
// Stable timers (schedule) name a handler registered with CDK_TIMER_HANDLER and carry a u64 payload; they
// live in stable memory (memory id 254) and fire after an upgrade as planned.
// Using this header makes the kit own the canister_global_timer export (don't use CDK_GLOBAL_TIMER).

#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>

#include "cdk/task.h"

namespace cdk {

using TimerId = uint64_t;  // stable timers have the top bit set

namespace detail {
TimerId add_heap_timer(uint64_t delay_ns, uint64_t interval_ns, std::function<void()> fn);
template <class F>
std::function<void()> as_timer_fn(F f) {
  if constexpr (std::is_same_v<std::invoke_result_t<F&>, Task<void>>) {
    return [f = std::move(f)]() mutable { spawn(f()); };
  } else {
    return std::function<void()>(std::move(f));
  }
}

struct TimerHandler {
  TimerHandler(const char* name, void (*fn)(uint64_t));
  TimerHandler(const char* name, Task<void> (*task)(uint64_t));
  const char* name;
  void (*fn)(uint64_t) = nullptr;
  Task<void> (*task)(uint64_t) = nullptr;
  TimerHandler* next;
};
}  // namespace detail

// Runs f (void() or cdk::Task<void>()) once, delay_ns from now.
template <class F>
TimerId set_timer(uint64_t delay_ns, F f) {
  return detail::add_heap_timer(delay_ns, 0, detail::as_timer_fn(std::move(f)));
}
// Runs f every interval_ns (> 0), the first time one interval from now.
template <class F>
TimerId set_timer_interval(uint64_t interval_ns, F f) {
  return detail::add_heap_timer(interval_ns, interval_ns, detail::as_timer_fn(std::move(f)));
}
// Stops a timer (either kind); false if it does not exist (any more).
bool clear_timer(TimerId id);

// A stable timer calling the handler registered under `handler` with `payload`, delay_ns from now, and then
// every interval_ns if that is not 0. Traps if no such handler is registered in this build.
TimerId schedule(std::string_view handler, uint64_t delay_ns, uint64_t payload = 0, uint64_t interval_ns = 0);
// Timers waiting to fire (heap and stable), for introspection and tests.
size_t timer_count();

}  // namespace cdk

// Registers `void fn(uint64_t payload)` or `cdk::Task<void> fn(uint64_t payload)` as a stable timer handler
// under its own name. The name is what stable memory records, so keep it across versions.
#define CDK_TIMER_HANDLER(fn) [[maybe_unused]] static ::cdk::detail::TimerHandler cdk_timer_handler_##fn(#fn, &fn);
