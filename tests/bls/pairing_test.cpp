// Pairing: bilinearity, non-degeneracy, identities, the multi-term Miller loop, and exact GT values
// computed by noble.
#include <catch2/catch.hpp>

#include "bls/pairing.h"
#include "test_util.h"

using namespace bls;
using namespace blstest;

namespace {
std::string gt_hex(const Fp12& e) {
  uint8_t b[576];
  e.to_bytes(b);
  return hex(ic::ByteView(b, 576));
}
Fp12 gt_pow(const Fp12& e, const Fr& k) {
  auto l = limbs(k);
  return pow(e, l.data(), 4);
}
}  // namespace

TEST_CASE("pairing: non-degenerate, order r, identities") {
  G1Affine p = to_affine(g1_generator());
  G2Affine q = to_affine(g2_generator());
  Fp12 e = pairing(p, q);
  CHECK_FALSE(e.is_one());
  CHECK(pow(e, kModulusR, 4).is_one());
  CHECK(pairing(G1Affine{}, q).is_one());
  CHECK(pairing(p, G2Affine{}).is_one());
  // e(-P, Q) = e(P, Q)^-1.
  CHECK(pairing(to_affine(-g1_generator()), q) * e == Fp12::one());
}

TEST_CASE("pairing: bilinearity e(aP, bQ) = e(P, Q)^(ab)") {
  Rng rng;
  G1Affine p = to_affine(g1_generator());
  G2Affine q = to_affine(g2_generator());
  Fp12 e = pairing(p, q);
  for (int i = 0; i < 3; ++i) {
    Fr a = rng.fr(), b = rng.fr();
    Fp12 lhs = pairing(to_affine(g1_mul(a)), to_affine(g2_mul(b)));
    REQUIRE(lhs == gt_pow(e, a * b));
    REQUIRE_FALSE(lhs == gt_pow(e, a * b + Fr::one()));
  }
  // Additivity in each argument.
  Fr a = rng.fr(), b = rng.fr(), c = rng.fr();
  G1Affine pa = to_affine(g1_mul(a)), pb = to_affine(g1_mul(b));
  G2Affine qc = to_affine(g2_mul(c));
  CHECK(pairing(to_affine(g1_mul(a + b)), qc) == pairing(pa, qc) * pairing(pb, qc));
  CHECK(pairing(pa, to_affine(g2_mul(b + c))) == pairing(pa, to_affine(g2_mul(b))) * pairing(pa, qc));
}

TEST_CASE("pairing: a two-term Miller loop with one final exponentiation is the product") {
  Rng rng;
  G1Affine p1 = to_affine(g1_mul(rng.fr())), p2 = to_affine(g1_mul(rng.fr()));
  G2Affine q1 = to_affine(g2_mul(rng.fr())), q2 = to_affine(g2_mul(rng.fr()));
  G2Prepared l1 = prepare(q1), l2 = prepare(q2);
  PairingTerm terms[2] = {{&p1, &l1}, {&p2, &l2}};
  CHECK(final_exponentiation(miller_loop(terms, 2)) == pairing(p1, q1) * pairing(p2, q2));
  CHECK(l1.lines.size() == 68);
  // e(P, Q)·e(-P, Q) = 1 through the shared loop, as verification uses it.
  G1Affine neg = to_affine(-from_affine(p1));
  PairingTerm cancel[2] = {{&p1, &l1}, {&neg, &l1}};
  CHECK(final_exponentiation(miller_loop(cancel, 2)).is_one());
}

TEST_CASE("pairing: exact GT values agree with noble") {
  auto v = load_json("bls/noble_vectors.json");
  int n = 0;
  for (const auto& c : v["pairings"]) {
    G1Affine p = decompress_g1(unhex(c["g1"])).value();
    G2Affine q = decompress_g2(unhex(c["g2"])).value();
    CHECK(gt_hex(pairing(p, q)) == c["gt"]);
    ++n;
  }
  CHECK(n == 3);
}
