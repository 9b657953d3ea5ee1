// Persistence backends (see persistence.h).
#include "replica/node/persistence.h"

#ifdef HUBCTL_HAVE_REPLICA_STORE

namespace replica {
namespace {
class StoreBackend final : public Persistence {
 public:
  explicit StoreBackend(std::unique_ptr<store::Store> s) : s_(std::move(s)) {}
  ic::Result<store::Contents> load() override { return s_->load(); }
  ic::Status commit(const store::Batch& b) override { return s_->commit(b); }

 private:
  std::unique_ptr<store::Store> s_;
};
}  // namespace

ic::Result<std::unique_ptr<Persistence>> open_persistence(const std::filesystem::path& dir, bool fsync) {
  store::Options o;
  o.fsync = fsync;
  IC_TRY(auto s, store::Store::open(dir, o));
  return std::unique_ptr<Persistence>(new StoreBackend(std::move(s)));
}

}  // namespace replica

#else

// Fallback while replica_store is not built: one journal file of length-prefixed, checksummed batches,
// replayed at load up to the first torn record. No compaction (fine for tests, not for long runs).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "ic/cbor.h"
#include "ic/crc32.h"

namespace replica {
namespace {

ic::Bytes encode_batch(const store::Batch& b) {
  using ic::cbor::Value;
  Value put = Value::map();
  for (const auto& [k, v] : b.put) put.set(k, Value::bytes(ic::ByteView(v)));
  Value erase = Value::array();
  for (const auto& k : b.erase) erase.push(Value::text(k));
  Value drop = Value::array();
  for (const auto& k : b.drop_memories) drop.push(Value::text(k));
  Value mem = Value::map();
  for (const auto& [k, w] : b.memories) {
    Value pages = Value::array();
    for (const auto& [i, p] : w.pages) {
      pages.push(Value::uint(i));
      pages.push(Value::bytes(ic::ByteView(p)));
    }
    mem.set(k, Value::array({Value::uint(w.size_bytes), pages}));
  }
  return ic::cbor::encode(Value::array({put, erase, drop, mem}));
}

void apply(store::Contents& c, const ic::cbor::Value& v) {
  const auto& a = *v.as_array();
  for (const auto& e : *a[1].as_array()) c.blobs.erase(std::string(*e.as_text()));
  for (const auto& [k, val] : *a[0].as_map()) c.blobs[std::string(*k.as_text())] = *val.as_bytes();
  for (const auto& e : *a[2].as_array()) c.memories.erase(std::string(*e.as_text()));
  for (const auto& [k, val] : *a[3].as_map()) {
    auto& m = c.memories[std::string(*k.as_text())];
    const auto& w = *val.as_array();
    m.size_bytes = *w[0].as_uint();
    const auto& pages = *w[1].as_array();
    for (size_t i = 0; i + 1 < pages.size(); i += 2) m.pages[*pages[i].as_uint()] = *pages[i + 1].as_bytes();
    uint64_t npages = (m.size_bytes + store::kPageSize - 1) / store::kPageSize;
    m.pages.erase(m.pages.lower_bound(npages), m.pages.end());
  }
}

class JournalBackend final : public Persistence {
 public:
  JournalBackend(std::filesystem::path file, bool fsync) : file_(std::move(file)), fsync_(fsync) {}
  ~JournalBackend() override {
    if (fd_ >= 0) ::close(fd_);
  }
  ic::Result<store::Contents> load() override {
    store::Contents c;
    std::ifstream in(file_, std::ios::binary);
    ic::Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t pos = 0, good = 0;
    while (pos + 8 <= data.size()) {
      uint32_t len, crc;
      std::memcpy(&len, &data[pos], 4);
      std::memcpy(&crc, &data[pos + 4], 4);
      if (pos + 8 + len > data.size()) break;
      ic::ByteView rec(&data[pos + 8], len);
      if (ic::crc32(rec) != crc) break;
      auto v = ic::cbor::decode(rec);
      if (!v) break;
      apply(c, *v);
      pos += 8 + len;
      good = pos;
    }
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT, 0600);
    if (fd_ < 0) return ic::make_error(ic::Errc::io, "cannot open journal " + file_.string());
    if (::ftruncate(fd_, static_cast<off_t>(good)) != 0 || ::lseek(fd_, static_cast<off_t>(good), SEEK_SET) < 0)
      return ic::make_error(ic::Errc::io, "cannot truncate journal " + file_.string());
    return c;
  }
  ic::Status commit(const store::Batch& b) override {
    ic::Bytes rec = encode_batch(b);
    ic::Bytes out(8);
    uint32_t len = static_cast<uint32_t>(rec.size()), crc = ic::crc32(rec);
    std::memcpy(&out[0], &len, 4);
    std::memcpy(&out[4], &crc, 4);
    out.insert(out.end(), rec.begin(), rec.end());
    size_t done = 0;
    while (done < out.size()) {
      ssize_t w = ::write(fd_, out.data() + done, out.size() - done);
      if (w <= 0) return ic::make_error(ic::Errc::io, "cannot write journal " + file_.string());
      done += static_cast<size_t>(w);
    }
    if (fsync_ && ::fdatasync(fd_) != 0) return ic::make_error(ic::Errc::io, "fsync failed on " + file_.string());
    return {};
  }

 private:
  std::filesystem::path file_;
  bool fsync_;
  int fd_ = -1;
};

}  // namespace

ic::Result<std::unique_ptr<Persistence>> open_persistence(const std::filesystem::path& dir, bool fsync) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ic::make_error(ic::Errc::io, "cannot create " + dir.string() + ": " + ec.message());
  return std::unique_ptr<Persistence>(new JournalBackend(dir / "journal-fallback", fsync));
}

}  // namespace replica

#endif
