// replica::exec edge cases found in review: memory.grow at the start of a straight-line segment, bulk
// memory charged by length, nesting too deep for the instrumentation, host-written pages and rollback.
#include <catch2/catch.hpp>

#include "replica/exec/engine.h"
#include "replica/exec/vm.h"

using namespace replica::exec;

namespace {

std::shared_ptr<const Module> module_of(const std::string& body) {
  std::string wat = R"((module
    (import "ic0" "msg_reply" (func $reply))
    (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
    (import "ic0" "msg_arg_data_copy" (func $arg_copy (param i32 i32 i32)))
    (import "ic0" "trap" (func $trap (param i32 i32)))
  )" + body + ")";
  std::vector<uint8_t> bin;
  std::string err = vm::wat_to_wasm(wat, &bin);
  INFO(err);
  REQUIRE(err.empty());
  auto m = Module::compile(ic::ByteView(bin.data(), bin.size()));
  INFO((m.ok() ? "" : m.error().message));
  REQUIRE(m.ok());
  return *m;
}

ExecResult run(Instance& in, EntryKind kind, const std::string& method, uint64_t limit = 1'000'000'000, ic::Bytes arg = {}) {
  Invocation inv;
  inv.kind = kind;
  inv.method = method;
  inv.instruction_limit = limit;
  inv.arg = std::move(arg);
  return in.execute(inv);
}

uint32_t rd32(const ic::Bytes& b, size_t at) {
  return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}

void leb(ic::Bytes& b, uint64_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    if (v) c |= 0x80;
    b.push_back(c);
  } while (v);
}

// A module whose only function nests `depth` empty blocks (built as bytes: WAT would be as deep).
ic::Bytes nested_blocks(int depth) {
  ic::Bytes w = {0, 'a', 's', 'm', 1, 0, 0, 0};
  auto section = [&](uint8_t id, const ic::Bytes& body) {
    w.push_back(id);
    leb(w, body.size());
    w.insert(w.end(), body.begin(), body.end());
  };
  section(1, {1, 0x60, 0, 0});
  section(3, {1, 0});
  ic::Bytes ex = {1};
  std::string name = "canister_update deep";
  leb(ex, name.size());
  ex.insert(ex.end(), name.begin(), name.end());
  ex.push_back(0);
  ex.push_back(0);
  section(7, ex);
  ic::Bytes body = {0};
  for (int i = 0; i < depth; ++i) body.insert(body.end(), {0x02, 0x40});
  body.insert(body.end(), depth + 1, 0x0b);
  ic::Bytes code = {1};
  leb(code, body.size());
  code.insert(code.end(), body.begin(), body.end());
  section(10, code);
  return w;
}

}  // namespace

TEST_CASE("exec edge: memory.grow that starts a straight-line segment") {
  // Both operands reach memory.grow from a structured instruction, so the grow opens a new segment.
  auto m = module_of(R"(
    (memory 1)
    (global $g (mut i32) (i32.const 0))
    (func (export "canister_update by_if")
      (global.set $g (memory.grow (if (result i32) (i32.eqz (global.get $g)) (then (i32.const 1)) (else (i32.const 2)))))
      (call $reply))
    (func (export "canister_update by_block_param")
      i32.const 1
      (block (param i32) (result i32) memory.grow)
      global.set $g
      (call $reply))
    (func (export "canister_query size")
      (i32.store (i32.const 0) (memory.size))
      (i32.store (i32.const 4) (global.get $g))
      (call $append (i32.const 0) (i32.const 8)) (call $reply)))");
  auto inst = Instance::create(m).value();
  auto r = run(*inst, EntryKind::Update, "by_if");
  INFO(r.message);
  REQUIRE(r.ok());
  r = run(*inst, EntryKind::Update, "by_block_param");
  REQUIRE(r.ok());
  r = run(*inst, EntryKind::NonReplicatedQuery, "size");
  REQUIRE(r.reply);
  CHECK(rd32(*r.reply, 0) == 3);  // 1 + 1 + 1 pages
  CHECK(rd32(*r.reply, 4) == 2);  // the second grow returned the old size 2
  CHECK(inst->heap_bytes() == 3 * 65536);
}

TEST_CASE("exec edge: bulk memory is charged by length and checked before it runs") {
  auto m = module_of(R"(
    (memory 100)
    (func (export "canister_update fill")
      (memory.fill (i32.const 0) (i32.const 7) (i32.const 6000000)) (call $reply))
    (func (export "canister_update copy")
      (memory.copy (i32.const 0) (i32.const 3000000) (i32.const 3000000)) (call $reply))
    (func (export "canister_query peek")
      (call $append (i32.const 0) (i32.const 4)) (call $reply)))");
  auto inst = Instance::create(m).value();
  auto r = run(*inst, EntryKind::Update, "fill", 100'000);
  CHECK(r.outcome == Outcome::InstructionLimit);
  CHECK(r.instructions == 100'000);
  r = run(*inst, EntryKind::NonReplicatedQuery, "peek");
  REQUIRE(r.reply);
  CHECK(rd32(*r.reply, 0) == 0);  // the fill never ran (and would have been rolled back)
  r = run(*inst, EntryKind::Update, "fill", 10'000'000);
  REQUIRE(r.ok());
  CHECK(r.instructions >= 6'000'000);
  CHECK(r.instructions < 6'000'100);
  r = run(*inst, EntryKind::Update, "copy", 10'000'000);
  REQUIRE(r.ok());
  CHECK(r.instructions >= 3'000'000);
  CHECK(r.instructions < 3'000'100);
  // The fill wrote 6 MB: every 4 KiB page of it is reported once.
  Changes c = inst->take_changes();
  CHECK(c.heap_pages.size() == (6'000'000 + 4095) / 4096);
}

TEST_CASE("exec edge: nesting deeper than the instrumentation supports is refused, not a crash") {
  auto ok = Module::compile(nested_blocks(2'000));
  REQUIRE(ok.ok());
  auto inst = Instance::create(*ok).value();
  auto r = run(*inst, EntryKind::Update, "deep");
  CHECK(r.ok());
  CHECK(r.instructions == 2'000);
  auto deep = Module::compile(nested_blocks(200'000));
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code == ic::Errc::invalid_input);
  CHECK_THAT(deep.error().message, Catch::Contains("nests blocks"));
}

TEST_CASE("exec edge: pages written by the host roll back and are reported") {
  auto m = module_of(R"(
    (memory 2)
    (func (export "canister_update copy_arg")
      (call $arg_copy (i32.const 8190) (i32.const 0) (i32.const 8)) (call $reply))
    (func (export "canister_update copy_arg_then_trap")
      (call $arg_copy (i32.const 40000) (i32.const 0) (i32.const 8)) (call $trap (i32.const 0) (i32.const 0)))
    (func (export "canister_query peek")
      (call $append (i32.const 40000) (i32.const 8)) (call $reply)))");
  auto inst = Instance::create(m).value();
  (void)inst->take_changes();
  ic::Bytes arg = {1, 2, 3, 4, 5, 6, 7, 8};
  REQUIRE(run(*inst, EntryKind::Update, "copy_arg", 1'000'000, arg).ok());
  Changes c = inst->take_changes();
  std::vector<uint64_t> pages;
  for (const auto& [p, _] : c.heap_pages) pages.push_back(p);
  CHECK(pages == std::vector<uint64_t>{1, 2});  // 8190..8197 straddles pages 1 and 2
  auto r = run(*inst, EntryKind::Update, "copy_arg_then_trap", 1'000'000, arg);
  CHECK(r.outcome == Outcome::Trapped);
  r = run(*inst, EntryKind::NonReplicatedQuery, "peek");
  REQUIRE(r.reply);
  CHECK(*r.reply == ic::Bytes(8, 0));
  CHECK(inst->take_changes().heap_pages.empty());
}
