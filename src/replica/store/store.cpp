// replica::store implementation. On-disk format (all integers little-endian), version kFormatVersion:
//
//   DIR/format            "hubctl-store <version>\n": the layout version of the whole directory, written
//                         once when the directory is initialised; a newer version is refused.
//   DIR/lock              flock'd while a Store is open; holds the owner's pid (for the error message).
//   DIR/checkpoint-<N>    file header, then records: one per blob, one or more per memory (pages in
//                         chunks), and a final `end` record carrying the record count.
//   DIR/journal-<N>       file header, then one `batch` record per commit (= per round).
//
//   file header (32 B):   magic[8] ("HUBSTCKP" / "HUBSTJNL") · u32 version · u32 0 · u64 N · u32 0 ·
//                         u32 CRC-32C of the preceding 28 bytes
//   record header (32 B): u64 payload length · u64 sequence number (1, 2, … within the file) · u32 type ·
//                         u32 CRC-32C of the payload · u32 0 · u32 CRC-32C of the first 28 header bytes
//
// Why each rule (kill -9 or power loss at any moment):
//  * commit() writes one record with one pwrite and one fdatasync; it returns Ok only after that, so a
//    record that is incomplete on disk was never acknowledged. A failed write is cut off again and a
//    failed fsync stops the store, so a torn record is always the last thing in the file: load() drops
//    it (truncating the journal) and reports it through journal_tail_dropped().
//  * What is torn and what is corruption (corruption is an error naming file and offset, never a silent
//    drop of acknowledged records):
//      - a record whose (checksummed) header is fine but whose payload runs past the end of the file,
//        or fails its checksum and ends exactly at the end of the file: torn (a corrupt last record looks
//        the same and is dropped too; it is the one case that cannot be told apart);
//      - a checksummed header with a bad payload and more bytes after it: corruption;
//      - a bad header: corruption if a valid record (header and payload checksums, a sequence number
//        just after) starts anywhere after it, else torn (e.g. a file extended with zeroes).
//  * Checkpoints are written to checkpoint-<N>.tmp, fsync'd, renamed and the directory fsync'd; only then
//    is journal-<N> created and the previous generation deleted. A crash at any step leaves either the
//    old generation complete or the new checkpoint durable. Any bad byte in a checkpoint is an error
//    naming the file (a checkpoint was fsync'd before it was used, so it is never legitimately torn).
//  * A journal whose header is incomplete was being created when the process died (its header is
//    fsync'd before any record is appended), so it is recreated empty.
#include "replica/store/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "replica/store/crc32c.h"

namespace fs = std::filesystem;

namespace replica::store {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr std::string_view kFormatPrefix = "hubctl-store ";
constexpr char kCheckpointMagic[8] = {'H', 'U', 'B', 'S', 'T', 'C', 'K', 'P'};
constexpr char kJournalMagic[8] = {'H', 'U', 'B', 'S', 'T', 'J', 'N', 'L'};
constexpr size_t kFileHeader = 32;
constexpr size_t kRecordHeader = 32;
// A checkpoint record holds at most this many pages of one memory (bounded record size).
constexpr size_t kPagesPerCheckpointRecord = 2048;

enum RecordType : uint32_t { kBatch = 1, kBlob = 2, kMemory = 3, kEnd = 4 };

std::string errno_text(int e) { return std::strerror(e); }

ic::Error io_error(const std::string& what, const fs::path& p, int e) {
  return ic::make_error(ic::Errc::io, what + " " + p.string() + ": " + errno_text(e));
}

const char* kCorruptHint =
    "the state directory cannot be loaded without losing acknowledged updates; restore it from a backup, "
    "or move the directory aside to start from an empty state";

// ---- little-endian encoding -------------------------------------------------------------------------

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t get_u64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Appends to a byte buffer; sizes are computed first so encoding a batch allocates once.
struct Writer {
  ic::Bytes& out;
  void u32(uint32_t v) {
    size_t n = out.size();
    out.resize(n + 4);
    put_u32(&out[n], v);
  }
  void u64(uint64_t v) {
    size_t n = out.size();
    out.resize(n + 8);
    put_u64(&out[n], v);
  }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  }
  void name(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void data(const ic::Bytes& b) {
    u64(b.size());
    raw(b.data(), b.size());
  }
};

// Bounds-checked reader over a record payload; any overrun sets `bad`.
struct Reader {
  const uint8_t* p;
  size_t n;
  bool bad = false;
  bool need(size_t k) {
    if (bad || n < k) {
      bad = true;
      return false;
    }
    return true;
  }
  uint32_t u32() {
    if (!need(4)) return 0;
    uint32_t v = get_u32(p);
    p += 4;
    n -= 4;
    return v;
  }
  uint64_t u64() {
    if (!need(8)) return 0;
    uint64_t v = get_u64(p);
    p += 8;
    n -= 8;
    return v;
  }
  const uint8_t* take(uint64_t k) {
    if (k > n) {
      bad = true;
      return nullptr;
    }
    const uint8_t* r = p;
    p += k;
    n -= k;
    return r;
  }
  std::string name() {
    uint32_t len = u32();
    const uint8_t* s = take(len);
    return s ? std::string(reinterpret_cast<const char*>(s), len) : std::string();
  }
  ic::Bytes data() {
    uint64_t len = u64();
    const uint8_t* s = take(len);
    return s ? ic::Bytes(s, s + len) : ic::Bytes();
  }
};

size_t name_size(const std::string& s) { return 4 + s.size(); }

void file_header(uint8_t* h, const char* magic, uint64_t gen) {
  std::memset(h, 0, kFileHeader);
  std::memcpy(h, magic, 8);
  put_u32(h + 8, kFormatVersion);
  put_u64(h + 16, gen);
  put_u32(h + 28, crc32c(h, 28));
}

// Starts a record in `out` (header with a zero checksum); finish_record() fills in length and checksum.
size_t begin_record(ic::Bytes& out) {
  size_t at = out.size();
  out.resize(at + kRecordHeader);
  return at;
}
void finish_record(ic::Bytes& out, size_t at, uint64_t seq, uint32_t type) {
  uint8_t* h = &out[at];
  uint64_t len = out.size() - at - kRecordHeader;
  put_u64(h, len);
  put_u64(h + 8, seq);
  put_u32(h + 16, type);
  put_u32(h + 20, crc32c(h + kRecordHeader, len));
  put_u32(h + 24, 0);
  put_u32(h + 28, crc32c(h, 28));
}

// The memory rule shared by commit and replay: set the size, overwrite pages, drop pages past the end.
void apply_memory_size(PagedMemory& m) {
  uint64_t npages = m.size_bytes / kPageSize + (m.size_bytes % kPageSize ? 1 : 0);
  m.pages.erase(m.pages.lower_bound(npages), m.pages.end());
}

ic::Bytes encode_batch_record(const Batch& b, uint64_t seq) {
  size_t size = kRecordHeader + 16;
  for (const auto& n : b.erase) size += name_size(n);
  for (const auto& [n, d] : b.put) size += name_size(n) + 8 + d.size();
  for (const auto& n : b.drop_memories) size += name_size(n);
  for (const auto& [n, w] : b.memories) {
    size += name_size(n) + 12;
    for (const auto& [i, p] : w.pages) size += 16 + p.size();
  }
  ic::Bytes out;
  out.reserve(size);
  size_t at = begin_record(out);
  Writer w{out};
  // Same order as the batch is applied (store.h): erase, put, drop, memory writes.
  w.u32(static_cast<uint32_t>(b.erase.size()));
  for (const auto& n : b.erase) w.name(n);
  w.u32(static_cast<uint32_t>(b.put.size()));
  for (const auto& [n, d] : b.put) {
    w.name(n);
    w.data(d);
  }
  w.u32(static_cast<uint32_t>(b.drop_memories.size()));
  for (const auto& n : b.drop_memories) w.name(n);
  w.u32(static_cast<uint32_t>(b.memories.size()));
  for (const auto& [n, mw] : b.memories) {
    w.name(n);
    w.u64(mw.size_bytes);
    w.u32(static_cast<uint32_t>(mw.pages.size()));
    for (const auto& [i, p] : mw.pages) {
      w.u64(i);
      w.data(p);
    }
  }
  finish_record(out, at, seq, kBatch);
  return out;
}

// Applies one batch payload; false if it does not decode (only possible for a corrupt or foreign file,
// since the checksum already matched).
bool apply_batch_payload(Contents& c, const uint8_t* p, size_t n) {
  Reader r{p, n};
  for (uint32_t k = r.u32(); k > 0 && !r.bad; --k) c.blobs.erase(r.name());
  for (uint32_t k = r.u32(); k > 0 && !r.bad; --k) {
    std::string name = r.name();
    uint64_t len = r.u64();
    const uint8_t* d = r.take(len);
    if (d) c.blobs.insert_or_assign(std::move(name), ic::Bytes(d, d + len));
  }
  for (uint32_t k = r.u32(); k > 0 && !r.bad; --k) c.memories.erase(r.name());
  for (uint32_t k = r.u32(); k > 0 && !r.bad; --k) {
    std::string name = r.name();
    uint64_t size = r.u64();
    uint32_t npages = r.u32();
    if (r.bad) break;
    PagedMemory& m = c.memories[name];
    m.size_bytes = size;
    for (uint32_t j = 0; j < npages && !r.bad; ++j) {
      uint64_t idx = r.u64();
      uint64_t len = r.u64();
      const uint8_t* d = r.take(len);
      if (d) m.pages.insert_or_assign(idx, ic::Bytes(d, d + len));
    }
    apply_memory_size(m);
  }
  return !r.bad && r.n == 0;
}

// ---- files ------------------------------------------------------------------------------------------

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd = o.fd;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A read-only mapping of a whole file (start-up reads hundreds of MiB: no copy into a buffer).
struct Mapped {
  const uint8_t* data = nullptr;
  size_t size = 0;
  Mapped() = default;
  Mapped(const Mapped&) = delete;
  Mapped& operator=(const Mapped&) = delete;
  ~Mapped() {
    if (data && size) ::munmap(const_cast<uint8_t*>(data), size);
  }
};

ic::Status map_file(const fs::path& p, Mapped& m) {
  Fd f(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return io_error("cannot open", p, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return io_error("cannot stat", p, errno);
  m.size = static_cast<size_t>(st.st_size);
  if (m.size == 0) return {};
  void* a = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, f.fd, 0);
  if (a == MAP_FAILED) {
    m.size = 0;
    return io_error("cannot read", p, errno);
  }
  ::madvise(a, m.size, MADV_SEQUENTIAL | MADV_WILLNEED);
  m.data = static_cast<const uint8_t*>(a);
  return {};
}

ic::Status pwrite_all(int fd, const uint8_t* p, size_t n, uint64_t off, const fs::path& path) {
  while (n > 0) {
    ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
    off += static_cast<uint64_t>(w);
  }
  return {};
}

ic::Status sync_fd(int fd, const fs::path& path, bool enabled) {
  if (!enabled) return {};
  if (::fsync(fd) != 0) return io_error("cannot fsync", path, errno);
  return {};
}

// A new or renamed directory entry is only durable once the directory itself is fsync'd (POSIX).
ic::Status sync_dir(const fs::path& dir, bool enabled) {
  if (!enabled) return {};
  Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd < 0) return io_error("cannot open directory", dir, errno);
  if (::fsync(d.fd) != 0) return io_error("cannot fsync directory", dir, errno);
  return {};
}

// Writes a whole file durably under its final name: DIR/name.tmp, fsync, rename, fsync DIR.
ic::Status write_file_atomic(const fs::path& dir, const std::string& name, const ic::Bytes& data, bool sync) {
  fs::path tmp = dir / (name + ".tmp"), final_path = dir / name;
  Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (f.fd < 0) return io_error("cannot create", tmp, errno);
  IC_CHECK(pwrite_all(f.fd, data.data(), data.size(), 0, tmp));
  IC_CHECK(sync_fd(f.fd, tmp, sync));
  f.reset();
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return io_error("cannot rename", tmp, errno);
  return sync_dir(dir, sync);
}

std::string checkpoint_name(uint64_t n) { return "checkpoint-" + std::to_string(n); }
std::string journal_name(uint64_t n) { return "journal-" + std::to_string(n); }

std::optional<uint64_t> parse_generation(const std::string& name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    char c = name[i];
    if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

ic::Error newer_format(const fs::path& what, uint32_t version) {
  return ic::make_error(ic::Errc::unsupported,
                        what.string() + " was written by a newer hubctl (store format version " +
                            std::to_string(version) + "; this build reads up to version " +
                            std::to_string(kFormatVersion) + ")",
                        "upgrade hubctl, or use a different state directory");
}

// Checks a file header; Ok(false) = not a valid header (caller decides), error = newer version.
ic::Result<bool> check_header(const uint8_t* h, size_t n, const char* magic, uint64_t gen, const fs::path& p) {
  if (n < kFileHeader || std::memcmp(h, magic, 8) != 0) return false;
  if (get_u32(h + 28) != crc32c(h, 28)) return false;
  uint32_t version = get_u32(h + 8);
  if (version > kFormatVersion) return newer_format(p, version);
  if (version == 0 || get_u64(h + 16) != gen) return false;
  return true;
}

// What is at `off` of a mapped file, expecting record number `seq`.
struct RecordView {
  enum Status { ok, bad_header, past_end, bad_payload } status = bad_header;
  uint32_t type = 0;
  const uint8_t* payload = nullptr;
  uint64_t len = 0;
  uint64_t next = 0;  // offset after the record (when the header is good)
};

RecordView record_at(const uint8_t* base, size_t size, uint64_t off, uint64_t seq) {
  RecordView r;
  if (off > size || size - off < kRecordHeader) return r;
  const uint8_t* h = base + off;
  if (get_u32(h + 28) != crc32c(h, 28) || get_u64(h + 8) != seq || get_u32(h + 24) != 0) return r;
  r.len = get_u64(h);
  r.type = get_u32(h + 16);
  if (r.len > size - off - kRecordHeader) {
    r.status = RecordView::past_end;
    return r;
  }
  r.payload = h + kRecordHeader;
  r.next = off + kRecordHeader + r.len;
  r.status = crc32c(r.payload, r.len) == get_u32(h + 20) ? RecordView::ok : RecordView::bad_payload;
  return r;
}

// True if a valid record with a sequence number in (seq, seq + 64] starts anywhere in (from, size).
bool later_record_exists(const uint8_t* base, size_t size, uint64_t from, uint64_t seq) {
  for (uint64_t off = from + 1; off + kRecordHeader <= size; ++off) {
    uint64_t s = get_u64(base + off + 8);
    if (s <= seq || s > seq + 64) continue;
    if (record_at(base, size, off, s).status == RecordView::ok) return true;
  }
  return false;
}

// ---- checkpoints ------------------------------------------------------------------------------------

ic::Error corrupt_checkpoint(const fs::path& p, const std::string& why) {
  return ic::make_error(ic::Errc::decode, "checkpoint " + p.string() + " is corrupt: " + why, kCorruptHint);
}

ic::Result<Contents> read_checkpoint(const fs::path& p, uint64_t gen) {
  Mapped m;
  IC_CHECK(map_file(p, m));
  IC_TRY(bool ok, check_header(m.data, m.size, kCheckpointMagic, gen, p));
  if (!ok) return corrupt_checkpoint(p, m.size < kFileHeader ? "file too short for its header" : "bad file header");
  Contents c;
  uint64_t off = kFileHeader, seq = 1, blobs = 0;
  for (;; ++seq) {
    auto r = record_at(m.data, m.size, off, seq);
    if (r.status != RecordView::ok)
      return corrupt_checkpoint(
          p, "record " + std::to_string(seq) + " at offset " + std::to_string(off) +
                 (off >= m.size                         ? " is missing (file truncated)"
                  : r.status == RecordView::past_end    ? " runs past the end of the file (file truncated)"
                  : r.status == RecordView::bad_payload ? " fails its checksum"
                                                        : " has a bad header"));
    Reader rd{r.payload, static_cast<size_t>(r.len)};
    if (r.type == kEnd) {
      uint64_t nrec = rd.u64(), nblobs = rd.u64(), nmem = rd.u64();
      if (rd.bad || nrec != seq - 1 || nblobs != blobs || nmem != c.memories.size())
        return corrupt_checkpoint(p, "end record does not match the contents");
      if (r.next != m.size) return corrupt_checkpoint(p, "unexpected bytes after the end record");
      break;
    } else if (r.type == kBlob) {
      std::string name = rd.name();
      const uint8_t* d = rd.take(rd.n);
      if (rd.bad) return corrupt_checkpoint(p, "blob record at offset " + std::to_string(off) + " does not decode");
      c.blobs.emplace_hint(c.blobs.end(), std::move(name), ic::Bytes(d, d + (r.payload + r.len - d)));
      ++blobs;
    } else if (r.type == kMemory) {
      std::string name = rd.name();
      uint64_t size = rd.u64();
      uint32_t npages = rd.u32();
      if (rd.bad) return corrupt_checkpoint(p, "memory record at offset " + std::to_string(off) + " does not decode");
      auto it = c.memories.find(name);
      if (it == c.memories.end()) it = c.memories.emplace_hint(c.memories.end(), std::move(name), PagedMemory{});
      PagedMemory& mem = it->second;
      mem.size_bytes = size;
      for (uint32_t j = 0; j < npages; ++j) {
        uint64_t idx = rd.u64();
        uint32_t len = rd.u32();
        const uint8_t* d = rd.take(len);
        if (rd.bad) return corrupt_checkpoint(p, "memory record at offset " + std::to_string(off) + " does not decode");
        mem.pages.emplace_hint(mem.pages.end(), idx, ic::Bytes(d, d + len));
      }
      if (rd.n != 0) return corrupt_checkpoint(p, "memory record at offset " + std::to_string(off) + " has extra bytes");
    } else {
      return corrupt_checkpoint(p, "unknown record type " + std::to_string(r.type) + " at offset " + std::to_string(off));
    }
    off = r.next;
  }
  return c;
}

// Streams a checkpoint into `fd` through a buffer of about 1 MiB (a checkpoint can be GiBs).
class CheckpointWriter {
 public:
  CheckpointWriter(int fd, const fs::path& path) : fd_(fd), path_(path) {}
  ic::Status header(uint64_t gen) {
    buf_.resize(kFileHeader);
    file_header(buf_.data(), kCheckpointMagic, gen);
    return {};
  }
  ic::Status blob(const std::string& name, const ic::Bytes& data) {
    size_t at = begin_record(buf_);
    Writer w{buf_};
    w.name(name);
    w.raw(data.data(), data.size());
    finish_record(buf_, at, ++seq_, kBlob);
    return maybe_flush();
  }
  ic::Status memory(const std::string& name, const PagedMemory& m) {
    auto it = m.pages.begin();
    do {
      size_t at = begin_record(buf_);
      Writer w{buf_};
      w.name(name);
      w.u64(m.size_bytes);
      size_t count_at = buf_.size();
      w.u32(0);
      uint32_t n = 0;
      for (; it != m.pages.end() && n < kPagesPerCheckpointRecord; ++it, ++n) {
        w.u64(it->first);
        w.u32(static_cast<uint32_t>(it->second.size()));
        w.raw(it->second.data(), it->second.size());
      }
      put_u32(&buf_[count_at], n);
      finish_record(buf_, at, ++seq_, kMemory);
      IC_CHECK(maybe_flush());
    } while (it != m.pages.end());
    return {};
  }
  ic::Status end(uint64_t nblobs, uint64_t nmem) {
    size_t at = begin_record(buf_);
    Writer w{buf_};
    w.u64(seq_);
    w.u64(nblobs);
    w.u64(nmem);
    finish_record(buf_, at, ++seq_, kEnd);
    return flush();
  }

 private:
  ic::Status maybe_flush() { return buf_.size() >= (1u << 20) ? flush() : ic::Status{}; }
  ic::Status flush() {
    IC_CHECK(pwrite_all(fd_, buf_.data(), buf_.size(), off_, path_));
    off_ += buf_.size();
    buf_.clear();
    return {};
  }
  int fd_;
  fs::path path_;
  ic::Bytes buf_;
  uint64_t off_ = 0, seq_ = 0;
};

ic::Status write_checkpoint(const fs::path& dir, uint64_t gen, const Contents& c, bool sync) {
  fs::path final_path = dir / checkpoint_name(gen);
  fs::path tmp = dir / (checkpoint_name(gen) + ".tmp");
  ic::Status st = [&]() -> ic::Status {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (f.fd < 0) return io_error("cannot create", tmp, errno);
    CheckpointWriter w(f.fd, tmp);
    IC_CHECK(w.header(gen));
    for (const auto& [n, d] : c.blobs) IC_CHECK(w.blob(n, d));
    for (const auto& [n, m] : c.memories) IC_CHECK(w.memory(n, m));
    IC_CHECK(w.end(c.blobs.size(), c.memories.size()));
    return sync_fd(f.fd, tmp, sync);
  }();
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot rename", tmp, e);
  }
  return sync_dir(dir, sync);
}

// Creates DIR (and missing parents); each new directory's entry is fsync'd in its parent.
ic::Status create_dir_durably(const fs::path& dir, bool sync) {
  std::error_code ec;
  std::vector<fs::path> missing;
  for (fs::path p = fs::absolute(dir, ec); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(dir, ec);
  if (ec) return ic::make_error(ic::Errc::io, "cannot create state directory " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir, ec))
    return ic::make_error(ic::Errc::io, "state directory " + dir.string() + " is not a directory");
  for (const auto& p : missing) IC_CHECK(sync_dir(p.parent_path(), sync));
  return {};
}

}  // namespace

// ---- the store --------------------------------------------------------------------------------------

struct Store::Impl {
  fs::path dir;
  Options opts;
  Fd lock;
  uint64_t gen = 0;             // generation of the checkpoint in use
  std::vector<uint64_t> stale;  // older generations, deleted once the current one has loaded
  Fd journal;                   // journal-<gen>, read-write
  uint64_t jend = 0;            // end of the last valid record (file size until scanned)
  uint64_t next_seq = 1;
  bool scanned = false;         // jend/next_seq are known and the torn tail is cut off
  bool tail_dropped = false;
  std::optional<ic::Error> broken;  // set when the on-disk state no longer matches what we know

  fs::path checkpoint_path() const { return dir / checkpoint_name(gen); }
  fs::path journal_path() const { return dir / journal_name(gen); }

  ic::Status open_journal();
  ic::Status replay(Contents* into);
  ic::Result<Contents> read_all();
  ic::Status compact();
  void remove_stale();
};

// Opens journal-<gen>, creating it (header fsync'd before any record goes in) if missing or torn at birth.
ic::Status Store::Impl::open_journal() {
  fs::path p = journal_path();
  Fd f(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (f.fd < 0) return io_error("cannot open", p, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return io_error("cannot stat", p, errno);
  uint8_t h[kFileHeader];
  bool valid = false;
  if (static_cast<uint64_t>(st.st_size) >= kFileHeader) {
    ssize_t r = ::pread(f.fd, h, kFileHeader, 0);
    if (r != static_cast<ssize_t>(kFileHeader)) return io_error("cannot read", p, r < 0 ? errno : EIO);
    IC_TRY(valid, check_header(h, kFileHeader, kJournalMagic, gen, p));
  }
  if (!valid) {
    if (static_cast<uint64_t>(st.st_size) > kFileHeader)
      return ic::make_error(ic::Errc::decode, "journal " + p.string() + " is corrupt: bad file header", kCorruptHint);
    // Missing or torn while being created: nothing in it was ever acknowledged.
    if (::ftruncate(f.fd, 0) != 0) return io_error("cannot truncate", p, errno);
    file_header(h, kJournalMagic, gen);
    IC_CHECK(pwrite_all(f.fd, h, kFileHeader, 0, p));
    IC_CHECK(sync_fd(f.fd, p, opts.fsync));
    IC_CHECK(sync_dir(dir, opts.fsync));
    st.st_size = kFileHeader;
  }
  journal = std::move(f);
  jend = static_cast<uint64_t>(st.st_size);
  next_seq = 1;
  scanned = false;
  return {};
}

// Reads journal-<gen> up to its last valid record, applying each batch to `into` when given. Cuts off a
// torn tail (once: afterwards the file ends at the last record); fails on corruption in the middle.
ic::Status Store::Impl::replay(Contents* into) {
  fs::path p = journal_path();
  Mapped m;
  IC_CHECK(map_file(p, m));
  uint64_t off = kFileHeader, seq = 1;
  while (off < m.size) {
    auto r = record_at(m.data, m.size, off, seq);
    if (r.status != RecordView::ok) {
      // Torn (the commit writing it never returned) or corrupt (acknowledged data): see the top of file.
      bool corrupt = false;
      if (r.status == RecordView::bad_payload) corrupt = r.next < m.size;
      else if (r.status == RecordView::bad_header) corrupt = later_record_exists(m.data, m.size, off, seq - 1);
      if (corrupt)
        return ic::make_error(ic::Errc::decode,
                              "journal " + p.string() + " is corrupt: record " + std::to_string(seq) +
                                  " at offset " + std::to_string(off) + " fails its checksum (" +
                                  (r.status == RecordView::bad_payload ? "payload" : "header") +
                                  ") but acknowledged records follow it",
                              kCorruptHint);
      break;
    }
    if (r.type != kBatch)
      return ic::make_error(ic::Errc::decode, "journal " + p.string() + " is corrupt: record at offset " +
                                                  std::to_string(off) + " has unknown type " + std::to_string(r.type),
                            kCorruptHint);
    if (into && !apply_batch_payload(*into, r.payload, static_cast<size_t>(r.len)))
      return ic::make_error(ic::Errc::decode, "journal " + p.string() + " is corrupt: record at offset " +
                                                  std::to_string(off) + " does not decode",
                            kCorruptHint);
    off = r.next;
    ++seq;
  }
  if (off < m.size) {
    if (::ftruncate(journal.fd, static_cast<off_t>(off)) != 0) return io_error("cannot truncate", p, errno);
    IC_CHECK(sync_fd(journal.fd, p, opts.fsync));
    tail_dropped = true;
  }
  jend = off;
  next_seq = seq;
  scanned = true;
  return {};
}

ic::Result<Contents> Store::Impl::read_all() {
  IC_TRY(Contents c, read_checkpoint(checkpoint_path(), gen));
  IC_CHECK(replay(&c));
  return c;
}

void Store::Impl::remove_stale() {
  if (stale.empty()) return;
  for (uint64_t g : stale) {
    ::unlink((dir / journal_name(g)).c_str());
    ::unlink((dir / checkpoint_name(g)).c_str());
  }
  stale.clear();
  (void)sync_dir(dir, opts.fsync);  // not needed for safety: stale files are ignored and removed again
}

// checkpoint-<gen+1> = checkpoint-<gen> + journal-<gen>; then journal-<gen+1>; then the old files go.
ic::Status Store::Impl::compact() {
  IC_TRY(Contents c, read_all());
  uint64_t next = gen + 1;
  IC_CHECK(write_checkpoint(dir, next, c, opts.fsync));
  // From here on checkpoint-<next> is what a restart loads: appending to the old journal would be lost.
  uint64_t old = gen;
  gen = next;
  stale.push_back(old);
  ic::Status st = open_journal();
  if (!st.ok()) {
    broken = st.error();
    return st;
  }
  scanned = true;
  remove_stale();
  return {};
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

ic::Result<std::unique_ptr<Store>> Store::open(const fs::path& dir_in, const Options& opts) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir_in.empty() ? dir_in : fs::path(dir_in).lexically_normal();
  if (impl->dir.empty()) return ic::make_error(ic::Errc::invalid_input, "the store needs a directory");
  impl->opts = opts;
  const fs::path& dir = impl->dir;
  IC_CHECK(create_dir_durably(dir, opts.fsync));

  // One process per directory: flock is released by the kernel when the holder dies (even by kill -9).
  fs::path lock_path = dir / "lock";
  impl->lock = Fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (impl->lock.fd < 0) return io_error("cannot open lock file", lock_path, errno);
  if (::flock(impl->lock.fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    if (e != EWOULDBLOCK) return io_error("cannot lock", lock_path, e);
    char buf[32] = {};
    ssize_t n = ::pread(impl->lock.fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return ic::make_error(ic::Errc::io,
                          "state directory " + dir.string() + " is in use by another process (pid " +
                              (pid.empty() ? std::string("unknown") : pid) + ", lock " + lock_path.string() + ")",
                          "stop the other local network first, or use a different state directory");
  }
  {
    // Overwrite in place, then cut to length (not truncate-to-zero first: on ext4 that forces a flush).
    std::string pid = std::to_string(::getpid()) + "\n";
    if (pwrite_all(impl->lock.fd, reinterpret_cast<const uint8_t*>(pid.data()), pid.size(), 0, lock_path).ok())
      (void)::ftruncate(impl->lock.fd, static_cast<off_t>(pid.size()));
  }

  // What is there: format marker, checkpoints, journals; leftovers of interrupted atomic writes go.
  bool have_format = false;
  std::vector<uint64_t> checkpoints, journals;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name == "format") {
      have_format = true;
    } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      ::unlink(e.path().c_str());
    } else if (auto g = parse_generation(name, "checkpoint-")) {
      checkpoints.push_back(*g);
    } else if (auto g2 = parse_generation(name, "journal-")) {
      journals.push_back(*g2);
    }
  }
  if (ec) return ic::make_error(ic::Errc::io, "cannot list state directory " + dir.string() + ": " + ec.message());

  if (have_format) {
    fs::path fp = dir / "format";
    Mapped m;
    IC_CHECK(map_file(fp, m));
    std::string_view text(reinterpret_cast<const char*>(m.data), m.size);
    uint64_t version = 0;
    bool ok = text.size() > kFormatPrefix.size() && text.substr(0, kFormatPrefix.size()) == kFormatPrefix;
    size_t i = kFormatPrefix.size();
    size_t digits = 0;
    for (; ok && i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 9; ++i, ++digits)
      version = version * 10 + static_cast<uint64_t>(text[i] - '0');
    if (!ok || digits == 0)
      return ic::make_error(ic::Errc::decode, "state directory marker " + fp.string() + " is unreadable",
                            "this does not look like a hubctl state directory; restore it or use another one");
    if (version > kFormatVersion) return newer_format(dir, static_cast<uint32_t>(version));
  } else if (!checkpoints.empty() || !journals.empty()) {
    return ic::make_error(ic::Errc::decode,
                          "state directory " + dir.string() + " has checkpoint or journal files but no format file",
                          "it was not written by this store (or was damaged); restore it or use another directory");
  } else {
    // A fresh directory: the marker first, then an empty checkpoint-0 (journal-0 follows below).
    std::string marker = std::string(kFormatPrefix) + std::to_string(kFormatVersion) + "\n";
    IC_CHECK(write_file_atomic(dir, "format", ic::to_bytes(marker), opts.fsync));
  }

  if (checkpoints.empty()) {
    if (!journals.empty())
      return ic::make_error(ic::Errc::not_found,
                            "state directory " + dir.string() + " has " + journal_name(journals.front()) +
                                " but no checkpoint to apply it to",
                            kCorruptHint);
    IC_CHECK(write_checkpoint(dir, 0, Contents{}, opts.fsync));
    checkpoints.push_back(0);
  }
  uint64_t gen = 0;
  for (uint64_t g : checkpoints) gen = std::max(gen, g);
  for (uint64_t g : journals)
    if (g > gen)
      return ic::make_error(ic::Errc::not_found,
                            "state directory " + dir.string() + " has " + journal_name(g) + " but its " +
                                checkpoint_name(g) + " is missing",
                            kCorruptHint);
  impl->gen = gen;
  for (uint64_t g : checkpoints)
    if (g < gen) impl->stale.push_back(g);
  for (uint64_t g : journals)
    if (g < gen && std::find(impl->stale.begin(), impl->stale.end(), g) == impl->stale.end()) impl->stale.push_back(g);

  // The checkpoint's header now (a newer version must be refused before anything is written to the
  // journal); its contents are checked by load().
  {
    fs::path cp = impl->checkpoint_path();
    Fd f(::open(cp.c_str(), O_RDONLY | O_CLOEXEC));
    if (f.fd < 0) return io_error("cannot open", cp, errno);
    uint8_t h[kFileHeader];
    ssize_t n = ::pread(f.fd, h, kFileHeader, 0);
    if (n < 0) return io_error("cannot read", cp, errno);
    IC_TRY(bool ok, check_header(h, static_cast<size_t>(n), kCheckpointMagic, gen, cp));
    if (!ok) return corrupt_checkpoint(cp, "bad file header");
  }
  IC_CHECK(impl->open_journal());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

ic::Result<Contents> Store::load() {
  Impl& s = *impl_;
  if (s.broken) return ic::Error(*s.broken);
  auto c = s.read_all();
  if (!c.ok()) {
    // A corrupt state must not be extended: commits would pile onto data that cannot be loaded.
    if (c.error().code == ic::Errc::decode) s.broken = c.error();
    return c;
  }
  s.remove_stale();
  return c;
}

bool Store::journal_tail_dropped() const { return impl_->tail_dropped; }

ic::Status Store::commit(const Batch& batch) {
  Impl& s = *impl_;
  if (s.broken)
    return ic::make_error(ic::Errc::io, "the store in " + s.dir.string() + " cannot commit after an earlier failure: " +
                                            s.broken->message,
                          "restart the local network");
  if (!s.scanned) IC_CHECK(s.replay(nullptr));
  if (batch.empty()) return {};
  if (s.jend > s.opts.compact_after_journal_bytes) IC_CHECK(s.compact());

  ic::Bytes rec = encode_batch_record(batch, s.next_seq);
  fs::path p = s.journal_path();
  ic::Status st = pwrite_all(s.journal.fd, rec.data(), rec.size(), s.jend, p);
  if (st.ok() && s.opts.fsync && ::fdatasync(s.journal.fd) != 0) {
    // After a failed fsync the kernel may have dropped the pages: what is on disk is unknown.
    s.broken = io_error("cannot fsync", p, errno);
    return ic::Error(*s.broken);
  }
  if (!st.ok()) {
    // A partial record is harmless (it fails its checksum) but is cut off so the next one follows cleanly.
    if (::ftruncate(s.journal.fd, static_cast<off_t>(s.jend)) != 0) s.broken = st.error();
    return st;
  }
  s.jend += rec.size();
  ++s.next_seq;
  return {};
}

uint64_t Store::journal_bytes() const { return impl_->jend; }
const fs::path& Store::dir() const { return impl_->dir; }

}  // namespace replica::store
