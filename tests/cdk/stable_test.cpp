// Stable memory through the mock: the memory manager's layout, virtual memories, StableCell, and the
// StableBTreeMap against std::map, up to a million entries that survive a simulated upgrade.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "cdk/btree.h"
#include "cdk/mock/mock.h"
#include "cdk/stable.h"

using cdk::Memory;
using cdk::StableBTreeMap;

TEST_CASE("the memory manager lays memories out in buckets after a one-page header") {
  auto& env = cdk::mock::fresh();
  CHECK(Memory(3).size_pages() == 0);
  CHECK(env.stable_pages() == 0);  // nothing allocated until a memory grows

  CHECK(Memory(3).grow(2) == 0);
  CHECK(Memory(3).size_pages() == 2);
  CHECK(env.stable_pages() == 1 + 128);  // header page + one 8 MiB bucket
  CHECK(Memory(0).grow(1) == 0);
  CHECK(env.stable_pages() == 1 + 2 * 128);

  const char a[] = "memory three", b[] = "memory zero";
  Memory(3).write(100, a, sizeof a);
  Memory(0).write(100, b, sizeof b);
  // Known layout: "HKMM" v1, 128 pages per bucket, 2 buckets; bucket 0 belongs to memory 3, bucket 1 to memory 0.
  const ic::Bytes& s = env.stable_memory();
  CHECK(std::string(s.begin(), s.begin() + 4) == "HKMM");
  CHECK(s[4] == 1);
  CHECK((s[6] | s[7] << 8) == 128);
  CHECK((s[8] | s[9] << 8) == 2);
  CHECK(s[16 + 3 * 8] == 2);  // memory 3: 2 pages
  CHECK(s[2056] == 3);
  CHECK(s[2057] == 0);
  CHECK(std::memcmp(s.data() + 65536 + 100, a, sizeof a) == 0);
  CHECK(std::memcmp(s.data() + 65536 * 129 + 100, b, sizeof b) == 0);

  // Growing past a bucket takes the next free bucket; reads and writes span the boundary.
  CHECK(Memory(3).grow(200) == 2);
  std::vector<uint8_t> pattern(300000);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 31);
  uint64_t at = 128 * 65536 - 1000;
  Memory(3).write(at, pattern.data(), pattern.size());
  std::vector<uint8_t> back(pattern.size());
  Memory(3).read(at, back.data(), back.size());
  CHECK(back == pattern);
  CHECK(s[2058] == 3);

  // Out of bounds is a trap (outside a message the mock throws it).
  uint8_t x;
  CHECK_THROWS_WITH(Memory(0).read(65536, &x, 1), Catch::Contains("stable memory 0") && Catch::Contains("beyond"));

  // A simulated upgrade forgets the heap cache; the layout is read back from stable memory.
  REQUIRE(env.upgrade().replied());
  Memory(3).read(at, back.data(), back.size());
  CHECK(back == pattern);
  char c[sizeof b];
  Memory(0).read(100, c, sizeof c);
  CHECK(std::string(c) == "memory zero");
}

TEST_CASE("stable memory written by something else is refused") {
  auto& env = cdk::mock::fresh();
  cdk::stable::grow(1);
  cdk::stable::write(0, "JUNK", 4);
  CHECK_THROWS_WITH(Memory(0).size_pages(), Catch::Contains("HKMM"));
  (void)env;
}

TEST_CASE("StableCell keeps one value across upgrades") {
  auto& env = cdk::mock::fresh();
  cdk::StableCell<uint64_t> cell{Memory(1), 7};
  CHECK(cell.get() == 7);
  cell.set(42);
  cdk::StableCell<std::string> name{Memory(2)};
  name.set("hello");
  REQUIRE(env.upgrade().replied());
  CHECK(cell.get() == 42);
  CHECK(name.get() == "hello");
}

TEST_CASE("StableBTreeMap matches std::map under random operations") {
  cdk::mock::fresh();
  StableBTreeMap<uint32_t, std::string, 4, 24> map{Memory(5)};
  std::map<uint32_t, std::string> model;
  std::mt19937 rng(12345);
  for (int op = 0; op < 60000; ++op) {
    uint32_t k = rng() % 3000;  // small key space: many replacements and deletions
    int what = rng() % 10;
    if (what < 5) {
      std::string v(rng() % 25, static_cast<char>('a' + k % 26));
      auto old = map.insert(k, v);
      auto it = model.find(k);
      REQUIRE(old.has_value() == (it != model.end()));
      if (old) REQUIRE(*old == it->second);
      model[k] = v;
    } else if (what < 9) {
      auto old = map.remove(k);
      auto it = model.find(k);
      REQUIRE(old.has_value() == (it != model.end()));
      if (old) {
        REQUIRE(*old == it->second);
        model.erase(it);
      }
    } else {
      auto v = map.get(k);
      auto it = model.find(k);
      REQUIRE(v.has_value() == (it != model.end()));
      if (v) REQUIRE(*v == it->second);
    }
    REQUIRE(map.size() == model.size());
  }
  // Full iteration and ranges agree with the model.
  auto it = model.begin();
  for (auto m = map.begin(); m != map.end(); ++m, ++it) {
    REQUIRE(it != model.end());
    REQUIRE((*m).first == it->first);
    REQUIRE((*m).second == it->second);
  }
  CHECK(it == model.end());
  auto r = map.range(1000, 1100, 1000);
  std::vector<std::pair<uint32_t, std::string>> expected(model.lower_bound(1000), model.lower_bound(1100));
  CHECK(r == expected);
  CHECK(map.range(0, 5000, 3).size() == std::min<size_t>(3, model.size()));
  REQUIRE(map.first().has_value());
  CHECK(map.first()->first == model.begin()->first);
  CHECK(map.last()->first == model.rbegin()->first);
  // Delete everything: the tree empties and reuses its freed nodes afterwards.
  for (auto& [k, v] : model) REQUIRE(map.remove(k).has_value());
  CHECK(map.empty());
  CHECK(map.begin() == map.end());
  uint64_t allocated = map.allocated_bytes();
  for (uint32_t k = 0; k < 500; ++k) map.insert(k, "x");
  CHECK(map.allocated_bytes() == allocated);
}

TEST_CASE("StableBTreeMap: ascending appends (10 + 0 leaf splits), descending inserts, then deletions") {
  cdk::mock::fresh();
  StableBTreeMap<uint64_t, uint64_t> map{Memory(4)};
  std::map<uint64_t, uint64_t> model;
  for (uint64_t k = 1000; k < 21000; ++k) map.insert(k, k * 3), model[k] = k * 3;  // appends
  for (uint64_t k = 999; k > 0; --k) map.insert(k, k * 3), model[k] = k * 3;       // prepends
  for (uint64_t k = 20000; k < 20500; k += 3) map.insert(k, 1), model[k] = 1;      // replacements
  // Appending keeps leaves nearly full: well under the 2 x 16 B per entry of half-full leaves.
  CHECK(double(map.allocated_bytes()) / double(model.size()) < 24.0);
  std::mt19937 rng(99);
  std::vector<uint64_t> keys;
  for (auto& [k, v] : model) keys.push_back(k);
  std::shuffle(keys.begin(), keys.end(), rng);
  for (size_t j = 0; j < keys.size(); ++j) {
    if (j % 3 == 2) continue;  // keep a third
    REQUIRE(map.remove(keys[j]) == model[keys[j]]);
    model.erase(keys[j]);
    if (j % 1000 == 0) {
      REQUIRE(map.size() == model.size());
      REQUIRE(map.range(0, UINT64_MAX) == std::vector<std::pair<uint64_t, uint64_t>>(model.begin(), model.end()));
    }
  }
  REQUIRE(map.range(0, UINT64_MAX) == std::vector<std::pair<uint64_t, uint64_t>>(model.begin(), model.end()));
  for (uint64_t k = 30000; k < 31000; ++k) map.insert(k, k), model[k] = k;  // appends after deletions
  CHECK(map.range(0, UINT64_MAX) == std::vector<std::pair<uint64_t, uint64_t>>(model.begin(), model.end()));
}

TEST_CASE("StableBTreeMap with variable-size keys orders them bytewise") {
  cdk::mock::fresh();
  StableBTreeMap<std::string, int64_t, 16> map{Memory(6)};
  for (std::string k : {"b", "a", "ab", "", "abc", "B", "zzzz"}) map.insert(k, static_cast<int64_t>(k.size()) - 2);
  std::vector<std::string> keys;
  for (auto it = map.begin(); it != map.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"", "B", "a", "ab", "abc", "b", "zzzz"});
  CHECK(map.get("abc") == 1);
  CHECK(map.get("") == -2);
  CHECK(map.lower_bound("aa").key() == "ab");
  CHECK_THROWS_WITH(map.insert(std::string(17, 'k'), 0), Catch::Contains("key of 17 bytes exceeds the bound of 16"));
  // Signed keys keep their numeric order.
  StableBTreeMap<int32_t, bool> signs{Memory(7)};
  for (int32_t k : {5, -1, 0, -100000, 100000}) signs.insert(k, k > 0);
  std::vector<int32_t> order;
  for (auto it = signs.begin(); it != signs.end(); ++it) order.push_back(it.key());
  CHECK(order == std::vector<int32_t>{-100000, -1, 0, 5, 100000});
}

TEST_CASE("a map's bounds are part of its layout") {
  cdk::mock::fresh();
  StableBTreeMap<uint64_t, uint64_t> a{Memory(8)};
  a.insert(1, 2);
  StableBTreeMap<uint64_t, std::string, 8, 10> b{Memory(8)};
  CHECK_THROWS_WITH(b.get(1), Catch::Contains("key bound 8 and value bound 8") && Catch::Contains("8 and 10"));
}

TEST_CASE("a StableBTreeMap with a million entries survives an upgrade") {
  auto& env = cdk::mock::fresh();
  constexpr uint64_t kN = 1000000, kPrime = 1000003;
  auto key = [](uint64_t i) { return (i * 7919) % kPrime; };  // a permutation of distinct keys below kPrime
  {
    StableBTreeMap<uint64_t, uint64_t> map{Memory(10)};
    for (uint64_t i = 0; i < kN; ++i) REQUIRE_FALSE(map.insert(key(i), i).has_value());
    REQUIRE(map.size() == kN);
  }
  REQUIRE(env.upgrade().replied());

  StableBTreeMap<uint64_t, uint64_t> map{Memory(10)};
  REQUIRE(map.size() == kN);
  for (uint64_t i = 0; i < kN; i += 7) REQUIRE(map.get(key(i)) == i);
  CHECK_FALSE(map.get(kPrime + 1).has_value());
  // Range: keys in [500000, 500100) are exactly the present ones, in order.
  std::vector<uint64_t> present;
  for (uint64_t i = 0; i < kN; ++i)
    if (key(i) >= 500000 && key(i) < 500100) present.push_back(key(i));
  std::sort(present.begin(), present.end());
  auto r = map.range(500000, 500100);
  REQUIRE(r.size() == present.size());
  for (size_t j = 0; j < r.size(); ++j) REQUIRE(r[j].first == present[j]);
  // Delete every even i, then check sizes, lookups and a full in-order scan.
  for (uint64_t i = 0; i < kN; i += 2) REQUIRE(map.remove(key(i)) == i);
  REQUIRE(map.size() == kN / 2);
  REQUIRE_FALSE(map.get(key(0)).has_value());
  REQUIRE(map.get(key(1)) == 1u);
  REQUIRE(env.upgrade().replied());
  uint64_t count = 0, prev = 0;
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto [k, v] = *it;
    REQUIRE((count == 0 || k > prev));
    REQUIRE(v % 2 == 1);
    REQUIRE(key(v) == k);
    prev = k;
    ++count;
  }
  CHECK(count == kN / 2);
}
