#include <catch2/catch.hpp>

#include <random>

#include "ic/leb128.h"

using namespace ic;

namespace {
std::string uleb(uint64_t v) {
  Bytes b;
  write_uleb(b, v);
  return to_hex(b);
}
std::string sleb(int64_t v) {
  Bytes b;
  write_sleb(b, v);
  return to_hex(b);
}
std::string uleb_big(const BigNat& v) {
  Bytes b;
  write_uleb(b, v);
  return to_hex(b);
}
std::string sleb_big(const BigInt& v) {
  Bytes b;
  write_sleb(b, v);
  return to_hex(b);
}
Bytes hex(const char* h) { return from_hex(h).value(); }
}  // namespace

TEST_CASE("LEB128 known encodings", "[leb128]") {
  CHECK(uleb(0) == "00");
  CHECK(uleb(127) == "7f");
  CHECK(uleb(128) == "8001");
  CHECK(uleb(624485) == "e58e26");
  CHECK(uleb(UINT64_MAX) == "ffffffffffffffffff01");
  CHECK(sleb(0) == "00");
  CHECK(sleb(-1) == "7f");
  CHECK(sleb(63) == "3f");
  CHECK(sleb(64) == "c000");
  CHECK(sleb(-64) == "40");
  CHECK(sleb(-65) == "bf7f");
  CHECK(sleb(73) == "c900");  // ic-protocol.md §2, `{foo: 73}` as int
  CHECK(sleb(-123456) == "c0bb78");
  CHECK(sleb(INT64_MIN) == "8080808080808080807f");
  CHECK(sleb(INT64_MAX) == "ffffffffffffffffff00");
  CHECK(uleb_big(BigNat(0)) == "00");
  CHECK(uleb_big(BigNat(624485)) == "e58e26");
  CHECK(uleb_big(BigNat(1).shift_left(64)) == "80808080808080808002");
  CHECK(sleb_big(BigInt(0)) == "00");
  CHECK(sleb_big(BigInt(-123456)) == "c0bb78");
  CHECK(sleb_big(BigInt(BigNat(1).shift_left(64), true)) == "8080808080808080807e");
}

TEST_CASE("LEB128 64-bit and big writers agree, readers invert them", "[leb128]") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    uint64_t u = rng() >> (rng() % 64);
    int64_t s = static_cast<int64_t>(rng()) >> (rng() % 64);
    INFO(u << " " << s);
    REQUIRE(uleb(u) == uleb_big(BigNat(u)));
    REQUIRE(sleb(s) == sleb_big(BigInt(s)));
    Bytes b;
    write_uleb(b, u);
    write_sleb(b, s);
    size_t pos = 0;
    CHECK(read_uleb64(b, pos).value() == u);
    CHECK(read_sleb64(b, pos).value() == s);
    CHECK(pos == b.size());
    pos = 0;
    CHECK(read_uleb_big(b, pos).value() == BigNat(u));
    CHECK(read_sleb_big(b, pos).value() == BigInt(s));
    CHECK(pos == b.size());
  }
  // Multi-limb round trips.
  for (int i = 0; i < 300; ++i) {
    Bytes mag(rng() % 40);
    for (auto& x : mag) x = static_cast<uint8_t>(rng());
    BigNat n = BigNat::from_bytes_be(mag);
    BigInt v(n, rng() & 1);
    Bytes b;
    write_uleb(b, n);
    write_sleb(b, v);
    size_t pos = 0;
    CHECK(read_uleb_big(b, pos).value() == n);
    CHECK(read_sleb_big(b, pos).value() == v);
    CHECK(pos == b.size());
  }
}

TEST_CASE("LEB128 readers accept overlong forms and reject overflow and truncation", "[leb128]") {
  size_t pos = 0;
  CHECK(read_uleb64(hex("808000"), pos).value() == 0);
  CHECK(pos == 3);
  pos = 0;
  CHECK(read_uleb64(hex("ff8080808080808080808000"), pos).value() == 127);
  pos = 0;
  CHECK(read_sleb64(hex("ff7f"), pos).value() == -1);
  pos = 0;
  CHECK(read_sleb64(hex("ffffffffffffffffffff7f"), pos).value() == -1);  // 11 bytes of sign extension
  pos = 0;
  CHECK(read_sleb64(hex("8080808080808080807f"), pos).value() == INT64_MIN);
  pos = 0;
  CHECK(read_sleb_big(hex("ff7f"), pos).value() == BigInt(-1));

  // 2^64 does not fit; 2^63 does not fit a signed reader; garbage above bit 63 refused.
  pos = 0;
  auto r = read_uleb64(hex("80808080808080808002"), pos);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("64 bits") != std::string::npos);
  CHECK(pos == 0);
  CHECK_FALSE(read_sleb64(hex("80808080808080808001"), pos).ok());       // +2^63
  CHECK_FALSE(read_sleb64(hex("ffffffffffffffffff807f"), pos).ok());     // mixed high bits
  CHECK_FALSE(read_uleb64(hex("ffffffffffffffffff8180"), pos).ok());     // truncated after overflow
  CHECK(read_uleb64(hex("ffffffffffffffffff01"), pos).value() == UINT64_MAX);

  for (auto* h : {"", "80", "ff80"}) {
    Bytes b = hex(h);
    size_t p = 0;
    auto t = read_uleb64(b, p);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().message.find("truncated") != std::string::npos);
    CHECK(p == 0);
    CHECK_FALSE(read_sleb64(b, p).ok());
    CHECK_FALSE(read_uleb_big(b, p).ok());
    CHECK_FALSE(read_sleb_big(b, p).ok());
    CHECK(p == 0);
  }
  // Hostile: a megabyte of continuation bytes is cut off at max_bytes.
  Bytes bomb(1 << 20, 0x80);
  pos = 0;
  auto big = read_uleb_big(bomb, pos);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == Errc::limit);
  CHECK(read_sleb_big(bomb, pos, 10).error().code == Errc::limit);
  bomb.back() = 0;
  CHECK(read_uleb64(bomb, pos).value() == 0);  // overlong zero is fine for the 64-bit reader
  CHECK(pos == bomb.size());
  // Reads continue from pos.
  Bytes two = hex("2a7f");
  pos = 1;
  CHECK(read_sleb64(two, pos).value() == -1);
}
