// user_profile (one shard) on the kit's mock: registration with slot reservation and claim_user, own-only reads,
// the submit_quiz reservation protocol, the micro-bank and unstake retries, sequenced syncs, statistics,
// certification and upgrades. The hub and learning_content are scripted (FakeHub below) or answered by hand.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "canisters/user_profile/logic.h"
#include "canisters/user_profile/protocol.h"
#include "canisters/user_profile/types.h"
#include "cdk/candid.h"
#include "cdk/certified.h"
#include "cdk/mock/mock.h"
#include "ic/hash_tree.h"

using cdk::mock::Answer;
using cdk::mock::Call;
using cdk::mock::Env;
using ic::Principal;
using namespace user_profile;
using suite::ShardConstants;
using suite::ShardInit;
using suite::SyncArgs;
using suite::SyncReply;

namespace {

constexpr uint64_t kSec = suite::kSecondNs;
const Principal kHub = Principal::from_canister_index(1);
const Principal kContent = Principal::from_canister_index(2);
const Principal kMath = Principal::from_canister_index(3);
const Principal kOtherShard = Principal::from_canister_index(9);
Principal user(int i) {
  std::string s = "user " + std::to_string(i);
  return Principal::self_authenticating(ic::as_view(std::string_view(s)));
}
const std::vector<uint8_t> kRight{1, 2, 3};
const std::vector<uint8_t> kWrong{0, 0, 0};

ShardConstants small() {
  ShardConstants c;
  c.shard_hard_limit = 4;
  c.reward_per_pass = 100;
  c.daily_attempts = 3;
  c.allowance_low = 200;
  c.allowance_chunk = 500;
  c.allowance_high = 1000;
  c.sync_interval = 5;
  c.min_unstake = 50;
  return c;
}

Profile profile(std::string email = "ada@example.org") { return Profile{email, "Ada", "maths", "f"}; }

// A scripted hub with the real hub's books: idempotent claims, seq-idempotent syncs under a cap, withdrawals.
struct FakeHub {
  uint64_t cap = 1'000'000;
  uint64_t allocated = 0, returned = 0;
  uint64_t last_seq = 0;
  SyncReply last_reply;
  std::vector<SyncArgs> syncs;
  std::map<Principal, Principal> claims;  // user -> shard
  std::vector<std::tuple<Principal, uint64_t, uint64_t, uint64_t>> withdrawals;
  std::set<uint64_t> minted_ops;
  uint64_t next_block = 0;
  std::function<Answer(const Call&)> withdraw_hook;  // overrides the default (mint) when set
  bool reject_sync = false;

  void attach(Env& ic) {
    ic.on_call(kHub, "claim_user", [this, &ic](const Call& c) {
      auto [u] = c.args<Principal>();
      auto it = claims.find(u);
      if (it != claims.end() && it->second != ic.self())
        return Answer::with(suite::ClaimResult::err(suite::ClaimError::make<"OtherShard">(it->second)));
      claims[u] = ic.self();
      return Answer::with(suite::ClaimResult::ok(cdk::Null{}));
    });
    ic.on_call(kHub, "sync_shard", [this](const Call& c) {
      if (reject_sync) return Answer::reject(2, "hub unreachable");
      auto [a] = c.args<SyncArgs>();
      syncs.push_back(a);
      if (a.seq == last_seq) return Answer::with(suite::SyncResult::ok(last_reply));
      if (a.seq != last_seq + 1) return Answer::with(suite::SyncResult::err("out of order"));
      returned += a.give_back;
      uint64_t room = cap - allocated + returned;
      uint64_t grant = std::min(a.request, room);
      allocated += grant;
      last_seq = a.seq;
      last_reply = SyncReply{a.seq, grant, 0, 0, cap - allocated + returned};
      return Answer::with(suite::SyncResult::ok(last_reply));
    });
    ic.on_call(kHub, "withdraw", [this](const Call& c) {
      if (withdraw_hook) return withdraw_hook(c);
      return mint(c);
    });
  }
  Answer mint(const Call& c) {
    auto [u, amount, op, t] = c.args<Principal, uint64_t, uint64_t, uint64_t>();
    withdrawals.emplace_back(u, amount, op, t);
    minted_ops.insert(op);
    return Answer::with(suite::WithdrawResult::ok(static_cast<unsigned __int128>(next_block++)));
  }
};

// Grades: kRight passes (3 of 3), anything else fails (1 of 3). Units "missing/..." do not exist.
void attach_content(Env& ic, const Principal& who, int* calls = nullptr) {
  ic.on_call(who, "verify_quiz", [calls](const Call& c) {
    if (calls) ++*calls;
    auto [unit, answers] = c.args<std::string, std::vector<uint8_t>>();
    if (unit.rfind("missing/", 0) == 0) return Answer::with(suite::VerifyResult::err("no unit " + unit));
    bool pass = answers == kRight;
    return Answer::with(suite::VerifyResult::ok(suite::QuizVerdict{pass, pass ? 3u : 1u, 3u}));
  });
}

Env& install(ShardConstants c = small()) {
  Env& ic = cdk::mock::fresh();
  ShardInit init{kHub, {{"", kContent}, {"math", kMath}}, 7, c, ic::Bytes(32, 0xab)};
  auto r = ic.install_with(init);
  INFO(r.reject_message);
  REQUIRE(r.replied());
  return ic;
}

RegisterResult do_register(Env& ic, const Principal& p, Profile pr = profile()) {
  ic.set_caller(p);
  auto r = ic.update("register_user", pr);
  ic.run();
  return ic.response(r.id).as<RegisterResult>();
}

SubmitResult submit(Env& ic, const Principal& p, const std::string& unit, const std::vector<uint8_t>& a) {
  ic.set_caller(p);
  auto r = ic.update("submit_quiz", unit, a);
  ic.run();
  return ic.response(r.id).as<SubmitResult>();
}

UnstakeResult do_unstake(Env& ic, const Principal& p, uint64_t amount) {
  ic.set_caller(p);
  auto r = ic.update("unstake", amount);
  ic.run();
  return ic.response(r.id).as<UnstakeResult>();
}

ShardStats stats(Env& ic) { return ic.query("get_shard_stats").as<ShardStats>(); }
std::optional<MyProfile> me(Env& ic, const Principal& p) {
  ic.set_caller(p);
  return ic.query("get_my_profile").as<std::optional<MyProfile>>();
}

u128 balance_sum(Env& ic) {
  u128 sum = 0;
  std::optional<Principal> cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    auto [s, next] = ic.query("audit_balances", cursor, uint32_t{2}).as<std::tuple<BalanceSum, std::optional<Principal>>>();
    sum += s.sum;
    if (!next) break;
    cursor = next;
  }
  return sum;
}

// SPEC.md I2 (shard side) and I3.
void check_invariants(Env& ic) {
  ShardStats s = stats(ic);
  CHECK(s.allowance_granted_total ==
        s.allowance_used_total + s.allowance_reserved + s.allowance_remaining + s.allowance_returned_total);
  CHECK(s.rewards_credited_total == s.allowance_used_total);
  CHECK(balance_sum(ic) == u128{s.rewards_credited_total} - s.unstaked_total + s.credited_back_total);
}

}  // namespace

// ---------------------------------------------------------------- pure rules

TEST_CASE("logic: profile fields, UTF-8, attempts per UTC day, sync plans") {
  CHECK(valid_utf8("héllo ✓ 𝄞"));
  CHECK_FALSE(valid_utf8(std::string("\xC3", 1)));
  CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(profile_problem(profile()));
  CHECK(profile_problem(Profile{std::string(255, 'a'), "", "", ""}).value().find("email") == 0);
  CHECK(profile_problem(Profile{"", std::string(101, 'a'), "", ""}).value().find("name") == 0);
  CHECK(profile_problem(Profile{"", "", std::string(101, 'a'), ""}).value().find("education") == 0);
  CHECK(profile_problem(Profile{"", "", "", std::string(33, 'a')}).value().find("gender") == 0);
  CHECK_FALSE(profile_problem(Profile{std::string(254, 'a'), std::string(100, 'b'), std::string(100, 'c'), std::string(32, 'd')}));
  CHECK(profile_problem(Profile{"", "\xFF", "", ""}).value() == "name: not valid UTF-8");

  Attempts a;
  CHECK(take_attempt(a, 10, 2));
  CHECK(take_attempt(a, 10, 2));
  CHECK_FALSE(take_attempt(a, 10, 2));
  release_attempt(a, 9);  // another day: nothing to give back
  CHECK(a.count == 2);
  CHECK(take_attempt(a, 11, 2));  // a new UTC day starts from zero
  CHECK(a.count == 1);
  CHECK(utc_day(86'400 * kSec - 1) == 0);
  CHECK(utc_day(86'400 * kSec) == 1);

  ShardConstants c = small();
  CHECK(plan_sync(0, 0, c).request == 500);
  CHECK(plan_sync(300, 0, c).request == 0);
  CHECK(plan_sync(300, 400, c).request == 500);
  CHECK(plan_sync(1500, 0, c).give_back == 500);
  CHECK(plan_sync(1000, 0, c).give_back == 0);
  Allowance al{100, 50, 60, 0};
  REQUIRE_THROWS_AS(al.remaining(), cdk::mock::Trapped);  // inconsistent books trap, never wrap

  Profile p{"e", std::string(100, 'n'), "", "g"};
  CHECK(decode_profile(encode_profile(p)) == p);
  CHECK_FALSE(decode_profile("\x05"));
  CHECK(suite::route_unit({{"", kContent}, {"math", kMath}}, "math/algebra-1") == kMath);
  CHECK(suite::route_unit({{"", kContent}, {"math/", kMath}}, "math/x") == kMath);
  CHECK(suite::route_unit({{"", kContent}, {"math", kMath}}, "history/rome") == kContent);
  CHECK_FALSE(suite::route_unit({{"math", kMath}}, "history/rome"));
}

// ---------------------------------------------------------------- registration

TEST_CASE("register_user: refusals, slot reservation, idempotent claim, own-only reads") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);

  CHECK(do_register(ic, Principal::anonymous()).error().is<"Anonymous">());
  CHECK(do_register(ic, user(1), Profile{std::string(255, 'x'), "", "", ""}).error().is<"InvalidField">());
  {  // invalid UTF-8 never reaches the canister's logic: the Candid decoder refuses the message
    ic.set_caller(user(1));
    auto bad = ic.update("register_user", Profile{"", "", "", "\xC3("});
    REQUIRE(bad.rejected());
    CHECK_THAT(bad.reject_message, Catch::Contains("not valid UTF-8"));
  }
  CHECK(hub.claims.empty());  // refused before any hub call

  REQUIRE(do_register(ic, user(1)).is_ok());
  CHECK(do_register(ic, user(1)).error().is<"AlreadyRegistered">());
  CHECK(stats(ic).user_count == 1);

  // Own data only: another caller sees nothing of user 1.
  auto mine = me(ic, user(1));
  REQUIRE(mine);
  CHECK(mine->profile == profile());
  CHECK(mine->balance == 0);
  CHECK_FALSE(me(ic, user(2)));
  ic.set_caller(user(1));
  CHECK(ic.update("update_profile", Profile{"new@example.org", "Ada L.", "", ""}).as<UpdateResult>().is_ok());
  CHECK(me(ic, user(1))->profile.email == "new@example.org");
  CHECK(ic.update("update_profile", Profile{std::string(300, 'a'), "", "", ""}).as<UpdateResult>().error().is<"InvalidField">());
  ic.set_caller(user(2));
  CHECK(ic.update("update_profile", profile()).as<UpdateResult>().error().is<"NotRegistered">());
  // A long profile spans several stable chunks and shrinks back.
  ic.set_caller(user(1));
  Profile big{std::string(254, 'e'), std::string(100, 'n'), std::string(100, 'd'), std::string(32, 'g')};
  REQUIRE(ic.update("update_profile", big).as<UpdateResult>().is_ok());
  CHECK(me(ic, user(1))->profile == big);
  REQUIRE(ic.update("update_profile", profile("s@x")).as<UpdateResult>().is_ok());
  CHECK(me(ic, user(1))->profile == profile("s@x"));
}

TEST_CASE("register_user: one principal on two shards is refused, the slot is released") {
  Env& ic = install();
  FakeHub hub;
  hub.claims[user(5)] = kOtherShard;  // already claimed by another shard
  hub.attach(ic);
  auto r = do_register(ic, user(5));
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.error().get<"RegisteredElsewhere">() == kOtherShard);
  CHECK(stats(ic).user_count == 0);
  CHECK_FALSE(me(ic, user(5)));
  // The refused slot does not count: four others still fit under the hard limit of 4.
  for (int i = 1; i <= 4; ++i) REQUIRE(do_register(ic, user(i)).is_ok());
  CHECK(do_register(ic, user(6)).error().is<"ShardFull">());
}

TEST_CASE("register_user: reserved slots count toward the hard limit; hub failure releases them") {
  Env& ic = install();
  // Three registrations in flight + none registered: the 4th still fits, the 5th does not.
  std::vector<uint64_t> msgs;
  for (int i = 1; i <= 4; ++i) {
    ic.set_caller(user(i));
    auto r = ic.update("register_user", profile());
    REQUIRE(r.pending());
    msgs.push_back(r.id);
  }
  ic.set_caller(user(5));
  CHECK(ic.update("register_user", profile()).as<RegisterResult>().error().is<"ShardFull">());
  // The same principal twice at once: the second meets the reservation.
  ic.set_caller(user(1));
  CHECK(ic.update("register_user", profile()).as<RegisterResult>().error().is<"Busy">());
  auto calls = ic.calls();
  REQUIRE(calls.size() == 4);
  // Hub unreachable for user 1, refused (shard full on the hub) for user 2, ok for users 3 and 4.
  ic.reject(calls[0].id, 2, "hub overloaded");
  ic.reply(calls[1].id, suite::ClaimResult::err(suite::ClaimError::make<"ShardFull">()));
  ic.reply(calls[2].id, suite::ClaimResult::ok(cdk::Null{}));
  ic.reply(calls[3].id, suite::ClaimResult::ok(cdk::Null{}));
  CHECK(ic.response(msgs[0]).as<RegisterResult>().error().is<"HubUnavailable">());
  CHECK(ic.response(msgs[1]).as<RegisterResult>().error().is<"ShardFull">());
  CHECK(ic.response(msgs[2]).as<RegisterResult>().is_ok());
  CHECK(stats(ic).user_count == 2);
  // The released slots are free again; the hub's claim is idempotent, so user 1 simply retries.
  FakeHub hub;
  hub.attach(ic);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(do_register(ic, user(2)).is_ok());
  CHECK(stats(ic).user_count == 4);
  CHECK(do_register(ic, user(6)).error().is<"ShardFull">());
}

// ---------------------------------------------------------------- quizzes

TEST_CASE("submit_quiz: pass pays once per unit, a fail keeps the attempt, a failed call releases both") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  int graded = 0, math_graded = 0;
  attach_content(ic, kContent, &graded);
  attach_content(ic, kMath, &math_graded);
  REQUIRE(do_register(ic, user(1)).is_ok());
  CHECK(submit(ic, user(9), "history/rome", kRight).error().is<"NotRegistered">());
  CHECK(submit(ic, user(1), "", kRight).error().is<"InvalidUnit">());
  CHECK(submit(ic, user(1), std::string(129, 'u'), kRight).error().is<"InvalidUnit">());
  CHECK(submit(ic, user(1), "history/rome", std::vector<uint8_t>(257, 0)).error().is<"InvalidUnit">());

  auto fail = submit(ic, user(1), "history/rome", kWrong);
  REQUIRE(fail.is_ok());
  CHECK_FALSE(fail.value().passed);
  CHECK(fail.value().reward == 0);
  CHECK_FALSE(fail.value().correct);  // the correct count only when passed
  CHECK(me(ic, user(1))->attempts_today == 1);
  CHECK(stats(ic).allowance_reserved == 0);  // the reward reservation was released

  auto pass = submit(ic, user(1), "history/rome", kRight);
  REQUIRE(pass.is_ok());
  CHECK(pass.value().passed);
  CHECK(pass.value().reward == 100);
  CHECK(pass.value().correct == 3u);
  CHECK(me(ic, user(1))->balance == 100);
  CHECK(me(ic, user(1))->completed_units == 1);

  // Routed by subject: math units go to the math canister.
  CHECK(submit(ic, user(1), "math/algebra", kRight).value().reward == 100);
  CHECK(math_graded == 1);
  CHECK(graded == 2);
  // The daily limit (3) is reached; the next UTC day starts again.
  CHECK(submit(ic, user(1), "history/rome", kRight).error().get<"DailyLimitReached">().limit == 3);
  ic.advance_time(24 * 3600 * kSec);
  auto again = submit(ic, user(1), "history/rome", kRight);
  REQUIRE(again.is_ok());
  CHECK(again.value().passed);
  CHECK(again.value().reward == 0);  // paid once per user and unit
  CHECK(me(ic, user(1))->balance == 200);

  // A failed grading call (unknown unit or unreachable canister) releases the attempt and the reservation.
  CHECK(submit(ic, user(1), "missing/unit", kRight).error().is<"ContentUnavailable">());
  CHECK(me(ic, user(1))->attempts_today == 1);
  CHECK(stats(ic).allowance_reserved == 0);
  check_invariants(ic);

  // Transactions: paginated, own only.
  ic.set_caller(user(1));
  auto [page1, next] = ic.query("get_my_transactions", std::optional<uint64_t>{}, uint32_t{1})
                           .as<std::tuple<std::vector<Transaction>, std::optional<uint64_t>>>();
  REQUIRE(page1.size() == 1);
  CHECK(page1[0].kind.is<"QuizReward">());
  CHECK(page1[0].unit_id == std::string("history/rome"));
  REQUIRE(next);
  auto [page2, end] = ic.query("get_my_transactions", next, uint32_t{10})
                          .as<std::tuple<std::vector<Transaction>, std::optional<uint64_t>>>();
  REQUIRE(page2.size() == 1);
  CHECK(page2[0].unit_id == std::string("math/algebra"));
  CHECK_FALSE(end);
  ic.set_caller(user(2));
  CHECK(std::get<0>(ic.query("get_my_transactions", std::optional<uint64_t>{}, uint32_t{10})
                        .as<std::tuple<std::vector<Transaction>, std::optional<uint64_t>>>())
            .empty());
}

TEST_CASE("submit_quiz: parallel calls cannot beat the daily limit or pay one unit twice") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  REQUIRE(do_register(ic, user(1)).is_ok());
  ic.set_caller(user(1));
  // First submission: pending on the grading call (the allowance sync already ran through the fake hub).
  auto first = ic.update("submit_quiz", std::string("history/rome"), kRight);
  ic.run();
  REQUIRE(ic.response(first.id).pending());
  Call grading = ic.call("verify_quiz");
  // Parallel submissions of the same unit (and others) while the first is in flight are refused, not queued.
  for (int i = 0; i < 5; ++i) {
    auto r = ic.update("submit_quiz", std::string(i % 2 ? "history/rome" : "history/greece"), kRight);
    ic.run();
    CHECK(ic.response(r.id).as<SubmitResult>().error().is<"Busy">());
  }
  CHECK(ic.calls().size() == 1);
  CHECK(me(ic, user(1))->attempts_today == 1);
  ic.reply(grading.id, suite::VerifyResult::ok(suite::QuizVerdict{true, 3, 3}));
  CHECK(ic.response(first.id).as<SubmitResult>().value().reward == 100);
  // Sequentially: the same unit does not pay again and the limit holds.
  attach_content(ic, kContent);
  CHECK(submit(ic, user(1), "history/rome", kRight).value().reward == 0);
  CHECK(submit(ic, user(1), "history/rome", kRight).value().reward == 0);
  CHECK(submit(ic, user(1), "history/rome", kRight).error().is<"DailyLimitReached">());
  CHECK(me(ic, user(1))->balance == 100);
  check_invariants(ic);
}

TEST_CASE("submit_quiz: concurrent submissions near the cap never pass it") {
  Env& ic = install();
  FakeHub hub;
  hub.cap = 250;  // room for two rewards of 100
  hub.attach(ic);
  for (int i = 1; i <= 4; ++i) REQUIRE(do_register(ic, user(i)).is_ok());
  std::vector<uint64_t> msgs;
  for (int i = 1; i <= 4; ++i) {
    ic.set_caller(user(i));
    msgs.push_back(ic.update("submit_quiz", std::string("history/rome"), kRight).id);
    ic.run();
  }
  // Two submissions hold the two rewards the cap allows; the others got CapReached before grading.
  auto pending = ic.calls();
  REQUIRE(pending.size() == 2);
  CHECK(ic.response(msgs[2]).as<SubmitResult>().error().is<"CapReached">());
  CHECK(ic.response(msgs[3]).as<SubmitResult>().error().is<"CapReached">());
  CHECK(me(ic, user(3))->attempts_today == 0);  // the attempt was released
  ShardStats s = stats(ic);
  CHECK(s.allowance_granted_total == 250);
  CHECK(s.allowance_reserved == 200);
  CHECK(s.allowance_remaining == 50);
  for (auto& c : pending) ic.reply(c.id, suite::VerifyResult::ok(suite::QuizVerdict{true, 3, 3}));
  CHECK(ic.response(msgs[0]).as<SubmitResult>().value().reward == 100);
  CHECK(ic.response(msgs[1]).as<SubmitResult>().value().reward == 100);
  s = stats(ic);
  CHECK(s.allowance_used_total == 200);
  CHECK(hub.allocated - hub.returned <= hub.cap);
  check_invariants(ic);
  // Still capped afterwards.
  attach_content(ic, kContent);
  CHECK(submit(ic, user(3), "history/rome", kRight).error().is<"CapReached">());
}

TEST_CASE("submit_quiz: hub unavailable and a sync already in flight are distinct from CapReached") {
  Env& ic = install();
  FakeHub hub;
  hub.reject_sync = true;
  hub.attach(ic);
  attach_content(ic, kContent);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(do_register(ic, user(2)).is_ok());
  auto r = submit(ic, user(1), "history/rome", kRight);
  CHECK(r.error().is<"HubUnavailable">());
  CHECK(me(ic, user(1))->attempts_today == 0);
  REQUIRE(stats(ic).last_sync_error);
  CHECK_THAT(*stats(ic).last_sync_error, Catch::Contains("hub unreachable"));

  // A sync in flight (answered by hand): a second short submission does not start another one.
  Env& ic2 = install();
  FakeHub hub2;
  hub2.attach(ic2);  // claims only; the sync below is answered by hand before run() delivers it
  REQUIRE(do_register(ic2, user(1)).is_ok());
  REQUIRE(do_register(ic2, user(2)).is_ok());
  ic2.set_caller(user(1));
  auto a = ic2.update("submit_quiz", std::string("history/rome"), kRight);  // starts the sync
  Call sync = ic2.call("sync_shard");
  ic2.set_caller(user(2));
  auto b = ic2.update("submit_quiz", std::string("history/rome"), kRight);
  CHECK(b.as<SubmitResult>().error().is<"HubUnavailable">());
  CHECK(ic2.calls().size() == 1);  // one sync per shard at a time
  auto [args] = sync.args<SyncArgs>();
  CHECK(args.seq == 1);
  CHECK(args.request == 500);
  ic2.reply(sync.id, suite::SyncResult::ok(SyncReply{1, 500, 500, 0, 1000}));
  REQUIRE(ic2.response(a.id).pending());  // now grading
  CHECK(stats(ic2).allowance_granted_total == 500);
  CHECK(stats(ic2).last_sync_seq == 1);
}

// ---------------------------------------------------------------- sync

TEST_CASE("sync: deltas since the acknowledged seq, replies only for the current seq, excess returned") {
  Env& ic = install();
  attach_content(ic, kContent);
  FakeHub hub;
  hub.attach(ic);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(submit(ic, user(1), "history/a", kRight).value().reward == 100);
  REQUIRE(hub.syncs.size() == 1);  // on demand: the allowance was short
  CHECK(hub.syncs[0].seq == 1);
  CHECK(hub.syncs[0].user_count == 1);
  // Timer: a report-only delta waits for an allowance sync, or 12 sync intervals (60 s) at the latest.
  ic.advance_time(5 * kSec);
  REQUIRE(hub.syncs.size() == 1);
  ic.advance_time(55 * kSec);
  REQUIRE(hub.syncs.size() == 2);
  CHECK(hub.syncs[1].seq == 2);
  CHECK(hub.syncs[1].rewards_credited_delta == 100);
  CHECK(hub.syncs[1].request == 0);  // 400 remaining >= low
  ic.advance_time(5 * kSec);
  CHECK(hub.syncs.size() == 2);  // nothing pending: no message to the hub

  // A replayed/stale reply (another seq) is ignored; the same seq is retried with the same payload.
  Env& ic2 = install();
  hub = FakeHub{};
  ic2.on_call(kHub, "claim_user", [](const Call&) { return Answer::with(suite::ClaimResult::ok(cdk::Null{})); });
  REQUIRE(do_register(ic2, user(1)).is_ok());
  ic2.advance_time(5 * kSec);  // allowance 0 < low: the timer asks for a chunk
  Call s1 = ic2.call("sync_shard");
  auto [a1] = s1.args<SyncArgs>();
  CHECK(a1.seq == 1);
  ic2.reply(s1.id, suite::SyncResult::ok(SyncReply{7, 500, 500, 0, 0}));  // not our seq
  CHECK(stats(ic2).allowance_granted_total == 0);
  CHECK(stats(ic2).last_sync_seq == 0);
  ic2.advance_time(5 * kSec);
  Call s2 = ic2.call("sync_shard");
  auto [a2] = s2.args<SyncArgs>();
  CHECK(a2 == a1);  // the same seq and payload
  ic2.reject(s2.id, 2, "timeout");  // ambiguous: the hub may have applied it
  ic2.advance_time(5 * kSec);
  Call s3 = ic2.call("sync_shard");
  CHECK(std::get<0>(s3.args<SyncArgs>()) == a1);
  ic2.reply(s3.id, suite::SyncResult::ok(SyncReply{1, 500, 500, 0, 100}));
  CHECK(stats(ic2).allowance_granted_total == 500);
  CHECK(stats(ic2).last_sync_seq == 1);
  CHECK_FALSE(stats(ic2).last_sync_error);
}

TEST_CASE("sync: excess allowance above allowance_high is returned") {
  Env& ic = install();
  ic.advance_time(5 * kSec);
  Call s1 = ic.call("sync_shard");
  ic.reply(s1.id, suite::SyncResult::ok(SyncReply{1, 1800, 1800, 0, 0}));
  CHECK(stats(ic).allowance_remaining == 1800);
  ic.advance_time(5 * kSec);
  Call s2 = ic.call("sync_shard");
  auto [a] = s2.args<SyncArgs>();
  CHECK(a.seq == 2);
  CHECK(a.give_back == 800);
  CHECK(a.request == 0);
  ShardStats s = stats(ic);  // returned at once; the seq is retried until acknowledged
  CHECK(s.allowance_returned_total == 800);
  CHECK(s.allowance_remaining == 1000);
  ic.reply(s2.id, suite::SyncResult::ok(SyncReply{2, 0, 1800, 800, 0}));
  CHECK(stats(ic).last_sync_seq == 2);
  check_invariants(ic);
}

// ---------------------------------------------------------------- unstake

TEST_CASE("unstake: dust and zero refused, balance checked, mint on success") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  attach_content(ic, kContent);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(submit(ic, user(1), "history/a", kRight).value().reward == 100);
  REQUIRE(submit(ic, user(1), "history/b", kRight).value().reward == 100);
  CHECK(do_unstake(ic, user(2), 60).error().is<"NotRegistered">());
  CHECK(do_unstake(ic, user(1), 0).error().get<"BelowMinimum">().min_unstake == 50);
  CHECK(do_unstake(ic, user(1), 49).error().is<"BelowMinimum">());
  CHECK(do_unstake(ic, user(1), 201).error().get<"InsufficientBalance">().balance == 200);
  CHECK(hub.withdrawals.empty());

  auto ok = do_unstake(ic, user(1), 150);
  REQUIRE(ok.is_ok());
  CHECK_FALSE(ok.value().pending);
  CHECK(ok.value().block_index == u128{0});
  REQUIRE(hub.withdrawals.size() == 1);
  CHECK(std::get<0>(hub.withdrawals[0]) == user(1));
  CHECK(std::get<1>(hub.withdrawals[0]) == 150);
  CHECK(me(ic, user(1))->balance == 50);
  ShardStats s = stats(ic);
  CHECK(s.unstaked_total == 150);
  CHECK(s.pending_unstakes.count == 0);
  check_invariants(ic);
}

TEST_CASE("unstake: a ledger rejection credits back; an ambiguous failure stays pending and retries identically") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  attach_content(ic, kContent);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(submit(ic, user(1), "history/a", kRight).value().reward == 100);
  REQUIRE(submit(ic, user(1), "history/b", kRight).value().reward == 100);

  // Definite: the ledger refused the mint -> the debit is undone, once.
  hub.withdraw_hook = [](const Call&) {
    return Answer::with(suite::WithdrawResult::err(suite::WithdrawError::make<"LedgerRejected">("BadFee")));
  };
  auto rej = do_unstake(ic, user(1), 100);
  REQUIRE_FALSE(rej.is_ok());
  CHECK_THAT(rej.error().get<"Rejected">(), Catch::Contains("BadFee"));
  CHECK(me(ic, user(1))->balance == 200);
  ShardStats s = stats(ic);
  CHECK(s.unstaked_total == 100);
  CHECK(s.credited_back_total == 100);
  CHECK(s.pending_unstakes.count == 0);
  check_invariants(ic);

  // Ambiguous: the call is rejected (trap/timeout) -> pending, balance stays debited, nothing credited back.
  std::vector<std::tuple<Principal, uint64_t, uint64_t, uint64_t>> seen;
  int failures = 2;
  hub.withdraw_hook = [&](const Call& c) {
    seen.push_back(c.args<Principal, uint64_t, uint64_t, uint64_t>());
    if (failures-- > 0)
      return failures == 1 ? Answer::reject(5, "hub trapped")
                           : Answer::with(suite::WithdrawResult::err(suite::WithdrawError::make<"Retry">("in flight")));
    return hub.mint(c);
  };
  auto amb = do_unstake(ic, user(1), 120);
  REQUIRE(amb.is_ok());
  CHECK(amb.value().pending);
  CHECK(me(ic, user(1))->balance == 80);
  CHECK(me(ic, user(1))->pending_unstake == 120);
  s = stats(ic);
  CHECK(s.pending_unstakes.count == 1);
  CHECK(s.pending_unstakes.amount == 120);
  CHECK(s.credited_back_total == 100);
  check_invariants(ic);
  // The timer retries with the same op_id and created_at_time (a Retry answer keeps it pending again).
  ic.advance_time(5 * kSec);
  ic.advance_time(5 * kSec);
  REQUIRE(seen.size() == 3);
  CHECK(seen[1] == seen[0]);
  CHECK(seen[2] == seen[0]);
  CHECK(std::get<3>(seen[0]) != ic.time());  // the original time, not the retry's
  s = stats(ic);
  CHECK(s.pending_unstakes.count == 0);
  CHECK(s.credited_back_total == 100);
  CHECK(me(ic, user(1))->pending_unstake == 0);
  CHECK(me(ic, user(1))->balance == 80);
  check_invariants(ic);
  ic.advance_time(5 * kSec);
  CHECK(seen.size() == 3);  // settled: no more attempts
}

// ---------------------------------------------------------------- stats, certification, upgrade

TEST_CASE("get_shard_stats, audit_balances pages, certified stats tree") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  attach_content(ic, kContent);
  for (int i = 1; i <= 3; ++i) REQUIRE(do_register(ic, user(i)).is_ok());
  REQUIRE(submit(ic, user(1), "history/a", kRight).is_ok());
  REQUIRE(submit(ic, user(2), "history/a", kRight).is_ok());
  ShardStats s = stats(ic);
  CHECK(s.shard_index == 7);
  CHECK(s.hub == kHub);
  CHECK(s.user_count == 3);
  CHECK(s.hard_limit == 4);
  CHECK(s.allowance_granted_total == 500);
  CHECK(s.allowance_used_total == 200);
  CHECK(s.rewards_credited_total == 200);
  CHECK(s.cycles > 0);
  CHECK(s.stable_bytes > 0);
  CHECK(s.wasm_sha256 == ic::Bytes(32, 0xab));
  CHECK(s.constants == small());
  auto [page, next] = ic.query("audit_balances", std::optional<Principal>{}, uint32_t{2})
                          .as<std::tuple<BalanceSum, std::optional<Principal>>>();
  CHECK(page.count == 2);
  REQUIRE(next);
  auto [rest, end] = ic.query("audit_balances", next, uint32_t{2}).as<std::tuple<BalanceSum, std::optional<Principal>>>();
  CHECK(rest.count == 1);
  CHECK_FALSE(end);
  CHECK(page.sum + rest.sum == 200);
  check_invariants(ic);

  auto cs = ic.query("get_certified_state").as<cdk::CertifiedState>();
  auto tree = ic::HashTree::decode(ic::ByteView(cs.tree).subspan(3));
  REQUIRE(tree.ok());
  auto root = tree->digest();
  CHECK(ic::Bytes(root.begin(), root.end()) == ic.certified_data());
  auto uc = tree->lookup({"stats", "user_count"});
  REQUIRE(uc.found());
  CHECK(ic::Bytes(uc.value.begin(), uc.value.end()) == cdk::encode_args(uint64_t{3}));
  for (const char* f : {"allowance_granted_total", "allowance_used_total", "allowance_reserved", "allowance_remaining",
                        "allowance_returned_total", "rewards_credited_total", "unstaked_total", "credited_back_total",
                        "pending_unstakes", "last_sync_seq", "last_sync_time", "last_sync_error", "cycles",
                        "heap_bytes", "stable_bytes", "wasm_sha256", "constants", "hard_limit"})
    CHECK(tree->lookup({"stats", f}).found());
}

TEST_CASE("upgrade keeps every user, balance and book, and re-arms the sync timer") {
  Env& ic = install();
  FakeHub hub;
  hub.attach(ic);
  attach_content(ic, kContent);
  REQUIRE(do_register(ic, user(1)).is_ok());
  REQUIRE(submit(ic, user(1), "history/a", kRight).value().reward == 100);
  ShardStats before = stats(ic);
  auto r = ic.upgrade();
  INFO(r.reject_message);
  REQUIRE(r.replied());
  ShardStats after = stats(ic);
  CHECK(after.user_count == before.user_count);
  CHECK(after.allowance_granted_total == before.allowance_granted_total);
  CHECK(after.rewards_credited_total == before.rewards_credited_total);
  CHECK(me(ic, user(1))->balance == 100);
  CHECK(me(ic, user(1))->profile == profile());
  REQUIRE(ic.global_timer() != 0);  // re-armed
  size_t syncs = hub.syncs.size();
  ic.advance_time(60 * kSec);
  CHECK(hub.syncs.size() == syncs + 1);  // the unreported reward goes out after the upgrade too
  CHECK(stats(ic).last_sync_seq == before.last_sync_seq + 1);
  CHECK(submit(ic, user(1), "history/a", kRight).value().reward == 0);  // still completed
  check_invariants(ic);
}

TEST_CASE("init refuses inconsistent constants") {
  Env& ic = cdk::mock::fresh();
  ShardConstants c = small();
  c.allowance_low = 2000;  // above high
  auto r = ic.install_with(ShardInit{kHub, {{"", kContent}}, 0, c, {}});
  CHECK(r.rejected());
}

TEST_CASE("hub messages per 1,000 quizzes at 100 quizzes/s with SPEC.md's default constants") {
  // SPEC.md defaults (reward 1 token, chunk 1,000 tokens, low 500, high 3,000, sync_interval 5 s): a busy shard
  // should call the hub about once per allowance chunk, not once per sync_interval (BENCHMARKS.md).
  Env& ic = install(ShardConstants{});
  attach_content(ic, kContent);
  FakeHub hub;
  hub.cap = 420'000'000'000'000'000ull;  // 4.2 B tokens
  hub.attach(ic);
  constexpr int kUsers = 1200, kUnits = 5;  // 6,000 quizzes: every user passes 5 units (the daily limit)
  for (int u = 0; u < kUsers; ++u) REQUIRE(do_register(ic, user(1000 + u)).is_ok());
  size_t before = hub.syncs.size();
  int passed = 0;
  for (int k = 0; k < kUnits; ++k)
    for (int u = 0; u < kUsers; ++u) {
      auto r = submit(ic, user(1000 + u), "history/u" + std::to_string(k), kRight);
      REQUIRE(r.is_ok());
      passed += r.value().passed;
      ic.advance_time(10'000'000);  // 100 quizzes per second
    }
  size_t syncs = hub.syncs.size() - before;
  // The first sync fills an empty shard; after it, one sync per 1,000-token chunk (1,000 passing quizzes).
  double per_1000 = 1000.0 * double(syncs) / double(kUsers * kUnits);
  double steady = 1000.0 * double(syncs - 1) / double(kUsers * kUnits);
  WARN("hub messages (sync_shard) per 1,000 quizzes at 100 quizzes/s: " << per_1000 << " including the first fill, "
                                                                        << steady << " after it (" << syncs
                                                                        << " syncs, " << passed << " passes)");
  CHECK(passed == kUsers * kUnits);
  CHECK(steady <= 1.0);
}
