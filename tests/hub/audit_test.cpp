// hub::audit::evaluate: a consistent observation passes every check; each invariant broken alone fails
// exactly its own check id; missing data is Unknown (exit 2), never Pass.
#include <catch2/catch.hpp>

#include "hub/audit.h"

using namespace hub::audit;
using ic::BigNat;

namespace {

ic::Principal canister(uint64_t i) {
  ic::Bytes b(10, 0);
  for (int k = 0; k < 8; ++k) b[7 - k] = static_cast<uint8_t>(i >> (8 * k));
  b[8] = 1;
  b[9] = 1;
  return ic::Principal::from_bytes(b).value();
}

const ic::Bytes kWasm(32, 0x5a);
constexpr uint64_t kSecond = 1'000'000'000ull;

ShardObservation shard(uint64_t index, const ic::Principal& hub) {
  ShardObservation s;
  s.id = canister(100 + index);
  s.index = index;
  s.status = "Active";
  s.hub_info = {{"granted_total", 3000}, {"returned_total", 500}, {"withdrawn_total", 400},
                {"user_count", 10},      {"last_sync_seq", 7}};
  s.stats = Numbers{{"allowance_granted_total", 3000}, {"allowance_used_total", 1200}, {"allowance_reserved", 100},
                    {"allowance_remaining", 1200},      {"allowance_returned_total", 500}, {"rewards_credited_total", 1200},
                    {"unstaked_total", 500},           {"credited_back_total", 100},     {"last_sync_seq", 7},
                    {"cycles", 1'000'000'000'000ull}};
  s.stats_certified = true;
  s.balances_sum = BigNat(800);  // 1200 − 500 + 100
  s.balances_count = 10;
  s.facts.certified = true;
  s.facts.module_hash = kWasm;
  s.facts.controllers = std::vector<ic::Principal>{hub};
  return s;
}

Observation consistent() {
  Observation o;
  o.time_ns = 1000 * kSecond;
  o.hub.id = canister(1);
  o.hub.global_stats = {{"hard_cap", BigNat(420'000'000'000'000'000ull)},
                        {"total_allocated", 6000},
                        {"total_returned", 1000},
                        {"total_withdrawn", 800},
                        {"pending_withdrawals.amount", 0},
                        {"cycles", 5'000'000'000'000ull}};
  o.hub.constants = {{"shard_soft_limit", 90}, {"shard_hard_limit", 100}, {"auto_scale_interval_ns", 60 * kSecond}};
  o.hub.embedded_wasm_sha256 = kWasm;
  o.hub.last_ensure_capacity_time_ns = 990 * kSecond;
  o.hub.facts.certified = true;
  o.hub.facts.controllers = std::vector<ic::Principal>{};
  o.shards = {shard(1, o.hub.id), shard(2, o.hub.id)};
  o.ledger.present = true;
  o.ledger.id = canister(3);
  o.ledger.minting_owner = o.hub.id;
  o.ledger.chain_verified = true;
  o.ledger.chain_length = 12;
  o.ledger.minted = 800;
  o.ledger.total_supply = BigNat(790);
  o.ledger.facts.certified = true;
  o.ledger.facts.controllers = std::vector<ic::Principal>{};
  o.bundled_user_profile_sha256 = kWasm;
  return o;
}

std::vector<std::string> failed(const Report& r) {
  std::vector<std::string> ids;
  for (auto& c : r.checks)
    if (c.status == Status::Fail) ids.push_back(c.id);
  return ids;
}

}  // namespace

TEST_CASE("a consistent suite passes every check") {
  auto r = evaluate(consistent(), Expectations{});
  for (auto& c : r.checks) {
    INFO(c.id << " " << c.subject << ": " << c.message);
    CHECK((c.status == Status::Pass || c.status == Status::Info));
  }
  CHECK(r.exit_code() == 0);
  REQUIRE(r.headroom);
  CHECK(*r.headroom == BigNat(420'000'000'000'000'000ull - 5000));
}

TEST_CASE("each broken invariant fails its own check") {
  using Mutation = std::function<void(Observation&)>;
  std::vector<std::pair<std::string, Mutation>> cases = {
      {"I1.cap", [](Observation& o) {
         // The hub granted past the cap to shard 1 (its reply not yet applied there: seq 8).
         BigNat extra = BigNat(420'000'000'000'000'000ull);
         o.shards[0].hub_info["granted_total"] = extra + BigNat(3000);
         o.shards[0].hub_info["last_sync_seq"] = 8;
         o.hub.global_stats["total_allocated"] = extra + BigNat(6000);
       }},
      {"I1.hard_cap_expected", [](Observation& o) { o.hub.global_stats["hard_cap"] = BigNat(500'000'000'000'000'000ull); }},
      {"I1.shard_sums", [](Observation& o) { o.hub.global_stats["total_returned"] = 1001; }},
      {"I2.granted_matches_hub", [](Observation& o) { (*o.shards[1].stats)["allowance_granted_total"] = 3001;
                                                      (*o.shards[1].stats)["allowance_remaining"] = 1201; }},
      {"I2.allowance_books", [](Observation& o) { (*o.shards[0].stats)["allowance_reserved"] = 99; }},
      {"I3.balances", [](Observation& o) { o.shards[1].balances_sum = BigNat(801); }},
      {"I3.rewards_used", [](Observation& o) { (*o.shards[0].stats)["rewards_credited_total"] = 1201;
                                               o.shards[0].balances_sum = BigNat(801); }},
      {"I4.minting_account", [](Observation& o) { o.ledger.minting_owner = canister(9); }},
      {"I4.chain", [](Observation& o) { o.ledger.chain_verified = false; o.ledger.chain_error = "block 3: phash mismatch"; }},
      {"I4.mints_match_withdrawn", [](Observation& o) { o.ledger.minted = 900; o.ledger.total_supply = BigNat(900); }},
      {"I4.supply", [](Observation& o) { o.ledger.total_supply = BigNat(801); }},
      {"I5.shard_module_hash", [](Observation& o) { o.shards[1].facts.module_hash = ic::Bytes(32, 1); }},
      {"I5.shard_controllers", [](Observation& o) { o.shards[0].facts.controllers->push_back(canister(77)); }},
      {"I5.embedded_is_bundled", [](Observation& o) { o.bundled_user_profile_sha256 = ic::Bytes(32, 2); }},
      {"I6.hard_limit", [](Observation& o) { o.shards[0].hub_info["user_count"] = 101; }},
      {"I6.cycles", [](Observation& o) { (*o.shards[1].stats)["cycles"] = 5; }},
  };
  for (auto& [id, mutate] : cases) {
    auto o = consistent();
    mutate(o);
    auto r = evaluate(o, Expectations{});
    INFO("broken: " << id);
    CHECK(failed(r) == std::vector<std::string>{id});
    CHECK(r.exit_code() == 1);
  }
}

TEST_CASE("a sync in flight uses the inequality form") {
  auto o = consistent();
  // The hub granted 1000 more at seq 8; the shard has not applied the reply yet.
  o.shards[0].hub_info["last_sync_seq"] = 8;
  o.shards[0].hub_info["granted_total"] = 4000;
  o.hub.global_stats["total_allocated"] = 7000;
  CHECK(evaluate(o, Expectations{}).exit_code() == 0);
  // But a shard claiming more than the hub granted is wrong even then.
  (*o.shards[0].stats)["allowance_granted_total"] = 4001;
  (*o.shards[0].stats)["allowance_remaining"] = 2201;
  CHECK(failed(evaluate(o, Expectations{})) == std::vector<std::string>{"I2.granted_matches_hub"});
}

TEST_CASE("autoscale and admin-less") {
  auto o = consistent();
  for (auto& s : o.shards) s.hub_info["user_count"] = 95;  // all Active shards past the soft limit
  o.hub.last_ensure_capacity_time_ns = o.time_ns - 121 * kSecond;
  CHECK(failed(evaluate(o, Expectations{})) == std::vector<std::string>{"I6.autoscale"});
  o.hub.last_ensure_capacity_time_ns = o.time_ns - 100 * kSecond;
  CHECK(evaluate(o, Expectations{}).exit_code() == 0);

  auto p = consistent();
  p.hub.facts.controllers = std::vector<ic::Principal>{canister(50)};
  auto info = evaluate(p, Expectations{});
  CHECK(info.exit_code() == 0);  // reported, not a failure
  bool reported = false;
  for (auto& c : info.checks)
    if (c.id == "I5.admin_less" && c.subject == "hub") reported = c.status == Status::Info && c.message.find("admin-less: no") == 0;
  CHECK(reported);
  Expectations strict;
  strict.require_admin_less = true;
  CHECK(failed(evaluate(p, strict)) == std::vector<std::string>{"I5.admin_less"});
}

TEST_CASE("missing data is Unknown, exit 2") {
  auto o = consistent();
  o.shards[1].stats.reset();
  o.shards[1].error = "query failed: canister is stopped";
  auto r = evaluate(o, Expectations{});
  CHECK(failed(r).empty());
  CHECK(r.exit_code() == 2);
  bool named = false;
  for (auto& c : r.checks)
    if (c.status == Status::Unknown && c.message.find("canister is stopped") != std::string::npos) named = true;
  CHECK(named);
  auto q = consistent();
  q.ledger.chain_verified = false;  // not read (no error): unknown
  CHECK(evaluate(q, Expectations{}).exit_code() == 2);
}

TEST_CASE("a cap other than expected") {
  auto o = consistent();
  Expectations e;
  // A hub deployed with another cap fails the default expectation...
  o.hub.global_stats["hard_cap"] = 5500;
  CHECK(failed(evaluate(o, e)) == std::vector<std::string>{"I1.hard_cap_expected"});
  // ...and passes when the operator names it (--expect-cap); allocation 5000 fits.
  e.hard_cap = BigNat(5500);
  CHECK(evaluate(o, e).exit_code() == 0);
  o.hub.global_stats["hard_cap"] = 4999;
  e.hard_cap = BigNat(4999);
  auto ids = failed(evaluate(o, e));
  CHECK(std::find(ids.begin(), ids.end(), "I1.cap") != ids.end());
}
