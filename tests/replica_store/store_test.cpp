// replica::store: round trips, torn tails, corruption, compaction, locking, format versions.
#include <fcntl.h>
#include <unistd.h>

#include <random>

#include "replica/store/crc32c.h"
#include "store_support.h"

using namespace store_test;

namespace {

Options no_sync() {
  Options o;
  o.fsync = false;
  return o;
}

// Flips one byte of a file in place.
void flip(const fs::path& p, size_t off) {
  auto b = read_file(p);
  REQUIRE(off < b.size());
  b[off] ^= 0x5A;
  write_file(p, b);
}

// Puts full[from, end) back into the file at `from` (the store cut it off when it dropped the tail).
void restore_tail(const fs::path& p, const ic::Bytes& full, uint64_t from) {
  int fd = ::open(p.c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::pwrite(fd, full.data() + from, full.size() - from, static_cast<off_t>(from)) ==
          static_cast<ssize_t>(full.size() - from));
  ::close(fd);
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("crc32c matches the RFC 3720 check value", "[store]") {
  std::string s = "123456789";
  CHECK(crc32c(s.data(), s.size()) == 0xE3069283u);
  // Continuation over split input equals the whole.
  uint32_t c = crc32c(s.data(), 4);
  CHECK(crc32c_update(c, s.data() + 4, 5) == 0xE3069283u);
  std::vector<uint8_t> zeros(32, 0);
  CHECK(crc32c(zeros.data(), zeros.size()) == 0x8A9136AAu);  // RFC 3720 B.4: 32 bytes of zeroes
}

TEST_CASE("a fresh store is empty and blobs round-trip across reopen", "[store]") {
  TempDir t;
  fs::path dir = t.path / "nested" / "store";
  Contents model;
  {
    auto s = open_ok(dir);
    Contents c = load_ok(*s);
    CHECK(c.blobs.empty());
    CHECK(c.memories.empty());
    CHECK_FALSE(s->journal_tail_dropped());
    CHECK(s->dir() == dir);

    Batch b;
    b.put["a"] = ic::to_bytes("alpha");
    b.put["b"] = ic::Bytes{};  // an empty blob is a value, not an erase
    b.put[std::string("bin\0ary", 7)] = ic::Bytes{0, 1, 2, 255};
    commit_ok(*s, b);
    apply(model, b);
    Batch b2;
    b2.erase.push_back("a");
    b2.erase.push_back("never-existed");
    b2.put["a"] = ic::to_bytes("put wins over erase in the same batch");
    b2.put["c"] = ic::Bytes(100000, 7);
    commit_ok(*s, b2);
    apply(model, b2);
    CHECK(s->journal_bytes() > 100000);
    commit_ok(*s, Batch{});  // empty batch: nothing to write
    CHECK(same(load_ok(*s), model));
  }
  auto s = open_ok(dir);
  Contents c = load_ok(*s);
  CHECK(same(c, model));
  CHECK(c.blobs.at("a") == ic::to_bytes("put wins over erase in the same batch"));
  CHECK(c.blobs.count("b") == 1);
  CHECK(c.blobs.at("b").empty());
}

TEST_CASE("paged memories: sparse pages, short last page, shrink, drop", "[store]") {
  TempDir t;
  Contents model;
  auto s = open_ok(t.path);
  auto step = [&](const Batch& b) {
    commit_ok(*s, b);
    apply(model, b);
    REQUIRE(same(load_ok(*s), model));
  };
  Batch b;
  b.memories["heap"].size_bytes = 1000 * kPageSize + 100;
  b.memories["heap"].pages[0] = page(1);
  b.memories["heap"].pages[5] = page(2);
  b.memories["heap"].pages[1000] = page(3, 100);  // the last page is short
  b.memories["stable"].size_bytes = 0;              // exists, empty
  step(b);
  {
    Contents c = load_ok(*s);
    CHECK(c.memories.at("heap").pages.size() == 3);
    CHECK(c.memories.at("heap").pages.at(1000).size() == 100);
    CHECK(c.memories.count("stable") == 1);
  }
  Batch grow;  // overwrite one page, add another, keep the rest
  grow.memories["heap"].size_bytes = 2000 * kPageSize;
  grow.memories["heap"].pages[5] = page(9);
  grow.memories["heap"].pages[1999] = page(4);
  step(grow);
  Batch shrink;  // pages at or past the new end go, the page straddling the end stays
  shrink.memories["heap"].size_bytes = 5 * kPageSize + 1;
  step(shrink);
  CHECK(load_ok(*s).memories.at("heap").pages.size() == 2);
  Batch write_past_end;  // a page written beyond the new size is dropped with the rest
  write_past_end.memories["heap"].size_bytes = 2 * kPageSize;
  write_past_end.memories["heap"].pages[7] = page(8);
  write_past_end.memories["heap"].pages[1] = page(6);
  step(write_past_end);
  CHECK(load_ok(*s).memories.at("heap").pages.size() == 2);
  Batch drop;  // drop, then recreate in the same batch: starts from nothing
  drop.drop_memories.push_back("heap");
  drop.drop_memories.push_back("stable");
  drop.memories["heap"].size_bytes = kPageSize;
  step(drop);
  CHECK(load_ok(*s).memories.at("heap").pages.empty());
  CHECK(load_ok(*s).memories.count("stable") == 0);
  s.reset();
  s = open_ok(t.path);
  CHECK(same(load_ok(*s), model));
}

TEST_CASE("random batches match the model through compactions and reopens", "[store]") {
  TempDir t;
  Options o = no_sync();
  o.compact_after_journal_bytes = 64 * 1024;
  std::mt19937_64 rng(42);
  Contents model;
  auto s = open_ok(t.path, o);
  REQUIRE(same(load_ok(*s), model));
  for (int i = 0; i < 400; ++i) {
    Batch b;
    int nput = static_cast<int>(rng() % 4);
    for (int k = 0; k < nput; ++k) b.put["blob" + std::to_string(rng() % 30)] = ic::Bytes(rng() % 600, uint8_t(i));
    if (rng() % 3 == 0) b.erase.push_back("blob" + std::to_string(rng() % 30));
    if (rng() % 25 == 0) b.drop_memories.push_back("mem" + std::to_string(rng() % 4));
    if (rng() % 2 == 0) {
      auto& w = b.memories["mem" + std::to_string(rng() % 4)];
      w.size_bytes = (rng() % 64) * kPageSize + (rng() % 2 ? rng() % kPageSize : 0);
      for (int k = static_cast<int>(rng() % 3); k > 0; --k) w.pages[rng() % 64] = page(uint8_t(rng()));
    }
    commit_ok(*s, b);
    apply(model, b);
    if (i % 37 == 0) {
      s.reset();
      s = open_ok(t.path, o);
      REQUIRE(same(load_ok(*s), model));
    }
  }
  CHECK(same(load_ok(*s), model));
  s.reset();
  // Compaction happened (the generation moved on) and left exactly one generation behind.
  auto files = listing(t.path);
  INFO(::Catch::Detail::stringify(files));
  REQUIRE(files.size() == 4);  // checkpoint-N, format, journal-N, lock
  CHECK(files[0] != "checkpoint-0");
  CHECK(files[0].substr(11) == files[2].substr(8));
  s = open_ok(t.path, o);
  CHECK(same(load_ok(*s), model));
}

TEST_CASE("a torn last record is dropped at every cut, and commits continue after it", "[store]") {
  TempDir t;
  fs::path dir = t.path / "s";
  Contents before;
  Batch last;
  last.put["blob"] = ic::Bytes(200, 0xAB);
  last.memories["m"].size_bytes = 4 * kPageSize;
  last.memories["m"].pages[3] = page(0xCD);
  uint64_t start = 0, end = 0;
  {
    auto s = open_ok(dir, no_sync());
    for (int i = 0; i < 3; ++i) {
      Batch b;
      b.put["n"] = ic::Bytes(1, uint8_t(i));
      b.memories["m"].size_bytes = 4 * kPageSize;
      b.memories["m"].pages[uint64_t(i)] = page(uint8_t(i + 1));
      commit_ok(*s, b);
      apply(before, b);
    }
    start = s->journal_bytes();
    commit_ok(*s, last);
    end = s->journal_bytes();
  }
  fs::path jp = dir / "journal-0";
  ic::Bytes full = read_file(jp);
  REQUIRE(full.size() == end);
  Contents after = before;
  apply(after, last);

  Batch next;
  next.put["next"] = ic::to_bytes("after recovery");
  for (uint64_t cut = start; cut < end; ++cut) {
    // Plain truncation at `cut`, and (for some cuts) the same length with the rest zero-filled, as a file
    // whose size was extended before its data blocks reached the disk.
    for (int zero_fill = 0; zero_fill < ((cut - start) % 61 == 0 ? 2 : 1); ++zero_fill) {
      // truncate(2) to a non-zero length: rewriting the whole file each time would be slow on ext4.
      restore_tail(jp, full, start);
      REQUIRE(::truncate(jp.c_str(), static_cast<off_t>(cut)) == 0);
      if (zero_fill) REQUIRE(::truncate(jp.c_str(), static_cast<off_t>(end)) == 0);
      auto s = open_ok(dir, no_sync());
      Contents c = load_ok(*s);
      INFO("cut at " << cut << " zero_fill " << zero_fill);
      REQUIRE(same(c, before));
      REQUIRE(s->journal_tail_dropped() == (zero_fill || cut > start));
      REQUIRE(s->journal_bytes() == start);
    }
  }
  // The whole record loads; and after a recovered tear the next commit lands cleanly.
  write_file(jp, full);
  {
    auto s = open_ok(dir, no_sync());
    REQUIRE(same(load_ok(*s), after));
  }
  write_file(jp, ic::Bytes(full.begin(), full.begin() + static_cast<long>(start + 30)));
  {
    auto s = open_ok(dir, no_sync());
    REQUIRE(same(load_ok(*s), before));
    commit_ok(*s, next);
  }
  auto s = open_ok(dir, no_sync());
  Contents expect = before;
  apply(expect, next);
  CHECK(same(load_ok(*s), expect));
  CHECK_FALSE(s->journal_tail_dropped());
}

TEST_CASE("commit before load finds the end of the journal and cuts a torn tail", "[store]") {
  TempDir t;
  Contents model;
  uint64_t good = 0;
  {
    auto s = open_ok(t.path, no_sync());
    Batch b;
    b.put["x"] = ic::to_bytes("1");
    commit_ok(*s, b);
    apply(model, b);
    good = s->journal_bytes();
  }
  auto jp = t.path / "journal-0";
  auto bytes = read_file(jp);
  bytes.insert(bytes.end(), 40, 0x11);  // garbage tail
  write_file(jp, bytes);
  {
    auto s = open_ok(t.path, no_sync());
    Batch b;
    b.put["y"] = ic::to_bytes("2");
    commit_ok(*s, b);  // no load() first
    apply(model, b);
    CHECK(s->journal_tail_dropped());
    CHECK(s->journal_bytes() > good);
  }
  auto s = open_ok(t.path, no_sync());
  CHECK(same(load_ok(*s), model));
}

TEST_CASE("corruption in the middle of the journal is an error naming the file, not silent loss", "[store]") {
  TempDir t;
  std::vector<uint64_t> ends;
  Contents two;
  {
    auto s = open_ok(t.path, no_sync());
    for (int i = 0; i < 3; ++i) {
      Batch b;
      b.put["k" + std::to_string(i)] = ic::Bytes(300, uint8_t(i));
      commit_ok(*s, b);
      if (i < 2) apply(two, b);
      ends.push_back(s->journal_bytes());
    }
  }
  fs::path jp = t.path / "journal-0";
  ic::Bytes orig = read_file(jp);
  // Record 2 spans [ends[0], ends[1]): its length field, sequence number, checksum and payload.
  for (uint64_t off : {ends[0], ends[0] + 9, ends[0] + 21, ends[0] + 100, ends[1] - 1}) {
    write_file(jp, orig);
    flip(jp, off);
    auto s = open_ok(t.path, no_sync());
    auto c = s->load();
    INFO("flipped byte " << off);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == ic::Errc::decode);
    CHECK_THAT(c.error().message, Catch::Contains("journal-0") && Catch::Contains("offset " + std::to_string(ends[0])));
    // A store that failed to load refuses to commit on top of it.
    Batch b;
    b.put["z"] = ic::Bytes(1, 1);
    CHECK_FALSE(s->commit(b).ok());
    s.reset();
    CHECK(read_file(jp).size() == orig.size());  // nothing was cut off
  }
  // Corruption of the journal's own header with records behind it is an error too.
  write_file(jp, orig);
  flip(jp, 3);
  {
    auto s = Store::open(t.path, no_sync());
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.error().message, Catch::Contains("journal-0"));
  }
  // The last record cannot be told from a torn write: it is dropped (documented in store.cpp), whether
  // the bad byte is in its payload or its header.
  for (uint64_t off : {ends[2] - 5, ends[1] + 3}) {
    write_file(jp, orig);
    flip(jp, off);
    auto s = open_ok(t.path, no_sync());
    CHECK(same(load_ok(*s), two));
    CHECK(s->journal_tail_dropped());
  }
}

TEST_CASE("a torn record whose payload contains a valid-looking record is still a torn tail", "[store]") {
  // A canister can store any bytes, including a copy of a journal record with the next sequence number.
  TempDir t;
  fs::path a = t.path / "a", b = t.path / "b";
  ic::Bytes record3;
  {
    auto s = open_ok(a, no_sync());
    uint64_t before = 0;
    for (int i = 0; i < 3; ++i) {
      before = s->journal_bytes();
      Batch x;
      x.put["x"] = ic::Bytes(10, uint8_t(i));
      commit_ok(*s, x);
    }
    ic::Bytes j = read_file(a / "journal-0");
    record3.assign(j.begin() + static_cast<long>(before), j.end());
  }
  Contents first;
  uint64_t start = 0;
  {
    auto s = open_ok(b, no_sync());
    Batch one;
    one.put["one"] = ic::Bytes(5, 1);
    commit_ok(*s, one);
    apply(first, one);
    start = s->journal_bytes();
    Batch two;
    ic::Bytes payload(record3.size() + 200, 0);
    std::copy(record3.begin(), record3.end(), payload.begin() + 100);
    two.put["two"] = payload;
    commit_ok(*s, two);
  }
  ic::Bytes j = read_file(b / "journal-0");
  for (uint64_t cut : {j.size() - 50, j.size() - 1}) {
    write_file(b / "journal-0", ic::Bytes(j.begin(), j.begin() + static_cast<long>(cut)));
    auto s = open_ok(b, no_sync());
    INFO("cut at " << cut);
    CHECK(same(load_ok(*s), first));
    CHECK(s->journal_bytes() == start);
  }
}

TEST_CASE("a corrupt or truncated checkpoint is an error naming the file", "[store]") {
  TempDir t;
  Options o = no_sync();
  o.compact_after_journal_bytes = 0;  // every commit compacts first
  {
    auto s = open_ok(t.path, o);
    for (int i = 0; i < 3; ++i) {
      Batch b;
      b.put["k" + std::to_string(i)] = ic::Bytes(1000, uint8_t(i));
      b.memories["m"].size_bytes = 8 * kPageSize;
      b.memories["m"].pages[uint64_t(i)] = page(uint8_t(i + 1));
      commit_ok(*s, b);
    }
  }
  // Three compactions: checkpoint-3 holds the first two commits, journal-3 the third.
  fs::path cp = t.path / "checkpoint-3";
  REQUIRE(fs::exists(cp));
  REQUIRE_FALSE(fs::exists(t.path / "checkpoint-2"));
  ic::Bytes orig = read_file(cp);
  for (size_t off : {size_t(40), orig.size() / 2, orig.size() - 3}) {
    write_file(cp, orig);
    flip(cp, off);
    auto s = open_ok(t.path, o);
    auto c = s->load();
    INFO("flipped byte " << off);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == ic::Errc::decode);
    CHECK_THAT(c.error().message, Catch::Contains("checkpoint-3") && Catch::Contains("corrupt"));
    CHECK_FALSE(c.error().hint.empty());
  }
  for (size_t len : {size_t(0), size_t(10), size_t(32), orig.size() - 1}) {
    write_file(cp, ic::Bytes(orig.begin(), orig.begin() + static_cast<long>(len)));
    auto s = Store::open(t.path, o);
    ic::Error e;
    if (!s.ok()) {
      e = s.error();  // a header that does not even parse is refused at open
    } else {
      auto c = (*s)->load();
      REQUIRE_FALSE(c.ok());
      e = c.error();
    }
    INFO("truncated to " << len);
    CHECK_THAT(e.message, Catch::Contains("checkpoint-3"));
  }
  // A missing checkpoint with its journal still there is refused, not treated as a fresh store.
  fs::remove(cp);
  auto s = Store::open(t.path, o);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Catch::Contains("journal-3"));
}

TEST_CASE("an unreadable checkpoint is an error naming it", "[store]") {
  TempDir t;
  {
    auto s = open_ok(t.path, no_sync());
    Batch b;
    b.put["a"] = ic::to_bytes("x");
    commit_ok(*s, b);
  }
  // Tests run as root, where permissions do not stop reads: a directory in its place does.
  fs::remove(t.path / "checkpoint-0");
  fs::create_directory(t.path / "checkpoint-0");
  auto s = Store::open(t.path, no_sync());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ic::Errc::io);
  CHECK_THAT(s.error().message, Catch::Contains("checkpoint-0"));
}

TEST_CASE("an interrupted compaction leaves a loadable state at every step", "[store]") {
  TempDir t;
  fs::path a = t.path / "a";
  Contents at_gen0;
  {
    auto s = open_ok(a, no_sync());
    for (int i = 0; i < 5; ++i) {
      Batch b;
      b.put["k" + std::to_string(i)] = ic::Bytes(50, uint8_t(i));
      b.memories["m"].size_bytes = 4 * kPageSize;
      b.memories["m"].pages[uint64_t(i % 4)] = page(uint8_t(i + 1));
      commit_ok(*s, b);
      apply(at_gen0, b);
    }
  }
  ic::Bytes ck0 = read_file(a / "checkpoint-0"), j0 = read_file(a / "journal-0");
  Batch x;
  x.put["x"] = ic::to_bytes("after compaction");
  {
    Options o = no_sync();
    o.compact_after_journal_bytes = 0;
    auto s = open_ok(a, o);
    commit_ok(*s, x);
  }
  REQUIRE(listing(a) == std::vector<std::string>{"checkpoint-1", "format", "journal-1", "lock"});
  ic::Bytes ck1 = read_file(a / "checkpoint-1");
  Contents with_x = at_gen0;
  apply(with_x, x);
  auto check = [&](const Contents& expect) {
    auto s = open_ok(a, no_sync());
    REQUIRE(same(load_ok(*s), expect));
    s.reset();
    // Loading removed the leftovers of the older generation and of the interrupted write.
    auto files = listing(a);
    CHECK(std::count_if(files.begin(), files.end(), [](const std::string& f) { return f.find("checkpoint") == 0; }) == 1);
    CHECK(std::none_of(files.begin(), files.end(), [](const std::string& f) { return f.find(".tmp") != std::string::npos; }));
  };
  // 1. Crashed while writing checkpoint-1.tmp (any prefix of it): the old generation is used.
  fs::remove(a / "checkpoint-1");
  fs::remove(a / "journal-1");
  write_file(a / "checkpoint-0", ck0);
  write_file(a / "journal-0", j0);
  write_file(a / "checkpoint-1.tmp", ic::Bytes(ck1.begin(), ck1.begin() + static_cast<long>(ck1.size() / 2)));
  check(at_gen0);
  // 2. Crashed after the rename, before journal-1 existed: checkpoint-1 alone is the state.
  write_file(a / "checkpoint-0", ck0);
  write_file(a / "journal-0", j0);
  write_file(a / "checkpoint-1", ck1);
  check(at_gen0);
  // 3. Crashed while creating journal-1 (header torn): recreated empty.
  write_file(a / "checkpoint-0", ck0);
  write_file(a / "journal-0", j0);
  write_file(a / "journal-1", ic::Bytes(7, 0));
  check(at_gen0);
  // 4. Crashed before the old generation was deleted, after a commit to journal-1.
  {
    auto s = open_ok(a, no_sync());
    commit_ok(*s, x);
  }
  write_file(a / "checkpoint-0", ck0);
  write_file(a / "journal-0", j0);
  check(with_x);
}

TEST_CASE("a second open of the same directory fails and names the holder's pid", "[store]") {
  TempDir t;
  auto first = open_ok(t.path);
  auto second = Store::open(t.path);
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message,
             Catch::Contains(t.path.string()) && Catch::Contains("pid " + std::to_string(::getpid())));
  first.reset();
  auto third = Store::open(t.path);
  CHECK(third.ok());
}

TEST_CASE("a directory written by a newer format version is refused", "[store]") {
  TempDir t;
  {
    auto s = open_ok(t.path, no_sync());
    Batch b;
    b.put["a"] = ic::to_bytes("x");
    commit_ok(*s, b);
  }
  ic::Bytes format = read_file(t.path / "format");
  CHECK(std::string(format.begin(), format.end()) == "hubctl-store 1\n");
  write_file(t.path / "format", ic::to_bytes("hubctl-store 7\n"));
  {
    auto s = Store::open(t.path, no_sync());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ic::Errc::unsupported);
    CHECK_THAT(s.error().message, Catch::Contains("newer") && Catch::Contains("version 7"));
  }
  write_file(t.path / "format", format);
  // A newer version in a checkpoint's own header (with a valid header checksum) is refused as well.
  ic::Bytes ck = read_file(t.path / "checkpoint-0");
  ck[8] = 2;
  uint32_t c = crc32c(ck.data(), 28);
  for (int i = 0; i < 4; ++i) ck[28 + i] = uint8_t(c >> (8 * i));
  write_file(t.path / "checkpoint-0", ck);
  {
    auto s = Store::open(t.path, no_sync());
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == ic::Errc::unsupported);
    CHECK_THAT(s.error().message, Catch::Contains("checkpoint-0") && Catch::Contains("newer"));
  }
  // Checkpoint and journal files without the directory marker: not ours, not started empty.
  fs::remove(t.path / "format");
  auto s = Store::open(t.path, no_sync());
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Catch::Contains("format"));
}
