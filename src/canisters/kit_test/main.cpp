// kit_test: a canister that uses every part of the canister kit (src/cdk), built to wasm32 for the module
// checks and natively against cdk/mock for tests/cdk. Interface: kit_test.did beside this file.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "cdk/cdk.h"

// The export macros work in any namespace; a named one keeps method names such as `remove` from meeting
// the C library's functions of the same name.
namespace kit {
namespace {

using u128 = unsigned __int128;
using ic::Principal;

// --- Candid types (kit_test.did)
struct InitArgs {
  Principal owner;
  std::string greeting;
  Principal ledger;
};
CDK_RECORD(InitArgs, owner, greeting, ledger)

struct TransferArg {
  Principal to;
  u128 amount;
};
CDK_RECORD(TransferArg, to, amount)
using TransferResult = cdk::Result<uint64_t, std::string>;

struct Available {
  u128 available;
};
CDK_RECORD(Available, available)
struct Rejection {
  uint32_t code;
  std::string message;
};
CDK_RECORD(Rejection, code, message)
using WithdrawError = cdk::Variant<cdk::Alt<"Busy">, cdk::Alt<"InsufficientFunds", Available>,
                                   cdk::Alt<"Rejected", Rejection>, cdk::Alt<"LedgerError", std::string>>;
using WithdrawResult = cdk::Result<uint64_t, WithdrawError>;

struct TimerStats {
  uint64_t heap_fires = 0;
  uint64_t stable_fires = 0;
  uint64_t heartbeats = 0;
  uint64_t upgrades = 0;
  uint64_t timers = 0;
};
CDK_RECORD(TimerStats, heap_fires, stable_fires, heartbeats, upgrades, timers)

// --- state
// Heap state: lost on upgrade (the mock rebuilds it), rolled back on traps.
struct State {
  std::string greeting;
  Principal ledger;
  uint64_t counter = 0;
  std::map<Principal, u128> balances;
  cdk::LockSet<Principal> locks;                // one withdrawal per user at a time
  cdk::Reservations<Principal, u128> reserved;  // amounts of withdrawals in flight
  uint64_t withdraw_attempts = 0;
  uint64_t heap_fires = 0;
  uint64_t heartbeats = 0;
};
cdk::Heap<State> state;

// Stable state: memory 0 holds the map, 1 the init arguments, 2 and 3 counters that survive upgrades.
cdk::StableBTreeMap<uint64_t, std::string, 8, 100> map{cdk::Memory(0)};
cdk::StableCell<InitArgs> config{cdk::Memory(1)};
cdk::StableCell<uint64_t> stable_fires{cdk::Memory(2)};
cdk::StableCell<uint64_t> upgrades{cdk::Memory(3)};

constexpr uint64_t kSecond = 1'000'000'000;

void heartbeat() { ++state->heartbeats; }
void start_heartbeat() { cdk::set_timer_interval(60 * kSecond, heartbeat); }

void load_config() {
  InitArgs a = config.get();
  state->greeting = a.greeting;
  state->ledger = a.ledger;
}

// --- lifecycle
void init(InitArgs args) {
  config.set(args);
  load_config();
  start_heartbeat();
}
CDK_INIT(init)

// O(1): everything that must survive is already in stable memory.
void pre_upgrade() { upgrades.set(upgrades.get() + 1); }
CDK_PRE_UPGRADE(pre_upgrade)

// Optional argument: a new greeting.
void post_upgrade(std::optional<std::string> greeting) {
  if (greeting) {
    InitArgs a = config.get();
    a.greeting = *greeting;
    config.set(a);
  }
  load_config();
  start_heartbeat();  // heap timers are gone with the old heap
}
CDK_POST_UPGRADE(post_upgrade)

bool inspect(const std::string& method) { return method != "forbidden"; }
CDK_INSPECT_MESSAGE(inspect)

}  // namespace

// --- queries and updates
std::string greet(const std::string& name) { return state->greeting + name + "!"; }
CDK_QUERY_FN(greet)

Principal whoami() { return cdk::caller(); }
CDK_QUERY_FN(whoami)

uint64_t increment(uint64_t by) { return state->counter += by; }
CDK_UPDATE_FN(increment)

uint64_t counter() { return state->counter; }
CDK_QUERY_FN(counter)

u128 deposit(u128 amount) { return state->balances[cdk::caller()] += amount; }
CDK_UPDATE_FN(deposit)

u128 balance_of(Principal who) {
  auto it = state->balances.find(who);
  return it == state->balances.end() ? 0 : it->second;
}
CDK_QUERY_FN(balance_of)

namespace {
// A sub-task: the call to the ledger (awaited by withdraw, so a trap after it unwinds both frames).
cdk::Task<cdk::CallResult<TransferResult>> ledger_transfer(Principal to, u128 amount) {
  TransferArg arg{std::move(to), amount};  // not braced inside the co_await: see cdk/call.h on g++ 12
  co_return co_await cdk::call<TransferResult>(state->ledger, "transfer", arg);
}
}  // namespace

// Sends `amount` of the caller's balance through the ledger. Before the await: lock the caller, reserve the
// amount (both committed with the call); after it: apply or release. `trap_after` makes the callback trap
// after applying the withdrawal, to show what a trap after an await rolls back.
cdk::Task<WithdrawResult> withdraw(u128 amount, bool trap_after) {
  Principal who = cdk::caller();
  ++state->withdraw_attempts;
  auto lock = state->locks.try_lock(who);
  if (!lock) co_return WithdrawResult::err(WithdrawError::make<"Busy">());
  u128 available = balance_of(who) - state->reserved.reserved(who);
  if (available < amount) co_return WithdrawResult::err(WithdrawError::make<"InsufficientFunds">(Available{available}));
  auto ticket = state->reserved.reserve(who, amount);

  auto r = co_await ledger_transfer(who, amount);  // <- everything above is committed here

  if (!r.ok())
    co_return WithdrawResult::err(WithdrawError::make<"Rejected">(
        Rejection{static_cast<uint32_t>(r.reject_code()), r.reject_message()}));
  if (!r->is_ok()) co_return WithdrawResult::err(WithdrawError::make<"LedgerError">(r->error()));
  state->balances[who] -= amount;
  ticket.commit();
  if (trap_after) cdk::trap("withdraw: trapping after the ledger replied, as asked");
  co_return WithdrawResult::ok(r->value());
}
CDK_UPDATE_FN(withdraw)

// Withdrawals in flight and attempts so far.
std::tuple<uint32_t, uint64_t> in_flight() {
  return {static_cast<uint32_t>(state->reserved.count()), state->withdraw_attempts};
}
CDK_QUERY_FN(in_flight)

std::optional<std::string> put(uint64_t key, std::string value) { return map.insert(key, value); }
CDK_UPDATE_FN(put)

std::optional<std::string> lookup(uint64_t key) { return map.get(key); }
CDK_QUERY_FN(lookup)

std::optional<std::string> remove(uint64_t key) { return map.remove(key); }
CDK_UPDATE_FN(remove)

std::vector<std::tuple<uint64_t, std::string>> range(uint64_t from, uint64_t to, uint32_t limit) {
  std::vector<std::tuple<uint64_t, std::string>> out;
  for (auto& [k, v] : map.range(from, to, limit)) out.emplace_back(k, std::move(v));
  return out;
}
CDK_QUERY_FN(range)

// Keys from `start`, at most `limit`, and where the next page starts (two results).
std::tuple<std::vector<uint64_t>, std::optional<uint64_t>> page(uint64_t start, uint32_t limit) {
  std::vector<uint64_t> keys;
  std::optional<uint64_t> next;
  for (auto it = map.lower_bound(start); it != map.end(); ++it) {
    if (keys.size() == limit) {
      next = it.key();
      break;
    }
    keys.push_back(it.key());
  }
  return {keys, next};
}
CDK_QUERY_FN(page)

uint64_t map_size() { return map.size(); }
CDK_QUERY_FN(map_size)

// Timers: heap timers count into heap state; stable timers run `tick` even after an upgrade.
uint64_t set_heap_timer(uint64_t delay_seconds) {
  return cdk::set_timer(delay_seconds * kSecond, [] { ++state->heap_fires; });
}
CDK_UPDATE_FN(set_heap_timer)

// A timer that traps: only its own message rolls back, other timers due at the same time still run.
uint64_t set_trapping_timer(uint64_t delay_seconds) {
  return cdk::set_timer(delay_seconds * kSecond, [] {
    ++state->heap_fires;  // rolled back by the trap
    cdk::trap("this timer always traps");
  });
}
CDK_UPDATE_FN(set_trapping_timer)

namespace {
void tick(uint64_t payload) { stable_fires.set(stable_fires.get() + payload); }
CDK_TIMER_HANDLER(tick)
}  // namespace

uint64_t schedule_stable_timer(uint64_t delay_seconds, uint64_t interval_seconds) {
  return cdk::schedule("tick", delay_seconds * kSecond, 1, interval_seconds * kSecond);
}
CDK_UPDATE_FN(schedule_stable_timer)

bool cancel_timer(uint64_t id) { return cdk::clear_timer(id); }
CDK_UPDATE_FN(cancel_timer)

TimerStats timer_stats() {
  return TimerStats{state->heap_fires, stable_fires.get(), state->heartbeats, upgrades.get(), cdk::timer_count()};
}
CDK_QUERY_FN(timer_stats)

// Certified data: config/greeting and stats/counter (Candid-encoded values, as SPEC.md's hub does).
namespace {
ic::HashTree certified_tree() {
  std::vector<std::pair<ic::Path, ic::Bytes>> entries;
  entries.push_back({ic::make_path({"config", "greeting"}), cdk::encode_args(state->greeting)});
  entries.push_back({ic::make_path({"stats", "counter"}), cdk::encode_args(state->counter)});
  auto tree = ic::HashTree::build(std::move(entries));
  if (!tree.ok()) cdk::trap("certified tree: " + tree.error().to_string());
  return std::move(tree).value();
}
}  // namespace

void set_certified(std::string greeting) {
  state->greeting = std::move(greeting);
  cdk::certify(certified_tree());
}
CDK_UPDATE_FN(set_certified)

cdk::CertifiedState get_certified_state() { return cdk::certified_state(certified_tree()); }
CDK_QUERY_FN(get_certified_state)

// Cycles: accept what the caller attached; send cycles along with a call and report the refund.
u128 accept_cycles() { return cdk::msg_cycles_accept(cdk::msg_cycles_available()); }
CDK_UPDATE_FN(accept_cycles)

cdk::Task<u128> send_cycles(Principal to, u128 amount) {
  auto r = co_await cdk::call_with_cycles<void>(to, "deposit_cycles", amount);
  co_return r.refunded();
}
CDK_UPDATE_FN(send_cycles)

// Refused by canister_inspect_message for ingress; callable by other canisters.
void forbidden() {}
CDK_UPDATE_FN(forbidden)

}  // namespace kit
