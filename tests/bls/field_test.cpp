// Field arithmetic: known answers (computed with Python big integers) and algebraic identities on
// deterministic random elements.
#include <catch2/catch.hpp>

#include "bls/field.h"
#include "test_util.h"

using namespace bls;
using namespace blstest;

namespace {
std::vector<uint64_t> p_limbs() { return std::vector<uint64_t>(kModulusP, kModulusP + 6); }
}  // namespace

TEST_CASE("Fp: encoding, known answers, canonical check") {
  CHECK(fp_hex(Fp::from_u64(2) * Fp::from_u64(3)) == std::string(94, '0') + "06");
  CHECK(fp_hex(Fp::one()) == std::string(95, '0') + "1");
  CHECK(fp_hex(Fp::zero() - Fp::one()) ==
        "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaaa");
  // 1/2 = (p+1)/2 and 1/3.
  CHECK(fp_hex(inv(Fp::from_u64(2))) ==
        "0d0088f51cbff34d258dd3db21a5d66bb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd556");
  CHECK(fp_hex(inv(Fp::from_u64(3))) ==
        "11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71d");
  CHECK(inv(Fp::zero()).is_zero());

  // 64-byte integers reduced mod p (hash_to_field).
  ic::Bytes wide(64);
  for (int i = 0; i < 64; ++i) wide[i] = static_cast<uint8_t>(i + 1);
  CHECK(fp_hex(Fp::from_bytes_wide(wide.data(), 64)) ==
        "16a7eb375f886b331653889e2da6a368f1853fed8ba9dc8ee3721f2a01a270a367d5d0ef2be7023070cb5ffd22ee9bfb");
  std::fill(wide.begin(), wide.end(), 0xff);
  CHECK(fp_hex(Fp::from_bytes_wide(wide.data(), 64)) ==
        "02cb5d3a884e56c4fab7cd07ee4e16bc15efebb5d396d7cf82383087033108464532383fa8eaff4e967d3988a62b6c9c");

  // p itself and anything above is refused; p-1 is accepted.
  ic::Bytes pb = unhex("1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab");
  Fp out;
  CHECK_FALSE(Fp::from_bytes(pb.data(), out));
  pb[47] = 0xaa;
  CHECK(Fp::from_bytes(pb.data(), out));
  CHECK(out == -Fp::one());
  ic::Bytes ff(48, 0xff);
  CHECK_FALSE(Fp::from_bytes(ff.data(), out));

  // sgn0 and the ZCash "largest" predicate.
  CHECK(Fp::one().sgn0());
  CHECK_FALSE(Fp::from_u64(2).sgn0());
  CHECK((-Fp::one()).sgn0() == false);  // p-1 is even
  CHECK_FALSE(Fp::one().lexicographically_largest());
  CHECK((-Fp::one()).lexicographically_largest());
  CHECK(inv(Fp::from_u64(2)).lexicographically_largest());  // (p+1)/2 > (p-1)/2
}

TEST_CASE("Fp: ring identities, inverse and square roots on random elements") {
  Rng rng;
  for (int i = 0; i < 200; ++i) {
    Fp a = rng.fp(), b = rng.fp(), c = rng.fp();
    REQUIRE(a * (b + c) == a * b + a * c);
    REQUIRE((a - b) + b == a);
    REQUIRE(a + (-a) == Fp::zero());
    REQUIRE(sqr(a) == a * a);
    REQUIRE(a * b == b * a);
    if (!a.is_zero()) REQUIRE(a * inv(a) == Fp::one());
    Fp s;
    REQUIRE(sqrt(sqr(a), s));
    REQUIRE((s == a || s == -a));
    bool sq = is_square(b);
    REQUIRE(sqrt(b, s) == sq);
    // Exactly one of b and -b is a square (p ≡ 3 mod 4, so -1 is not).
    if (!b.is_zero()) REQUIRE(is_square(-b) != sq);
    REQUIRE(select(a, b, 0) == a);
    REQUIRE(select(a, b, 1) == b);
  }
  CHECK_FALSE(is_square(-Fp::one()));
}

TEST_CASE("Fp2: identities, inverse, sqrt, Frobenius is conjugation") {
  Rng rng;
  auto p = p_limbs();
  for (int i = 0; i < 50; ++i) {
    Fp2 a = rng.fp2(), b = rng.fp2(), c = rng.fp2();
    REQUIRE(a * (b + c) == a * b + a * c);
    REQUIRE(sqr(a) == a * a);
    REQUIRE(a * inv(a) == Fp2::one());
    REQUIRE(mul_by_xi(a) == a * Fp2{Fp::one(), Fp::one()});
    Fp2 s;
    REQUIRE(sqrt(sqr(a), s));
    REQUIRE((s == a || s == -a));
    if (i < 10) REQUIRE(pow(a, p.data(), 6) == conj(a));
  }
  // u² = -1, and elements of Fp that are non-squares there have roots in Fp2.
  Fp2 u{Fp::zero(), Fp::one()};
  CHECK(sqr(u) == -Fp2::one());
  Fp2 s;
  REQUIRE(sqrt(Fp2{-Fp::one(), Fp::zero()}, s));
  CHECK(sqr(s) == Fp2{-Fp::one(), Fp::zero()});
  // ξ = 1 + u is not a square (it defines the sextic extension), so sqrt must fail.
  CHECK_FALSE(sqrt(Fp2{Fp::one(), Fp::one()}, s));
}

TEST_CASE("Fp6 and Fp12: inverses, squaring, Frobenius maps") {
  Rng rng;
  auto p = p_limbs();
  for (int i = 0; i < 10; ++i) {
    Fp6 a = rng.fp6(), b = rng.fp6();
    REQUIRE(a * inv(a) == Fp6::one());
    REQUIRE(sqr(a) == a * a);
    REQUIRE(mul_by_v(a) * b == mul_by_v(a * b));
    Fp12 f = rng.fp12(), g = rng.fp12();
    REQUIRE(f * inv(f) == Fp12::one());
    Fp12 h = rng.fp12();
    REQUIRE((f * g) * h == f * (g * h));
    REQUIRE(sqr(f) == f * f);
    REQUIRE((f * g) * conj(g) == f * (g * conj(g)));
    REQUIRE(frobenius(frobenius(f, 1), 1) == frobenius(f, 2));
    REQUIRE(frobenius(frobenius(f, 2), 1) == frobenius(f, 3));
    // frobenius(·, 3) applied four times is x^(p^12) = x.
    REQUIRE(frobenius(frobenius(frobenius(frobenius(f, 3), 3), 3), 3) == f);
    // w^(p^6) = -w: conj is the p^6-power.
    REQUIRE(frobenius(frobenius(f, 3), 3) == conj(f));
  }
  Fp12 f = rng.fp12();
  CHECK(frobenius(f, 1) == pow(f, p.data(), 6));

  // Sparse line multiplication agrees with the dense product.
  Fp2 a = rng.fp2(), b = rng.fp2(), c = rng.fp2();
  Fp12 line{{a, b, Fp2::zero()}, {Fp2::zero(), c, Fp2::zero()}};
  CHECK(mul_by_line(f, a, b, c) == f * line);
}

TEST_CASE("Fp12: cyclotomic squaring agrees with squaring in the cyclotomic subgroup") {
  Rng rng;
  for (int i = 0; i < 5; ++i) {
    Fp12 f = rng.fp12();
    Fp12 g = conj(f) * inv(f);  // f^(p^6 - 1)
    g = frobenius(g, 2) * g;    // ·(p^2 + 1)
    REQUIRE(cyclotomic_sqr(g) == sqr(g));
    REQUIRE(conj(g) * g == Fp12::one());  // the inverse is the conjugate there
    // Not in the subgroup: the shortcut must not be mistaken for a squaring in general.
    REQUIRE_FALSE(cyclotomic_sqr(f) == sqr(f));
  }
}

TEST_CASE("Fr: reduction and canonical check") {
  ic::Bytes wide(48);
  for (int i = 0; i < 48; ++i) wide[i] = static_cast<uint8_t>(i + 1);
  uint8_t out[32];
  Fr::from_bytes_wide(wide.data(), 48).to_bytes(out);
  CHECK(hex(ic::ByteView(out, 32)) == "4b60c20a2d263ac2c5122ea5388a4a05c1c485bc8643fdc70d5fdd0bb18c86f3");
  std::fill(wide.begin(), wide.end(), 0xff);
  Fr::from_bytes_wide(wide.data(), 48).to_bytes(out);
  CHECK(hex(ic::ByteView(out, 32)) == "2dbeaf1fd4843acb7abbe5687369510a9277efb8ac0a600dcf2ab21bf81f712c");

  ic::Bytes r = unhex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
  Fr k;
  CHECK_FALSE(Fr::from_bytes(r.data(), k));
  r[31] = 0;
  REQUIRE(Fr::from_bytes(r.data(), k));
  CHECK(k + Fr::one() == Fr::zero());
  Rng rng;
  Fr a = rng.fr(), b = rng.fr();
  CHECK(a * b == b * a);
  CHECK((a - b) + b == a);
  CHECK(Fr::from_u64(6) == Fr::from_u64(2) * Fr::from_u64(3));
}
