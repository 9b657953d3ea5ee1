// replica::store — the local network's durable state on disk (--state-dir): named blobs and paged
// memories, changed in atomic batches (one per round, group commit: one fsync for the whole round).
#pragma once

// Layout and crash safety (kill -9 at any moment, also during compaction):
//   DIR/checkpoint-<N>   a complete image (written to a temp file, fsync'd, renamed, dir fsync'd)
//   DIR/journal-<N>      batches committed after checkpoint N: length · CRC32C/CRC32 · payload records
// load() takes the newest valid checkpoint and replays its journal up to the first torn or corrupt
// record (a record is only acknowledged by commit() after its fsync, so a torn tail was never
// acknowledged). The store never interprets blob contents: the node encodes its own records.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ic/bytes.h"
#include "ic/result.h"

namespace replica::store {

constexpr uint64_t kPageSize = 4096;

// A memory (a canister's wasm heap or stable memory): size in bytes plus the pages that are not zero.
struct PagedMemory {
  uint64_t size_bytes = 0;
  std::map<uint64_t, ic::Bytes> pages;  // page index -> kPageSize bytes (shorter only for the last page)
};

// Everything in the store.
struct Contents {
  std::map<std::string, ic::Bytes> blobs;
  std::map<std::string, PagedMemory> memories;
};

// One atomic change set. Applied in this order: erase blobs, put blobs, drop memories, memory writes.
struct Batch {
  std::map<std::string, ic::Bytes> put;
  std::vector<std::string> erase;
  std::vector<std::string> drop_memories;  // forget a memory entirely (uninstall, reinstall, delete)
  struct MemoryWrite {
    uint64_t size_bytes = 0;                // new size (shrinking drops pages past it)
    std::map<uint64_t, ic::Bytes> pages;    // pages to overwrite
  };
  std::map<std::string, MemoryWrite> memories;
  bool empty() const { return put.empty() && erase.empty() && drop_memories.empty() && memories.empty(); }
};

struct Options {
  // Compact (write a new checkpoint, start a new journal) once the journal passes this size.
  uint64_t compact_after_journal_bytes = 256ull << 20;
  bool fsync = true;  // tests of logic only may turn it off; the node never does
};

class Store {
 public:
  // Creates DIR if needed; takes an exclusive lock (flock on DIR/lock): a second node on the same
  // directory gets an error naming the directory and the lock holder's pid.
  static ic::Result<std::unique_ptr<Store>> open(const std::filesystem::path& dir, const Options& opts = {});
  ~Store();

  // The state as of the last acknowledged commit. Errors only for unreadable/corrupt checkpoints (with
  // the file name); a torn journal tail is dropped and reported via journal_tail_dropped().
  ic::Result<Contents> load();
  bool journal_tail_dropped() const;

  // Durable when it returns Ok (written + fsync'd). May compact first (checkpoint written from the
  // previous checkpoint plus the journal, then the journal restarts), crash-safe at every step.
  ic::Status commit(const Batch& batch);

  uint64_t journal_bytes() const;
  const std::filesystem::path& dir() const;

  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace replica::store
