// kill -9 at random moments: a child process commits numbered batches (with fsync, compacting often)
// and reports each acknowledged number through a pipe; after every SIGKILL the parent reopens the store
// and checks that every acknowledged batch is there, that batches are atomic, and that it loads.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "store_support.h"

using namespace store_test;

namespace {

constexpr uint64_t kSlots = 512;   // blob "k<n % kSlots>" = n: the recent batches, each checkable
constexpr uint64_t kPages = 64;    // page n % kPages of memory "m" is written by batch n
constexpr uint64_t kFailed = ~0ull;

ic::Bytes u64_bytes(uint64_t v) {
  ic::Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
  return b;
}
uint64_t bytes_u64(const ic::Bytes& b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v |= uint64_t(b[i]) << (8 * i);
  return v;
}
ic::Bytes page_for(uint64_t n) {
  ic::Bytes p(kPageSize, uint8_t(n * 31));
  auto v = u64_bytes(n);
  std::copy(v.begin(), v.end(), p.begin());
  return p;
}

Options crash_options() {
  Options o;
  o.fsync = true;
  o.compact_after_journal_bytes = 24 * 1024;  // compact every few commits, so kills land in compactions
  return o;
}

[[noreturn]] void child_main(const fs::path& dir, int out) {
  auto report = [&](uint64_t v) {
    if (::write(out, &v, sizeof v) != sizeof v) ::_exit(3);
  };
  auto s = Store::open(dir, crash_options());
  if (!s.ok()) report(kFailed), ::_exit(1);
  auto c = (*s)->load();
  if (!c.ok()) report(kFailed), ::_exit(1);
  uint64_t n = c->blobs.count("n") ? bytes_u64(c->blobs.at("n")) : 0;
  for (;;) {
    ++n;
    Batch b;
    b.put["n"] = u64_bytes(n);
    b.put["k" + std::to_string(n % kSlots)] = u64_bytes(n);
    if (n % 3 == 0) b.erase.push_back("scratch");
    else b.put["scratch"] = ic::Bytes(200, uint8_t(n));
    auto& w = b.memories["m"];
    w.size_bytes = kPages * kPageSize;
    w.pages[n % kPages] = page_for(n);
    if (!(*s)->commit(b).ok()) report(kFailed), ::_exit(1);
    report(n);  // acknowledged: durable from here on
  }
}

// The state must be exactly batches 1..N applied, for the N it records.
uint64_t check_state(const Contents& c) {
  uint64_t n = c.blobs.count("n") ? bytes_u64(c.blobs.at("n")) : 0;
  for (uint64_t j = 0; j < kSlots; ++j) {
    auto it = c.blobs.find("k" + std::to_string(j));
    uint64_t expect = n >= j ? n - (n - j) % kSlots : 0;  // largest m <= n with m % kSlots == j
    if (expect == 0) {
      REQUIRE(it == c.blobs.end());
    } else {
      INFO("slot " << j << " with n = " << n);
      REQUIRE(it != c.blobs.end());
      REQUIRE(bytes_u64(it->second) == expect);
    }
  }
  if (n > 0) {
    REQUIRE(c.blobs.count("scratch") == (n % 3 == 0 ? 0u : 1u));
    const auto& m = c.memories.at("m");
    REQUIRE(m.size_bytes == kPages * kPageSize);
    for (uint64_t j = 0; j < kPages; ++j) {
      uint64_t expect = n >= j ? n - (n - j) % kPages : 0;
      auto it = m.pages.find(j);
      if (expect == 0) {
        REQUIRE(it == m.pages.end());
      } else {
        INFO("page " << j << " with n = " << n);
        REQUIRE(it != m.pages.end());
        REQUIRE(it->second == page_for(expect));
      }
    }
  } else {
    REQUIRE(c.memories.empty());
  }
  return n;
}

}  // namespace

TEST_CASE("kill -9 at random moments never loses an acknowledged batch", "[store][crash]") {
  TempDir t;
  fs::path dir = t.path / "state";
  std::mt19937 rng(std::random_device{}());
  uint64_t max_acked = 0, last_n = 0, total_acked = 0;
  const int kKills = 24;
  for (int round = 0; round < kKills; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_main(dir, fds[1]);
    }
    ::close(fds[1]);
    // Mostly mid-commit, sometimes during open/load or the very first writes.
    int delay_us = round % 4 == 0 ? int(rng() % 3000) : 2000 + int(rng() % 60000);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    uint64_t v;
    uint64_t acked_now = 0;
    while (::read(fds[0], &v, sizeof v) == sizeof v) {
      REQUIRE(v != kFailed);
      REQUIRE(v == max_acked + 1);  // the child numbers on from the state it loaded
      max_acked = v;
      ++acked_now;
    }
    ::close(fds[0]);
    if (acked_now == 0) {
      // Killed before it acknowledged anything: it may still have made a batch durable.
    }
    total_acked += acked_now;
    auto s = open_ok(dir, crash_options());
    Contents c = load_ok(*s);
    uint64_t n = check_state(c);
    INFO("round " << round << ": state has " << n << " batches, " << max_acked << " acknowledged");
    REQUIRE(n >= max_acked);  // nothing acknowledged is lost
    REQUIRE(n >= last_n);     // and nothing once loaded goes away
    REQUIRE(n <= max_acked + 1);  // at most the one batch in flight became durable unacknowledged
    last_n = n;
    max_acked = n;  // the next child continues from n
  }
  CHECK(total_acked >= kKills);  // the test exercised real commits, not only start-ups
}
