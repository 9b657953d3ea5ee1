// exec_bench: wasm instructions per second through replica::exec, the instrumentation's overhead against
// the uninstrumented libwabt interpreter, per-message overhead, and module compile cost. Prints figures.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "replica/exec/engine.h"
#include "replica/exec/internal.h"
#include "replica/exec/vm.h"

using namespace replica::exec;

namespace {

// Two loops of 10M iterations: pure arithmetic (an LCG), and a store into a 64 KiB window (16 pages
// dirty per message: the worst case for the store instrumentation).
const char* kWorkload = R"((module
  (memory 2)
  (global $acc (mut i64) (i64.const 0))
  (func $calc (export "calc") (export "canister_update calc")
    (local $i i32) (local $x i64)
    (local.set $x (i64.const 1))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (i32.const 10000000)))
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
      (global.set $acc (i64.add (global.get $acc) (i64.shr_u (local.get $x) (i64.const 33))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func $mem (export "mem") (export "canister_update mem")
    (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (i32.const 10000000)))
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 65532)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "canister_update tiny") (global.set $acc (i64.add (global.get $acc) (i64.const 1))))
))";

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main() {
  std::vector<uint8_t> bin;
  std::string err = vm::wat_to_wasm(kWorkload, &bin);
  if (!err.empty()) {
    std::fprintf(stderr, "wat: %s\n", err.c_str());
    return 1;
  }
  auto m = Module::compile(bin);
  if (!m) {
    std::fprintf(stderr, "compile: %s\n", m.error().message.c_str());
    return 1;
  }
  auto inst = Instance::create(*m).value();
  std::printf("replica::exec benchmark (libwabt %s interpreter, one core)\n", "1.0.32");
  for (const char* name : {"calc", "mem"}) {
    // Best of 3 (the machine is shared: the minimum is the least disturbed run).
    double plain = 1e9, t = 1e9;
    ExecResult r;
    for (int rep = 0; rep < 3; ++rep) {
      double p = 0;
      err = vm::run_uninstrumented(bin, name, &p);
      if (!err.empty()) {
        std::fprintf(stderr, "plain %s: %s\n", name, err.c_str());
        return 1;
      }
      plain = std::min(plain, p);
      Invocation inv;
      inv.kind = EntryKind::Update;
      inv.method = name;
      double t0 = now();
      r = inst->execute(inv);
      t = std::min(t, now() - t0);
      if (!r.ok()) {
        std::fprintf(stderr, "%s: %s\n", name, r.message.c_str());
        return 1;
      }
    }
    std::printf("%-5s %11llu instructions counted, %.3f s -> %.1f M instructions/s; uninstrumented %.3f s, "
                "instrumentation overhead %+.0f%%\n",
                name, static_cast<unsigned long long>(r.instructions), t, r.instructions / t / 1e6, plain,
                (t / plain - 1) * 100);
  }
  {
    Invocation inv;
    inv.kind = EntryKind::Update;
    inv.method = "tiny";
    const int n = 20000;
    double t0 = now();
    for (int i = 0; i < n; ++i)
      if (!inst->execute(inv).ok()) return 1;
    double t = now() - t0;
    std::printf("tiny update: %.0f executions/s (%.1f us each: engine overhead per message incl. commit)\n", n / t,
                t / n * 1e6);
  }
  namespace fs = std::filesystem;
  fs::path kit = fs::path(HUBCTL_BUILD_DIR) / "wasm" / "kit_test.wasm";
  if (fs::exists(kit)) {
    std::ifstream in(kit, std::ios::binary);
    ic::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    double t0 = now();
    auto km = Module::compile(bytes);
    double t = now() - t0;
    if (km) {
      size_t inst_size = vm::instrumented_size(*(*km)->impl().code);
      std::printf("kit_test.wasm: %zu bytes, compiled (validate + instrument + load) in %.1f ms, instrumented "
                  "binary %zu bytes (%+.0f%%)\n",
                  bytes.size(), t * 1e3, inst_size, (double(inst_size) / bytes.size() - 1) * 100);
      t0 = now();
      const int n = 50;
      for (int i = 0; i < n; ++i) (void)Instance::create(*km).value();
      std::printf("kit_test.wasm: instance creation %.2f ms\n", (now() - t0) / n * 1e3);
    }
  }
  return 0;
}
