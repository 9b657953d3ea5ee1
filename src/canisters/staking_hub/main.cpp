// staking_hub: the admin-less coordinator (SPEC.md "staking_hub"): creates and tops up user_profile shards,
// routes users, grants allowance under the hard cap and mints withdrawals. Interface: candid/staking_hub.did.
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "canisters/staking_hub/logic.h"
#include "canisters/staking_hub/state.h"
#include "canisters/staking_hub/types.h"
#include "canisters/user_profile/protocol.h"
#include "cdk/call.h"
#include "cdk/certified.h"
#include "cdk/method.h"
#include "cdk/task.h"
#include "cdk/timer.h"
#include "ic/sha2.h"

namespace staking_hub {
namespace {

Stable& st() { return stable(); }
const Constants& constants() { return heap->config.constants; }
uint64_t now() { return cdk::time_ns(); }
const Principal kManagement = Principal::management();
constexpr size_t kTopupsPerTick = 8;
constexpr uint32_t kMaxPage = 100;

// --- statistics and certification

GlobalStats make_stats() {
  const HubBooks& b = heap->books;
  GlobalStats s;
  s.hard_cap = constants().hard_cap;
  s.total_allocated = b.total_allocated;
  s.total_returned = b.total_returned;
  s.total_withdrawn = b.total_withdrawn;
  s.pending_withdrawals = CountAmount{b.pending_count, b.pending_amount};
  s.shard_count = b.shards_created - (b.creating ? 1 : 0);
  s.user_count = b.user_count;
  s.cycles = cdk::cycle_balance();
  s.last_ensure_capacity = TimeResult{b.last_ensure_time, st().last_ensure.get()};
  return s;
}

// config/<field> and stats/<field>, values Candid-encoded (SPEC.md "Certified state").
ic::HashTree certified_tree() {
  std::vector<std::pair<ic::Path, ic::Bytes>> e;
  auto cfg = [&](const char* n, ic::Bytes v) { e.push_back({ic::make_path({"config", n}), std::move(v)}); };
  auto sts = [&](const char* n, ic::Bytes v) { e.push_back({ic::make_path({"stats", n}), std::move(v)}); };
  const Config& c = heap->config;
  const Constants& k = c.constants;
  cfg("ledger", cdk::encode_args(c.ledger));
  cfg("learning_content", cdk::encode_args(c.learning_content));
  cfg("wasm_sha256", cdk::encode_args(c.wasm_sha256));
  cfg("wasm_size", cdk::encode_args(c.wasm_size));
  cfg("hard_cap", cdk::encode_args(k.hard_cap));
  cfg("shard_soft_limit", cdk::encode_args(k.shard_soft_limit));
  cfg("shard_hard_limit", cdk::encode_args(k.shard_hard_limit));
  cfg("auto_scale_interval", cdk::encode_args(k.auto_scale_interval));
  cfg("shard_cycles", cdk::encode_args(k.shard_cycles));
  cfg("shard_topup_below", cdk::encode_args(k.shard_topup_below));
  cfg("reward_per_pass", cdk::encode_args(k.reward_per_pass));
  cfg("daily_attempts", cdk::encode_args(k.daily_attempts));
  cfg("allowance_low", cdk::encode_args(k.allowance_low));
  cfg("allowance_chunk", cdk::encode_args(k.allowance_chunk));
  cfg("allowance_high", cdk::encode_args(k.allowance_high));
  cfg("sync_interval", cdk::encode_args(k.sync_interval));
  cfg("min_unstake", cdk::encode_args(k.min_unstake));
  GlobalStats s = make_stats();
  sts("hard_cap", cdk::encode_args(s.hard_cap));
  sts("total_allocated", cdk::encode_args(s.total_allocated));
  sts("total_returned", cdk::encode_args(s.total_returned));
  sts("total_withdrawn", cdk::encode_args(s.total_withdrawn));
  sts("pending_withdrawals", cdk::encode_args(s.pending_withdrawals));
  sts("shard_count", cdk::encode_args(s.shard_count));
  sts("user_count", cdk::encode_args(s.user_count));
  sts("cycles", cdk::encode_args(s.cycles));
  sts("last_ensure_capacity", cdk::encode_args(s.last_ensure_capacity));
  auto tree = ic::HashTree::build(std::move(e));
  if (!tree.ok()) cdk::trap("staking_hub: certified tree: " + tree.error().to_string());
  return std::move(tree).value();
}

void commit() {
  save_books();
  heap->certified = certified_tree();
  cdk::certify(heap->certified);
}

std::optional<uint32_t> shard_of_caller() {
  auto idx = st().shard_ids.get(cdk::caller());
  if (!idx) return std::nullopt;
  return *idx;
}

// --- shard creation (SPEC.md "ensure_capacity")

std::vector<Principal> content_canisters() {
  std::vector<Principal> out;
  std::set<Principal> seen;
  for (const auto& r : heap->config.learning_content)
    if (seen.insert(r.canister).second) out.push_back(r.canister);
  return out;
}

EnsureResult result(std::optional<Principal> created, std::string reason) {
  EnsureResult r;
  r.created = std::move(created);
  r.reason = std::move(reason);
  return r;
}

// Installs the embedded wasm on the shard's canister and registers it with every content canister; a failed
// step leaves the record where it is, and the next ensure_capacity resumes there on the same canister.
cdk::Task<EnsureResult> finish_shard(uint32_t index) {
  ShardRecord rec = load_shard(index);
  std::string id_text = rec.id.to_text();
  if (rec.state == kInstalling) {
    bool installed = false;
    if (rec.install_attempts > 0) {
      // An earlier attempt may have installed the module after all: look before installing again.
      mgmt::CanisterIdRecord q{rec.id};
      auto status = co_await cdk::call<mgmt::CanisterStatus>(kManagement, "canister_status", q);
      installed = status.ok() && status->module_hash && *status->module_hash == heap->config.wasm_sha256;
    }
    if (!installed) {
      ShardRecord before = load_shard(index);
      before.install_attempts += 1;
      st().shards.insert(index, before);
      suite::ShardInit init;
      init.hub = cdk::self();
      init.learning_content = heap->config.learning_content;
      init.shard_index = index;
      init.constants = shard_constants(constants());
      init.wasm_sha256 = heap->config.wasm_sha256;
      mgmt::InstallCodeArgs args;
      args.mode = mgmt::InstallMode::make<"install">();
      args.canister_id = rec.id;
      args.wasm_module = read_wasm();
      args.arg = cdk::encode_args(init);
      auto r = co_await cdk::call<void>(kManagement, "install_code", args);
      if (!r.ok())
        co_return result(std::nullopt, "install_code on shard #" + std::to_string(index) + " (" + id_text +
                                           ") failed: " + r.reject_message() +
                                           "; retried on the same canister next time");
    }
    ShardRecord before = load_shard(index);
    ShardRecord after = before;
    after.state = kRegistering;
    store_shard(before, after);
    save_books();
  }
  if (load_shard(index).state == kRegistering) {
    for (const Principal& content : content_canisters()) {
      auto r = co_await cdk::call<suite::RegisterShardResult>(content, "register_shard", rec.id);
      if (!r.ok() || !r->is_ok())
        co_return result(std::nullopt, "register_shard of " + id_text + " with " + content.to_text() + " failed: " +
                                           (r.ok() ? r->error() : r.reject_message()) + "; retried next time");
    }
    ShardRecord before = load_shard(index);
    ShardRecord after = before;
    after.state = kActive;
    store_shard(before, after);
    heap->books.creating = 0;
    save_books();
  }
  co_return result(rec.id, "created shard #" + std::to_string(index) + " (" + id_text + ")");
}

// Why a new shard is needed, or nullopt when capacity is fine (reason in `ok_reason`).
std::optional<std::string> need_shard(std::string& ok_reason) {
  if (heap->books.shards_created == 0) return "no shard exists yet";
  auto least = st().fill.first();
  if (!least) return "no Active shard (every shard is Full)";
  uint64_t users = 0;
  for (int i = 0; i < 8; ++i) users = (users << 8) | least->first[i];
  if (users >= constants().shard_soft_limit)
    return "every Active shard has reached the soft limit (" + std::to_string(constants().shard_soft_limit) + ")";
  ok_reason = "capacity ok: the least-filled Active shard #" + std::to_string(key12_low(least->first)) + " has " +
              std::to_string(users) + " of " + std::to_string(constants().shard_soft_limit) + " users";
  return std::nullopt;
}

cdk::Task<EnsureResult> ensure_inner() {
  if (heap->books.creating != 0) co_return co_await finish_shard(static_cast<uint32_t>(heap->books.creating - 1));
  std::string ok_reason;
  auto why = need_shard(ok_reason);
  if (!why) co_return result(std::nullopt, ok_reason);
  // At most one new shard per auto_scale_interval, however often ensure_capacity is called (the timer and any
  // caller): creation costs cycles, and a burst of sign-ups must not turn into a burst of shards.
  if (heap->books.shards_created > 0) {
    auto last = st().shards.get(static_cast<uint32_t>(heap->books.shards_created - 1));
    uint64_t interval = constants().auto_scale_interval * suite::kSecondNs;
    if (last && now() < last->created_at + interval)
      co_return result(std::nullopt, *why + ", but shard #" + std::to_string(last->index) + " was created " +
                                         std::to_string((now() - last->created_at) / 1'000'000) +
                                         " ms ago: the next may come one auto-scale interval after it");
  }
  // Keep a margin of a tenth of a shard's cycles so the hub itself is not frozen by the creation.
  cdk::Cycles need = constants().shard_cycles + constants().shard_cycles / 10;
  if (cdk::cycle_balance() < need)
    co_return result(std::nullopt, *why + ", but the hub has too few cycles to create a shard (needs " +
                                       std::to_string(static_cast<uint64_t>(need / 1'000'000'000ull)) + " G)");
  mgmt::CreateCanisterArgs args;
  args.settings = mgmt::CanisterSettings{std::vector<Principal>{cdk::self()}};
  auto r = co_await cdk::call_with_cycles<mgmt::CanisterIdRecord>(kManagement, "create_canister",
                                                                   constants().shard_cycles, args);
  if (!r.ok()) co_return result(std::nullopt, *why + ", but create_canister failed: " + r.reject_message());
  // Recorded at once, so a failed install is resumed on this canister and never leaves an orphan.
  HubBooks& b = heap->books;
  uint32_t index = static_cast<uint32_t>(b.shards_created);
  b.shards_created = suite::add(b.shards_created, 1, "shard count");
  b.creating = index + 1;
  ShardRecord rec;
  rec.index = index;
  rec.id = r->canister_id;
  rec.created_at = now();
  rec.state = kInstalling;
  st().shards.insert(index, rec);
  st().shard_ids.insert(rec.id, index);
  commit();
  co_return co_await finish_shard(index);
}

// Single flight: a call while another creation is in progress returns at once.
cdk::Task<EnsureResult> ensure_once() {
  auto lock = heap->ensure_lock.try_lock(0);
  if (!lock) co_return result(std::nullopt, "a shard creation is already in progress");
  EnsureResult r = co_await ensure_inner();
  heap->books.last_ensure_time = now();
  std::string text = r.reason;
  if (st().last_ensure.get() != text) st().last_ensure.set(text);
  commit();
  co_return r;
}

// Tops up at most kTopupsPerTick shards per tick (a cursor walks over all of them across ticks).
cdk::Task<void> topup_some() {
  uint64_t count = heap->books.shards_created;
  if (count == 0) co_return;
  for (size_t n = 0; n < kTopupsPerTick && n < count; ++n) {
    uint32_t index = static_cast<uint32_t>(heap->topup_cursor % count);
    heap->topup_cursor = static_cast<uint32_t>((index + 1) % count);
    ShardRecord rec = load_shard(index);
    if (rec.state == kInstalling) continue;
    mgmt::CanisterIdRecord q{rec.id};
    auto status = co_await cdk::call<mgmt::CanisterStatus>(kManagement, "canister_status", q);
    if (!status.ok() || status->cycles >= constants().shard_topup_below) continue;
    cdk::Cycles amount = constants().shard_cycles - status->cycles;
    if (cdk::cycle_balance() < amount + constants().shard_cycles / 10) co_return;  // the hub keeps a margin
    (void)co_await cdk::call_with_cycles<void>(kManagement, "deposit_cycles", amount, q);
  }
}

cdk::Task<void> tick() {
  (void)co_await ensure_once();
  co_await topup_some();
}

void start_timers() { cdk::set_timer_interval(constants().auto_scale_interval * suite::kSecondNs, tick); }

void load_heap() {
  heap->config = st().config.get();
  heap->books = st().books.get();
}

void init(HubInit args) {
  auto c = apply_overrides(args.overrides);
  if (!c.error.empty()) cdk::trap("staking_hub init: inconsistent constants: " + c.error);
  if (!looks_like_wasm(args.user_profile_wasm))
    cdk::trap("staking_hub init: user_profile_wasm is not a wasm module (nor gzip)");
  if (args.learning_content.empty()) cdk::trap("staking_hub init: learning_content needs at least one canister");
  Config cfg;
  cfg.ledger = args.ledger;
  cfg.learning_content = args.learning_content;
  auto sha = ic::sha256(args.user_profile_wasm);
  cfg.wasm_sha256.assign(sha.begin(), sha.end());
  cfg.wasm_size = args.user_profile_wasm.size();
  cfg.constants = c.constants;
  st().config.set(cfg);
  write_wasm(args.user_profile_wasm);
  st().books.set(HubBooks{});
  load_heap();
  commit();
  start_timers();
}
CDK_INIT(init)

// The init is immutable: the upgrade argument is ignored; state is all in stable memory; timers re-armed.
void post_upgrade() {
  load_heap();
  commit();
  start_timers();
}
[[maybe_unused]] cdk::detail::StageHook post_upgrade_hook(cdk::detail::Stage::PostUpgrade, &post_upgrade, false);

ShardInfo info_of(const ShardRecord& r) {
  ShardInfo i;
  i.index = r.index;
  i.id = r.id;
  i.created_at = r.created_at;
  i.status = r.state == kFull ? ShardStatus::make<"Full">() : ShardStatus::make<"Active">();
  i.user_count = r.user_count;
  i.reported_user_count = r.reported_user_count;
  i.granted_total = r.granted_total;
  i.returned_total = r.returned_total;
  i.withdrawn_total = r.withdrawn_total;
  i.last_sync_seq = r.last_sync_seq;
  i.last_sync_time = r.last_sync_time;
  return i;
}

}  // namespace

// --- public reads

Config get_config() { return heap->config; }
CDK_QUERY_FN(get_config)

GlobalStats get_global_stats() { return make_stats(); }
CDK_QUERY_FN(get_global_stats)

cdk::CertifiedState get_certified_state() { return cdk::certified_state(heap->certified); }
CDK_QUERY_FN(get_certified_state)

cdk::Task<EnsureResult> ensure_capacity() { co_return co_await ensure_once(); }
CDK_UPDATE_FN(ensure_capacity)

// Shards that finished installing (Active or Full), from index `start`, at most `limit` (<= 100).
std::tuple<std::vector<ShardInfo>, std::optional<uint64_t>> list_shards(uint64_t start, uint32_t limit) {
  if (limit == 0 || limit > kMaxPage) limit = kMaxPage;
  std::vector<ShardInfo> out;
  std::optional<uint64_t> next;
  if (start > UINT32_MAX) return {out, next};
  for (auto it = st().shards.lower_bound(static_cast<uint32_t>(start)); it != st().shards.end(); ++it) {
    ShardRecord r = it.value();
    if (r.state != kActive && r.state != kFull) continue;
    if (out.size() == limit) {
      next = r.index;
      break;
    }
    out.push_back(info_of(r));
  }
  return {out, next};
}
CDK_QUERY_FN(list_shards)

// The least-filled Active shard (the first entry of the fill index).
std::optional<Principal> get_shard_for_new_user() {
  auto least = st().fill.first();
  if (!least) return std::nullopt;
  return load_shard(key12_low(least->first)).id;
}
CDK_QUERY_FN(get_shard_for_new_user)

std::optional<Principal> get_user_shard(Principal user) {
  auto idx = st().users.get(user);
  if (!idx) return std::nullopt;
  return load_shard(*idx).id;
}
CDK_QUERY_FN(get_user_shard)

// --- shard-only methods (a canister the hub did not create is refused)

// Idempotent per (user, shard): a repeated claim by the same shard succeeds; another shard is refused.
suite::ClaimResult claim_user(Principal user) {
  auto index = shard_of_caller();
  if (!index) return suite::ClaimResult::err(suite::ClaimError::make<"NotAShard">());
  ShardRecord before = load_shard(*index);
  if (auto owner = st().users.get(user)) {
    if (*owner == *index) return suite::ClaimResult::ok(cdk::Null{});
    return suite::ClaimResult::err(suite::ClaimError::make<"OtherShard">(load_shard(*owner).id));
  }
  if (before.state != kActive || before.user_count >= constants().shard_hard_limit)
    return suite::ClaimResult::err(suite::ClaimError::make<"ShardFull">());
  ShardRecord after = before;
  after.user_count = suite::add(after.user_count, 1, "shard user count");
  if (after.user_count >= constants().shard_hard_limit) after.state = kFull;
  store_shard(before, after);
  st().users.insert(user, *index);
  heap->books.user_count = suite::add(heap->books.user_count, 1, "user count");
  commit();
  return suite::ClaimResult::ok(cdk::Null{});
}
CDK_UPDATE_FN(claim_user)

// Applies a shard's deltas once per seq (a repeated seq gets the stored reply) and grants allowance without
// ever letting total_allocated - total_returned pass hard_cap (SPEC.md I1).
suite::SyncResult sync_shard(suite::SyncArgs a) {
  auto index = shard_of_caller();
  if (!index) return suite::SyncResult::err("sync_shard: the caller is not a shard created by this hub");
  ShardRecord r = load_shard(*index);
  if (a.seq != 0 && a.seq == r.last_sync_seq) return suite::SyncResult::ok(r.last_reply);
  if (a.seq != r.last_sync_seq + 1)
    return suite::SyncResult::err("sync_shard: seq " + std::to_string(a.seq) + " out of order, expected " +
                                  std::to_string(r.last_sync_seq + 1));
  uint64_t rewards = suite::add(r.rewards_reported, a.rewards_credited_delta, "rewards reported");
  // A shard can only give back what it holds unused: granted - returned - credited rewards.
  uint64_t held = suite::sub(r.granted_total, r.returned_total, "shard net grant");
  if (rewards > held || a.give_back > held - rewards)
    return suite::SyncResult::err("sync_shard: seq " + std::to_string(a.seq) + " reports more than was granted");
  HubBooks& b = heap->books;
  r.rewards_reported = rewards;
  r.unstaked_reported = suite::add(r.unstaked_reported, a.unstaked_delta, "unstaked reported");
  r.credited_back_reported = suite::add(r.credited_back_reported, a.credited_back_delta, "credited back reported");
  r.reported_user_count = a.user_count;
  r.returned_total = suite::add(r.returned_total, a.give_back, "shard returned");
  b.total_returned = suite::add(b.total_returned, a.give_back, "total returned");
  uint64_t grant = grant_for(a.request, constants().allowance_high,
                             cap_room(constants().hard_cap, b.total_allocated, b.total_returned));
  r.granted_total = suite::add(r.granted_total, grant, "shard granted");
  b.total_allocated = suite::add(b.total_allocated, grant, "total allocated");
  r.last_sync_seq = a.seq;
  r.last_sync_time = now();
  r.last_reply = suite::SyncReply{a.seq, grant, r.granted_total, r.returned_total,
                                  cap_room(constants().hard_cap, b.total_allocated, b.total_returned)};
  st().shards.insert(r.index, r);
  commit();
  return suite::SyncResult::ok(r.last_reply);
}
CDK_UPDATE_FN(sync_shard)

// Mints `amount` to `user` for the calling shard's pending unstake `op_id`, deduplicated twice: by the hub's
// record of (shard, op_id) and by the ledger (memo = SHA-256(shard id ‖ op_id), the shard's created_at_time).
cdk::Task<suite::WithdrawResult> withdraw(Principal user, uint64_t amount, uint64_t op_id, uint64_t created_at_time) {
  using R = suite::WithdrawResult;
  using E = suite::WithdrawError;
  auto index = shard_of_caller();
  if (!index) co_return R::err(E::make<"NotAShard">());
  auto key = key12(op_id, *index);
  auto existing = st().withdrawals.get(key);
  if (existing) {
    if (existing->user != user || existing->amount != amount || existing->created_at_time != created_at_time)
      co_return R::err(E::make<"Refused">("op_id " + std::to_string(op_id) + " was used for another withdrawal"));
    if (existing->state == kDone) co_return R::ok(existing->block);
    if (existing->state == kFailed) co_return R::err(E::make<"LedgerRejected">(existing->message));
  } else {
    if (amount == 0) co_return R::err(E::make<"Refused">("amount must be positive"));
    ShardRecord s = load_shard(*index);
    uint64_t committed = suite::add(s.withdrawn_total, s.withdraw_pending, "shard withdrawals");
    uint64_t net = suite::sub(s.granted_total, s.returned_total, "shard net grant");
    if (suite::add(committed, amount, "shard withdrawals") > net)
      co_return R::err(E::make<"Refused">("the shard would withdraw more than it was granted"));
    s.withdraw_pending += amount;
    st().shards.insert(s.index, s);
    WithdrawalRecord w;
    w.user = user;
    w.amount = amount;
    w.created_at_time = created_at_time;
    st().withdrawals.insert(key, w);
    HubBooks& b = heap->books;
    b.pending_count = suite::add(b.pending_count, 1, "pending withdrawals");
    b.pending_amount = suite::add(b.pending_amount, amount, "pending withdrawals");
  }
  auto lock = heap->withdraw_locks.try_lock(key);
  if (!lock) co_return R::err(E::make<"Retry">("a mint for this op_id is in flight"));
  WithdrawalRecord w = *st().withdrawals.get(key);
  bool retried = w.attempts > 0;
  w.attempts += 1;
  st().withdrawals.insert(key, w);
  commit();
  icrc1::TransferArg t;
  t.to = icrc1::Account{user, std::nullopt};
  t.amount = amount;
  t.memo = withdraw_memo(cdk::caller(), op_id);
  t.created_at_time = created_at_time;
  auto r = co_await cdk::call<icrc1::TransferResult>(heap->config.ledger, "icrc1_transfer", t);
  if (!r.ok()) co_return R::err(E::make<"Retry">("icrc1_transfer did not answer: " + r.reject_message()));
  u128 block = 0;
  std::string message;
  MintOutcome o = classify(*r, retried, block, message);
  if (o == MintOutcome::Ambiguous) co_return R::err(E::make<"Retry">(message));
  w = *st().withdrawals.get(key);
  ShardRecord s = load_shard(*index);
  HubBooks& b = heap->books;
  s.withdraw_pending = suite::sub(s.withdraw_pending, amount, "shard pending withdrawals");
  b.pending_count = suite::sub(b.pending_count, 1, "pending withdrawals");
  b.pending_amount = suite::sub(b.pending_amount, amount, "pending withdrawals");
  if (o == MintOutcome::Minted) {
    w.state = kDone;
    w.block = block;
    s.withdrawn_total = suite::add(s.withdrawn_total, amount, "shard withdrawn");
    b.total_withdrawn = suite::add(b.total_withdrawn, amount, "total withdrawn");
  } else {
    w.state = kFailed;
    w.message = message;
  }
  st().withdrawals.insert(key, w);
  st().shards.insert(s.index, s);
  commit();
  if (o == MintOutcome::Minted) co_return R::ok(block);
  co_return R::err(E::make<"LedgerRejected">(message));
}
CDK_UPDATE_FN(withdraw)

#ifdef HUBCTL_FAULT_INJECTION
// Test-only (never in the release module): each breaks one audit invariant on purpose.
// I1: total_allocated no longer equals the sum of the shards' granted_total (and may pass the cap).
void fault_inflate_allocated(uint64_t amount) {
  heap->books.total_allocated += amount;
  commit();
}
CDK_UPDATE_FN(fault_inflate_allocated)
// I5: the embedded wasm hash no longer matches the shards' module hash.
void fault_set_wasm_sha256(Blob sha) {
  heap->config.wasm_sha256 = sha;
  st().config.set(heap->config);
  commit();
}
CDK_UPDATE_FN(fault_set_wasm_sha256)
// I6: an Active shard above the hard limit.
void fault_set_user_count(uint32_t index, uint64_t users) {
  ShardRecord before = load_shard(index);
  ShardRecord after = before;
  after.user_count = users;
  store_shard(before, after);
}
CDK_UPDATE_FN(fault_set_user_count)
#endif

}  // namespace staking_hub
