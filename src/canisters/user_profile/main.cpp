// user_profile: one shard of user state (SPEC.md "user_profile"). Thin entry points over state.h (stable
// layout) and logic.h (rules); interface: candid/user_profile.did.
#include <string>
#include <tuple>
#include <vector>

#include "canisters/user_profile/logic.h"
#include "canisters/user_profile/protocol.h"
#include "canisters/user_profile/state.h"
#include "canisters/user_profile/types.h"
#include "cdk/call.h"
#include "cdk/certified.h"
#include "cdk/method.h"
#include "cdk/task.h"
#include "cdk/timer.h"

namespace user_profile {
namespace {

using suite::ShardInit;

const suite::ShardConstants& constants() { return heap->init.constants; }
Stable& st() { return stable(); }

// --- statistics and certification

uint64_t heap_bytes() {
#if CDK_NATIVE
  return 0;
#else
  return static_cast<uint64_t>(__builtin_wasm_memory_size(0)) * cdk::kWasmPageSize;
#endif
}

ShardStats make_stats() {
  const Books& b = heap->books;
  ShardStats s;
  s.shard_index = heap->init.shard_index;
  s.hub = heap->init.hub;
  s.user_count = b.user_count;
  s.hard_limit = constants().shard_hard_limit;
  Allowance a = allowance();
  s.allowance_granted_total = b.granted;
  s.allowance_used_total = b.used;
  s.allowance_reserved = a.reserved;
  s.allowance_remaining = a.remaining();
  s.allowance_returned_total = b.returned;
  s.rewards_credited_total = b.rewards_credited;
  s.unstaked_total = b.unstaked;
  s.credited_back_total = b.credited_back;
  s.pending_unstakes = CountAmount{b.pending_count, b.pending_amount};
  s.last_sync_seq = b.last_sync_seq;
  s.last_sync_time = b.last_sync_time;
  std::string err = st().last_sync_error.get();
  if (!err.empty()) s.last_sync_error = err;
  s.cycles = cdk::cycle_balance();
  s.heap_bytes = heap_bytes();
  s.stable_bytes = cdk::stable_pages_used() * cdk::kWasmPageSize;
  s.wasm_sha256 = heap->init.wasm_sha256;
  s.constants = constants();
  return s;
}

// stats/<field> of get_shard_stats, values Candid-encoded (SPEC.md "Certified state").
ic::HashTree stats_tree(const ShardStats& s) {
  std::vector<std::pair<ic::Path, ic::Bytes>> e;
  auto add = [&](const char* name, ic::Bytes v) { e.push_back({ic::make_path({"stats", name}), std::move(v)}); };
  add("shard_index", cdk::encode_args(s.shard_index));
  add("hub", cdk::encode_args(s.hub));
  add("user_count", cdk::encode_args(s.user_count));
  add("hard_limit", cdk::encode_args(s.hard_limit));
  add("allowance_granted_total", cdk::encode_args(s.allowance_granted_total));
  add("allowance_used_total", cdk::encode_args(s.allowance_used_total));
  add("allowance_reserved", cdk::encode_args(s.allowance_reserved));
  add("allowance_remaining", cdk::encode_args(s.allowance_remaining));
  add("allowance_returned_total", cdk::encode_args(s.allowance_returned_total));
  add("rewards_credited_total", cdk::encode_args(s.rewards_credited_total));
  add("unstaked_total", cdk::encode_args(s.unstaked_total));
  add("credited_back_total", cdk::encode_args(s.credited_back_total));
  add("pending_unstakes", cdk::encode_args(s.pending_unstakes));
  add("last_sync_seq", cdk::encode_args(s.last_sync_seq));
  add("last_sync_time", cdk::encode_args(s.last_sync_time));
  add("last_sync_error", cdk::encode_args(s.last_sync_error));
  add("cycles", cdk::encode_args(s.cycles));
  add("heap_bytes", cdk::encode_args(s.heap_bytes));
  add("stable_bytes", cdk::encode_args(s.stable_bytes));
  add("wasm_sha256", cdk::encode_args(s.wasm_sha256));
  add("constants", cdk::encode_args(s.constants));
  auto tree = ic::HashTree::build(std::move(e));
  if (!tree.ok()) cdk::trap("user_profile: certified tree: " + tree.error().to_string());
  return std::move(tree).value();
}

// After every change to the books: save them and certify the new statistics.
void commit_books() {
  save_books();
  heap->certified = stats_tree(make_stats());
  cdk::certify(heap->certified);
}

uint64_t now() { return cdk::time_ns(); }

void set_sync_error(const std::string& e) {
  if (st().last_sync_error.get() != e) st().last_sync_error.set(e);
}

void record_tx(const Principal& user, TxKind kind, uint64_t amount, std::optional<std::string> unit,
               std::optional<uint64_t> op) {
  Books& b = heap->books;
  Transaction t;
  t.id = b.next_tx_id;
  b.next_tx_id = suite::add(b.next_tx_id, 1, "transaction id");
  t.kind = std::move(kind);
  t.amount = amount;
  t.time = now();
  t.unit_id = std::move(unit);
  t.op_id = op;
  st().txs.insert(user_key(user, be64(t.id)), encode_tx(t));
}

Account load_account(const Principal& user) {
  auto a = st().accounts.get(user);
  if (!a) cdk::trap("user_profile: account of " + user.to_text() + " vanished");
  return *a;
}

// --- sync with the hub (SPEC.md "Sync")

enum class SyncOutcome { Applied, InProgress, Failed };

bool sync_wanted(uint64_t need) {
  const Books& b = heap->books;
  if (b.out_seq != 0) return true;
  auto plan = plan_sync(allowance().remaining(), need, constants());
  if (plan.give_back > 0) return true;
  // Deltas that only report (rewards credited, unstaked, credited back) change nothing the hub decides on,
  // so they ride along with allowance syncs and are otherwise sent every 12 intervals: at 100 quizzes/s a
  // shard then calls the hub about once per allowance chunk (BENCHMARKS.md "hub messages per 1,000 quizzes").
  bool unreported = b.rewards_credited != b.acked_rewards || b.unstaked != b.acked_unstaked ||
                    b.credited_back != b.acked_credited_back;
  if (unreported && plan.request == 0 &&
      now() >= b.last_sync_attempt + 12 * constants().sync_interval * suite::kSecondNs)
    return true;
  if (plan.request > 0) {
    // While the cap is reached, ask again only every 12 intervals (nothing else to report).
    if (b.cap_reached && now() < b.last_sync_attempt + 12 * constants().sync_interval * suite::kSecondNs)
      return need > 0;
    return true;
  }
  return false;
}

// One sync_shard call: the outstanding seq again (same payload), or a new seq with the deltas since the last
// acknowledged one. The reply is applied only if it is for the current seq.
cdk::Task<SyncOutcome> sync_once(uint64_t need) {
  auto lock = heap->sync_lock.try_lock(0);
  if (!lock) co_return SyncOutcome::InProgress;
  Books& b = heap->books;
  if (b.out_seq == 0) {
    b.out_seq = suite::add(b.last_sync_seq, 1, "sync seq");
    b.out_rewards = suite::sub(b.rewards_credited, b.acked_rewards, "rewards delta");
    b.out_unstaked = suite::sub(b.unstaked, b.acked_unstaked, "unstaked delta");
    b.out_credited_back = suite::sub(b.credited_back, b.acked_credited_back, "credited back delta");
    b.out_user_count = b.user_count;
    SyncPlan plan = plan_sync(allowance().remaining(), need, constants());
    b.out_request = plan.request;
    b.out_give_back = plan.give_back;
    // Returned at once: the hub applies it with this seq, which is retried until it is acknowledged.
    b.returned = suite::add(b.returned, plan.give_back, "allowance returned");
  }
  b.last_sync_attempt = now();
  commit_books();
  suite::SyncArgs args;
  args.seq = b.out_seq;
  args.rewards_credited_delta = b.out_rewards;
  args.unstaked_delta = b.out_unstaked;
  args.credited_back_delta = b.out_credited_back;
  args.user_count = b.out_user_count;
  args.request = b.out_request;
  args.give_back = b.out_give_back;
  auto r = co_await cdk::call<suite::SyncResult>(heap->init.hub, "sync_shard", args);
  Books& after = heap->books;
  if (!r.ok()) {
    set_sync_error("sync_shard seq " + std::to_string(args.seq) + " failed: " + r.reject_message());
    co_return SyncOutcome::Failed;
  }
  if (!r->is_ok()) {
    set_sync_error("sync_shard seq " + std::to_string(args.seq) + " refused: " + r->error());
    co_return SyncOutcome::Failed;
  }
  const suite::SyncReply& reply = r->value();
  if (after.out_seq == 0 || reply.seq != after.out_seq) {
    set_sync_error("ignored a sync reply for seq " + std::to_string(reply.seq));
    co_return SyncOutcome::Failed;
  }
  after.granted = suite::add(after.granted, reply.granted, "allowance granted");
  after.acked_rewards = suite::add(after.acked_rewards, after.out_rewards, "acked rewards");
  after.acked_unstaked = suite::add(after.acked_unstaked, after.out_unstaked, "acked unstaked");
  after.acked_credited_back = suite::add(after.acked_credited_back, after.out_credited_back, "acked credited back");
  after.cap_reached = (reply.granted < after.out_request && reply.cap_remaining == 0) ? 1 : 0;
  after.last_sync_seq = reply.seq;
  after.last_sync_time = now();
  after.out_seq = 0;
  after.out_rewards = after.out_unstaked = after.out_credited_back = 0;
  after.out_request = after.out_give_back = after.out_user_count = 0;
  set_sync_error("");
  commit_books();
  co_return SyncOutcome::Applied;
}

// --- unstake attempts

enum class WithdrawOutcome { Minted, CreditedBack, Pending, Busy };
struct AttemptResult {
  WithdrawOutcome outcome = WithdrawOutcome::Pending;
  std::optional<u128> block_index;
  std::string message;
};

void finish_op(uint64_t op_id, const PendingOp& op) {
  Books& b = heap->books;
  Account a = load_account(op.user);
  a.pending_unstake = suite::sub(a.pending_unstake, op.amount, "pending unstake");
  st().accounts.insert(op.user, a);
  b.pending_count = suite::sub(b.pending_count, 1, "pending count");
  b.pending_amount = suite::sub(b.pending_amount, op.amount, "pending amount");
  st().pending.remove(op_id);
}

// One call to the hub's withdraw for a pending unstake. Credit back only on a definite refusal; on anything
// ambiguous the operation stays pending and is retried with the same op_id and created_at_time, so the hub
// and the ledger deduplicate it (SPEC.md "unstake").
cdk::Task<AttemptResult> attempt_withdraw(uint64_t op_id) {
  AttemptResult res;
  auto lock = heap->op_locks.try_lock(op_id);
  if (!lock) {
    res.outcome = WithdrawOutcome::Busy;
    co_return res;
  }
  auto op = st().pending.get(op_id);
  if (!op) {
    res.outcome = WithdrawOutcome::Busy;
    co_return res;
  }
  op->attempts += 1;
  st().pending.insert(op_id, *op);
  Principal user = op->user;
  uint64_t amount = op->amount, created = op->created_at_time;
  auto r = co_await cdk::call<suite::WithdrawResult>(heap->init.hub, "withdraw", user, amount, op_id, created);
  if (!r.ok()) {
    res.message = "the hub's withdraw did not answer (" + r.reject_message() + "); retried later";
    co_return res;
  }
  auto pending = st().pending.get(op_id);
  if (!pending) {  // settled by an overlapping attempt (cannot happen under the lock, but never pay twice)
    res.outcome = WithdrawOutcome::Busy;
    co_return res;
  }
  if (r->is_ok()) {
    finish_op(op_id, *pending);
    commit_books();
    res.outcome = WithdrawOutcome::Minted;
    res.block_index = r->value();
    co_return res;
  }
  const suite::WithdrawError& e = r->error();
  if (e.is<"Retry">()) {
    res.message = "the mint is not confirmed yet (" + e.get<"Retry">() + "); retried later";
    co_return res;
  }
  std::string why = e.is<"Refused">() ? e.get<"Refused">()
                    : e.is<"LedgerRejected">() ? e.get<"LedgerRejected">()
                                               : std::string("the hub does not recognize this shard");
  finish_op(op_id, *pending);
  Account a = load_account(pending->user);
  a.balance = suite::add(a.balance, pending->amount, "balance");
  st().accounts.insert(pending->user, a);
  Books& b = heap->books;
  b.credited_back = suite::add(b.credited_back, pending->amount, "credited back");
  record_tx(pending->user, TxKind::make<"CreditBack">(), pending->amount, std::nullopt, op_id);
  commit_books();
  res.outcome = WithdrawOutcome::CreditedBack;
  res.message = why;
  co_return res;
}

// --- timer: sync when anything is pending, retry pending unstakes (a bounded number per tick)

constexpr size_t kRetriesPerTick = 10;

cdk::Task<void> tick() {
  if (sync_wanted(0)) (void)co_await sync_once(0);
  std::vector<uint64_t> ops;
  for (auto it = st().pending.begin(); it != st().pending.end() && ops.size() < kRetriesPerTick; ++it)
    ops.push_back(it.key());
  for (uint64_t op : ops) (void)co_await attempt_withdraw(op);
}

void start_timers() {
  uint64_t interval = constants().sync_interval * suite::kSecondNs;
  cdk::set_timer_interval(interval, tick);
}

void load_heap() {
  heap->init = st().init.get();
  heap->books = st().books.get();
}

void check_constants(const suite::ShardConstants& c) {
  if (c.shard_hard_limit == 0 || c.reward_per_pass == 0 || c.daily_attempts == 0 || c.allowance_chunk == 0 ||
      c.sync_interval == 0 || c.min_unstake == 0 || c.allowance_low > c.allowance_high ||
      c.allowance_chunk < c.reward_per_pass)
    cdk::trap("user_profile init: inconsistent constants (zero limits, allowance_low > allowance_high, or a chunk "
              "smaller than reward_per_pass)");
}

void init(ShardInit args) {
  check_constants(args.constants);
  if (args.hub.is_anonymous() || args.hub.is_management()) cdk::trap("user_profile init: hub must be a canister id");
  st().init.set(args);
  st().books.set(Books{});
  load_heap();
  commit_books();
  start_timers();
}
CDK_INIT(init)

// Stable structures carry everything; only the heap mirror, the certified tree and the timers are rebuilt.
// The upgrade argument is ignored (any bytes, including none), so a shard's settings can never change.
void post_upgrade() {
  load_heap();
  commit_books();
  start_timers();
}
[[maybe_unused]] cdk::detail::StageHook post_upgrade_hook(cdk::detail::Stage::PostUpgrade, &post_upgrade, false);

}  // namespace

// --- registration and profiles

cdk::Task<RegisterResult> register_user(Profile profile) {
  Principal user = cdk::caller();
  if (user.is_anonymous()) co_return RegisterResult::err(RegisterError::make<"Anonymous">());
  if (auto problem = profile_problem(profile))
    co_return RegisterResult::err(RegisterError::make<"InvalidField">(*problem));
  if (st().accounts.contains(user)) co_return RegisterResult::err(RegisterError::make<"AlreadyRegistered">());
  if (heap->registering.locked(user)) co_return RegisterResult::err(RegisterError::make<"Busy">());
  // The slot counts toward the hard limit while the claim is in flight (SPEC.md "register_user").
  if (heap->books.user_count + heap->registering.size() >= constants().shard_hard_limit)
    co_return RegisterResult::err(RegisterError::make<"ShardFull">());
  auto slot = heap->registering.try_lock(user);
  auto r = co_await cdk::call<suite::ClaimResult>(heap->init.hub, "claim_user", user);
  if (!r.ok()) co_return RegisterResult::err(RegisterError::make<"HubUnavailable">(r.reject_message()));
  if (!r->is_ok()) {
    const suite::ClaimError& e = r->error();
    if (e.is<"OtherShard">()) co_return RegisterResult::err(RegisterError::make<"RegisteredElsewhere">(e.get<"OtherShard">()));
    if (e.is<"ShardFull">()) co_return RegisterResult::err(RegisterError::make<"ShardFull">());
    co_return RegisterResult::err(RegisterError::make<"Refused">("the hub does not recognize this shard"));
  }
  Account a;
  a.registered_at = now();
  a.day = utc_day(now());
  st().accounts.insert(user, a);
  put_profile(user, profile);
  heap->books.user_count = suite::add(heap->books.user_count, 1, "user count");
  commit_books();
  slot->release();
  co_return RegisterResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(register_user)

UpdateResult update_profile(Profile profile) {
  Principal user = cdk::caller();
  if (!st().accounts.contains(user)) return UpdateResult::err(UpdateError::make<"NotRegistered">());
  if (auto problem = profile_problem(profile)) return UpdateResult::err(UpdateError::make<"InvalidField">(*problem));
  put_profile(user, profile);
  return UpdateResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(update_profile)

// Own data only: the caller's profile, nobody else's.
std::optional<MyProfile> get_my_profile() {
  Principal user = cdk::caller();
  auto a = st().accounts.get(user);
  if (!a) return std::nullopt;
  MyProfile m;
  m.profile = get_profile(user).value_or(Profile{});
  m.balance = a->balance;
  m.registered_at = a->registered_at;
  m.attempts_today = a->day == utc_day(now()) ? a->attempts : 0;
  m.completed_units = a->completed;
  m.pending_unstake = a->pending_unstake;
  return m;
}
CDK_QUERY_FN(get_my_profile)

// The caller's transactions from id `cursor` on (oldest first), at most `limit` (<= 100), and the next cursor.
std::tuple<std::vector<Transaction>, std::optional<uint64_t>> get_my_transactions(std::optional<uint64_t> cursor,
                                                                                  uint32_t limit) {
  Principal user = cdk::caller();
  if (limit == 0 || limit > kMaxPage) limit = kMaxPage;
  ic::Bytes prefix = user_key(user);
  std::vector<Transaction> out;
  std::optional<uint64_t> next;
  for (auto it = st().txs.lower_bound(user_key(user, be64(cursor.value_or(0)))); it != st().txs.end(); ++it) {
    ic::Bytes k = it.key();
    if (k.size() != prefix.size() + 8 || !std::equal(prefix.begin(), prefix.end(), k.begin())) break;
    uint64_t id = read_be64(ic::ByteView(k).subspan(prefix.size()));
    if (out.size() == limit) {
      next = id;
      break;
    }
    out.push_back(decode_tx(id, it.value()));
  }
  return {out, next};
}
CDK_QUERY_FN(get_my_transactions)

// --- quizzes (SPEC.md "submit_quiz": the reservation protocol)

cdk::Task<SubmitResult> submit_quiz(std::string unit_id, std::vector<uint8_t> answers) {
  Principal user = cdk::caller();
  auto acct = st().accounts.get(user);
  if (!acct) co_return SubmitResult::err(SubmitError::make<"NotRegistered">());
  if (unit_id.empty() || unit_id.size() > kMaxUnitId || !valid_utf8(unit_id))
    co_return SubmitResult::err(SubmitError::make<"InvalidUnit">("unit ids are 1 to 128 bytes of UTF-8"));
  if (answers.size() > kMaxAnswers)
    co_return SubmitResult::err(SubmitError::make<"InvalidUnit">("at most 256 answers"));
  auto content = suite::route_unit(heap->init.learning_content, unit_id);
  if (!content) co_return SubmitResult::err(SubmitError::make<"InvalidUnit">("no content canister serves " + unit_id));
  // 1. One submission per user at a time: a concurrent one is refused, not queued.
  auto lock = heap->submitting.try_lock(user);
  if (!lock) co_return SubmitResult::err(SubmitError::make<"Busy">());
  // 2. Reserve the daily attempt.
  uint32_t today = utc_day(now());
  Attempts att{acct->day, acct->attempts};
  if (!take_attempt(att, today, constants().daily_attempts))
    co_return SubmitResult::err(SubmitError::make<"DailyLimitReached">(DailyLimit{constants().daily_attempts}));
  acct->day = att.day;
  acct->attempts = att.count;
  st().accounts.insert(user, *acct);
  auto release_attempt_now = [&] {
    Account a = load_account(user);
    Attempts x{a.day, a.attempts};
    release_attempt(x, today);
    a.day = x.day;
    a.attempts = x.count;
    st().accounts.insert(user, a);
  };
  ic::Bytes done_key = user_key(user, ic::as_view(unit_id));
  uint64_t reward = constants().reward_per_pass;
  std::optional<cdk::Reservations<Principal, uint64_t>::Ticket> hold;
  if (!st().completed.contains(done_key)) {
    // Reserve the reward from the local allowance; when short, sync first (one sync at a time) and re-check.
    for (int round = 0; round < 2 && allowance().remaining() < reward; ++round) {
      SyncOutcome o = co_await sync_once(reward);
      if (o == SyncOutcome::InProgress) {
        release_attempt_now();
        co_return SubmitResult::err(SubmitError::make<"HubUnavailable">(
            "the shard is replenishing its allowance from the hub; retry in a few seconds"));
      }
      if (o == SyncOutcome::Failed) {
        release_attempt_now();
        co_return SubmitResult::err(SubmitError::make<"HubUnavailable">(st().last_sync_error.get()));
      }
    }
    if (allowance().remaining() < reward) {
      release_attempt_now();
      if (heap->books.cap_reached) co_return SubmitResult::err(SubmitError::make<"CapReached">());
      co_return SubmitResult::err(SubmitError::make<"HubUnavailable">("the hub granted too little allowance"));
    }
    hold.emplace(heap->reward_holds.reserve(user, reward));
  }
  // 3. Grade.
  auto r = co_await cdk::call<suite::VerifyResult>(*content, "verify_quiz", unit_id, answers);
  if (!r.ok() || !r->is_ok()) {
    // The call failed: release both the attempt and the reward (the ticket's destructor).
    release_attempt_now();
    std::string why = !r.ok() ? r.reject_message() : r->error();
    co_return SubmitResult::err(SubmitError::make<"ContentUnavailable">(why));
  }
  const suite::QuizVerdict& v = r->value();
  QuizResult out;
  out.passed = v.passed;
  if (!v.passed) co_return SubmitResult::ok(out);  // the attempt stays counted; the hold is released
  out.correct = v.correct;
  if (hold && !st().completed.contains(done_key)) {
    // Pays once per user and unit: the unit is marked completed in the same execution as the credit.
    Account a = load_account(user);
    a.balance = suite::add(a.balance, reward, "balance");
    a.completed = static_cast<uint32_t>(suite::add(a.completed, 1, "completed units"));
    st().accounts.insert(user, a);
    st().completed.insert(done_key, now());
    Books& b = heap->books;
    b.used = suite::add(b.used, reward, "allowance used");
    b.rewards_credited = suite::add(b.rewards_credited, reward, "rewards credited");
    hold->commit();
    record_tx(user, TxKind::make<"QuizReward">(), reward, unit_id, std::nullopt);
    commit_books();
    out.reward = reward;
  }
  co_return SubmitResult::ok(out);
}
CDK_UPDATE_FN(submit_quiz)

// --- the micro-bank

cdk::Task<UnstakeResult> unstake(uint64_t amount) {
  Principal user = cdk::caller();
  auto acct = st().accounts.get(user);
  if (!acct) co_return UnstakeResult::err(UnstakeError::make<"NotRegistered">());
  if (amount < constants().min_unstake)
    co_return UnstakeResult::err(UnstakeError::make<"BelowMinimum">(MinUnstake{constants().min_unstake}));
  if (amount > acct->balance) co_return UnstakeResult::err(UnstakeError::make<"InsufficientBalance">(Balance{acct->balance}));
  // Debit first and record the pending operation; both are committed at the await below.
  Books& b = heap->books;
  uint64_t op_id = b.next_op_id;
  b.next_op_id = suite::add(b.next_op_id, 1, "op id");
  acct->balance -= amount;
  acct->pending_unstake = suite::add(acct->pending_unstake, amount, "pending unstake");
  st().accounts.insert(user, *acct);
  b.unstaked = suite::add(b.unstaked, amount, "unstaked");
  b.pending_count = suite::add(b.pending_count, 1, "pending count");
  b.pending_amount = suite::add(b.pending_amount, amount, "pending amount");
  PendingOp op;
  op.user = user;
  op.amount = amount;
  op.created_at_time = now();
  st().pending.insert(op_id, op);
  record_tx(user, TxKind::make<"Unstake">(), amount, std::nullopt, op_id);
  commit_books();
  AttemptResult res = co_await attempt_withdraw(op_id);
  UnstakeOk ok;
  ok.op_id = op_id;
  switch (res.outcome) {
    case WithdrawOutcome::Minted:
      ok.block_index = res.block_index;
      co_return UnstakeResult::ok(ok);
    case WithdrawOutcome::CreditedBack:
      co_return UnstakeResult::err(UnstakeError::make<"Rejected">(res.message));
    default:
      ok.pending = true;
      co_return UnstakeResult::ok(ok);
  }
}
CDK_UPDATE_FN(unstake)

// --- statistics for hubctl

ShardStats get_shard_stats() { return make_stats(); }
CDK_QUERY_FN(get_shard_stats)

// The sum of balances page by page (at most 1000 accounts per call), for SPEC.md's invariant I3.
std::tuple<BalanceSum, std::optional<Principal>> audit_balances(std::optional<Principal> cursor, uint32_t limit) {
  if (limit == 0 || limit > 1000) limit = 1000;
  BalanceSum s;
  std::optional<Principal> next;
  auto it = cursor ? st().accounts.lower_bound(*cursor) : st().accounts.begin();
  for (; it != st().accounts.end(); ++it) {
    if (s.count == limit) {
      next = it.key();
      break;
    }
    s.sum += it.value().balance;
    ++s.count;
  }
  return {s, next};
}
CDK_QUERY_FN(audit_balances)

cdk::CertifiedState get_certified_state() { return cdk::certified_state(heap->certified); }
CDK_QUERY_FN(get_certified_state)

#ifdef HUBCTL_FAULT_INJECTION
// Test-only (never in the release module): each breaks one audit invariant on purpose.
// I3: a balance appears without any reward behind it.
void fault_credit_balance(Principal user, uint64_t amount) {
  Account a = load_account(user);
  a.balance += amount;
  st().accounts.insert(user, a);
}
CDK_UPDATE_FN(fault_credit_balance)
// I2: the shard believes it was granted more than the hub granted.
void fault_inflate_granted(uint64_t amount) {
  heap->books.granted += amount;
  commit_books();
}
CDK_UPDATE_FN(fault_inflate_granted)
// I3 (second part): rewards credited without using allowance.
void fault_inflate_rewards(uint64_t amount) {
  heap->books.rewards_credited += amount;
  commit_books();
}
CDK_UPDATE_FN(fault_inflate_rewards)
#endif

}  // namespace user_profile
