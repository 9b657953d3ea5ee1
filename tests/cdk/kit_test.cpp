// The kit_test canister (src/canisters/kit_test) run through cdk/mock: typed entry points, state committed
// at awaits, interleaved calls, traps in callbacks, timers across upgrades, stable data, certified data.
// The test talks to the canister only through Candid, with its own copies of the interface types.
#include <catch2/catch.hpp>

#include "cdk/candid.h"
#include "cdk/mock/mock.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"

using cdk::mock::Answer;
using cdk::mock::Env;
using ic::Principal;
using u128 = unsigned __int128;

namespace client {
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
  uint64_t heap_fires, stable_fires, heartbeats, upgrades, timers;
};
CDK_RECORD(TimerStats, heap_fires, stable_fires, heartbeats, upgrades, timers)
struct CertifiedState {
  ic::Bytes certificate, tree;
};
CDK_RECORD(CertifiedState, certificate, tree)
}  // namespace client

namespace {

constexpr uint64_t kSecond = 1'000'000'000;
const Principal kOwner = Principal::from_canister_index(100);
const Principal kLedger = Principal::from_canister_index(200);
const Principal kAlice = Principal::self_authenticating(ic::as_view(std::string_view("alice")));
const Principal kBob = Principal::self_authenticating(ic::as_view(std::string_view("bob")));

Env& installed() {
  Env& ic = cdk::mock::fresh();
  auto r = ic.install_with(client::InitArgs{kOwner, "Hello, ", kLedger});
  INFO(r.reject_message);
  REQUIRE(r.replied());
  return ic;
}

u128 balance(Env& ic, const Principal& p) { return ic.query("balance_of", p).as<u128>(); }
std::tuple<uint32_t, uint64_t> in_flight(Env& ic) { return ic.query("in_flight").as<std::tuple<uint32_t, uint64_t>>(); }
client::TimerStats stats(Env& ic) { return ic.query("timer_stats").as<client::TimerStats>(); }
client::WithdrawResult withdraw_result(Env& ic, uint64_t id) { return ic.response(id).as<client::WithdrawResult>(); }

}  // namespace

TEST_CASE("typed entry points decode arguments, encode replies and trap naming method and type") {
  Env& ic = installed();
  CHECK(ic.query("greet", std::string("world")).as<std::string>() == "Hello, world!");
  CHECK(ic.update("increment", uint64_t{5}).as<uint64_t>() == 5);
  CHECK(ic.update("increment", uint64_t{7}).as<uint64_t>() == 12);
  CHECK(ic.query("counter").as<uint64_t>() == 12);

  auto bad = ic.update("increment", std::string("five"));
  REQUIRE(bad.rejected());
  CHECK(bad.trapped);
  CHECK_THAT(bad.reject_message, Catch::Contains("increment: cannot decode the argument as (nat64)") &&
                                     Catch::Contains("expected nat64, got text"));
  CHECK(ic.query("counter").as<uint64_t>() == 12);  // the trap rolled nothing forward

  auto missing = ic.update("no_such_method");
  CHECK(missing.rejected());
  CHECK(missing.reject_code == 5);
  CHECK_THAT(missing.reject_message, Catch::Contains("no update method 'no_such_method'"));

  ic.set_caller(kAlice);
  CHECK(ic.query("whoami").as<Principal>() == kAlice);
  CHECK_FALSE(ic.inspect("forbidden", Env::kEmptyArgs));
  CHECK(ic.inspect("increment", Env::kEmptyArgs));
  CHECK(ic.update("forbidden").replied());  // inspect_message filters ingress only
}

TEST_CASE("state before an await is committed; interleaved calls meet the lock") {
  Env& ic = installed();
  ic.set_caller(kAlice);
  REQUIRE(ic.update("deposit", u128{100}).as<u128>() == 100);
  ic.set_caller(kBob);
  REQUIRE(ic.update("deposit", u128{50}).as<u128>() == 50);

  ic.set_caller(kAlice);
  auto w1 = ic.update("withdraw", u128{60}, false);
  REQUIRE(w1.pending());
  auto call = ic.call("transfer");
  CHECK(call.callee == kLedger);
  auto [arg] = call.args<client::TransferArg>();
  CHECK(arg.to == kAlice);
  CHECK(arg.amount == 60);
  // Committed at the await: the reservation and the attempt counter; the balance is untouched so far.
  CHECK(in_flight(ic) == std::make_tuple(uint32_t{1}, uint64_t{1}));
  CHECK(balance(ic, kAlice) == 100);

  // A second withdrawal by Alice meets the lock held across the await; Bob is not blocked.
  auto w2 = ic.update("withdraw", u128{10}, false);
  REQUIRE(w2.replied());
  CHECK(w2.as<client::WithdrawResult>().error().is<"Busy">());
  ic.set_caller(kBob);
  auto poor = ic.update("withdraw", u128{51}, false).as<client::WithdrawResult>();
  CHECK(poor.error().get<"InsufficientFunds">().available == 50);
  auto w3 = ic.update("withdraw", u128{50}, false);
  REQUIRE(w3.pending());
  REQUIRE(ic.calls().size() == 2);
  uint64_t bob_call = ic.calls()[1].id;
  // Other messages run while both are in flight.
  ic.set_caller(kAlice);
  CHECK(ic.update("deposit", u128{5}).as<u128>() == 105);

  // Answers arrive in the opposite order of the calls.
  ic.reply(bob_call, client::TransferResult::ok(7));
  CHECK(withdraw_result(ic, w3.id).value() == 7);
  CHECK(balance(ic, kBob) == 0);
  CHECK(ic.response(w1.id).pending());
  ic.reject(call.id, 2, "ledger busy");
  auto r1 = withdraw_result(ic, w1.id);
  const auto& rej = r1.error().get<"Rejected">();
  CHECK(rej.code == 2);
  CHECK(rej.message == "ledger busy");
  CHECK(balance(ic, kAlice) == 105);
  CHECK(in_flight(ic) == std::make_tuple(uint32_t{0}, uint64_t{4}));

  // The lock was released when the first withdrawal finished.
  auto w4 = ic.update("withdraw", u128{105}, false);
  REQUIRE(w4.pending());
  ic.reply(ic.call("transfer").id, client::TransferResult::ok(8));
  CHECK(withdraw_result(ic, w4.id).value() == 8);
  CHECK(balance(ic, kAlice) == 0);
}

TEST_CASE("a trap after an await rolls back the callback; cleanup releases the guards") {
  Env& ic = installed();
  ic.set_caller(kAlice);
  ic.update("deposit", u128{100});
  auto w = ic.update("withdraw", u128{40}, true);
  REQUIRE(w.pending());
  CHECK(in_flight(ic) == std::make_tuple(uint32_t{1}, uint64_t{1}));

  ic.reply(ic.call("transfer").id, client::TransferResult::ok(9));
  auto r = ic.response(w.id);
  REQUIRE(r.rejected());
  CHECK(r.trapped);
  CHECK_THAT(r.reject_message, Catch::Contains("trapping after the ledger replied"));
  CHECK(balance(ic, kAlice) == 100);                                    // the deduction was rolled back
  CHECK(in_flight(ic) == std::make_tuple(uint32_t{0}, uint64_t{1}));  // ticket released; the attempt stays
  auto again = ic.update("withdraw", u128{100}, false);                 // the lock was released too
  REQUIRE(again.pending());
  ic.reply(ic.call("transfer").id, client::TransferResult::ok(10));
  CHECK(withdraw_result(ic, again.id).value() == 10);
}

TEST_CASE("a reply of the wrong type and a ledger error") {
  Env& ic = installed();
  ic.set_caller(kAlice);
  ic.update("deposit", u128{10});
  auto w = ic.update("withdraw", u128{1}, false);
  ic.reply(ic.call("transfer").id, std::string("not a TransferResult"));
  auto result = withdraw_result(ic, w.id);
  const auto& rej = result.error().get<"Rejected">();
  CHECK(rej.code == 0);
  CHECK_THAT(rej.message, Catch::Contains("the reply of transfer is not (variant { Ok : nat64; Err : text })"));
  auto w2 = ic.update("withdraw", u128{1}, false);
  ic.reply(ic.call("transfer").id, client::TransferResult::err("frozen"));
  CHECK(withdraw_result(ic, w2.id).error().get<"LedgerError">() == "frozen");
  CHECK(balance(ic, kAlice) == 10);
}

TEST_CASE("timers: heap and stable, one-shot and periodic, across an upgrade") {
  Env& ic = installed();
  uint64_t t0 = ic.time();
  CHECK(ic.global_timer() == t0 + 60 * kSecond);  // the heartbeat set in init
  ic.update("set_heap_timer", uint64_t{10});
  CHECK(ic.global_timer() == t0 + 10 * kSecond);
  ic.advance_time(9 * kSecond);
  CHECK(stats(ic).heap_fires == 0);
  ic.advance_time(2 * kSecond);
  CHECK(stats(ic).heap_fires == 1);
  ic.advance_time(50 * kSecond);
  CHECK(stats(ic).heartbeats == 1);

  // A trapping timer due together with a normal one: the normal one still fires.
  ic.update("set_trapping_timer", uint64_t{5});
  ic.update("set_heap_timer", uint64_t{5});
  ic.advance_time(5 * kSecond);
  CHECK(stats(ic).heap_fires == 2);

  // Stable timers survive the upgrade; heap timers do not (the heartbeat is set again in post_upgrade).
  uint64_t once = ic.update("schedule_stable_timer", uint64_t{30}, uint64_t{0}).as<uint64_t>();
  CHECK((once >> 63) == 1);
  ic.update("schedule_stable_timer", uint64_t{20}, uint64_t{20});
  ic.update("set_heap_timer", uint64_t{3});
  REQUIRE(ic.upgrade().replied());
  auto s = stats(ic);
  CHECK(s.upgrades == 1);
  CHECK(s.heap_fires == 0);  // heap state is new
  CHECK(s.heartbeats == 0);
  CHECK(ic.global_timer() != 0);  // re-armed by the kit in post_upgrade
  ic.advance_time(4 * kSecond);
  CHECK(stats(ic).heap_fires == 0);  // the 3 s heap timer died with the old heap
  ic.advance_time(16 * kSecond);     // t = 20 s after scheduling: the periodic one
  CHECK(stats(ic).stable_fires == 1);
  ic.advance_time(10 * kSecond);  // 30 s: the one-shot
  CHECK(stats(ic).stable_fires == 2);
  ic.advance_time(10 * kSecond);  // 40 s: the periodic again
  CHECK(stats(ic).stable_fires == 3);
  ic.advance_time(60 * kSecond);
  CHECK(stats(ic).heartbeats >= 1);
  uint64_t fires = stats(ic).stable_fires;
  REQUIRE(ic.upgrade().replied());  // a second upgrade: the periodic stable timer keeps going
  ic.advance_time(20 * kSecond);
  CHECK(stats(ic).stable_fires == fires + 1);

  // Cancelling: the one-shot is gone already, the periodic one stops.
  CHECK_FALSE(ic.update("cancel_timer", once).as<bool>());
  uint64_t timers_before = stats(ic).timers;
  uint64_t periodic = 0;
  for (uint64_t id = 1; id < 10 && !periodic; ++id)
    if (ic.update("cancel_timer", id | (uint64_t{1} << 63)).as<bool>()) periodic = id;
  CHECK(periodic != 0);
  CHECK(stats(ic).timers == timers_before - 1);
  fires = stats(ic).stable_fires;
  ic.advance_time(100 * kSecond);
  CHECK(stats(ic).stable_fires == fires);
  // Only the canister may run its timers.
  auto outsider = ic.update_raw("__cdk_timer", ic::Bytes(9, 0));
  CHECK(outsider.rejected());
  CHECK_THAT(outsider.reject_message, Catch::Contains("only the canister itself"));
}

TEST_CASE("the stable map through methods, pagination with two results, an upgrade with an argument") {
  Env& ic = installed();
  for (uint64_t k = 1; k <= 100; ++k) REQUIRE_FALSE(ic.update("put", k, "v" + std::to_string(k)).as<std::optional<std::string>>());
  CHECK(ic.update("put", uint64_t{7}, std::string("seven")).as<std::optional<std::string>>() == "v7");
  CHECK(ic.update("remove", uint64_t{50}).as<std::optional<std::string>>() == "v50");
  CHECK_FALSE(ic.query("lookup", uint64_t{50}).as<std::optional<std::string>>());
  auto r = ic.query("range", uint64_t{48}, uint64_t{60}, uint32_t{3}).as<std::vector<std::tuple<uint64_t, std::string>>>();
  CHECK(r == std::vector<std::tuple<uint64_t, std::string>>{{48, "v48"}, {49, "v49"}, {51, "v51"}});
  auto [keys, next] = ic.query("page", uint64_t{95}, uint32_t{3}).as<std::tuple<std::vector<uint64_t>, std::optional<uint64_t>>>();
  CHECK(keys == std::vector<uint64_t>{95, 96, 97});
  CHECK(next == uint64_t{98});
  auto [tail, none] = ic.query("page", uint64_t{99}, uint32_t{3}).as<std::tuple<std::vector<uint64_t>, std::optional<uint64_t>>>();
  CHECK(tail == std::vector<uint64_t>{99, 100});
  CHECK_FALSE(none);

  REQUIRE(ic.upgrade_with(std::optional<std::string>("Hi, ")).replied());
  CHECK(ic.query("greet", std::string("you")).as<std::string>() == "Hi, you!");
  CHECK(ic.query("map_size").as<uint64_t>() == 99);
  CHECK(ic.query("lookup", uint64_t{7}).as<std::optional<std::string>>() == "seven");
  // Any Candid value fits `opt text` (the opt rule makes a mismatch null), so this upgrade keeps the greeting.
  REQUIRE(ic.upgrade_with(uint64_t{1}).replied());
  CHECK(ic.query("greet", std::string("you")).as<std::string>() == "Hi, you!");
  // Bytes that are not Candid trap in post_upgrade, which undoes the whole upgrade (pre_upgrade's count too).
  auto bad = ic.upgrade(ic::to_bytes("not Candid"));
  CHECK(bad.rejected());
  CHECK_THAT(bad.reject_message, Catch::Contains("canister_post_upgrade trapped: canister_post_upgrade: cannot decode "
                                                 "the argument as (opt text)"));
  CHECK(ic.query("greet", std::string("you")).as<std::string>() == "Hi, you!");
  CHECK(ic.query("timer_stats").as<client::TimerStats>().upgrades == 2);
}

TEST_CASE("certified data: the tree's root is certified and the query returns certificate and tree") {
  Env& ic = installed();
  ic.update("increment", uint64_t{3});
  REQUIRE(ic.update("set_certified", std::string("Certified ")).replied());
  REQUIRE(ic.certified_data().size() == 32);

  auto st = ic.query("get_certified_state").as<client::CertifiedState>();
  auto tree = ic::HashTree::decode(st.tree);
  REQUIRE(tree.ok());
  auto digest = tree->digest();
  CHECK(ic::Bytes(digest.begin(), digest.end()) == ic.certified_data());
  auto greeting = tree->lookup({"config", "greeting"});
  REQUIRE(greeting.found());
  CHECK(ic::Bytes(greeting.value.begin(), greeting.value.end()) == cdk::encode_args(std::string("Certified ")));
  auto counter = tree->lookup({"stats", "counter"});
  REQUIRE(counter.found());
  CHECK(ic::Bytes(counter.value.begin(), counter.value.end()) == cdk::encode_args(uint64_t{3}));

  auto cert = ic::cbor::decode(st.certificate);
  REQUIRE(cert.ok());
  auto cert_tree = ic::HashTree::from_cbor(*cert->untagged().get("tree"));
  REQUIRE(cert_tree.ok());
  auto data = cert_tree->lookup_path(ic::Path{ic::to_bytes("canister"), ic.self().bytes(), ic::to_bytes("certified_data")});
  REQUIRE(data.found());
  CHECK(ic::Bytes(data.value.begin(), data.value.end()) == ic.certified_data());

  ic.set_replicated_queries(true);
  auto replicated = ic.query("get_certified_state");
  CHECK(replicated.rejected());
  CHECK_THAT(replicated.reject_message, Catch::Contains("call this method as a query"));
}

TEST_CASE("cycles: accepting attached cycles, attaching cycles to a call and getting a refund") {
  Env& ic = installed();
  u128 start = ic.balance();
  CHECK(ic.update_raw("accept_cycles", Env::kEmptyArgs, 1000).as<u128>() == 1000);
  CHECK(ic.balance() == start + 1000);
  auto s = ic.update("send_cycles", kOwner, u128{500});
  REQUIRE(s.pending());
  auto call = ic.call("deposit_cycles");
  CHECK(call.callee == kOwner);
  CHECK(call.cycles == 500);
  CHECK(ic.balance() == start + 500);
  ic.answer(call.id, Answer{true, cdk::encode_args(), 0, {}, 200});
  CHECK(ic.response(s.id).as<u128>() == 200);
  CHECK(ic.balance() == start + 700);
}

TEST_CASE("calls from the canister to itself run through run()") {
  // The heap timers dispatch themselves as self-calls; nothing is left pending afterwards.
  Env& ic = installed();
  ic.update("set_heap_timer", uint64_t{1});
  ic.advance_time(kSecond);
  CHECK(ic.calls().empty());
  CHECK(ic.run() == 0);
}

