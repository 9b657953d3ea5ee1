// G1/G2: the complete formulas against textbook affine formulas, scalar multiplication, the
// endomorphism subgroup checks against [r]P = O (including small-order points), encoding and
// decoding (noble's encodings and its invalid ones), and RFC 9380 hash_to_curve vectors.
#include <catch2/catch.hpp>

#include "bls/bls.h"
#include "test_util.h"

using namespace bls;
using namespace blstest;

namespace {

// Big-endian hex → little-endian limbs.
std::vector<uint64_t> limbs_of(const std::string& h) {
  std::string s = std::string((16 - h.size() % 16) % 16, '0') + h;
  std::vector<uint64_t> out;
  for (size_t i = s.size(); i >= 16; i -= 16) out.push_back(std::stoull(s.substr(i - 16, 16), nullptr, 16));
  return out;
}
// #E(Fp) = p + 1 - t with t = x + 1, and #E'(Fp2) (computed with Python from p and x; both are h·r).
const char* kOrderE1 = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb15400008c0000000000aaab";
const char* kOrderE2 =
    "2a437a4b8c35fc74bd278eaa22f25e9e2dc90e50e7046b466e59e49349e8bd050a62cfd16ddca6ef53149330978ef0137697386bf984"
    "315744a2d5eb3dd4d213f2484c55b94474ab096de2c62640b2643116b1e2788e6a8b2a9fffe1c7238e5";

template <class F>
Affine<F> affine_add(const Affine<F>& a, const Affine<F>& b) {
  if (a.infinity) return b;
  if (b.infinity) return a;
  F lambda;
  if (a.x == b.x) {
    if (a.y == -b.y) return Affine<F>{};
    F x2 = sqr(a.x);
    lambda = (dbl(x2) + x2) * inv(dbl(a.y));
  } else {
    lambda = (b.y - a.y) * inv(b.x - a.x);
  }
  F x3 = sqr(lambda) - a.x - b.x;
  return Affine<F>{x3, lambda * (a.x - x3) - a.y, false};
}

template <class F>
bool same(const Affine<F>& a, const Affine<F>& b) {
  return a.infinity == b.infinity && (a.infinity || (a.x == b.x && a.y == b.y));
}

// A random point of E(Fp) (not in G1 with overwhelming probability).
G1 random_e1(Rng& rng) {
  for (;;) {
    Fp x = rng.fp(), y;
    if (sqrt(sqr(x) * x + Fp::from_u64(4), y)) return from_affine(G1Affine{x, y, false});
  }
}
G2 random_e2(Rng& rng) {
  const Fp2 b{Fp::from_u64(4), Fp::from_u64(4)};
  for (;;) {
    Fp2 x = rng.fp2(), y;
    if (sqrt(sqr(x) * x + b, y)) return from_affine(G2Affine{x, y, false});
  }
}

template <class F>
bool killed_by_r(const Point<F>& p) {
  return mul_vartime(p, kModulusR, 4).is_identity();
}

}  // namespace

TEST_CASE("group law: complete formulas agree with affine formulas") {
  Rng rng;
  for (int i = 0; i < 20; ++i) {
    G1 p = g1_mul(rng.fr()), q = g1_mul(rng.fr());
    REQUIRE(same(to_affine(p + q), affine_add(to_affine(p), to_affine(q))));
    REQUIRE(same(to_affine(dbl(p)), affine_add(to_affine(p), to_affine(p))));
    REQUIRE(p + p == dbl(p));
    REQUIRE((p + (-p)).is_identity());
    REQUIRE(p + G1::identity() == p);
    REQUIRE(G1::identity() + p == p);
    G2 s = g2_mul(rng.fr()), t = g2_mul(rng.fr());
    REQUIRE(same(to_affine(s + t), affine_add(to_affine(s), to_affine(t))));
    REQUIRE(same(to_affine(dbl(s)), affine_add(to_affine(s), to_affine(s))));
    REQUIRE((s - s).is_identity());
    // Points outside the subgroups as well (the formulas are complete on all of E and E').
    G1 u = random_e1(rng), v = random_e1(rng);
    REQUIRE(same(to_affine(u + v), affine_add(to_affine(u), to_affine(v))));
    REQUIRE(on_curve(to_affine(u + v)));
    G2 w = random_e2(rng);
    REQUIRE(same(to_affine(w + s), affine_add(to_affine(w), to_affine(s))));
  }
  CHECK(dbl(G1::identity()).is_identity());
  CHECK(dbl(G2::identity()).is_identity());
  CHECK(to_affine(G1::identity()).infinity);
}

TEST_CASE("scalar multiplication: constant-time and variable-time agree; [r]G = O") {
  Rng rng;
  CHECK(killed_by_r(g1_generator()));
  CHECK(killed_by_r(g2_generator()));
  CHECK_FALSE(g1_generator().is_identity());
  for (int i = 0; i < 8; ++i) {
    Fr k = rng.fr(), m = rng.fr();
    auto kl = limbs(k);
    REQUIRE(mul_ct(g1_generator(), k) == mul_vartime(g1_generator(), kl.data(), 4));
    REQUIRE(mul_ct(g2_generator(), k) == mul_vartime(g2_generator(), kl.data(), 4));
    // [k]G + [m]G = [k+m]G and [k]([m]G) = [km]G.
    REQUIRE(g1_mul(k) + g1_mul(m) == g1_mul(k + m));
    REQUIRE(mul_ct(g2_mul(m), k) == g2_mul(k * m));
  }
  Fr minus_one = Fr::zero() - Fr::one();
  CHECK(mul_ct(g1_generator(), minus_one) == -g1_generator());
  CHECK(mul_ct(g2_generator(), Fr::one()) == g2_generator());
  CHECK(mul_ct(g1_generator(), Fr::zero()).is_identity());
}

TEST_CASE("subgroup checks agree with [r]P = O, including small-order points") {
  Rng rng;
  CHECK(in_subgroup(g1_generator()));
  CHECK(in_subgroup(g2_generator()));
  CHECK(in_subgroup(G1::identity()));
  CHECK(in_subgroup(G2::identity()));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(in_subgroup(g1_mul(rng.fr())));
    REQUIRE(in_subgroup(g2_mul(rng.fr())));
    G1 p = random_e1(rng);
    REQUIRE_FALSE(killed_by_r(p));
    REQUIRE_FALSE(in_subgroup(p));
    REQUIRE(in_subgroup(clear_cofactor_g1(p)));
    G2 q = random_e2(rng);
    REQUIRE_FALSE(killed_by_r(q));
    REQUIRE_FALSE(in_subgroup(q));
  }
  // The group orders are right: [#E]P = O for random curve points.
  auto n1 = limbs_of(kOrderE1), n2 = limbs_of(kOrderE2);
  G1 p = random_e1(rng);
  G2 q = random_e2(rng);
  CHECK(mul_vartime(p, n1.data(), n1.size()).is_identity());
  CHECK(mul_vartime(q, n2.data(), n2.size()).is_identity());

  // Small-order points: (0, 2) has order 3 on E; [#E/11]P has order 11; [#E'/13]Q has order 13.
  G1 t3 = from_affine(G1Affine{Fp::zero(), Fp::from_u64(2), false});
  CHECK(mul_vartime(t3, std::vector<uint64_t>{3}.data(), 1).is_identity());
  CHECK_FALSE(in_subgroup(t3));
  CHECK_FALSE(in_subgroup(g1_generator() + t3));
  // Divide the orders by small primes with Python-free long division on limbs.
  auto div_small = [](std::vector<uint64_t> v, uint64_t d) {
    unsigned __int128 rem = 0;
    for (size_t i = v.size(); i-- > 0;) {
      unsigned __int128 cur = (rem << 64) | v[i];
      v[i] = static_cast<uint64_t>(cur / d);
      rem = cur % d;
    }
    REQUIRE(rem == 0);
    return v;
  };
  // 11² | #E and 13² | #E': project random points onto the 11- (13-) primary part and step down to a
  // point of order exactly 11 (13), whatever the structure of that part.
  auto small_order = [&](auto random_point, const std::vector<uint64_t>& order, uint64_t ell) {
    auto cof = div_small(div_small(order, ell), ell);
    for (;;) {
      auto q = mul_vartime(random_point(), cof.data(), cof.size());
      if (q.is_identity()) continue;
      auto q_ell = mul_vartime(q, &ell, 1);
      return q_ell.is_identity() ? q : q_ell;
    }
  };
  const uint64_t eleven = 11, thirteen = 13;
  G1 t11 = small_order([&] { return random_e1(rng); }, n1, 11);
  REQUIRE_FALSE(t11.is_identity());
  CHECK(mul_vartime(t11, &eleven, 1).is_identity());
  CHECK_FALSE(in_subgroup(t11));
  CHECK_FALSE(in_subgroup(g1_generator() + t11));
  G2 t13 = small_order([&] { return random_e2(rng); }, n2, 13);
  REQUIRE_FALSE(t13.is_identity());
  CHECK(mul_vartime(t13, &thirteen, 1).is_identity());
  CHECK_FALSE(in_subgroup(t13));
  CHECK_FALSE(in_subgroup(g2_generator() + t13));
}

TEST_CASE("psi satisfies the Frobenius characteristic polynomial on all of E'") {
  // ψ² - [t]ψ + [p] = 0 with t = x + 1 = -0xd20100000000ffff.
  Rng rng;
  const uint64_t minus_t = 0xd20100000000ffff;
  for (int i = 0; i < 3; ++i) {
    G2 q = random_e2(rng);
    G2 lhs = psi(psi(q)) + mul_vartime(psi(q), &minus_t, 1) + mul_vartime(q, kModulusP, 6);
    REQUIRE(lhs.is_identity());
  }
}

TEST_CASE("compressed encoding: round trips, generators and identities as noble encodes them") {
  auto v = load_json("bls/noble_vectors.json");
  CHECK(hex(compress(to_affine(g1_generator()))) == v["generators"]["g1"]);
  CHECK(hex(compress(to_affine(g2_generator()))) == v["generators"]["g2"]);
  CHECK(hex(compress(G1Affine{})) == v["identity"]["g1"]);
  CHECK(hex(compress(G2Affine{})) == v["identity"]["g2"]);
  CHECK(decompress_g1(unhex(v["identity"]["g1"])).value().infinity);
  CHECK(decompress_g2(unhex(v["identity"]["g2"])).value().infinity);

  Rng rng;
  for (int i = 0; i < 20; ++i) {
    G1Affine p = to_affine(g1_mul(rng.fr()));
    auto e = compress(p);
    auto d = decompress_g1(e);
    REQUIRE(d.ok());
    REQUIRE(same(*d, p));
    auto en = compress(to_affine(-from_affine(p)));  // the other root flips only the sort bit
    REQUIRE((en[0] ^ e[0]) == 0x20);
    G2Affine q = to_affine(g2_mul(rng.fr()));
    auto e2 = compress(q);
    auto d2 = decompress_g2(e2);
    REQUIRE(d2.ok());
    REQUIRE(same(*d2, q));
  }
}

TEST_CASE("decoding refuses every invalid encoding in the noble vector file") {
  auto v = load_json("bls/noble_vectors.json");
  int g1 = 0, g2 = 0;
  for (const auto& c : v["invalid"]) {
    std::string reason = c["reason"];
    ic::Bytes enc = unhex(c["encoding"]);
    INFO(std::string(c["group"]) + ": " + reason);
    if (c["group"] == "g1") {
      ++g1;
      auto r = decompress_g1(enc);
      CHECK_FALSE(r.ok());
      if (!r.ok()) CHECK(r.error().code == ic::Errc::decode);
      // On-curve points outside G1 decode without the subgroup check, so the check is what refuses them.
      if (reason.find("not in G1") != std::string::npos || reason.find("order-3") != std::string::npos)
        CHECK(decompress_g1(enc, false).ok());
    } else {
      ++g2;
      CHECK_FALSE(decompress_g2(enc).ok());
      if (reason.find("not in G2") != std::string::npos) CHECK(decompress_g2(enc, false).ok());
    }
  }
  CHECK(g1 >= 10);
  CHECK(g2 >= 8);
}

TEST_CASE("decoding arbitrary bytes is safe and consistent") {
  Rng rng;
  int on_curve_only = 0;
  for (int i = 0; i < 300; ++i) {
    ic::Bytes b(i % 3 == 0 ? 96 : 48);
    for (auto& x : b) x = static_cast<uint8_t>(rng.u64());
    // Compressed, not infinity, random sort bit, top byte below p's (0x1a) so x is usually canonical.
    b[0] = static_cast<uint8_t>(0x80 | (b[0] & 0x20) | (b[0] % 0x1a));
    if (b.size() == 48) {
      REQUIRE_FALSE(decompress_g1(b).ok());  // in G1 only with probability 1/h1
      if (decompress_g1(b, false).ok()) ++on_curve_only;
    } else {
      REQUIRE_FALSE(decompress_g2(b).ok());
    }
  }
  CHECK(on_curve_only > 50);  // about half of the x values are on E
  // Entirely random bytes (any flags, any length) through every public entry point.
  for (int i = 0; i < 200; ++i) {
    ic::Bytes b(static_cast<size_t>(rng.u64() % 100));
    for (auto& x : b) x = static_cast<uint8_t>(rng.u64());
    auto g1 = decompress_g1(b);
    if (g1.ok()) REQUIRE(killed_by_r(from_affine(*g1)));
    auto g2 = decompress_g2(b);
    if (g2.ok()) REQUIRE(killed_by_r(from_affine(*g2)));
    REQUIRE_FALSE(PublicKey::from_bytes(b).ok());
    REQUIRE_FALSE(verify(b, b, b));
  }
}

TEST_CASE("RFC 9380 expand_message_xmd (Appendix K.1, K.2)") {
  auto v = load_json("bls/rfc9380_g1.json");
  int n = 0;
  for (const auto& c : v["expand_message_xmd"]) {
    std::string msg = c["msg"], dst = c["dst"];
    auto out = expand_message_xmd(ic::as_view(msg), ic::as_view(dst), c["len_in_bytes"].get<size_t>());
    REQUIRE(out.ok());
    CHECK(hex(*out) == c["uniform_bytes"]);
    ++n;
  }
  CHECK(n == 15);
  CHECK_FALSE(expand_message_xmd(ic::as_view(std::string_view("x")), ic::as_view(std::string_view("d")), 8161).ok());
  CHECK(expand_message_xmd(ic::as_view(std::string_view("x")), ic::as_view(std::string_view("d")), 8160)->size() == 8160);
}

TEST_CASE("RFC 9380 hash_to_curve BLS12381G1_XMD:SHA-256_SSWU_RO_ (Appendix J.9.1)") {
  auto v = load_json("bls/rfc9380_g1.json")["hash_to_curve"];
  std::string dst = v["dst"];
  int n = 0;
  for (const auto& c : v["vectors"]) {
    std::string msg = c["msg"];
    INFO("msg length " << msg.size());
    Fp u[2];
    hash_to_field_g1(ic::as_view(msg), ic::as_view(dst), u);
    CHECK(fp_hex(u[0]) == c["u0"]);
    CHECK(fp_hex(u[1]) == c["u1"]);
    G1Affine q0 = to_affine(map_to_curve_g1(u[0])), q1 = to_affine(map_to_curve_g1(u[1]));
    CHECK(fp_hex(q0.x) == c["Q0_x"]);
    CHECK(fp_hex(q0.y) == c["Q0_y"]);
    CHECK(fp_hex(q1.x) == c["Q1_x"]);
    CHECK(fp_hex(q1.y) == c["Q1_y"]);
    G1Affine p = to_affine(hash_to_g1(ic::as_view(msg), ic::as_view(dst)));
    CHECK(fp_hex(p.x) == c["P_x"]);
    CHECK(fp_hex(p.y) == c["P_y"]);
    CHECK(in_subgroup(from_affine(p)));
    ++n;
  }
  CHECK(n == 5);
}

TEST_CASE("hash_to_g1 with the IC signature DST matches noble") {
  auto v = load_json("bls/noble_vectors.json");
  for (const auto& c : v["hash_to_curve"]) {
    ic::Bytes msg = unhex(c["msg"]);
    CHECK(hex(compress(to_affine(hash_to_g1(msg, ic::as_view(kSignatureDst))))) == c["point"]);
  }
}
