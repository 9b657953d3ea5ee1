// Shared helpers for the replica_store tests: temporary directories, a reference model of the batch
// semantics (store.h), file byte surgery, and comparisons of Contents.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "replica/store/store.h"

namespace store_test {

namespace fs = std::filesystem;
using namespace replica::store;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hubctl-store-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The semantics of a batch, written independently of the store: erase, put, drop, memory writes.
inline void apply(Contents& c, const Batch& b) {
  for (const auto& n : b.erase) c.blobs.erase(n);
  for (const auto& [n, d] : b.put) c.blobs[n] = d;
  for (const auto& n : b.drop_memories) c.memories.erase(n);
  for (const auto& [n, w] : b.memories) {
    auto& m = c.memories[n];
    m.size_bytes = w.size_bytes;
    for (const auto& [i, p] : w.pages) m.pages[i] = p;
    uint64_t npages = (w.size_bytes + kPageSize - 1) / kPageSize;
    m.pages.erase(m.pages.lower_bound(npages), m.pages.end());
  }
}

inline bool same(const Contents& a, const Contents& b) {
  if (a.blobs != b.blobs || a.memories.size() != b.memories.size()) return false;
  for (auto ia = a.memories.begin(), ib = b.memories.begin(); ia != a.memories.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.size_bytes != ib->second.size_bytes ||
        ia->second.pages != ib->second.pages)
      return false;
  }
  return true;
}

inline ic::Bytes page(uint8_t fill, size_t n = kPageSize) { return ic::Bytes(n, fill); }

inline ic::Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return ic::Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
inline void write_file(const fs::path& p, const ic::Bytes& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

inline std::unique_ptr<Store> open_ok(const fs::path& dir, const Options& o = {}) {
  auto s = Store::open(dir, o);
  INFO((s.ok() ? std::string() : s.error().to_string()));
  REQUIRE(s.ok());
  return std::move(s).value();
}

inline Contents load_ok(Store& s) {
  auto c = s.load();
  INFO((c.ok() ? std::string() : c.error().to_string()));
  REQUIRE(c.ok());
  return std::move(c).value();
}

inline void commit_ok(Store& s, const Batch& b) {
  auto st = s.commit(b);
  INFO((st.ok() ? std::string() : st.error().to_string()));
  REQUIRE(st.ok());
}

}  // namespace store_test
