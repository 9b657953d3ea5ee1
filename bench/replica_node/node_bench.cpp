// replica::Node throughput: updates/s (submit + await, fsync on) and queries/s through the Node API, and
// start-up time with 100 canisters on disk. Uses the scripted runtime of tests/replica_node (node
// overhead: rounds, certification, BLS signing, commits), so wasm interpretation is not included.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "fake_runtime.h"
#include "replica/node/node.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "candid/types.h"

namespace fs = std::filesystem;
static uint32_t candid_hash(const char* s) { return candid::field_hash(s); }
using clk = std::chrono::steady_clock;

static std::shared_ptr<fake::Runtime> runtime() {
  auto rt = std::make_shared<fake::Runtime>();
  fake::Program p;
  p.updates["inc"] = [](fake::State& s, const fake::Invocation&) { return fake::reply(s.heap["n"] += "x"); };
  p.queries["get"] = [](fake::State& s, const fake::Invocation&) { return fake::reply(std::to_string(s.heap["n"].size())); };
  rt->programs["c"] = p;
  return rt;
}

int main() {
  fs::path dir = fs::temp_directory_path() / "hubctl-node-bench";
  fs::remove_all(dir);
  auto rt = runtime();
  replica::NodeConfig cfg;
  cfg.state_dir = dir;
  cfg.runtime = rt;
  cfg.fsync = true;
  auto node = replica::Node::open(cfg).value();
  uint64_t n = 0;
  auto submit = [&](const ic::Principal& to, const std::string& method, ic::Bytes arg) {
    replica::IngressMessage m;
    m.request_id = ic::sha256("bench " + std::to_string(n++));
    m.sender = ic::Principal::anonymous();
    m.canister_id = to;
    m.effective_canister_id = to;
    m.method = method;
    m.arg = std::move(arg);
    (void)node->submit(m);
    return m.request_id;
  };
  // 100 canisters with the module installed (DIDL-free fake args: the management canister needs Candid).
  auto blob = [](const std::string& s) {
    ic::Bytes b{'D', 'I', 'D', 'L', 1, 0x6c, 0};
    (void)s;
    return b;
  };
  (void)blob;
  std::vector<ic::Principal> ids;
  for (int i = 0; i < 100; ++i) {
    // provisional_create_canister_with_cycles(record {}) = DIDL 01 6c 00 01 00
    auto rid = submit(ic::Principal::management(), "provisional_create_canister_with_cycles", {'D', 'I', 'D', 'L', 1, 0x6c, 0, 1, 0});
    node->await_certificate(rid, std::chrono::seconds(10));
    ids.push_back(ic::Principal::from_canister_index(i));
  }
  for (auto& id : ids) {
    // install_code(record { mode = install; canister_id; wasm_module = "FAKE:c"; arg = "" }) built by hand.
    ic::Bytes a{'D', 'I', 'D', 'L', 3, 0x6b, 1};
    auto leb = [&](uint32_t v) {
      do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        a.push_back(b | (v ? 0x80 : 0));
      } while (v);
    };
    // type 0: variant { install : null } ; type 1: vec nat8 ; type 2: record { arg; canister_id; mode; wasm_module }
    leb(candid_hash("install")); a.push_back(0x7f);
    a.push_back(0x6d); a.push_back(0x7b);
    a.push_back(0x6c); a.push_back(4);
    struct F { uint32_t h; int t; };
    std::vector<F> fields = {{candid_hash("arg"), 1}, {candid_hash("canister_id"), -24}, {candid_hash("mode"), 0}, {candid_hash("wasm_module"), 1}};
    std::sort(fields.begin(), fields.end(), [](const F& x, const F& y) { return x.h < y.h; });
    for (auto& f : fields) { leb(f.h); if (f.t < 0) a.push_back(0x68); else a.push_back(static_cast<uint8_t>(f.t)); }
    a.push_back(1); a.push_back(2);
    for (auto& f : fields) {
      if (f.h == candid_hash("arg")) a.push_back(0);
      else if (f.h == candid_hash("canister_id")) { a.push_back(1); a.push_back(static_cast<uint8_t>(id.bytes().size())); a.insert(a.end(), id.bytes().begin(), id.bytes().end()); }
      else if (f.h == candid_hash("mode")) a.push_back(0);
      else { std::string w = "FAKE:c"; a.push_back(static_cast<uint8_t>(w.size())); a.insert(a.end(), w.begin(), w.end()); }
    }
    auto rid = submit(ic::Principal::management(), "install_code", a);
    node->await_certificate(rid, std::chrono::seconds(10));
  }
  // Updates: 8 client threads, each submit + await in a loop, for ~3 s.
  std::atomic<uint64_t> done{0};
  std::mutex nmu;
  auto t0 = clk::now();
  std::vector<std::thread> th;
  for (int t = 0; t < 8; ++t)
    th.emplace_back([&, t] {
      while (clk::now() - t0 < std::chrono::seconds(3)) {
        ic::Hash256 rid;
        {
          std::lock_guard g(nmu);
          rid = submit(ids[t], "inc", {});
        }
        if (node->await_certificate(rid, std::chrono::seconds(10))) ++done;
      }
    });
  for (auto& x : th) x.join();
  double secs = std::chrono::duration<double>(clk::now() - t0).count();
  std::printf("updates/s (Node API, fsync on, 8 clients, scripted runtime): %.0f\n", done / secs);
  t0 = clk::now();
  uint64_t q = 0;
  while (clk::now() - t0 < std::chrono::seconds(2)) {
    node->query(ic::Principal::anonymous(), ids[q % ids.size()], "get", {});
    ++q;
  }
  secs = std::chrono::duration<double>(clk::now() - t0).count();
  std::printf("queries/s (Node API, one thread, scripted runtime): %.0f\n", q / secs);
  node.reset();
  t0 = clk::now();
  auto again = replica::Node::open(cfg).value();
  std::printf("start-up with 100 canisters on disk: %.1f ms\n", std::chrono::duration<double, std::milli>(clk::now() - t0).count());
  again.reset();
  fs::remove_all(dir);
}
