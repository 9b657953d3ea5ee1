// Timers on the global timer (interface spec "Global timer"): the earliest deadline of all timers is armed
// with ic0.global_timer_set; canister_global_timer dispatches due timers as self-calls to __cdk_timer.
#include "cdk/timer.h"

#include <array>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "cdk/btree.h"
#include "cdk/call.h"
#include "cdk/ic0.h"
#include "cdk/method.h"
#include "cdk/runtime.h"

namespace cdk {

namespace {

constexpr TimerId kStableBit = TimerId{1} << 63;
constexpr size_t kMaxHandlerName = 56;
constexpr uint8_t kHeapKind = 0, kStableKind = 1;

struct HeapTimer {
  uint64_t due = 0;
  uint64_t interval = 0;
  std::function<void()> fn;
};
struct HeapTimers {
  std::map<TimerId, HeapTimer> timers;               // including fired one-shots not yet run
  std::set<std::pair<uint64_t, TimerId>> queue;      // (due, id) of timers waiting to fire
  TimerId last_id = 0;
};
Heap<HeapTimers> g_heap;

// Stable timers: key = due (BE) · id (BE), so the first entry is the next to fire; value = interval ·
// payload (LE) · handler name. The map's aux word is the last id handed out.
using Key = std::array<uint8_t, 16>;
using StableTimers = StableBTreeMap<Key, ic::Bytes, 16, 16 + kMaxHandlerName>;
StableTimers& stable_timers() {
  static StableTimers map{Memory(kTimerMemory)};
  return map;
}

Key make_key(uint64_t due, TimerId id) {
  Key k;
  for (int i = 0; i < 8; ++i) {
    k[i] = static_cast<uint8_t>(due >> (56 - 8 * i));
    k[8 + i] = static_cast<uint8_t>(id >> (56 - 8 * i));
  }
  return k;
}
uint64_t key_part(const Key& k, int at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | k[at + i];
  return v;
}
uint64_t le_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

detail::TimerHandler* g_handlers = nullptr;
const detail::TimerHandler* find_handler(std::string_view name) {
  for (auto* h = g_handlers; h; h = h->next)
    if (name == h->name) return h;
  return nullptr;
}

uint64_t next_due(uint64_t due, uint64_t interval, uint64_t now) {
  uint64_t next = due + interval;
  return next > now ? next : now + interval;
}

// Arms the global timer at the earliest deadline (0 disarms it).
void arm() {
  uint64_t next = 0;
  if (!g_heap->queue.empty()) next = g_heap->queue.begin()->first;
  if (auto first = stable_timers().first()) {
    uint64_t due = key_part(first->first, 0);
    if (next == 0 || due < next) next = due;
  }
  ic0::global_timer_set(next);
}

// One self-call per due timer; its reply is ignored (the future is dropped at once).
bool dispatch(const ic::Bytes& arg) {
  detail::CallState* s = detail::perform_call(self(), "__cdk_timer", arg, 0);
  bool sent = s->status == detail::CallState::Status::Pending;
  detail::release_future(s);
  return sent;
}

void on_global_timer() {
  uint64_t now = time_ns();
  HeapTimers& ht = *g_heap;
  while (!ht.queue.empty() && ht.queue.begin()->first <= now) {
    auto [due, id] = *ht.queue.begin();
    ht.queue.erase(ht.queue.begin());
    HeapTimer& t = ht.timers.at(id);
    if (t.interval) {
      t.due = next_due(due, t.interval, now);
      ht.queue.emplace(t.due, id);
    }
    ic::Bytes arg(9, kHeapKind);
    std::memcpy(arg.data() + 1, &id, 8);
    if (!dispatch(arg) && !t.interval) ht.queue.emplace(now, id);  // retry at the next tick
  }
  StableTimers& st = stable_timers();
  for (auto first = st.first(); first && key_part(first->first, 0) <= now; first = st.first()) {
    auto& [key, value] = *first;
    uint64_t due = key_part(key, 0), id = key_part(key, 8);
    st.remove(key);
    if (value.size() < 16) continue;  // not written by schedule(): drop it
    uint64_t interval = le_u64(value.data());
    ic::Bytes arg(value.begin() + 7, value.end());  // kind · payload · name
    arg[0] = kStableKind;
    bool sent = dispatch(arg);
    if (interval) st.insert(make_key(next_due(due, interval, now), id), value);
    else if (!sent) st.insert(make_key(now + 1, id), value);
    if (!sent) break;  // the output queue is full: leave the rest for the next tick
  }
  arm();
}

void rearm_after_upgrade() {
  // The IC deactivates the global timer when the module changes; heap timers are gone with the heap.
  arm();
}
[[maybe_unused]] detail::StageHook g_rearm(detail::Stage::PostUpgrade, &rearm_after_upgrade, true);

void run_timer_message() {
  if (caller() != self()) {
    reject("__cdk_timer runs the canister's timers and only the canister itself may call it");
    return;
  }
  ic::Bytes arg = arg_data();
  detail::reply_empty();  // the dispatcher ignores the reply; a trap below rolls it back with the handler's work
  detail::g_running = nullptr;
  if (arg.size() == 9 && arg[0] == kHeapKind) {
    TimerId id;
    std::memcpy(&id, arg.data() + 1, 8);
    auto it = g_heap->timers.find(id);
    if (it == g_heap->timers.end()) return;  // cleared meanwhile
    std::function<void()> fn = it->second.fn;
    if (!it->second.interval) g_heap->timers.erase(it);
    fn();
  } else if (arg.size() >= 9 && arg[0] == kStableKind) {
    uint64_t payload = le_u64(arg.data() + 1);
    std::string_view name(reinterpret_cast<const char*>(arg.data()) + 9, arg.size() - 9);
    const detail::TimerHandler* h = find_handler(name);
    if (!h) trap("stable timer handler \"" + std::string(name) + "\" is not registered in this build (CDK_TIMER_HANDLER)");
    if (h->fn) h->fn(payload);
    else spawn(h->task(payload));
  } else {
    trap("__cdk_timer: malformed argument");
  }
}

}  // namespace

namespace detail {

TimerHandler::TimerHandler(const char* n, void (*f)(uint64_t)) : name(n), fn(f), next(g_handlers) { g_handlers = this; }
TimerHandler::TimerHandler(const char* n, Task<void> (*t)(uint64_t)) : name(n), task(t), next(g_handlers) {
  g_handlers = this;
}

TimerId add_heap_timer(uint64_t delay_ns, uint64_t interval_ns, std::function<void()> fn) {
  HeapTimers& ht = *g_heap;
  TimerId id = ++ht.last_id;
  uint64_t due = time_ns() + delay_ns;
  ht.timers.emplace(id, HeapTimer{due, interval_ns, std::move(fn)});
  ht.queue.emplace(due, id);
  arm();
  return id;
}

}  // namespace detail

bool clear_timer(TimerId id) {
  if (id & kStableBit) {
    StableTimers& st = stable_timers();
    for (auto it = st.begin(); it != st.end(); ++it) {  // stable timers are few: a scan is fine
      Key k = it.key();
      if (key_part(k, 8) == id) {
        st.remove(k);
        arm();
        return true;
      }
    }
    return false;
  }
  HeapTimers& ht = *g_heap;
  auto it = ht.timers.find(id);
  if (it == ht.timers.end()) return false;
  ht.queue.erase({it->second.due, id});
  ht.timers.erase(it);
  arm();
  return true;
}

TimerId schedule(std::string_view handler, uint64_t delay_ns, uint64_t payload, uint64_t interval_ns) {
  if (!find_handler(handler))
    trap("cdk::schedule: no timer handler \"" + std::string(handler) + "\" (register it with CDK_TIMER_HANDLER)");
  if (handler.size() > kMaxHandlerName) trap("cdk::schedule: handler name longer than 56 bytes");
  StableTimers& st = stable_timers();
  TimerId id = (st.aux() + 1) | kStableBit;
  st.set_aux(id & ~kStableBit);
  ic::Bytes value(16);
  std::memcpy(value.data(), &interval_ns, 8);
  std::memcpy(value.data() + 8, &payload, 8);
  value.insert(value.end(), handler.begin(), handler.end());
  st.insert(make_key(time_ns() + delay_ns, id), value);
  arm();
  return id;
}

size_t timer_count() { return g_heap->queue.size() + stable_timers().size(); }

}  // namespace cdk

CDK_EXPORT("canister_global_timer", cdk_canister_global_timer) { cdk::on_global_timer(); }
CDK_EXPORT("canister_update __cdk_timer", cdk_timer_message) { cdk::run_timer_message(); }
