// The optimal ate pairing on BLS12-381: Miller loop over |x| with the G2 side precomputed into line
// coefficients (reused per public key), and the final exponentiation to GT ⊂ Fp12.
#pragma once

#include <cstddef>
#include <vector>

#include "bls/curve.h"

namespace bls {

// Line functions of the Miller loop for one G2 point Q. A line evaluated at P = (xP, yP) ∈ G1 is
// a + (b·xP)·v + (c·yP)·v·w (the M-type twist; factors in proper subfields are dropped, since the
// final exponentiation kills them). They depend only on Q, so a public key prepares them once.
struct G2Prepared {
  struct Line {
    Fp2 a, b, c;
  };
  std::vector<Line> lines;  // 63 doubling + 5 addition steps; empty for the identity
};
G2Prepared prepare(const G2Affine& q);

struct PairingTerm {
  const G1Affine* p;
  const G2Prepared* q;
};

// Π f_{x,Q_i}(P_i) with a shared squaring chain; terms with an identity point contribute 1.
Fp12 miller_loop(const PairingTerm* terms, size_t count);
// f^(3·(p¹²-1)/r): the usual hard-part chain computes 3·Φ₁₂(p)/r, so GT values are the cubes of
// f^((p¹²-1)/r) — still a non-degenerate bilinear pairing (gcd(3, r) = 1), and the same values as
// noble-curves produces; a product of pairings is 1 exactly when it is 1 without the cube.
Fp12 final_exponentiation(const Fp12& f);
// e(P, Q).
Fp12 pairing(const G1Affine& p, const G2Affine& q);

}  // namespace bls
