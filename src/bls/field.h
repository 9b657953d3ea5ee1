// BLS12-381 finite fields: Fp and Fr in Montgomery form with 64-bit limbs, and the tower
// Fp2 = Fp[u]/(u²+1), Fp6 = Fp2[v]/(v³-ξ), Fp12 = Fp6[w]/(w²-v) with ξ = 1+u, used by curve.h and pairing.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bls {

// An element a of GF(p) stored as a·2^384 mod p, little-endian limbs, always fully reduced (< p),
// so equal elements have equal limbs. Arithmetic never branches on the values (signing uses it with
// secret data); only pow/sqrt/inv with public exponents loop over exponent bits.
struct Fp {
  uint64_t l[6];

  static Fp zero() { return Fp{}; }
  static Fp one();
  static Fp from_u64(uint64_t v);
  // Big-endian 48 bytes; false if the integer is >= p (non-canonical).
  static bool from_bytes(const uint8_t in[48], Fp& out);
  // Big-endian integer of any length up to 64 bytes, reduced mod p (hash_to_field, RFC 9380 §5.3).
  static Fp from_bytes_wide(const uint8_t* in, size_t len);
  void to_bytes(uint8_t out[48]) const;

  bool is_zero() const;
  // sgn0 of RFC 9380 §4.1: the parity of the canonical integer.
  bool sgn0() const;
  // The canonical integer is greater than (p-1)/2: the ZCash "lexicographically largest" y.
  bool lexicographically_largest() const;
};

bool operator==(const Fp& a, const Fp& b);
inline bool operator!=(const Fp& a, const Fp& b) { return !(a == b); }
Fp operator+(const Fp& a, const Fp& b);
Fp operator-(const Fp& a, const Fp& b);
Fp operator-(const Fp& a);
Fp operator*(const Fp& a, const Fp& b);
Fp sqr(const Fp& a);
Fp dbl(const Fp& a);
// a^e for an exponent given as little-endian limbs (public exponents only: the loop follows its bits).
Fp pow(const Fp& a, const uint64_t* e, size_t limbs);
Fp inv(const Fp& a);  // inv(0) = 0 (RFC 9380 inv0)
// Square root (p ≡ 3 mod 4: a^((p+1)/4)); false if a is not a square.
bool sqrt(const Fp& a, Fp& out);
bool is_square(const Fp& a);
// a^((p-3)/4): the exponentiation inside RFC 9380's sqrt_ratio for p ≡ 3 mod 4 (Appendix F.2.1.2).
Fp pow_p34(const Fp& a);
// Constant-time select: out = flag ? b : a (flag 0 or 1).
Fp select(const Fp& a, const Fp& b, uint64_t flag);

struct Fp2 {
  Fp c0, c1;  // c0 + c1·u

  static Fp2 zero() { return Fp2{}; }
  static Fp2 one() { return Fp2{Fp::one(), Fp::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  // RFC 9380 §4.1 sgn0 for m = 2.
  bool sgn0() const;
  // ZCash serialization order: compare c1 first, then c0 when c1 = 0.
  bool lexicographically_largest() const;
};

bool operator==(const Fp2& a, const Fp2& b);
inline bool operator!=(const Fp2& a, const Fp2& b) { return !(a == b); }
Fp2 operator+(const Fp2& a, const Fp2& b);
Fp2 operator-(const Fp2& a, const Fp2& b);
Fp2 operator-(const Fp2& a);
Fp2 operator*(const Fp2& a, const Fp2& b);
Fp2 operator*(const Fp2& a, const Fp& b);
Fp2 sqr(const Fp2& a);
Fp2 dbl(const Fp2& a);
Fp2 mul_by_xi(const Fp2& a);  // ·(1+u)
Fp2 conj(const Fp2& a);       // the Frobenius map on Fp2
Fp2 inv(const Fp2& a);
Fp2 pow(const Fp2& a, const uint64_t* e, size_t limbs);
bool sqrt(const Fp2& a, Fp2& out);
Fp2 select(const Fp2& a, const Fp2& b, uint64_t flag);

struct Fp6 {
  Fp2 c0, c1, c2;  // c0 + c1·v + c2·v²
  static Fp6 zero() { return Fp6{}; }
  static Fp6 one() { return Fp6{Fp2::one(), Fp2::zero(), Fp2::zero()}; }
  bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
};

bool operator==(const Fp6& a, const Fp6& b);
Fp6 operator+(const Fp6& a, const Fp6& b);
Fp6 operator-(const Fp6& a, const Fp6& b);
Fp6 operator-(const Fp6& a);
Fp6 operator*(const Fp6& a, const Fp6& b);
Fp6 sqr(const Fp6& a);
Fp6 mul_by_v(const Fp6& a);
Fp6 inv(const Fp6& a);

struct Fp12 {
  Fp6 c0, c1;  // c0 + c1·w
  static Fp12 zero() { return Fp12{}; }
  static Fp12 one() { return Fp12{Fp6::one(), Fp6::zero()}; }
  bool is_one() const;
  // 12 big-endian Fp coefficients (576 bytes), in the order c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1,
  // for comparison with other implementations in tests.
  void to_bytes(uint8_t out[576]) const;
};

bool operator==(const Fp12& a, const Fp12& b);
inline bool operator!=(const Fp12& a, const Fp12& b) { return !(a == b); }
Fp12 operator*(const Fp12& a, const Fp12& b);
Fp12 sqr(const Fp12& a);
Fp12 conj(const Fp12& a);  // a^(p^6): the inverse for elements of the cyclotomic subgroup
Fp12 inv(const Fp12& a);
// a^(p^k) for k = 1, 2, 3.
Fp12 frobenius(const Fp12& a, int k);
// Squaring in the cyclotomic subgroup (Granger–Scott 2010); only valid after the easy part of the
// final exponentiation.
Fp12 cyclotomic_sqr(const Fp12& a);
Fp12 pow(const Fp12& a, const uint64_t* e, size_t limbs);
// γ_k^j = ξ^(j·(p^k-1)/6) for k = 1..3, j = 0..5: the Frobenius coefficients (w^(p^k) = γ_k·w),
// also used by the G2 endomorphism ψ.
const Fp2& frobenius_gamma(int k, int j);
// f · (a + b·v + c·v·w): the sparse product with a line evaluated at a G1 point (pairing.cpp).
Fp12 mul_by_line(const Fp12& f, const Fp2& a, const Fp2& b, const Fp2& c);

// The scalar field GF(r), r = the order of G1, G2 and GT; used for secret keys.
struct Fr {
  uint64_t l[4];  // Montgomery form

  static Fr zero() { return Fr{}; }
  static Fr one();
  static Fr from_u64(uint64_t v);
  // Big-endian 32 bytes; false if >= r.
  static bool from_bytes(const uint8_t in[32], Fr& out);
  // Big-endian integer of up to 64 bytes, reduced mod r (KeyGen's OS2IP(OKM) mod r).
  static Fr from_bytes_wide(const uint8_t* in, size_t len);
  void to_bytes(uint8_t out[32]) const;
  // The canonical integer as little-endian limbs (for scalar multiplication).
  void to_limbs(uint64_t out[4]) const;
  bool is_zero() const;
};

bool operator==(const Fr& a, const Fr& b);
Fr operator+(const Fr& a, const Fr& b);
Fr operator-(const Fr& a, const Fr& b);
Fr operator*(const Fr& a, const Fr& b);

// Field and curve constants (little-endian limbs).
extern const uint64_t kModulusP[6];
extern const uint64_t kModulusR[4];

}  // namespace bls
