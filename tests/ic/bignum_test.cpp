#include <catch2/catch.hpp>

#include <random>

#include "ic/bignum.h"

using namespace ic;

namespace {
using u128 = unsigned __int128;
BigNat from_u128(u128 v) { return BigNat(static_cast<uint64_t>(v >> 64)).shift_left(64) + BigNat(static_cast<uint64_t>(v)); }
std::string dec(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v) {
    s.insert(s.begin(), char('0' + int(v % 10)));
    v /= 10;
  }
  return s;
}
}  // namespace

TEST_CASE("BigNat decimal round trips", "[bignum]") {
  CHECK(BigNat().to_decimal() == "0");
  CHECK(BigNat(0).is_zero());
  CHECK(BigNat(1234567890123456789ull).to_decimal() == "1234567890123456789");
  CHECK(BigNat(UINT64_MAX).to_decimal() == "18446744073709551615");
  auto two128 = BigNat(1).shift_left(128);
  CHECK(two128.to_decimal() == "340282366920938463463374607431768211456");
  CHECK(BigNat::from_decimal("340282366920938463463374607431768211456").value() == two128);
  CHECK(BigNat::from_decimal("1_000_000").value() == BigNat(1000000));
  CHECK(BigNat::from_decimal("000123").value() == BigNat(123));
  CHECK(BigNat::from_decimal("1000000000").value().to_decimal() == "1000000000");
  CHECK(BigNat::from_decimal("10000000000000000000000000000").value().to_decimal() ==
        "10000000000000000000000000000");

  for (const char* bad : {"", "_1", "1_", "1__0", "-1", "+1", "1a", "0x10", " 1"}) {
    INFO(bad);
    auto r = BigNat::from_decimal(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_input);
  }
  CHECK(BigNat::from_decimal(std::string(200001, '1')).error().code == Errc::limit);
}

TEST_CASE("BigNat arithmetic against unsigned __int128", "[bignum]") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    u128 a = (u128(rng()) << 64 | rng()) >> (rng() % 128);
    u128 b = (u128(rng()) << 64 | rng()) >> (rng() % 128);
    if (i % 2) a >>= 1, b >>= 1;  // room for a + b
    BigNat A = from_u128(a), B = from_u128(b);
    INFO(dec(a) << " " << dec(b));
    REQUIRE(A.to_decimal() == dec(a));
    CHECK(BigNat::from_decimal(dec(a)).value() == A);
    CHECK((A < B) == (a < b));
    CHECK((A == B) == (a == b));
    if (i % 2) CHECK((A + B).to_decimal() == dec(a + b));
    if (a >= b) {
      BigNat d = A;
      d -= B;
      CHECK(d.to_decimal() == dec(a - b));
    }
    uint32_t m = static_cast<uint32_t>(rng());
    if ((a >> 96) == 0) CHECK(BigNat(A).mul_small(m).to_decimal() == dec(a * m));
    if ((a >> 96) == 0) CHECK(BigNat(A).add_small(m).to_decimal() == dec(a + m));
    uint32_t d = static_cast<uint32_t>(rng() | 1);
    BigNat q = A;
    CHECK(q.divmod_small(d) == uint32_t(a % d));
    CHECK(q.to_decimal() == dec(a / d));
    unsigned s = static_cast<unsigned>(rng() % 70);
    CHECK(BigNat(A).shift_right(s).to_decimal() == dec(a >> s));
    if (a >> (127 - s) == 0) CHECK(BigNat(A).shift_left(s).to_decimal() == dec(a << s));
    size_t bl = 0;
    for (u128 t = a; t; t >>= 1) ++bl;
    CHECK(A.bit_length() == bl);
    CHECK(A.bit(s) == bool((a >> s) & 1));
    CHECK(A.low_u64() == uint64_t(a));
    CHECK(A.to_u64().has_value() == ((a >> 64) == 0));
  }
}

TEST_CASE("BigNat bytes", "[bignum]") {
  Bytes be{0x00, 0x01, 0x02, 0x03, 0x04, 0x05};
  auto n = BigNat::from_bytes_be(be);
  CHECK(n.to_u64() == 0x0102030405ull);
  CHECK(n.to_bytes_be() == Bytes{0x01, 0x02, 0x03, 0x04, 0x05});
  CHECK(n.to_bytes_le() == Bytes{0x05, 0x04, 0x03, 0x02, 0x01});
  CHECK(BigNat::from_bytes_le(Bytes{0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00}) == n);
  CHECK(BigNat(0).to_bytes_be().empty());
  CHECK(BigNat::from_bytes_be(Bytes{0, 0}).is_zero());
  Bytes big(40, 0xff);
  auto b = BigNat::from_bytes_be(big);
  CHECK(b.bit_length() == 320);
  CHECK(b.to_bytes_be() == big);
  CHECK_FALSE(b.bit(320));
  BigNat z = 5;
  z -= BigNat(7);  // documented: saturates at zero
  CHECK(z.is_zero());
}

TEST_CASE("BigInt", "[bignum]") {
  CHECK(BigInt(-5).to_decimal() == "-5");
  CHECK(BigInt(INT64_MIN).to_decimal() == "-9223372036854775808");
  CHECK(BigInt(INT64_MIN).to_i64() == INT64_MIN);
  CHECK(BigInt(INT64_MAX).to_i64() == INT64_MAX);
  CHECK_FALSE(BigInt::from_decimal("9223372036854775808").value().to_i64().has_value());
  CHECK_FALSE(BigInt::from_decimal("-9223372036854775809").value().to_i64().has_value());
  CHECK(BigInt::from_decimal("-9223372036854775808").value().to_i64() == INT64_MIN);
  CHECK(BigInt::from_decimal("+42").value() == BigInt(42));
  auto z = BigInt::from_decimal("-0").value();
  CHECK(z == BigInt(0));
  CHECK_FALSE(z.negative());
  CHECK(BigInt(BigNat(0), true) == BigInt(0));
  CHECK(BigInt(-3) < BigInt(-2));
  CHECK(BigInt(-3) < BigInt(2));
  CHECK(BigInt(3) > BigInt(2));
  CHECK(BigInt(-300) < BigInt(-200));
  CHECK_FALSE(BigInt::from_decimal("-").ok());
  CHECK_FALSE(BigInt::from_decimal("--1").ok());
  CHECK(BigInt::from_decimal("-1_000").value().to_i64() == -1000);
}
