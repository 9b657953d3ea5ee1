// replica::node — where the node's rounds go on disk: replica_store (checkpoint + journal, one fsync per
// round) when it is built, else a minimal append-only journal with the same Batch/Contents semantics.
#pragma once

#include <filesystem>
#include <memory>

#include "ic/result.h"
#include "replica/store/store.h"

namespace replica {

class Persistence {
 public:
  virtual ~Persistence() = default;
  virtual ic::Result<store::Contents> load() = 0;
  // Durable when it returns Ok.
  virtual ic::Status commit(const store::Batch& batch) = 0;
};

// DIR is the node's state_dir/store.
ic::Result<std::unique_ptr<Persistence>> open_persistence(const std::filesystem::path& dir, bool fsync);

}  // namespace replica
