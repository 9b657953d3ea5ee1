// Field arithmetic for BLS12-381. Montgomery multiplication is CIOS (Koç, Acar, Kaliski 1996) with
// 128-bit intermediate products; reductions and selections use masks, never branches on values.
#include "bls/field.h"
#include "bls/internal.h"

#include <cstdlib>
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace bls {

using u128 = unsigned __int128;

namespace {

// -m^-1 mod 2^64, 2^(64N) mod m (one) and 2^(128N) mod m (to enter Montgomery form).
constexpr uint64_t kP_N0 = 0x89f3fffcfffcfffd;
constexpr uint64_t kP_R[6] = {0x760900000002fffd, 0xebf4000bc40c0002, 0x5f48985753c758ba,
                              0x77ce585370525745, 0x5c071a97a256ec6d, 0x15f65ec3fa80e493};
constexpr uint64_t kP_R2[6] = {0xf4df1f341c341746, 0x0a76e6a609d104f1, 0x8de5476c4c95b6d5,
                               0x67eb88a9939d83c0, 0x9a793e85b519952d, 0x11988fe592cae3aa};
// 2^256·2^384 mod p: Montgomery form of 2^256, to combine the two halves of a 64-byte integer.
constexpr uint64_t kP_2e256[6] = {0x075b3cd7c5ce820f, 0x3ec6ba621c3edb0b, 0x168a13d82bff6bce,
                                  0x87663c4bf8c449d2, 0x15f34c83ddc8d830, 0x0f9628b49caa2e85};
constexpr uint64_t kR_N0 = 0xfffffffeffffffff;
constexpr uint64_t kR_R[4] = {0x00000001fffffffe, 0x5884b7fa00034802, 0x998c4fefecbc4ff5,
                              0x1824b159acc5056f};
constexpr uint64_t kR_R2[4] = {0xc999e990f3f29c6d, 0x2b6cedcb87925c23, 0x05d314967254398f,
                               0x0748d9d99f59ff11};

constexpr uint64_t kP[6] = {0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
                            0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a};
constexpr uint64_t kR[4] = {0xffffffff00000001, 0x53bda402fffe5bfe, 0x3339d80809a1d805,
                            0x73eda753299d7d48};

// Exponents derived from p at compile time: p-2, (p+1)/4, (p-1)/2, (p-1)/6, (p-3)/4.
struct Limbs6 {
  uint64_t v[6];
};
constexpr Limbs6 p_plus(int64_t k) {  // p + k for small |k|
  Limbs6 r{};
  u128 carry = 0;
  for (int i = 0; i < 6; ++i) {
    u128 add = (i == 0) ? static_cast<uint64_t>(k) : (k < 0 ? ~0ull : 0);
    u128 t = static_cast<u128>(kP[i]) + add + carry;
    r.v[i] = static_cast<uint64_t>(t);
    carry = t >> 64;
  }
  return r;
}
constexpr uint64_t mod_small(Limbs6 a, uint64_t d) {
  u128 rem = 0;
  for (int i = 5; i >= 0; --i) rem = ((rem << 64) | a.v[i]) % d;
  return static_cast<uint64_t>(rem);
}
constexpr Limbs6 div_small(Limbs6 a, uint64_t d) {
  Limbs6 q{};
  u128 rem = 0;
  for (int i = 5; i >= 0; --i) {
    u128 cur = (rem << 64) | a.v[i];
    q.v[i] = static_cast<uint64_t>(cur / d);
    rem = cur % d;
  }
  return q;
}
constexpr Limbs6 kPMinus2 = p_plus(-2);
constexpr Limbs6 kSqrtExp = div_small(p_plus(1), 4);
constexpr Limbs6 kLegendreExp = div_small(p_plus(-1), 2);
constexpr Limbs6 kXiExp = div_small(p_plus(-1), 6);
constexpr Limbs6 kP34Exp = div_small(p_plus(-3), 4);
static_assert(kPMinus2.v[0] == 0xb9feffffffffaaa9 && kPMinus2.v[5] == 0x1a0111ea397fe69a);
static_assert(mod_small(p_plus(-1), 6) == 0 && mod_small(p_plus(1), 4) == 0, "p ≡ 1 mod 6, p ≡ 3 mod 4");

// Carry helpers: adc/sbb chains on x86-64, 128-bit arithmetic elsewhere.
inline uint64_t addc(uint64_t a, uint64_t b, uint64_t& carry) {
#if defined(__x86_64__)
  unsigned long long out;
  carry = _addcarry_u64(static_cast<unsigned char>(carry), a, b, &out);
  return out;
#else
  u128 t = static_cast<u128>(a) + b + carry;
  carry = static_cast<uint64_t>(t >> 64);
  return static_cast<uint64_t>(t);
#endif
}
inline uint64_t subb(uint64_t a, uint64_t b, uint64_t& borrow) {
#if defined(__x86_64__)
  unsigned long long out;
  borrow = _subborrow_u64(static_cast<unsigned char>(borrow), a, b, &out);
  return out;
#else
  u128 t = static_cast<u128>(a) - b - borrow;
  borrow = static_cast<uint64_t>(t >> 64) & 1;
  return static_cast<uint64_t>(t);
#endif
}
// t + a·b + carry, returning the low word and leaving the high word in carry (fits: < 2^128).
inline uint64_t mac(uint64_t t, uint64_t a, uint64_t b, uint64_t& carry) {
  u128 r = static_cast<u128>(a) * b + t + carry;
  carry = static_cast<uint64_t>(r >> 64);
  return static_cast<uint64_t>(r);
}

template <size_t N>
__attribute__((noinline)) void mont_mul(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m, uint64_t n0) {
  uint64_t t[N + 1] = {};
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i) {
    uint64_t c = 0;
#pragma GCC unroll 8
    for (size_t j = 0; j < N; ++j) t[j] = mac(t[j], a[j], b[i], c);
    uint64_t c2 = 0;
    t[N] = addc(t[N], c, c2);  // c2: the bit above t[N]
    uint64_t q = t[0] * n0;
    c = 0;
    mac(t[0], q, m[0], c);  // low word is 0 by the choice of q
#pragma GCC unroll 8
    for (size_t j = 1; j < N; ++j) t[j - 1] = mac(t[j], q, m[j], c);
    uint64_t c3 = 0;
    t[N - 1] = addc(t[N], c, c3);
    t[N] = c2 + c3;
  }
  // t < 2m: subtract m unless that borrows past t[N].
  uint64_t s[N];
  uint64_t borrow = 0;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) s[j] = subb(t[j], m[j], borrow);
  subb(t[N], 0, borrow);
  uint64_t keep_t = 0 - borrow;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) r[j] = (t[j] & keep_t) | (s[j] & ~keep_t);
}

// Double-width product and Montgomery reduction, for sums of products reduced once (Fp2).
template <size_t N>
__attribute__((noinline)) void mul_wide(uint64_t* r, const uint64_t* a, const uint64_t* b) {
  uint64_t t[2 * N] = {};
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i) {
    uint64_t c = 0;
#pragma GCC unroll 8
    for (size_t j = 0; j < N; ++j) t[i + j] = mac(t[i + j], a[j], b[i], c);
    t[i + N] = c;
  }
  for (size_t i = 0; i < 2 * N; ++i) r[i] = t[i];
}

// REDC: t·2^(-64N) mod m for t < m·2^(64N); t is clobbered.
template <size_t N>
__attribute__((noinline)) void mont_reduce(uint64_t* r, uint64_t* t, const uint64_t* m, uint64_t n0) {
  uint64_t top = 0;
#pragma GCC unroll 8
  for (size_t i = 0; i < N; ++i) {
    uint64_t q = t[i] * n0, c = 0;
#pragma GCC unroll 8
    for (size_t j = 0; j < N; ++j) t[i + j] = mac(t[i + j], q, m[j], c);
    t[i + N] = addc(t[i + N], c, top);
  }
  uint64_t s[N], borrow = 0;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) s[j] = subb(t[N + j], m[j], borrow);
  subb(top, 0, borrow);
  uint64_t keep_t = 0 - borrow;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) r[j] = (t[N + j] & keep_t) | (s[j] & ~keep_t);
}

template <size_t N>
__attribute__((noinline)) void mod_add(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m) {
  uint64_t s[N], d[N];
  uint64_t carry = 0, borrow = 0;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) s[j] = addc(a[j], b[j], carry);
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) d[j] = subb(s[j], m[j], borrow);
  subb(carry, 0, borrow);
  uint64_t keep_s = 0 - borrow;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) r[j] = (s[j] & keep_s) | (d[j] & ~keep_s);
}

template <size_t N>
__attribute__((noinline)) void mod_sub(uint64_t* r, const uint64_t* a, const uint64_t* b, const uint64_t* m) {
  uint64_t d[N];
  uint64_t borrow = 0;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) d[j] = subb(a[j], b[j], borrow);
  uint64_t mask = 0 - borrow;
  uint64_t carry = 0;
#pragma GCC unroll 8
  for (size_t j = 0; j < N; ++j) r[j] = addc(d[j], m[j] & mask, carry);
}

// a < b as integers, without an early exit (secret keys are range-checked with it).
template <size_t N>
bool limbs_less(const uint64_t* a, const uint64_t* b) {
  uint64_t borrow = 0;
  for (size_t i = 0; i < N; ++i) subb(a[i], b[i], borrow);
  return borrow != 0;
}

template <size_t N>
void load_be(uint64_t* out, const uint8_t* in) {  // N·8 big-endian bytes
  for (size_t i = 0; i < N; ++i) {
    uint64_t v = 0;
    for (size_t k = 0; k < 8; ++k) v = (v << 8) | in[(N - 1 - i) * 8 + k];
    out[i] = v;
  }
}

template <size_t N>
void store_be(uint8_t* out, const uint64_t* in) {
  for (size_t i = 0; i < N; ++i) {
    for (size_t k = 0; k < 8; ++k) out[(N - 1 - i) * 8 + k] = static_cast<uint8_t>(in[i] >> (56 - 8 * k));
  }
}

// Loads a big-endian integer of up to 32 bytes into 4 limbs (zero-extended).
void load_be_upto32(uint64_t out[4], const uint8_t* in, size_t len) {
  uint8_t buf[32] = {};
  std::memcpy(buf + (32 - len), in, len);
  load_be<4>(out, buf);
}

// a^e for a public exponent: fixed 4-bit windows (the exponent's bits choose table entries, so
// this is only for exponents that are not secret: p-2, (p+1)/4, test exponents).
template <class F>
F pow_window(const F& a, const uint64_t* e, size_t limbs) {
  F table[16];
  table[0] = F::one();
  for (int i = 1; i < 16; ++i) table[i] = table[i - 1] * a;
  F r = F::one();
  bool started = false;
  for (size_t i = limbs; i-- > 0;) {
    for (int w = 60; w >= 0; w -= 4) {
      if (started) r = sqr(sqr(sqr(sqr(r))));
      unsigned idx = static_cast<unsigned>(e[i] >> w) & 15;
      if (idx) {
        r = started ? r * table[idx] : table[idx];
        started = true;
      }
    }
  }
  return r;
}

Fp fp_from_raw(const uint64_t* v) {  // v < p (or < 2^384 with result reduced by the product bound)
  Fp r;
  mont_mul<6>(r.l, v, kP_R2, kP, kP_N0);
  return r;
}

}  // namespace

const uint64_t kModulusP[6] = {kP[0], kP[1], kP[2], kP[3], kP[4], kP[5]};
const uint64_t kModulusR[4] = {kR[0], kR[1], kR[2], kR[3]};

// ---------------------------------------------------------------- Fp

Fp Fp::one() {
  Fp r;
  std::memcpy(r.l, kP_R, sizeof r.l);
  return r;
}

Fp Fp::from_u64(uint64_t v) {
  uint64_t raw[6] = {v, 0, 0, 0, 0, 0};
  return fp_from_raw(raw);
}

bool Fp::from_bytes(const uint8_t in[48], Fp& out) {
  uint64_t raw[6];
  load_be<6>(raw, in);
  if (!limbs_less<6>(raw, kP)) return false;
  out = fp_from_raw(raw);
  return true;
}

Fp Fp::from_bytes_wide(const uint8_t* in, size_t len) {
  // value = hi·2^256 + lo with lo the last 32 bytes; both halves are < 2^256 < p.
  size_t lo_len = len < 32 ? len : 32;
  uint64_t hi[6] = {}, lo[6] = {};
  load_be_upto32(lo, in + (len - lo_len), lo_len);
  load_be_upto32(hi, in, len - lo_len);
  Fp h = fp_from_raw(hi), l = fp_from_raw(lo);
  Fp shift;
  std::memcpy(shift.l, kP_2e256, sizeof shift.l);
  return h * shift + l;
}

void Fp::to_bytes(uint8_t out[48]) const {
  const uint64_t one_raw[6] = {1, 0, 0, 0, 0, 0};
  uint64_t raw[6];
  mont_mul<6>(raw, l, one_raw, kP, kP_N0);
  store_be<6>(out, raw);
}

bool Fp::is_zero() const {
  uint64_t acc = 0;
  for (uint64_t v : l) acc |= v;
  return acc == 0;
}

bool Fp::sgn0() const {
  const uint64_t one_raw[6] = {1, 0, 0, 0, 0, 0};
  uint64_t raw[6];
  mont_mul<6>(raw, l, one_raw, kP, kP_N0);
  return raw[0] & 1;
}

bool Fp::lexicographically_largest() const {
  const uint64_t one_raw[6] = {1, 0, 0, 0, 0, 0};
  uint64_t raw[6];
  mont_mul<6>(raw, l, one_raw, kP, kP_N0);
  return limbs_less<6>(kLegendreExp.v, raw);  // raw > (p-1)/2
}

bool operator==(const Fp& a, const Fp& b) {
  uint64_t acc = 0;
  for (int i = 0; i < 6; ++i) acc |= a.l[i] ^ b.l[i];
  return acc == 0;
}

Fp operator+(const Fp& a, const Fp& b) {
  Fp r;
  mod_add<6>(r.l, a.l, b.l, kP);
  return r;
}
Fp operator-(const Fp& a, const Fp& b) {
  Fp r;
  mod_sub<6>(r.l, a.l, b.l, kP);
  return r;
}
Fp operator-(const Fp& a) { return Fp::zero() - a; }
Fp operator*(const Fp& a, const Fp& b) {
  Fp r;
  mont_mul<6>(r.l, a.l, b.l, kP, kP_N0);
  return r;
}
Fp sqr(const Fp& a) { return a * a; }
Fp dbl(const Fp& a) { return a + a; }

Fp pow(const Fp& a, const uint64_t* e, size_t limbs) { return pow_window(a, e, limbs); }

Fp inv(const Fp& a) { return pow(a, kPMinus2.v, 6); }

bool sqrt(const Fp& a, Fp& out) {
  Fp y = pow(a, kSqrtExp.v, 6);
  if (!(sqr(y) == a)) return false;
  out = y;
  return true;
}

Fp pow_p34(const Fp& a) { return pow(a, kP34Exp.v, 6); }

bool is_square(const Fp& a) {
  Fp l = pow(a, kLegendreExp.v, 6);
  return l.is_zero() || l == Fp::one();
}

Fp select(const Fp& a, const Fp& b, uint64_t flag) {
  uint64_t mask = 0 - flag;
  Fp r;
  for (int i = 0; i < 6; ++i) r.l[i] = (a.l[i] & ~mask) | (b.l[i] & mask);
  return r;
}

// ---------------------------------------------------------------- Fp2

bool Fp2::sgn0() const {
  bool sign0 = c0.sgn0(), zero0 = c0.is_zero(), sign1 = c1.sgn0();
  return sign0 || (zero0 && sign1);
}

bool Fp2::lexicographically_largest() const {
  return c1.lexicographically_largest() || (c1.is_zero() && c0.lexicographically_largest());
}

bool operator==(const Fp2& a, const Fp2& b) { return a.c0 == b.c0 && a.c1 == b.c1; }
Fp2 operator+(const Fp2& a, const Fp2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
Fp2 operator-(const Fp2& a, const Fp2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
Fp2 operator-(const Fp2& a) { return {-a.c0, -a.c1}; }
Fp2 operator*(const Fp2& a, const Fp2& b) {
  // Karatsuba with one reduction per output coefficient: c0 = a0b0 - a1b1, c1 = (a0+a1)(b0+b1) - a0b0 - a1b1,
  // each < p·2^384 as REDC needs (c0 gets p·2^384 added when negative). Sums of reduced inputs are < 2p < 2^382.
  uint64_t t0[12], t1[12], t2[12], sa[6], sb[6];
  mul_wide<6>(t0, a.c0.l, b.c0.l);
  mul_wide<6>(t1, a.c1.l, b.c1.l);
  uint64_t ca = 0, cb = 0;
  for (int i = 0; i < 6; ++i) {
    sa[i] = addc(a.c0.l[i], a.c1.l[i], ca);
    sb[i] = addc(b.c0.l[i], b.c1.l[i], cb);
  }
  mul_wide<6>(t2, sa, sb);
  uint64_t b1 = 0, b2 = 0, b3 = 0;
  for (int i = 0; i < 12; ++i) {
    t2[i] = subb(t2[i], t0[i], b1);
    t2[i] = subb(t2[i], t1[i], b2);
    t0[i] = subb(t0[i], t1[i], b3);
  }
  uint64_t mask = 0 - b3, carry = 0;
  for (int i = 0; i < 6; ++i) t0[6 + i] = addc(t0[6 + i], kP[i] & mask, carry);
  Fp2 r;
  mont_reduce<6>(r.c0.l, t0, kP, kP_N0);
  mont_reduce<6>(r.c1.l, t2, kP, kP_N0);
  return r;
}
Fp2 operator*(const Fp2& a, const Fp& b) { return {a.c0 * b, a.c1 * b}; }
Fp2 sqr(const Fp2& a) {
  Fp t = a.c0 * a.c1;
  return {(a.c0 + a.c1) * (a.c0 - a.c1), t + t};
}
Fp2 dbl(const Fp2& a) { return a + a; }
Fp2 mul_by_xi(const Fp2& a) { return {a.c0 - a.c1, a.c0 + a.c1}; }
Fp2 conj(const Fp2& a) { return {a.c0, -a.c1}; }
Fp2 inv(const Fp2& a) {
  Fp t = inv(sqr(a.c0) + sqr(a.c1));
  return {a.c0 * t, -(a.c1 * t)};
}
Fp2 pow(const Fp2& a, const uint64_t* e, size_t limbs) { return pow_window(a, e, limbs); }

// Square root through the norm: if x = x0 + x1·u squares to a, then x0² = (a0 ± |a|)/2 with
// |a| = sqrt(a0² + a1²) in Fp, and x1 = a1 / (2·x0). The candidate is checked at the end.
bool sqrt(const Fp2& a, Fp2& out) {
  if (a.c1.is_zero()) {
    Fp s;
    if (sqrt(a.c0, s)) {
      out = {s, Fp::zero()};
      return true;
    }
    if (sqrt(-a.c0, s)) {  // -1 is a non-square mod p, so -a0 is a square: (s·u)² = -s² = a0
      out = {Fp::zero(), s};
      return true;
    }
    return false;
  }
  Fp norm_root;
  if (!sqrt(sqr(a.c0) + sqr(a.c1), norm_root)) return false;
  static const Fp half = inv(Fp::from_u64(2));
  Fp x0;
  if (!sqrt((a.c0 + norm_root) * half, x0) && !sqrt((a.c0 - norm_root) * half, x0)) return false;
  Fp2 x{x0, a.c1 * inv(dbl(x0))};
  if (!(sqr(x) == a)) return false;
  out = x;
  return true;
}

Fp2 select(const Fp2& a, const Fp2& b, uint64_t flag) {
  return {select(a.c0, b.c0, flag), select(a.c1, b.c1, flag)};
}

// ---------------------------------------------------------------- Fp6

bool operator==(const Fp6& a, const Fp6& b) { return a.c0 == b.c0 && a.c1 == b.c1 && a.c2 == b.c2; }
Fp6 operator+(const Fp6& a, const Fp6& b) { return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2}; }
Fp6 operator-(const Fp6& a, const Fp6& b) { return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2}; }
Fp6 operator-(const Fp6& a) { return {-a.c0, -a.c1, -a.c2}; }
Fp6 operator*(const Fp6& a, const Fp6& b) {
  Fp2 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2;
  return {t0 + mul_by_xi((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2),
          (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + mul_by_xi(t2),
          (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1};
}
Fp6 sqr(const Fp6& a) {
  // Chung–Hasan SQR2.
  Fp2 s0 = sqr(a.c0), ab = a.c0 * a.c1, s1 = dbl(ab), s2 = sqr(a.c0 - a.c1 + a.c2);
  Fp2 bc = a.c1 * a.c2, s3 = dbl(bc), s4 = sqr(a.c2);
  return {s0 + mul_by_xi(s3), s1 + mul_by_xi(s4), s1 + s2 + s3 - s0 - s4};
}
Fp6 mul_by_v(const Fp6& a) { return {mul_by_xi(a.c2), a.c0, a.c1}; }
Fp6 inv(const Fp6& a) {
  Fp2 t0 = sqr(a.c0) - mul_by_xi(a.c1 * a.c2);
  Fp2 t1 = mul_by_xi(sqr(a.c2)) - a.c0 * a.c1;
  Fp2 t2 = sqr(a.c1) - a.c0 * a.c2;
  Fp2 d = inv(a.c0 * t0 + mul_by_xi(a.c2 * t1 + a.c1 * t2));
  return {t0 * d, t1 * d, t2 * d};
}

namespace {

// (a + b·v) · x, and (c·v) · x: the two sparse Fp6 products a line needs.
Fp6 mul_by_01(const Fp6& x, const Fp2& a, const Fp2& b) {
  Fp2 t0 = x.c0 * a, t1 = x.c1 * b;
  return {t0 + mul_by_xi(x.c2 * b), (x.c0 + x.c1) * (a + b) - t0 - t1, x.c2 * a + t1};
}
Fp6 mul_by_1(const Fp6& x, const Fp2& c) { return {mul_by_xi(x.c2 * c), x.c0 * c, x.c1 * c}; }

// γ_k^j = ξ^(j·(p^k-1)/6): w^(p^k) = γ_k·w, so the w^j coefficient picks up γ_k^j.
struct FrobeniusTable {
  Fp2 g[4][6];
  FrobeniusTable() {
    Fp2 g1 = pow(Fp2{Fp::one(), Fp::one()}, kXiExp.v, 6);
    Fp2 base[4] = {Fp2::one(), g1, g1 * conj(g1), g1 * conj(g1) * g1};
    for (int k = 1; k <= 3; ++k) {
      g[k][0] = Fp2::one();
      for (int j = 1; j < 6; ++j) g[k][j] = g[k][j - 1] * base[k];
    }
  }
};
const FrobeniusTable& frobenius_table() {
  static const FrobeniusTable t;
  return t;
}

}  // namespace

// ---------------------------------------------------------------- Fp12

bool Fp12::is_one() const { return *this == Fp12::one(); }

void Fp12::to_bytes(uint8_t out[576]) const {
  const Fp* c[12] = {&c0.c0.c0, &c0.c0.c1, &c0.c1.c0, &c0.c1.c1, &c0.c2.c0, &c0.c2.c1,
                     &c1.c0.c0, &c1.c0.c1, &c1.c1.c0, &c1.c1.c1, &c1.c2.c0, &c1.c2.c1};
  for (int i = 0; i < 12; ++i) c[i]->to_bytes(out + 48 * i);
}

bool operator==(const Fp12& a, const Fp12& b) { return a.c0 == b.c0 && a.c1 == b.c1; }
Fp12 operator*(const Fp12& a, const Fp12& b) {
  Fp6 t0 = a.c0 * b.c0, t1 = a.c1 * b.c1;
  return {t0 + mul_by_v(t1), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}
Fp12 sqr(const Fp12& a) {
  Fp6 t = a.c0 * a.c1;
  return {(a.c0 + a.c1) * (a.c0 + mul_by_v(a.c1)) - t - mul_by_v(t), t + t};
}
Fp12 conj(const Fp12& a) { return {a.c0, -a.c1}; }
Fp12 inv(const Fp12& a) {
  Fp6 d = inv(sqr(a.c0) - mul_by_v(sqr(a.c1)));
  return {a.c0 * d, -(a.c1 * d)};
}

const Fp2& frobenius_gamma(int k, int j) { return frobenius_table().g[k][j]; }

Fp12 frobenius(const Fp12& a, int k) {
  const auto& g = frobenius_table().g[k];
  auto f = [k](const Fp2& x) { return (k & 1) ? conj(x) : x; };
  return {{f(a.c0.c0), f(a.c0.c1) * g[2], f(a.c0.c2) * g[4]},
          {f(a.c1.c0) * g[1], f(a.c1.c1) * g[3], f(a.c1.c2) * g[5]}};
}

// With s = w³ (s² = ξ) and Fp4 = Fp2[s], a = g0 + h1·s, b = h0 + g2·s, c = g1 + h2·s, the element is
// a + b·w + c·w² and its square is (3a² - 2ā) + (3s·c² + 2b̄)·w + (3b² - 2c̄)·w² (Granger–Scott §3.1).
Fp12 cyclotomic_sqr(const Fp12& a) {
  const Fp2 &g0 = a.c0.c0, &g1 = a.c0.c1, &g2 = a.c0.c2, &h0 = a.c1.c0, &h1 = a.c1.c1, &h2 = a.c1.c2;
  auto fp4_sqr = [](const Fp2& x, const Fp2& y, Fp2& r0, Fp2& r1) {
    Fp2 t0 = sqr(x), t1 = sqr(y);
    r0 = t0 + mul_by_xi(t1);
    r1 = sqr(x + y) - t0 - t1;
  };
  Fp2 A0, A1, B0, B1, C0, C1;
  fp4_sqr(g0, h1, A0, A1);
  fp4_sqr(h0, g2, B0, B1);
  fp4_sqr(g1, h2, C0, C1);
  auto three = [](const Fp2& x) { return dbl(x) + x; };
  Fp12 r;
  r.c0.c0 = three(A0) - dbl(g0);
  r.c1.c1 = three(A1) + dbl(h1);
  r.c1.c0 = three(mul_by_xi(C1)) + dbl(h0);
  r.c0.c2 = three(C0) - dbl(g2);
  r.c0.c1 = three(B0) - dbl(g1);
  r.c1.c2 = three(B1) + dbl(h2);
  return r;
}

Fp12 pow(const Fp12& a, const uint64_t* e, size_t limbs) { return pow_window(a, e, limbs); }

Fp12 mul_by_line(const Fp12& f, const Fp2& a, const Fp2& b, const Fp2& c) {
  Fp6 t0 = mul_by_01(f.c0, a, b);
  Fp6 t1 = mul_by_1(f.c1, c);
  return {t0 + mul_by_v(t1), mul_by_01(f.c0 + f.c1, a, b + c) - t0 - t1};
}

// ---------------------------------------------------------------- Fr

Fr Fr::one() {
  Fr r;
  std::memcpy(r.l, kR_R, sizeof r.l);
  return r;
}

Fr Fr::from_u64(uint64_t v) {
  uint64_t raw[4] = {v, 0, 0, 0};
  Fr r;
  mont_mul<4>(r.l, raw, kR_R2, kR, kR_N0);
  return r;
}

bool Fr::from_bytes(const uint8_t in[32], Fr& out) {
  uint64_t raw[4];
  load_be<4>(raw, in);
  if (!limbs_less<4>(raw, kR)) return false;
  mont_mul<4>(out.l, raw, kR_R2, kR, kR_N0);
  return true;
}

Fr Fr::from_bytes_wide(const uint8_t* in, size_t len) {
  // hi·2^256 + lo; Montgomery multiplication by R² accepts any factor < 2^256 (the product bound
  // keeps the result below 2r before the final subtraction), and R² = mont(2^256) since R = 2^256.
  size_t lo_len = len < 32 ? len : 32;
  uint64_t hi[4], lo[4];
  load_be_upto32(lo, in + (len - lo_len), lo_len);
  load_be_upto32(hi, in, len - lo_len);
  Fr h, l, r2;
  mont_mul<4>(h.l, hi, kR_R2, kR, kR_N0);
  mont_mul<4>(l.l, lo, kR_R2, kR, kR_N0);
  std::memcpy(r2.l, kR_R2, sizeof r2.l);
  return h * r2 + l;
}

void Fr::to_limbs(uint64_t out[4]) const {
  const uint64_t one_raw[4] = {1, 0, 0, 0};
  mont_mul<4>(out, l, one_raw, kR, kR_N0);
}

void Fr::to_bytes(uint8_t out[32]) const {
  uint64_t raw[4];
  to_limbs(raw);
  store_be<4>(out, raw);
}

bool Fr::is_zero() const { return (l[0] | l[1] | l[2] | l[3]) == 0; }

bool operator==(const Fr& a, const Fr& b) {
  return ((a.l[0] ^ b.l[0]) | (a.l[1] ^ b.l[1]) | (a.l[2] ^ b.l[2]) | (a.l[3] ^ b.l[3])) == 0;
}
Fr operator+(const Fr& a, const Fr& b) {
  Fr r;
  mod_add<4>(r.l, a.l, b.l, kR);
  return r;
}
Fr operator-(const Fr& a, const Fr& b) {
  Fr r;
  mod_sub<4>(r.l, a.l, b.l, kR);
  return r;
}
Fr operator*(const Fr& a, const Fr& b) {
  Fr r;
  mont_mul<4>(r.l, a.l, b.l, kR, kR_N0);
  return r;
}

}  // namespace bls

// ---------------------------------------------------------------- internal helpers

namespace bls {

Fp fp_from_hex(const char* hex) {
  size_t n = std::strlen(hex);
  if (n > 96) std::abort();
  uint8_t buf[48] = {};
  for (size_t i = 0; i < n; ++i) {
    char c = hex[n - 1 - i];
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) std::abort();
    buf[47 - i / 2] |= static_cast<uint8_t>(v << (4 * (i % 2)));
  }
  Fp r;
  if (!Fp::from_bytes(buf, r)) std::abort();
  return r;
}

void secure_wipe(void* p, size_t n) {
  volatile uint8_t* b = static_cast<volatile uint8_t*>(p);
  while (n--) *b++ = 0;
}

}  // namespace bls
