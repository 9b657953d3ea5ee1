// staking_hub on the kit's mock: immutable init, single-flight ensure_capacity (timer and on demand), shard
// creation with cycles, install retried on the same canister, top-ups, routing, shard-only claim/sync/withdraw,
// idempotent syncs under the cap, deduplicated mints, statistics, certification and upgrades. The management
// canister, the ledger, the content canisters and the shards are scripted.
#include <catch2/catch.hpp>

#include <map>

#include "canisters/staking_hub/logic.h"
#include "canisters/staking_hub/types.h"
#include "canisters/user_profile/protocol.h"
#include "cdk/candid.h"
#include "cdk/certified.h"
#include "cdk/mock/mock.h"
#include "cdk/runtime.h"
#include "ic/hash_tree.h"
#include "ic/sha2.h"

using cdk::mock::Answer;
using cdk::mock::Call;
using cdk::mock::Env;
using ic::Principal;
using namespace staking_hub;
using suite::SyncArgs;
using suite::SyncReply;

namespace {

constexpr uint64_t kSec = suite::kSecondNs;
constexpr u128 kT = u128{1'000'000'000'000ull};
const Principal kMgmt = Principal::management();
const Principal kLedger = Principal::from_canister_index(50);
const Principal kContentA = Principal::from_canister_index(51);
const Principal kContentB = Principal::from_canister_index(52);
const Principal kStranger = Principal::from_canister_index(77);
Principal user(int i) {
  std::string s = "user " + std::to_string(i);
  return Principal::self_authenticating(ic::as_view(std::string_view(s)));
}
const Blob kWasm = {0, 'a', 's', 'm', 1, 0, 0, 0, 42, 42};

Overrides small() {
  Overrides o;
  o.hard_cap = 1000;
  o.shard_soft_limit = 2;
  o.shard_hard_limit = 3;
  o.shard_cycles = kT;
  o.shard_topup_below = kT / 4;
  o.reward_per_pass = 100;
  o.allowance_low = 100;
  o.allowance_chunk = 300;
  o.allowance_high = 600;
  return o;
}

// Management canister, content canisters and ledger as scripted callees.
struct World {
  int created = 0;
  std::vector<u128> create_cycles;
  std::vector<mgmt::CreateCanisterArgs> create_args;
  std::vector<mgmt::InstallCodeArgs> installs;
  int install_failures = 0;  // the next N install_code calls fail
  std::map<Principal, Blob> module_hash;
  std::map<Principal, u128> cycles;
  std::vector<std::pair<Principal, u128>> deposits;
  std::vector<std::pair<Principal, Principal>> registered;  // (content, shard)
  std::vector<icrc1::TransferArg> transfers;
  std::function<Answer(const icrc1::TransferArg&)> ledger;  // default: mint, block = index
  int status_calls = 0;

  void attach(Env& ic) {
    ic.on_call(kMgmt, "create_canister", [this](const Call& c) {
      create_cycles.push_back(c.cycles);
      create_args.push_back(std::get<0>(c.args<mgmt::CreateCanisterArgs>()));
      Principal id = Principal::from_canister_index(1000 + created++);
      cycles[id] = c.cycles;
      return Answer::with(mgmt::CanisterIdRecord{id});
    });
    ic.on_call(kMgmt, "install_code", [this](const Call& c) {
      auto [a] = c.args<mgmt::InstallCodeArgs>();
      installs.push_back(a);
      if (install_failures > 0) {
        --install_failures;
        return Answer::reject(5, "canister out of memory");
      }
      auto h = ic::sha256(a.wasm_module);
      module_hash[a.canister_id] = Blob(h.begin(), h.end());
      return Answer::with();
    });
    ic.on_call(kMgmt, "canister_status", [this](const Call& c) {
      ++status_calls;
      auto [q] = c.args<mgmt::CanisterIdRecord>();
      mgmt::CanisterStatus s;
      s.cycles = cycles[q.canister_id];
      if (module_hash.count(q.canister_id)) s.module_hash = module_hash[q.canister_id];
      return Answer::with(s);
    });
    ic.on_call(kMgmt, "deposit_cycles", [this](const Call& c) {
      auto [q] = c.args<mgmt::CanisterIdRecord>();
      deposits.emplace_back(q.canister_id, c.cycles);
      cycles[q.canister_id] += c.cycles;
      Answer a = Answer::with();
      a.refund = 0;
      return a;
    });
    for (const Principal& content : {kContentA, kContentB})
      ic.on_call(content, "register_shard", [this, content](const Call& c) {
        registered.emplace_back(content, std::get<0>(c.args<Principal>()));
        return Answer::with(suite::RegisterShardResult::ok(cdk::Null{}));
      });
    ic.on_call(kLedger, "icrc1_transfer", [this](const Call& c) {
      auto [t] = c.args<icrc1::TransferArg>();
      transfers.push_back(t);
      if (ledger) return ledger(t);
      return Answer::with(icrc1::TransferResult::ok(transfers.size() - 1));
    });
  }
};

HubInit hub_init(std::optional<Overrides> o = small()) {
  return HubInit{kLedger, {{"", kContentA}, {"math", kContentB}}, kWasm, o};
}

Env& install(std::optional<Overrides> o = small()) {
  Env& ic = cdk::mock::fresh();
  auto r = ic.install_with(hub_init(o));
  INFO(r.reject_message);
  REQUIRE(r.replied());
  return ic;
}

EnsureResult ensure(Env& ic) {
  ic.set_caller(user(99));
  auto r = ic.update("ensure_capacity");
  ic.run();
  return ic.response(r.id).as<EnsureResult>();
}

std::vector<ShardInfo> shards(Env& ic) {
  return std::get<0>(ic.query("list_shards", uint64_t{0}, uint32_t{100}).as<std::tuple<std::vector<ShardInfo>, std::optional<uint64_t>>>());
}

suite::ClaimResult claim(Env& ic, const Principal& shard, const Principal& u) {
  ic.set_caller(shard);
  return ic.update("claim_user", u).as<suite::ClaimResult>();
}

suite::SyncResult sync(Env& ic, const Principal& shard, SyncArgs a) {
  ic.set_caller(shard);
  return ic.update("sync_shard", a).as<suite::SyncResult>();
}

SyncArgs ask(uint64_t seq, uint64_t request, uint64_t give_back = 0, uint64_t rewards = 0) {
  SyncArgs a;
  a.seq = seq;
  a.request = request;
  a.give_back = give_back;
  a.rewards_credited_delta = rewards;
  return a;
}

suite::WithdrawResult withdraw(Env& ic, const Principal& shard, const Principal& u, uint64_t amount, uint64_t op,
                               uint64_t t) {
  ic.set_caller(shard);
  auto r = ic.update("withdraw", u, amount, op, t);
  ic.run();
  return ic.response(r.id).as<suite::WithdrawResult>();
}

GlobalStats gstats(Env& ic) { return ic.query("get_global_stats").as<GlobalStats>(); }

// SPEC.md I1 on the hub's own books.
void check_i1(Env& ic) {
  GlobalStats g = gstats(ic);
  uint64_t granted = 0, returned = 0;
  for (const auto& s : shards(ic)) granted += s.granted_total, returned += s.returned_total;
  CHECK(g.total_allocated == granted);
  CHECK(g.total_returned == returned);
  CHECK(g.total_allocated - g.total_returned <= g.hard_cap);
}

// An installed hub with shard #0 created.
Env& with_shard(World& w, std::optional<Overrides> o = small()) {
  Env& ic = install(o);
  w.attach(ic);
  auto r = ensure(ic);
  INFO(r.reason);
  REQUIRE(r.created);
  return ic;
}

}  // namespace

// ---------------------------------------------------------------- pure rules

TEST_CASE("logic: overrides, cap room, grants, memo, ledger outcomes") {
  auto d = apply_overrides(std::nullopt);
  CHECK(d.error.empty());
  CHECK(d.constants.hard_cap == 420'000'000'000'000'000ull);
  CHECK(d.constants.shard_soft_limit == 90'000);
  CHECK(d.constants.shard_hard_limit == 100'000);
  CHECK(d.constants.auto_scale_interval == 60);
  CHECK(d.constants.shard_cycles == 2 * kT);
  CHECK(d.constants.shard_topup_below == kT / 2);
  CHECK(d.constants.reward_per_pass == 100'000'000);
  CHECK(d.constants.daily_attempts == 5);
  CHECK(d.constants.allowance_low == 500 * suite::kToken);
  CHECK(d.constants.allowance_chunk == 1000 * suite::kToken);
  CHECK(d.constants.allowance_high == 3000 * suite::kToken);
  CHECK(d.constants.sync_interval == 5);
  CHECK(d.constants.min_unstake == 100'000);
  Overrides bad;
  bad.shard_soft_limit = 200'000;  // above the hard limit
  CHECK_FALSE(apply_overrides(bad).error.empty());
  Overrides bad2;
  bad2.allowance_low = 5000 * suite::kToken;
  CHECK_FALSE(apply_overrides(bad2).error.empty());
  CHECK(apply_overrides(small()).constants.hard_cap == 1000);

  CHECK(cap_room(1000, 0, 0) == 1000);
  CHECK(cap_room(1000, 1200, 300) == 100);
  CHECK(cap_room(1000, 1000, 0) == 0);
  CHECK(grant_for(300, 600, 1000) == 300);
  CHECK(grant_for(300, 600, 120) == 120);
  CHECK(grant_for(5000, 600, 10000) == 600);

  Principal a = Principal::from_canister_index(1000), b = Principal::from_canister_index(1001);
  CHECK(withdraw_memo(a, 1) == withdraw_memo(a, 1));
  CHECK(withdraw_memo(a, 1) != withdraw_memo(a, 2));
  CHECK(withdraw_memo(a, 1) != withdraw_memo(b, 1));
  ic::Bytes pre = a.bytes();
  for (int i = 0; i < 7; ++i) pre.push_back(0);
  pre.push_back(1);
  auto h = ic::sha256(pre);
  CHECK(withdraw_memo(a, 1) == Blob(h.begin(), h.end()));

  u128 block = 0;
  std::string msg;
  CHECK(classify(icrc1::TransferResult::ok(7), false, block, msg) == MintOutcome::Minted);
  CHECK(block == 7);
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"Duplicate">(icrc1::DuplicateOf{5})), true,
                 block, msg) == MintOutcome::Minted);
  CHECK(block == 5);
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"TemporarilyUnavailable">()), false, block,
                 msg) == MintOutcome::Ambiguous);
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"TooOld">()), false, block, msg) ==
        MintOutcome::Definite);
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"TooOld">()), true, block, msg) ==
        MintOutcome::Ambiguous);
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"BadFee">(icrc1::ExpectedFee{10})), false,
                 block, msg) == MintOutcome::Definite);
  CHECK(msg == "BadFee: expected fee 10");
  CHECK(classify(icrc1::TransferResult::err(icrc1::TransferError::make<"GenericError">(icrc1::Generic{3, "frozen"})),
                 false, block, msg) == MintOutcome::Definite);
  CHECK(looks_like_wasm(kWasm));
  CHECK_FALSE(looks_like_wasm(Blob{1, 2, 3}));
}

// ---------------------------------------------------------------- init and config

TEST_CASE("init: immutable config with the wasm's SHA-256 and every constant; no admin methods") {
  Env& ic = install();
  Config c = ic.query("get_config").as<Config>();
  CHECK(c.ledger == kLedger);
  REQUIRE(c.learning_content.size() == 2);
  auto h = ic::sha256(kWasm);
  CHECK(c.wasm_sha256 == Blob(h.begin(), h.end()));
  CHECK(c.wasm_size == kWasm.size());
  CHECK(c.constants.hard_cap == 1000);
  CHECK(c.constants.daily_attempts == 5);  // not overridden: the default
  // Refused inits.
  CHECK(cdk::mock::fresh().install_with(HubInit{kLedger, {{"", kContentA}}, Blob{1, 2, 3}, std::nullopt}).rejected());
  Overrides bad = small();
  bad.shard_soft_limit = 10;  // above the hard limit 3
  CHECK(cdk::mock::fresh().install_with(hub_init(bad)).rejected());
  CHECK(cdk::mock::fresh().install_with(HubInit{kLedger, {}, kWasm, std::nullopt}).rejected());
  // No admin, setter, upgrade or shard-management method exists.
  for (const std::string& name : cdk::detail::export_names())
    for (const char* bad_word : {"set_", "admin", "upgrade_shard", "add_shard", "remove", "controller", "fault_"}) {
      INFO(name);
      CHECK(name.find(bad_word) == std::string::npos);
    }
}

// ---------------------------------------------------------------- shard creation

TEST_CASE("ensure_capacity: creates shard #0 with cycles, controllers = [hub], the embedded wasm and its init") {
  World w;
  Env& ic = install();
  w.attach(ic);
  CHECK_FALSE(ic.query("get_shard_for_new_user").as<std::optional<Principal>>());
  u128 before = ic.balance();
  auto r = ensure(ic);
  REQUIRE(r.created);
  Principal s0 = *r.created;
  CHECK_THAT(r.reason, Catch::Contains("created shard #0"));
  REQUIRE(w.create_cycles.size() == 1);
  CHECK(w.create_cycles[0] == kT);
  CHECK(ic.balance() == before - kT);
  REQUIRE(w.create_args[0].settings);
  CHECK(w.create_args[0].settings->controllers == std::vector<Principal>{ic.self()});
  REQUIRE(w.installs.size() == 1);
  CHECK(w.installs[0].canister_id == s0);
  CHECK(w.installs[0].mode.is<"install">());
  CHECK(w.installs[0].wasm_module == kWasm);
  std::tuple<suite::ShardInit> init;
  std::string err;
  REQUIRE(cdk::decode_args(w.installs[0].arg, init, err));
  const suite::ShardInit& si = std::get<0>(init);
  CHECK(si.hub == ic.self());
  CHECK(si.shard_index == 0);
  CHECK(si.constants.shard_hard_limit == 3);
  CHECK(si.constants.reward_per_pass == 100);
  CHECK(si.constants.allowance_chunk == 300);
  CHECK(si.learning_content.size() == 2);
  auto h = ic::sha256(kWasm);
  CHECK(si.wasm_sha256 == Blob(h.begin(), h.end()));
  // Registered with every content canister.
  CHECK(w.registered.size() == 2);
  auto list = shards(ic);
  REQUIRE(list.size() == 1);
  CHECK(list[0].id == s0);
  CHECK(list[0].status.is<"Active">());
  CHECK(ic.query("get_shard_for_new_user").as<std::optional<Principal>>() == s0);
  // Enough capacity now: nothing created.
  auto again = ensure(ic);
  CHECK_FALSE(again.created);
  CHECK_THAT(again.reason, Catch::Contains("capacity ok"));
  CHECK(w.create_cycles.size() == 1);
  GlobalStats g = gstats(ic);
  CHECK(g.shard_count == 1);
  CHECK(g.last_ensure_capacity.result == again.reason);
}

TEST_CASE("concurrent ensure_capacity: one creation at a time, no duplicate shard") {
  World w;
  Env& ic = install();
  // Only content is scripted; the management canister is answered by hand.
  ic.on_call(kContentA, "register_shard", [](const Call&) { return Answer::with(suite::RegisterShardResult::ok(cdk::Null{})); });
  ic.on_call(kContentB, "register_shard", [](const Call&) { return Answer::with(suite::RegisterShardResult::ok(cdk::Null{})); });
  ic.set_caller(user(1));
  auto first = ic.update("ensure_capacity");
  REQUIRE(first.pending());
  for (int i = 0; i < 3; ++i) {
    auto r = ic.update("ensure_capacity").as<EnsureResult>();
    CHECK_FALSE(r.created);
    CHECK_THAT(r.reason, Catch::Contains("already in progress"));
  }
  // The timer's tick meets the same lock.
  ic.advance_time(60 * kSec);
  CHECK(ic.calls().size() == 1);
  Call create = ic.call("create_canister");
  ic.reply(create.id, mgmt::CanisterIdRecord{Principal::from_canister_index(1000)});
  Call install_call = ic.call("install_code");
  ic.reply(install_call.id);
  ic.run();
  auto r = ic.response(first.id).as<EnsureResult>();
  REQUIRE(r.created);
  CHECK(shards(ic).size() == 1);
  CHECK(gstats(ic).shard_count == 1);
}

TEST_CASE("a shard install that fails once is retried on the same canister (no orphan)") {
  World w;
  w.install_failures = 1;
  Env& ic = install();
  w.attach(ic);
  auto r1 = ensure(ic);
  CHECK_FALSE(r1.created);
  CHECK_THAT(r1.reason, Catch::Contains("install_code") && Catch::Contains("retried on the same canister"));
  CHECK(w.created == 1);
  CHECK(shards(ic).empty());  // not usable yet
  CHECK_FALSE(ic.query("get_shard_for_new_user").as<std::optional<Principal>>());
  CHECK(gstats(ic).shard_count == 0);
  // The timer resumes it: no second create_canister; the status is checked before installing again.
  ic.advance_time(60 * kSec);
  CHECK(w.created == 1);
  REQUIRE(w.installs.size() == 2);
  CHECK(w.installs[1].canister_id == w.installs[0].canister_id);
  CHECK(w.status_calls >= 1);
  auto list = shards(ic);
  REQUIRE(list.size() == 1);
  CHECK(list[0].id == w.installs[0].canister_id);
  CHECK(gstats(ic).shard_count == 1);
  CHECK_THAT(gstats(ic).last_ensure_capacity.result, Catch::Contains("created shard #0"));
}

TEST_CASE("an install whose reply was lost is not repeated when the module is already there") {
  // create_canister and install_code are answered by hand: install_code's reply is lost (a reject) although
  // the module was installed.
  Env& ic2 = install();
  ic2.on_call(kContentA, "register_shard", [](const Call&) { return Answer::with(suite::RegisterShardResult::ok(cdk::Null{})); });
  ic2.on_call(kContentB, "register_shard", [](const Call&) { return Answer::with(suite::RegisterShardResult::ok(cdk::Null{})); });
  ic2.set_caller(user(1));
  auto first = ic2.update("ensure_capacity");
  Principal id = Principal::from_canister_index(1000);
  ic2.reply(ic2.call("create_canister").id, mgmt::CanisterIdRecord{id});
  ic2.reject(ic2.call("install_code").id, 2, "reply lost");
  CHECK_FALSE(ic2.response(first.id).as<EnsureResult>().created);
  auto second = ic2.update("ensure_capacity");
  Call status = ic2.call("canister_status");
  auto h = ic::sha256(kWasm);
  mgmt::CanisterStatus s;
  s.cycles = kT;
  s.module_hash = Blob(h.begin(), h.end());
  ic2.reply(status.id, s);
  ic2.run();
  for (const auto& c : ic2.calls()) CHECK(c.method != "install_code");
  auto r = ic2.response(second.id).as<EnsureResult>();
  REQUIRE(r.created);
  CHECK(*r.created == id);
}

TEST_CASE("the timer creates the next shard once every Active shard reaches the soft limit; Full at the hard limit") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  ic.advance_time(60 * kSec);
  CHECK(w.created == 1);  // below the soft limit (2)
  REQUIRE(claim(ic, s0, user(1)).is_ok());
  REQUIRE(claim(ic, s0, user(2)).is_ok());
  ic.advance_time(60 * kSec);  // the timer, no operator involved
  REQUIRE(w.created == 2);
  auto list = shards(ic);
  REQUIRE(list.size() == 2);
  Principal s1 = list[1].id;
  // Routing: the least-filled Active shard.
  CHECK(ic.query("get_shard_for_new_user").as<std::optional<Principal>>() == s1);
  REQUIRE(claim(ic, s0, user(3)).is_ok());  // reaches the hard limit (3)
  list = shards(ic);
  CHECK(list[0].status.is<"Full">());
  CHECK(list[0].user_count == 3);
  CHECK(claim(ic, s0, user(4)).error().is<"ShardFull">());
  CHECK(ic.query("get_user_shard", user(3)).as<std::optional<Principal>>() == s0);
  CHECK_FALSE(ic.query("get_user_shard", user(4)).as<std::optional<Principal>>());
  CHECK(gstats(ic).user_count == 3);
  // Paginated listing.
  auto [page, next] = ic.query("list_shards", uint64_t{0}, uint32_t{1}).as<std::tuple<std::vector<ShardInfo>, std::optional<uint64_t>>>();
  CHECK(page.size() == 1);
  CHECK(next == uint64_t{1});
}

TEST_CASE("shards low on cycles are topped up by the timer") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  w.cycles[s0] = kT / 2;  // above shard_topup_below (kT/4)
  ic.advance_time(60 * kSec);
  CHECK(w.deposits.empty());
  w.cycles[s0] = kT / 10;
  ic.advance_time(60 * kSec);
  REQUIRE(w.deposits.size() == 1);
  CHECK(w.deposits[0].first == s0);
  CHECK(w.deposits[0].second == kT - kT / 10);
  ic.advance_time(60 * kSec);
  CHECK(w.deposits.size() == 1);  // back above the threshold
  // The hub keeps a margin: with too few cycles of its own, it neither tops up nor creates.
  w.cycles[s0] = 0;
  ic.set_balance(kT / 2);
  ic.advance_time(60 * kSec);
  CHECK(w.deposits.size() == 1);
}

// ---------------------------------------------------------------- shard-only methods

TEST_CASE("claim_user: shard-only, idempotent per (user, shard), one principal on two shards refused") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  CHECK(claim(ic, kStranger, user(1)).error().is<"NotAShard">());
  CHECK(claim(ic, user(1), user(1)).error().is<"NotAShard">());
  REQUIRE(claim(ic, s0, user(1)).is_ok());
  REQUIRE(claim(ic, s0, user(1)).is_ok());  // idempotent
  CHECK(shards(ic)[0].user_count == 1);
  // A second shard: the same principal is refused there, naming the first shard.
  REQUIRE(claim(ic, s0, user(2)).is_ok());
  ic.advance_time(60 * kSec);
  Principal s1 = shards(ic)[1].id;
  auto r = claim(ic, s1, user(1));
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.error().get<"OtherShard">() == s0);
  CHECK(gstats(ic).user_count == 2);
}

TEST_CASE("sync_shard: shard-only, grants under the cap, a replayed seq is not applied twice, returns re-granted") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  CHECK_FALSE(sync(ic, kStranger, ask(1, 300)).is_ok());
  auto r1 = sync(ic, s0, ask(1, 300));
  REQUIRE(r1.is_ok());
  CHECK(r1.value().granted == 300);
  CHECK(r1.value().cap_remaining == 700);
  // Replay: the stored reply, nothing applied again.
  auto replay = sync(ic, s0, ask(1, 300));
  REQUIRE(replay.is_ok());
  CHECK(replay.value() == r1.value());
  CHECK(gstats(ic).total_allocated == 300);
  CHECK_THAT(sync(ic, s0, ask(5, 300)).error(), Catch::Contains("out of order"));
  // A request above allowance_high is cut to it; the cap bounds every grant.
  CHECK(sync(ic, s0, ask(2, 5000)).value().granted == 600);
  auto capped = sync(ic, s0, ask(3, 300));
  CHECK(capped.value().granted == 100);
  CHECK(capped.value().cap_remaining == 0);
  CHECK(sync(ic, s0, ask(4, 300)).value().granted == 0);
  check_i1(ic);
  // Reports beyond what was granted are refused.
  CHECK_FALSE(sync(ic, s0, ask(5, 0, 0, 2000)).is_ok());
  CHECK_FALSE(sync(ic, s0, ask(5, 0, 1001)).is_ok());
  // Returned allowance may be granted again.
  auto back = sync(ic, s0, ask(5, 0, 400, 100));
  REQUIRE(back.is_ok());
  CHECK(back.value().returned_total == 400);
  CHECK(back.value().cap_remaining == 400);
  CHECK(sync(ic, s0, ask(6, 300)).value().granted == 300);
  GlobalStats g = gstats(ic);
  CHECK(g.total_allocated == 1300);
  CHECK(g.total_returned == 400);
  check_i1(ic);
  auto info = shards(ic)[0];
  CHECK(info.last_sync_seq == 6);
  CHECK(info.granted_total == 1300);
}

TEST_CASE("withdraw: shard-only, mints with memo SHA-256(shard ‖ op_id) and the shard's time, deduplicated") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  REQUIRE(sync(ic, s0, ask(1, 300)).is_ok());
  CHECK(withdraw(ic, kStranger, user(1), 100, 1, 5).error().is<"NotAShard">());
  CHECK(w.transfers.empty());
  CHECK(withdraw(ic, s0, user(1), 0, 1, 5).error().is<"Refused">());
  CHECK(withdraw(ic, s0, user(1), 301, 1, 5).error().is<"Refused">());  // more than the shard was granted

  auto ok = withdraw(ic, s0, user(1), 120, 1, 777);
  REQUIRE(ok.is_ok());
  REQUIRE(w.transfers.size() == 1);
  const icrc1::TransferArg& t = w.transfers[0];
  CHECK(t.to.owner == user(1));
  CHECK_FALSE(t.to.subaccount);
  CHECK(t.amount == 120);
  CHECK_FALSE(t.fee);  // a mint
  CHECK_FALSE(t.from_subaccount);
  CHECK(t.created_at_time == uint64_t{777});
  CHECK(t.memo == withdraw_memo(s0, 1));
  // The same op again: the recorded block, no second mint.
  CHECK(withdraw(ic, s0, user(1), 120, 1, 777).value() == ok.value());
  CHECK(w.transfers.size() == 1);
  CHECK(withdraw(ic, s0, user(1), 50, 1, 777).error().is<"Refused">());  // op_id reused for something else
  GlobalStats g = gstats(ic);
  CHECK(g.total_withdrawn == 120);
  CHECK(g.pending_withdrawals.count == 0);
  CHECK(shards(ic)[0].withdrawn_total == 120);
}

TEST_CASE("withdraw: a ledger rejection is definite; an ambiguous failure stays pending and the retry deduplicates") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  REQUIRE(sync(ic, s0, ask(1, 300)).is_ok());
  w.ledger = [](const icrc1::TransferArg&) {
    return Answer::with(icrc1::TransferResult::err(icrc1::TransferError::make<"GenericError">(icrc1::Generic{1, "frozen"})));
  };
  auto rej = withdraw(ic, s0, user(1), 100, 1, 10);
  CHECK_THAT(rej.error().get<"LedgerRejected">(), Catch::Contains("frozen"));
  CHECK(withdraw(ic, s0, user(1), 100, 1, 10).error().is<"LedgerRejected">());  // recorded: the same answer
  CHECK(w.transfers.size() == 1);
  CHECK(gstats(ic).total_withdrawn == 0);
  CHECK(gstats(ic).pending_withdrawals.count == 0);

  // Ambiguous: the ledger call is rejected (the mint may or may not have happened).
  int calls = 0;
  w.ledger = [&calls](const icrc1::TransferArg&) {
    ++calls;
    if (calls == 1) return Answer::reject(6, "unknown outcome");
    return Answer::with(icrc1::TransferResult::err(icrc1::TransferError::make<"Duplicate">(icrc1::DuplicateOf{41})));
  };
  auto amb = withdraw(ic, s0, user(2), 150, 2, 20);
  CHECK(amb.error().is<"Retry">());
  GlobalStats g = gstats(ic);
  CHECK(g.pending_withdrawals.count == 1);
  CHECK(g.pending_withdrawals.amount == 150);
  CHECK(g.total_withdrawn == 0);
  // The shard retries with the same op and time: same memo; the ledger's Duplicate means success.
  auto retry = withdraw(ic, s0, user(2), 150, 2, 20);
  REQUIRE(retry.is_ok());
  CHECK(retry.value() == 41);
  REQUIRE(w.transfers.size() == 3);
  CHECK(w.transfers[2].memo == w.transfers[1].memo);
  CHECK(w.transfers[2].created_at_time == w.transfers[1].created_at_time);
  g = gstats(ic);
  CHECK(g.pending_withdrawals.count == 0);
  CHECK(g.total_withdrawn == 150);

  // Two attempts of one op at once: the second is told to retry, not minted twice.
  w.ledger = nullptr;
  ic.set_caller(s0);
  auto a = ic.update("withdraw", user(3), uint64_t{10}, uint64_t{3}, uint64_t{30});
  REQUIRE(a.pending());
  auto b = ic.update("withdraw", user(3), uint64_t{10}, uint64_t{3}, uint64_t{30});
  CHECK(b.as<suite::WithdrawResult>().error().is<"Retry">());
  ic.run();
  CHECK(ic.response(a.id).as<suite::WithdrawResult>().is_ok());
  CHECK(gstats(ic).total_withdrawn == 160);
}

// ---------------------------------------------------------------- certification and upgrade

TEST_CASE("certified state: config/<field> and stats/<field> under certified_data") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  REQUIRE(sync(ic, s0, ask(1, 300)).is_ok());
  auto cs = ic.query("get_certified_state").as<cdk::CertifiedState>();
  auto tree = ic::HashTree::decode(ic::ByteView(cs.tree).subspan(3));
  REQUIRE(tree.ok());
  auto root = tree->digest();
  CHECK(ic::Bytes(root.begin(), root.end()) == ic.certified_data());
  auto cap = tree->lookup({"config", "hard_cap"});
  REQUIRE(cap.found());
  CHECK(ic::Bytes(cap.value.begin(), cap.value.end()) == cdk::encode_args(uint64_t{1000}));
  auto alloc = tree->lookup({"stats", "total_allocated"});
  REQUIRE(alloc.found());
  CHECK(ic::Bytes(alloc.value.begin(), alloc.value.end()) == cdk::encode_args(uint64_t{300}));
  for (const char* f : {"ledger", "learning_content", "wasm_sha256", "shard_soft_limit", "shard_hard_limit",
                        "auto_scale_interval", "shard_cycles", "shard_topup_below", "reward_per_pass",
                        "daily_attempts", "allowance_low", "allowance_chunk", "allowance_high", "sync_interval",
                        "min_unstake"})
    CHECK(tree->lookup({"config", f}).found());
  for (const char* f : {"hard_cap", "total_returned", "total_withdrawn", "pending_withdrawals", "shard_count",
                        "user_count", "cycles", "last_ensure_capacity"})
    CHECK(tree->lookup({"stats", f}).found());
}

TEST_CASE("upgrade keeps shards, claims, books and config, and re-arms the auto-scale timer") {
  World w;
  Env& ic = with_shard(w);
  Principal s0 = shards(ic)[0].id;
  REQUIRE(claim(ic, s0, user(1)).is_ok());
  REQUIRE(sync(ic, s0, ask(1, 300)).is_ok());
  Config before = ic.query("get_config").as<Config>();
  auto r = ic.upgrade_with(std::string("ignored"));
  INFO(r.reject_message);
  REQUIRE(r.replied());
  CHECK(ic.query("get_config").as<Config>().wasm_sha256 == before.wasm_sha256);
  CHECK(gstats(ic).total_allocated == 300);
  CHECK(ic.query("get_user_shard", user(1)).as<std::optional<Principal>>() == s0);
  CHECK(sync(ic, s0, ask(1, 300)).value().granted == 300);  // the stored reply survived
  REQUIRE(ic.global_timer() != 0);
  REQUIRE(claim(ic, s0, user(2)).is_ok());
  ic.advance_time(60 * kSec);  // soft limit reached: the re-armed timer creates shard #1
  CHECK(w.created == 2);
  CHECK(shards(ic).size() == 2);
}
