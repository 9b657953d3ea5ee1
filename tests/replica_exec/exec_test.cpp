// replica::exec: validation, instruction counting, System API, rollback and persistence deltas, on small
// WAT modules, plus the real kit_test canister (build-dir/wasm/kit_test.wasm) when the wasm build is on.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "replica/exec/engine.h"
#include "replica/exec/vm.h"

using namespace replica::exec;

namespace {

ic::Bytes wasm(const std::string& wat, const std::vector<std::string>& extra = {}) {
  std::vector<uint8_t> out;
  std::string err = vm::wat_to_wasm(wat, &out, extra);
  INFO(err);
  REQUIRE(err.empty());
  return out;
}

std::string compile_error(const ic::Bytes& bytes, const ModuleLimits& limits = {}) {
  auto m = Module::compile(bytes, limits);
  if (m.ok()) return "";
  CHECK(m.error().code == ic::Errc::invalid_input);
  return m.error().message;
}

ic::Bytes le32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
uint32_t rd32(const ic::Bytes& b, size_t at = 0) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
uint64_t rd64(const ic::Bytes& b, size_t at = 0) { return uint64_t(rd32(b, at)) | uint64_t(rd32(b, at + 4)) << 32; }

const char* kTestModule = R"((module
  (import "ic0" "msg_reply" (func $reply))
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
  (import "ic0" "trap" (func $trap (param i32 i32)))
  (import "ic0" "stable64_size" (func $ssize (result i64)))
  (import "ic0" "stable64_grow" (func $sgrow (param i64) (result i64)))
  (import "ic0" "stable64_write" (func $swrite (param i64 i64 i64)))
  (import "ic0" "stable64_read" (func $sread (param i64 i64 i64)))
  (import "ic0" "performance_counter" (func $perf (param i32) (result i64)))
  (import "ic0" "accept_message" (func $accept))
  (import "ic0" "call_new" (func $call_new (param i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "ic0" "call_data_append" (func $call_data (param i32 i32)))
  (import "ic0" "call_cycles_add128" (func $call_cycles (param i64 i64)))
  (import "ic0" "call_perform" (func $call_perform (result i32)))
  (import "ic0" "msg_cycles_accept128" (func $accept128 (param i64 i64 i32)))
  (import "ic0" "debug_print" (func $print (param i32 i32)))
  (import "ic0" "certified_data_set" (func $cert (param i32 i32)))
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 7))
  (table 4 funcref)
  (elem (i32.const 1) $cb)
  (data (i32.const 500) "\00\00\00\00\00\00\00\00\01\01")
  (data (i32.const 520) "m")
  (data (i32.const 530) "abc")
  (data (i32.const 540) "boom")
  (start $start)
  (func $start (i32.store (i32.const 800) (i32.add (i32.load (i32.const 800)) (i32.const 1))))
  (func $arg_i32 (result i32) (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4)) (i32.load (i32.const 0)))
  (func $set (local $v i32) (local.set $v (call $arg_i32)) (i32.store (i32.const 100) (local.get $v)) (global.set $g (local.get $v)))
  (func (export "canister_update set") (call $set) (call $reply))
  (func (export "canister_update set_trap") (call $set) (call $trap (i32.const 540) (i32.const 4)))
  (func (export "canister_query get")
    (i32.store (i32.const 200) (global.get $g))
    (call $append (i32.const 100) (i32.const 4))
    (call $append (i32.const 200) (i32.const 4))
    (call $reply))
  (func (export "canister_query set_in_query") (call $set) (call $reply))
  (func (export "canister_update grow_trap")
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.const 131082) (i32.const 99))
    (call $set)
    unreachable)
  (func (export "canister_update grow") (drop (memory.grow (i32.const 1))) (call $reply))
  (func (export "canister_query size") (i32.store (i32.const 0) (memory.size)) (call $append (i32.const 0) (i32.const 4)) (call $reply))
  (func $stable_set
    (if (i64.eqz (call $ssize)) (then (drop (call $sgrow (i64.const 1)))))
    (call $arg_copy (i32.const 0) (i32.const 0) (i32.const 4))
    (call $swrite (i64.const 8) (i64.const 0) (i64.const 4)))
  (func (export "canister_update stable_set") (call $stable_set) (call $reply))
  (func (export "canister_update stable_set_trap") (call $stable_set) (drop (call $sgrow (i64.const 3))) unreachable)
  (func (export "canister_query stable_get")
    (i64.store (i32.const 300) (call $ssize))
    (call $sread (i64.const 308) (i64.const 8) (i64.const 4))
    (call $append (i32.const 300) (i32.const 12))
    (call $reply))
  (func (export "canister_update loop") (local $i i32) (local $n i32)
    (local.set $n (call $arg_i32))
    (block $done
      (loop $l
        local.get $i local.get $n i32.ge_u br_if $done
        local.get $i i32.const 1 i32.add local.set $i
        br $l))
    (i64.store (i32.const 400) (call $perf (i32.const 0)))
    (call $append (i32.const 400) (i32.const 8))
    (call $reply))
  (func (export "canister_update reply_twice") (call $reply) (call $reply))
  (func (export "canister_update accept_in_update") (call $accept) (call $reply))
  (func (export "canister_query call_in_query")
    (call $call_new (i32.const 500) (i32.const 10) (i32.const 520) (i32.const 1) (i32.const 1) (i32.const 42) (i32.const 1) (i32.const 43)))
  (func (export "canister_update call")
    (call $call_new (i32.const 500) (i32.const 10) (i32.const 520) (i32.const 1) (i32.const 1) (i32.const 42) (i32.const 2) (i32.const 43))
    (call $call_data (i32.const 530) (i32.const 3))
    (call $call_cycles (i64.const 0) (i64.const 1000))
    (drop (call $call_perform))
    (call $reply))
  (func (export "canister_update accept")
    (call $accept128 (i64.const 1) (i64.const 0) (i32.const 600))
    (call $append (i32.const 600) (i32.const 16))
    (call $reply))
  (func (export "canister_update straddle") (i64.store (i32.const 4092) (i64.const -1)) (call $reply))
  (func (export "canister_update fill") (memory.fill (i32.const 8192) (i32.const 171) (i32.const 8192)) (call $reply))
  (func (export "canister_update fill_trap") (memory.fill (i32.const 8192) (i32.const 171) (i32.const 8192)) unreachable)
  (func (export "canister_query read_fill") (call $append (i32.const 8192) (i32.const 1)) (call $append (i32.const 16383) (i32.const 1)) (call $reply))
  (func (export "canister_update print_trap") (call $print (i32.const 530) (i32.const 3)) unreachable)
  (func (export "canister_update cert") (call $cert (i32.const 530) (i32.const 3)) (call $reply))
  (func (export "canister_query cert_in_query") (call $cert (i32.const 530) (i32.const 3)) (call $reply))
  (func (export "canister_update cert_too_long") (call $cert (i32.const 0) (i32.const 33)) (call $reply))
  (func (export "canister_query start_count") (call $append (i32.const 800) (i32.const 4)) (call $reply))
  (func (export "canister_update deep") (call $recurse (i32.const 100000)) (call $reply))
  (func (export "canister_update oob") (drop (i32.load (i32.const 1000000))))
  (func $recurse (param i32) (if (local.get 0) (then (call $recurse (i32.sub (local.get 0) (i32.const 1))))))
  (func $cb (param $env i32) (i32.store (i32.const 700) (local.get $env)) (call $append (i32.const 700) (i32.const 4)) (call $reply))
))";

struct Fixture {
  std::shared_ptr<const Module> module;
  std::unique_ptr<Instance> inst;
  Fixture() {
    auto m = Module::compile(wasm(kTestModule));
    INFO((m.ok() ? "" : m.error().message));
    REQUIRE(m.ok());
    module = *m;
    auto i = Instance::create(module);
    INFO((i.ok() ? "" : i.error().message));
    REQUIRE(i.ok());
    inst = std::move(i).value();
  }
  ExecResult run(EntryKind kind, const std::string& method, ic::Bytes arg = {}, uint64_t limit = 1'000'000'000) {
    Invocation inv;
    inv.kind = kind;
    inv.method = method;
    inv.arg = std::move(arg);
    inv.instruction_limit = limit;
    inv.self = ic::Principal::from_canister_index(7);
    return inst->execute(inv);
  }
  ExecResult update(const std::string& m, ic::Bytes arg = {}) { return run(EntryKind::Update, m, std::move(arg)); }
  ExecResult query(const std::string& m, ic::Bytes arg = {}) { return run(EntryKind::NonReplicatedQuery, m, std::move(arg)); }
  // (mem[100], global $g)
  std::pair<uint32_t, uint32_t> state() {
    auto r = query("get");
    REQUIRE(r.ok());
    REQUIRE(r.reply);
    REQUIRE(r.reply->size() == 8);
    return {rd32(*r.reply, 0), rd32(*r.reply, 4)};
  }
};

}  // namespace

TEST_CASE("exec: modules are validated like mainnet does") {
  CHECK(compile_error(wasm(R"((module (import "env" "foo" (func))))")).find("env.foo") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (import "ic0" "msg_reply" (func (param i32)))))")).find("System API defines") !=
        std::string::npos);
  CHECK(compile_error(wasm(R"((module (import "ic0" "nope" (func))))")).find("not a System API function") !=
        std::string::npos);
  CHECK(compile_error(wasm(R"((module (import "ic0" "memory" (memory 1))))")).find("non-function") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (memory 1 1 shared)))", {"threads"})).find("threads") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (memory i64 1)))", {"memory64"})).find("memory64") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (memory 1) (memory 1)))", {"multi_memory"})).find("multi-memory") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (func $f return_call $f)))", {"tail_call"})).find("tail calls") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (tag $t) (func (throw $t))))", {"exceptions"})).find("exception") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (func (export "canister_foo"))))")).find("canister_foo") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (func (export "canister_update a")) (func (export "canister_query a"))))"))
            .find("more than once") != std::string::npos);
  CHECK(compile_error(wasm(R"((module (func (export "canister_update x") (param i32))))")).find("() -> ()") !=
        std::string::npos);
  CHECK(compile_error(wasm(R"((module (memory (export "canister_query m") 1)))")).find("not a function") != std::string::npos);
  CHECK(compile_error(ic::Bytes{'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0}).find("not a wasm module") != std::string::npos);
  CHECK(compile_error(ic::Bytes{0, 'a', 's', 'm', 1, 0, 0, 0, 1, 9}).find("truncated") != std::string::npos);
  ModuleLimits small;
  small.max_functions = 1;
  CHECK(compile_error(wasm("(module (func) (func))"), small).find("functions") != std::string::npos);
  small = {};
  small.max_exported_methods = 1;
  CHECK(compile_error(wasm(R"((module (func (export "canister_update a")) (func (export "canister_update b"))))"), small)
            .find("methods") != std::string::npos);
  // What mainnet accepts: SIMD, bulk memory, reference types, multi-value, sign-ext, sat float-to-int.
  CHECK(compile_error(wasm(R"((module (memory 1)
      (func (result i32 i32) (i32.const 1) (i32.const 2))
      (func (drop (i32.extend8_s (i32.const 1))) (drop (i32.trunc_sat_f32_s (f32.const 1)))
            (memory.fill (i32.const 0) (i32.const 0) (i32.const 1)) (v128.store (i32.const 0) (v128.const i64x2 1 2))
            (drop (ref.null extern)))))")) == "");
}

TEST_CASE("exec: custom sections and gzip") {
  ic::Bytes base = wasm(R"((module (func (export "canister_query q"))))");
  auto section = [](const std::string& name, const std::string& content) {
    ic::Bytes s{0x00};
    ic::Bytes body;
    body.push_back(uint8_t(name.size()));
    body.insert(body.end(), name.begin(), name.end());
    body.insert(body.end(), content.begin(), content.end());
    s.push_back(uint8_t(body.size()));
    s.insert(s.end(), body.begin(), body.end());
    return s;
  };
  ic::Bytes with = base;
  for (auto b : section("icp:public candid:service", "service : {}")) with.push_back(b);
  for (auto b : section("icp:private secret", "x")) with.push_back(b);
  for (auto b : section("name", "ignored")) with.push_back(b);
  auto m = Module::compile(with);
  REQUIRE(m.ok());
  CHECK((*m)->public_metadata().at("candid:service") == ic::Bytes{'s', 'e', 'r', 'v', 'i', 'c', 'e', ' ', ':', ' ', '{', '}'});
  CHECK((*m)->private_metadata().count("secret") == 1);
  CHECK((*m)->query_methods() == std::set<std::string>{"q"});
  ic::Bytes bad = base;
  for (auto b : section("icp:other x", "")) bad.push_back(b);
  CHECK(compile_error(bad).find("icp:other x") != std::string::npos);
  ic::Bytes dup = base;
  for (auto b : section("icp:public a", "1")) dup.push_back(b);
  for (auto b : section("icp:private a", "2")) dup.push_back(b);
  CHECK(compile_error(dup).find("twice") != std::string::npos);

  // gzip: accepted; the hash is of the uploaded (compressed) bytes.
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  ic::Bytes gz(1024);
  zs.next_in = with.data();
  zs.avail_in = uInt(with.size());
  zs.next_out = gz.data();
  zs.avail_out = uInt(gz.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  auto mg = Module::compile(gz);
  REQUIRE(mg.ok());
  CHECK((*mg)->hash() == ic::sha256(gz));
  CHECK((*mg)->wasm_size() == gz.size());
  CHECK((*mg)->public_metadata().count("candid:service") == 1);
  ic::Bytes truncated(gz.begin(), gz.begin() + gz.size() / 2);
  CHECK(compile_error(truncated).find("gzip") != std::string::npos);
}

TEST_CASE("exec: updates reply and keep state; queries roll back") {
  Fixture f;
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{0, 7});
  auto r = f.update("set", le32(41));
  REQUIRE(r.ok());
  CHECK(r.reply == ic::Bytes{});
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{41, 41});
  auto q = f.query("set_in_query", le32(5));
  REQUIRE(q.ok());
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{41, 41});
  // A replicated query also runs without effect.
  CHECK(f.run(EntryKind::ReplicatedQuery, "set_in_query", le32(6)).ok());
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{41, 41});
  auto missing = f.update("nope");
  CHECK(missing.outcome == Outcome::Trapped);
  CHECK(missing.message.find("no update method 'nope'") != std::string::npos);
}

TEST_CASE("exec: a trap rolls back heap, globals and stable memory") {
  Fixture f;
  REQUIRE(f.update("set", le32(3)).ok());
  REQUIRE(f.update("stable_set", le32(0xabcd)).ok());
  auto t = f.update("set_trap", le32(9));
  CHECK(t.outcome == Outcome::Trapped);
  CHECK(t.message == "Canister called `ic0.trap` with message: 'boom'");
  CHECK_FALSE(t.reply);
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{3, 3});

  auto st = f.update("stable_set_trap", le32(0x1111));
  CHECK(st.outcome == Outcome::Trapped);
  CHECK(st.message == "Canister trapped: unreachable");
  auto sg = f.query("stable_get");
  REQUIRE(sg.ok());
  CHECK(rd64(*sg.reply, 0) == 1);  // stable64_grow(3) undone
  CHECK(rd32(*sg.reply, 8) == 0xabcd);
  CHECK(f.inst->stable_bytes() == 65536);

  // After memory.grow: the heap shrinks back to its committed size and content.
  auto g = f.update("grow_trap", le32(77));
  CHECK(g.outcome == Outcome::Trapped);
  CHECK(f.inst->heap_bytes() == 65536);
  auto size = f.query("size");
  REQUIRE(size.ok());
  CHECK(rd32(*size.reply) == 1);
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{3, 3});
  CHECK(rd32(*f.query("start_count").reply) == 1);  // the start function did not run again
  // The instance still works and can grow for real.
  REQUIRE(f.update("grow").ok());
  CHECK(f.inst->heap_bytes() == 2 * 65536);
  REQUIRE(f.update("set", le32(12)).ok());
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{12, 12});

  // Bulk memory writes are rolled back too.
  CHECK(f.update("fill_trap").outcome == Outcome::Trapped);
  CHECK(*f.query("read_fill").reply == ic::Bytes{0, 0});
  REQUIRE(f.update("fill").ok());
  CHECK(*f.query("read_fill").reply == ic::Bytes{0xab, 0xab});

  // Other traps.
  auto oob = f.update("oob");
  CHECK(oob.outcome == Outcome::Trapped);
  CHECK(oob.message.find("heap out of bounds") != std::string::npos);
  auto p = f.update("print_trap");
  CHECK(p.debug_prints == std::vector<std::string>{"abc"});  // kept on failure
  // Documented difference: the interpreter's call depth is limited.
  auto deep = f.update("deep");
  CHECK(deep.outcome == Outcome::Trapped);
  CHECK(deep.message.find("stack overflow") != std::string::npos);
}

TEST_CASE("exec: instruction counting and the limit") {
  Fixture f;
  auto r0 = f.update("loop", le32(0));
  auto r1 = f.update("loop", le32(1000));
  REQUIRE(r0.ok());
  REQUIRE(r1.ok());
  // 9 instructions per iteration (2 segments: get,get,ge_u,br_if | get,const,add,set,br).
  CHECK(r1.instructions - r0.instructions == 9000);
  uint64_t perf = rd64(*r1.reply);
  CHECK(perf > 9000);
  CHECK(perf <= r1.instructions);
  auto lim = f.run(EntryKind::Update, "loop", le32(1'000'000), 5000);
  CHECK(lim.outcome == Outcome::InstructionLimit);
  CHECK(lim.instructions == 5000);
  CHECK(lim.message.find("exceeded the limit of 5000 instructions") != std::string::npos);
  CHECK_FALSE(lim.reply);
}

TEST_CASE("exec: System API contexts and misuse") {
  Fixture f;
  auto twice = f.update("reply_twice");
  CHECK(twice.outcome == Outcome::ContractViolation);
  CHECK(twice.message.find("ic0.msg_reply") != std::string::npos);
  auto acc = f.update("accept_in_update");
  CHECK(acc.outcome == Outcome::ContractViolation);
  CHECK(acc.message.find("ic0.accept_message cannot be called in an update method") != std::string::npos);
  auto call = f.query("call_in_query");
  CHECK(call.outcome == Outcome::ContractViolation);
  CHECK(call.message.find("ic0.call_new cannot be called in a non-replicated query") != std::string::npos);
  auto cert = f.update("cert");
  REQUIRE(cert.ok());
  CHECK(cert.certified_data == ic::Bytes{'a', 'b', 'c'});
  auto long_cert = f.update("cert_too_long");
  CHECK(long_cert.outcome == Outcome::Trapped);
  CHECK_FALSE(long_cert.certified_data);
  // certified_data_set is not available in queries.
  Invocation inv;
  inv.kind = EntryKind::NonReplicatedQuery;
  inv.method = "cert_in_query";
  CHECK(f.inst->execute(inv).outcome == Outcome::ContractViolation);
}

TEST_CASE("exec: calls, callbacks and cycles") {
  Fixture f;
  Invocation inv;
  inv.kind = EntryKind::Update;
  inv.method = "call";
  inv.balance = 10'000;
  inv.liquid_balance = 5'000;
  auto r = f.inst->execute(inv);
  REQUIRE(r.ok());
  REQUIRE(r.calls.size() == 1);
  const OutgoingCall& c = r.calls[0];
  CHECK(c.callee == ic::Principal::from_canister_index(0));
  CHECK(c.method == "m");
  CHECK(c.arg == ic::Bytes{'a', 'b', 'c'});
  CHECK(c.cycles == 1000);
  CHECK(c.on_reply.fun == 1);
  CHECK(c.on_reply.env == 42);
  CHECK(c.on_reject.fun == 2);
  CHECK(c.on_reject.env == 43);
  // Not enough liquid cycles to attach: trap, no call.
  inv.liquid_balance = 999;
  auto poor = f.inst->execute(inv);
  CHECK(poor.outcome == Outcome::Trapped);
  CHECK(poor.calls.empty());

  Invocation cb;
  cb.kind = EntryKind::ReplyCallback;
  cb.callback = {1, 42};
  auto rc = f.inst->execute(cb);
  REQUIRE(rc.ok());
  CHECK(rc.reply == le32(42));
  cb.callback = {3, 0};  // a null table entry
  CHECK(f.inst->execute(cb).outcome == Outcome::Trapped);

  Invocation acc;
  acc.kind = EntryKind::Update;
  acc.method = "accept";
  acc.cycles_available = (Cycles(1) << 64) + 5;
  auto a = f.inst->execute(acc);
  REQUIRE(a.ok());
  CHECK(a.cycles_accepted == (Cycles(1) << 64));  // min(max = 2^64, available)
  ic::Bytes want(16, 0);
  want[8] = 1;  // 2^64 as 16 little-endian bytes
  CHECK(*a.reply == want);
}

TEST_CASE("exec: take_changes lists exactly the pages written") {
  Fixture f;
  (void)f.inst->take_changes();
  REQUIRE(f.update("set", le32(1)).ok());  // arg copied to 0, stored at 100: page 0
  auto c = f.inst->take_changes();
  CHECK(c.heap_bytes == 65536);
  CHECK(c.heap_pages.size() == 1);
  CHECK(c.heap_pages.count(0) == 1);
  CHECK(c.globals.size() == 1);
  CHECK(c.globals[0] == 1);
  REQUIRE(f.update("straddle").ok());  // 8 bytes at 4092: pages 0 and 1
  c = f.inst->take_changes();
  CHECK(c.heap_pages.size() == 2);
  CHECK(c.heap_pages.count(0) == 1);
  CHECK(c.heap_pages.count(1) == 1);
  REQUIRE(f.update("fill").ok());  // 8192..16383: pages 2 and 3
  c = f.inst->take_changes();
  std::set<uint64_t> pages;
  for (auto& [k, v] : c.heap_pages) pages.insert(k);
  CHECK(pages == std::set<uint64_t>{2, 3});
  CHECK(c.heap_pages[2][0] == 0xab);
  // Failed executions and queries leave nothing.
  CHECK_FALSE(f.update("set_trap", le32(5)).ok());
  REQUIRE(f.query("set_in_query", le32(5)).ok());
  c = f.inst->take_changes();
  CHECK(c.heap_pages.empty());
  CHECK(c.stable_pages.empty());
  REQUIRE(f.update("stable_set", le32(9)).ok());
  c = f.inst->take_changes();
  CHECK(c.stable_bytes == 65536);
  CHECK(c.stable_pages.size() == 1);
  CHECK(c.stable_pages.count(0) == 1);
  CHECK(c.stable_pages[0][8] == 9);
}

TEST_CASE("exec: image and restore round trip") {
  Fixture f;
  REQUIRE(f.update("grow").ok());
  REQUIRE(f.update("set", le32(1234)).ok());
  REQUIRE(f.update("stable_set", le32(99)).ok());
  Image img = f.inst->image();
  CHECK(img.heap_bytes == 2 * 65536);
  CHECK(img.stable_bytes == 65536);
  auto r = Instance::restore(f.module, img);
  REQUIRE(r.ok());
  f.inst = std::move(r).value();
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{1234, 1234});
  CHECK(f.inst->heap_bytes() == 2 * 65536);
  CHECK(rd32(*f.query("start_count").reply) == 1);
  CHECK(rd32(*f.query("stable_get").reply, 8) == 99);
  // Stable memory carried into a fresh instance (upgrade): heap starts over.
  Image stable = img;
  stable.heap_pages.clear();
  stable.heap_bytes = 0;
  stable.globals.clear();
  auto up = Instance::create(f.module, &stable);
  REQUIRE(up.ok());
  f.inst = std::move(up).value();
  CHECK(f.state() == std::pair<uint32_t, uint32_t>{0, 7});
  CHECK(rd32(*f.query("stable_get").reply, 8) == 99);
}

TEST_CASE("exec: wasm_memory_limit makes memory.grow return -1") {
  Fixture f;
  Invocation inv;
  inv.kind = EntryKind::Update;
  inv.method = "grow";
  inv.wasm_memory_limit = 65536;
  REQUIRE(f.inst->execute(inv).ok());
  CHECK(f.inst->heap_bytes() == 65536);
  inv.wasm_memory_limit = 0;
  REQUIRE(f.inst->execute(inv).ok());
  CHECK(f.inst->heap_bytes() == 2 * 65536);
}

TEST_CASE("exec: the kit_test canister") {
  namespace fs = std::filesystem;
  fs::path p = fs::path(HUBCTL_BUILD_DIR) / "wasm" / "kit_test.wasm";
  if (!fs::exists(p)) {
    WARN("skipped: " << p << " is built with -DHUBCTL_BUILD_WASM=ON");
    return;
  }
  std::ifstream in(p, std::ios::binary);
  ic::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto m = Module::compile(bytes);
  INFO((m.ok() ? "" : m.error().message));
  REQUIRE(m.ok());
  CHECK((*m)->update_methods().count("increment") == 1);
  CHECK((*m)->query_methods().count("greet") == 1);
  CHECK((*m)->query_methods().count("counter") == 1);
  CHECK((*m)->exports("canister_init"));
  auto i = Instance::create(*m);
  REQUIRE(i.ok());
  // A query without any Candid argument is refused by the canister itself (a trap, rolled back).
  Invocation inv;
  inv.kind = EntryKind::NonReplicatedQuery;
  inv.method = "greet";
  auto r = (*i)->execute(inv);
  CHECK(r.outcome == Outcome::Trapped);
  CHECK(r.instructions > 0);
}
