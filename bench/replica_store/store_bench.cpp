// replica::store figures for BENCHMARKS.md. The store lives under $HUBCTL_BENCH_DIR (default: the system
// temp directory), so fsync costs are those of that file system. Run: build/bench/store_bench
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "replica/store/store.h"

namespace fs = std::filesystem;
using namespace replica::store;

namespace {

struct BenchDir {
  fs::path path;
  BenchDir() {
    const char* base = std::getenv("HUBCTL_BENCH_DIR");
    std::string tmpl = ((base ? fs::path(base) : fs::temp_directory_path()) / "hubctl-store-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::unique_ptr<Store> must_open(const fs::path& dir, const Options& o) {
  auto s = Store::open(dir, o);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
    std::abort();
  }
  return std::move(s).value();
}

void must(const ic::Status& st) {
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.error().to_string().c_str());
    std::abort();
  }
}

// One round of a busy canister: a 200-byte blob (its metadata record) and two dirty heap pages.
Batch small_batch(uint64_t i) {
  Batch b;
  b.put["canister/rwlgt-iiaaa-aaaaa-aaaaa-cai"] = ic::Bytes(200, uint8_t(i));
  auto& m = b.memories["heap/rwlgt-iiaaa-aaaaa-aaaaa-cai"];
  m.size_bytes = 64ull << 20;
  m.pages[i % 1000] = ic::Bytes(kPageSize, uint8_t(i));
  m.pages[1000 + i % 1000] = ic::Bytes(kPageSize, uint8_t(i + 1));
  return b;
}

void commit_small(benchmark::State& state, bool fsync) {
  BenchDir d;
  Options o;
  o.fsync = fsync;
  auto s = must_open(d.path, o);
  if (!s->load().ok()) std::abort();
  uint64_t i = 0;
  for (auto _ : state) must(s->commit(small_batch(i++)));
  state.SetItemsProcessed(static_cast<int64_t>(i));
  state.counters["journal_MiB"] = double(s->journal_bytes()) / (1 << 20);
}
void BM_CommitSmallBatch_Fsync(benchmark::State& state) { commit_small(state, true); }
void BM_CommitSmallBatch_NoFsync(benchmark::State& state) { commit_small(state, false); }
BENCHMARK(BM_CommitSmallBatch_Fsync)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CommitSmallBatch_NoFsync)->Unit(benchmark::kMicrosecond)->UseRealTime();

// 100 canisters with a 4 MiB heap each (every page non-zero) and a small blob each.
constexpr int kCanisters = 100;
constexpr uint64_t kMemBytes = 4ull << 20;

void fill(Store& s) {
  for (int c = 0; c < kCanisters; ++c) {
    Batch b;
    b.put["canister/" + std::to_string(c)] = ic::Bytes(300, uint8_t(c));
    auto& m = b.memories["heap/" + std::to_string(c)];
    m.size_bytes = kMemBytes;
    for (uint64_t p = 0; p < kMemBytes / kPageSize; ++p) m.pages[p] = ic::Bytes(kPageSize, uint8_t(c + p));
    must(s.commit(b));
  }
}

// from_checkpoint: the state was compacted (the usual case after a long run); otherwise it is all in
// the journal (the worst case: a node killed before its first compaction).
void load_100(benchmark::State& state, bool from_checkpoint) {
  BenchDir d;
  {
    Options o;
    o.fsync = false;
    auto s = must_open(d.path, o);
    fill(*s);
    if (from_checkpoint) {
      o.compact_after_journal_bytes = 0;
      s.reset();
      s = must_open(d.path, o);
      Batch b;
      b.put["marker"] = ic::Bytes(1, 1);
      must(s->commit(b));  // compacts first
    }
  }
  uint64_t pages = 0;
  for (auto _ : state) {
    auto s = must_open(d.path, Options{});
    auto c = s->load();
    if (!c.ok()) std::abort();
    pages = 0;
    for (const auto& [n, m] : c->memories) pages += m.pages.size();
    benchmark::DoNotOptimize(pages);
  }
  if (pages != kCanisters * kMemBytes / kPageSize) std::abort();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kCanisters * kMemBytes));
}
void BM_Load_100x4MiB_Checkpoint(benchmark::State& state) { load_100(state, true); }
void BM_Load_100x4MiB_Journal(benchmark::State& state) { load_100(state, false); }
BENCHMARK(BM_Load_100x4MiB_Checkpoint)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_Load_100x4MiB_Journal)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

// The stall of the round that triggers a compaction of 100 x 4 MiB (read, write, fsync, rename).
void BM_Compact_100x4MiB(benchmark::State& state) {
  BenchDir d;
  {
    Options o;
    o.fsync = false;
    auto s = must_open(d.path, o);
    fill(*s);
  }
  Options o;
  o.compact_after_journal_bytes = 0;
  auto s = must_open(d.path, o);
  uint64_t i = 0;
  for (auto _ : state) must(s->commit(small_batch(i++)));
}
BENCHMARK(BM_Compact_100x4MiB)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
