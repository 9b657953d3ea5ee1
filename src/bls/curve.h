// BLS12-381 groups G1 ⊂ E(Fp): y² = x³ + 4 and G2 ⊂ E'(Fp2): y² = x³ + 4(1+u): complete projective
// formulas, scalar multiplication, endomorphism subgroup checks, ZCash compressed encoding, hash to G1.
#pragma once

#include <array>
#include <cstdint>

#include "bls/field.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace bls {

template <class F>
struct Affine {
  F x{}, y{};
  bool infinity = true;
};

// Homogeneous projective (X:Y:Z) ↦ (X/Z, Y/Z); the identity is (0:1:0). The group law uses the
// complete formulas of Renes–Costello–Batina 2016 (Alg. 7 and 9, a = 0), so no input is exceptional:
// neither curve has points of order 2 over its field, and the code has no branch on point values.
template <class F>
struct Point {
  F x{}, y{}, z{};
  static Point identity() { return Point{F::zero(), F::one(), F::zero()}; }
  bool is_identity() const { return z.is_zero(); }
};

using G1Affine = Affine<Fp>;
using G2Affine = Affine<Fp2>;
using G1 = Point<Fp>;
using G2 = Point<Fp2>;

template <class F> Point<F> operator+(const Point<F>& a, const Point<F>& b);
template <class F> Point<F> operator-(const Point<F>& a);
template <class F> Point<F> operator-(const Point<F>& a, const Point<F>& b) { return a + (-b); }
template <class F> Point<F> dbl(const Point<F>& a);
template <class F> bool operator==(const Point<F>& a, const Point<F>& b);
template <class F> Point<F> from_affine(const Affine<F>& a);
template <class F> Affine<F> to_affine(const Point<F>& a);
template <class F> bool on_curve(const Affine<F>& a);
// [k]P for a public scalar (little-endian limbs): double-and-add, time depends on k.
template <class F> Point<F> mul_vartime(const Point<F>& p, const uint64_t* k, size_t limbs);
// [k]P for a secret scalar: fixed 4-bit windows over all 256 bits, table entries read with masks,
// complete formulas; no branch or memory index depends on k.
template <class F> Point<F> mul_ct(const Point<F>& p, const Fr& k);

G1 g1_generator();
G2 g2_generator();

// Subgroup membership without a multiplication by r (M. Scott, "A note on group membership tests
// for G1, G2 and GT on BLS pairing-friendly curves", ePrint 2021/1130): G1: σ(P) = [-x²]P with
// σ(x, y) = (βx, y); G2: ψ(Q) = [x]Q with ψ the untwist-Frobenius-twist endomorphism.
bool in_subgroup(const G1& p);
bool in_subgroup(const G2& q);
G2 psi(const G2& q);

// ZCash compressed encoding: big-endian x (G2: x.c1 then x.c0) with the top three bits of the first
// byte set to 1 (compressed), infinity, and "y is the lexicographically larger root".
std::array<uint8_t, 48> compress(const G1Affine& p);
std::array<uint8_t, 96> compress(const G2Affine& p);
// Refuses a wrong length, a missing compression bit, infinity with any other bit set, the sort bit
// on infinity, x >= p (non-canonical), x with no point on the curve, and (unless check_subgroup is
// false, for tests) points outside G1 / G2. The identity is accepted.
ic::Result<G1Affine> decompress_g1(ic::ByteView in, bool check_subgroup = true);
ic::Result<G2Affine> decompress_g2(ic::ByteView in, bool check_subgroup = true);

// RFC 9380 §5.3.1 expand_message_xmd with SHA-256 (a DST over 255 bytes is first hashed, §5.3.3).
// Fails if len_in_bytes > 8160 (ell > 255) or len_in_bytes > 65535.
ic::Result<ic::Bytes> expand_message_xmd(ic::ByteView msg, ic::ByteView dst, size_t len_in_bytes);
// hash_to_field(msg, 2) for BLS12381G1_XMD:SHA-256_SSWU_RO_ (L = 64).
void hash_to_field_g1(ic::ByteView msg, ic::ByteView dst, Fp out[2]);
// Simplified SWU onto the 11-isogenous curve E' followed by the 11-isogeny to E (RFC 9380 §6.6.2,
// §6.6.3, Appendix E.2); the result is on E but not yet in G1.
G1 map_to_curve_g1(const Fp& u);
// Multiplication by h_eff = 1 - x = 0xd201000000010001 (RFC 9380 §8.8.1).
G1 clear_cofactor_g1(const G1& p);
// hash_to_curve for suite BLS12381G1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §3, §8.8.1).
G1 hash_to_g1(ic::ByteView msg, ic::ByteView dst);

// |x| for the BLS parameter x = -0xd201000000010000.
inline constexpr uint64_t kBlsX = 0xd201000000010000;

}  // namespace bls
