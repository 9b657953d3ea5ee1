// replica::exec alone (no node) against the kit's real test canister build-dir/wasm/kit_test.wasm: every
// ic0 import the kit uses resolves and behaves — lifecycle, updates, queries, stable memory, inspect_message,
// cycles, certified data, an outgoing call with its reply callback, timers, image/restore and an upgrade.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "replica/exec/engine.h"

using namespace replica::exec;

namespace {

namespace fs = std::filesystem;

struct Kit {
  candid::text::DidFile did;
  ic::Principal user = ic::Principal::self_authenticating(ic::to_bytes("exec kit user"));
  ic::Principal self = ic::Principal::from_canister_index(7);
  uint64_t now = 1'700'000'000'000'000'000ull;
  uint64_t timer = 0;

  ic::Bytes enc(const std::string& text, const std::vector<candid::TypeRef>& types) {
    auto a = candid::text::parse_args(text, did, &types);
    INFO(text);
    REQUIRE(a.ok());
    return candid::encode(*a).value();
  }
  ic::Bytes args(const std::string& method, const std::string& text) { return enc(text, did.method(method).value().args); }
  std::string result(const std::string& method, const ic::Bytes& reply) {
    auto f = did.method(method).value();
    auto a = candid::decode(reply, &did.table, &f.results);
    REQUIRE(a.ok());
    return candid::text::print_args(*a);
  }
  Invocation inv(EntryKind kind, const std::string& method, ic::Bytes arg) {
    Invocation i;
    i.kind = kind;
    i.method = method;
    i.arg = std::move(arg);
    i.caller = user;
    i.self = self;
    i.time_ns = now;
    i.balance = i.liquid_balance = Cycles(1) << 40;
    i.global_timer = timer;
    i.controllers = {user};
    if (kind == EntryKind::NonReplicatedQuery) i.data_certificate = ic::Bytes{0xd9, 0xd9, 0xf7};
    return i;
  }
  ExecResult run(Instance& in, const Invocation& i) {
    ExecResult r = in.execute(i);
    INFO(entry_kind_name(i.kind) << " " << i.method << ": " << r.message);
    REQUIRE(r.ok());
    if (r.global_timer) timer = *r.global_timer;
    return r;
  }
  std::string update(Instance& in, const std::string& m, const std::string& a) {
    ExecResult r = run(in, inv(EntryKind::Update, m, args(m, a)));
    REQUIRE(r.reply);
    return result(m, *r.reply);
  }
  std::string query(Instance& in, const std::string& m, const std::string& a) {
    ExecResult r = run(in, inv(EntryKind::NonReplicatedQuery, m, args(m, a)));
    REQUIRE(r.reply);
    return result(m, *r.reply);
  }
};

ic::Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return ic::Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("exec kit: the kit_test canister runs on the engine alone") {
  fs::path wasm = fs::path(HUBCTL_BUILD_DIR) / "wasm" / "kit_test.wasm";
  if (!fs::exists(wasm)) {
    WARN("skipped: " << wasm << " is built with -DHUBCTL_BUILD_WASM=ON");
    return;
  }
  Kit k;
  k.did = candid::text::load_did(std::string(HUBCTL_TEST_DATA) + "/../../src/canisters/kit_test/kit_test.did").value();
  auto module = Module::compile(read_file(wasm));
  INFO((module.ok() ? "" : module.error().message));
  REQUIRE(module.ok());
  auto inst = Instance::create(*module).value();
  Instance& I = *inst;

  k.run(I, k.inv(EntryKind::Init, "",
                 k.enc("(record { owner = principal \"" + k.user.to_text() +
                           "\"; greeting = \"Hello, \"; ledger = principal \"aaaaa-aa\" })",
                       k.did.init_args)));
  CHECK(k.query(I, "greet", "(\"exec\")") == "(\"Hello, exec!\")");
  CHECK(k.update(I, "increment", "(5 : nat64)") == "(5 : nat64)");
  CHECK(k.update(I, "increment", "(6 : nat64)") == "(11 : nat64)");
  CHECK(k.query(I, "whoami", "()") == "(principal \"" + k.user.to_text() + "\")");

  // Stable memory (the kit's B-tree), enough entries to split nodes.
  for (int i = 0; i < 30; ++i)
    CHECK(k.update(I, "put", "(" + std::to_string(i) + " : nat64, \"value " + std::to_string(i) + "\")") == "(null)");
  CHECK(k.query(I, "lookup", "(17 : nat64)") == "(opt \"value 17\")");
  CHECK(k.query(I, "map_size", "()") == "(30 : nat64)");

  // canister_inspect_message: refuses `forbidden`, accepts the rest.
  CHECK_FALSE(k.run(I, k.inv(EntryKind::InspectMessage, "forbidden", {})).message_accepted);
  CHECK(k.run(I, k.inv(EntryKind::InspectMessage, "increment", {})).message_accepted);

  // Cycles attached to the call are accepted.
  Invocation acc = k.inv(EntryKind::Update, "accept_cycles", k.args("accept_cycles", "()"));
  acc.cycles_available = 12'345;
  ExecResult r = k.run(I, acc);
  CHECK(r.cycles_accepted == 12'345);

  // Certified data (a 32-byte root hash), then the certified state read in a non-replicated query.
  r = k.run(I, k.inv(EntryKind::Update, "set_certified", k.args("set_certified", "(\"Hi, \")")));
  REQUIRE(r.certified_data);
  CHECK(r.certified_data->size() == 32);
  CHECK(k.query(I, "get_certified_state", "()").find("certificate = blob \"\\d9\\d9\\f7\"") != std::string::npos);

  // An outgoing call and its reply callback (a table index with its env).
  CHECK(k.update(I, "deposit", "(1000 : nat)") == "(1_000 : nat)");
  r = k.run(I, k.inv(EntryKind::Update, "withdraw", k.args("withdraw", "(300 : nat, false)")));
  CHECK_FALSE(r.reply);
  REQUIRE(r.calls.size() == 1);
  CHECK(r.calls[0].callee == ic::Principal::management());
  CHECK(r.calls[0].method == "transfer");
  CHECK(r.calls[0].on_cleanup.has_value());
  CHECK(k.query(I, "in_flight", "()") == "(1 : nat32, 1 : nat64)");
  Invocation cb = k.inv(EntryKind::ReplyCallback, "", k.enc("(variant { Ok = 77 : nat64 })",
                                                            {candid::text::parse_type("variant { Ok : nat64; Err : text }", k.did).value()}));
  cb.callback = r.calls[0].on_reply;
  r = k.run(I, cb);
  REQUIRE(r.reply);
  CHECK(k.result("withdraw", *r.reply) == "(variant { Ok = 77 : nat64 })");
  CHECK(k.query(I, "balance_of", "(principal \"" + k.user.to_text() + "\")") == "(700 : nat)");
  CHECK(k.query(I, "in_flight", "()") == "(0 : nat32, 1 : nat64)");

  // A heap timer: global_timer_set, then canister_global_timer dispatches it as a self-call.
  k.update(I, "set_heap_timer", "(0 : nat64)");
  CHECK(k.timer == k.now);
  k.now += 1'000'000'000;
  r = k.run(I, k.inv(EntryKind::GlobalTimer, "", {}));
  REQUIRE(r.calls.size() == 1);
  CHECK(r.calls[0].callee == k.self);

  // image() -> restore(): the same heap, globals and stable memory.
  auto restored = Instance::restore(*module, I.image()).value();
  CHECK(k.query(*restored, "counter", "()") == "(11 : nat64)");
  CHECK(k.query(*restored, "lookup", "(29 : nat64)") == "(opt \"value 29\")");

  // Upgrade: pre_upgrade, a fresh instance carrying stable memory, post_upgrade with a new greeting.
  k.run(I, k.inv(EntryKind::PreUpgrade, "", {}));
  Image stable = I.image();
  auto upgraded = Instance::create(*module, &stable).value();
  k.run(*upgraded, k.inv(EntryKind::PostUpgrade, "", k.enc("(opt \"Hey, \")", {candid::text::parse_type("opt text", k.did).value()})));
  CHECK(k.query(*upgraded, "greet", "(\"up\")") == "(\"Hey, up!\")");
  CHECK(k.query(*upgraded, "lookup", "(29 : nat64)") == "(opt \"value 29\")");
  CHECK(k.query(*upgraded, "counter", "()") == "(0 : nat64)");  // heap state starts over
  CHECK(k.query(*upgraded, "timer_stats", "()").find("upgrades = 1 : nat64") != std::string::npos);

  // A trapping update leaves no trace; take_changes lists only what committed messages wrote.
  (void)upgraded->take_changes();
  ExecResult bad = upgraded->execute(k.inv(EntryKind::Update, "increment", ic::Bytes{'D', 'I', 'D', 'L'}));
  CHECK(bad.outcome == Outcome::Trapped);
  CHECK(upgraded->take_changes().heap_pages.empty());
  CHECK(k.update(*upgraded, "increment", "(1 : nat64)") == "(1 : nat64)");
  Changes c = upgraded->take_changes();
  CHECK_FALSE(c.heap_pages.empty());
  CHECK(c.heap_pages.size() < 16);
}
