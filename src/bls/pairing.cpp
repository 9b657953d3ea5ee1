// Optimal ate pairing. Lines are derived for Q on the twist E': y² = x³ + b' (b' = 4ξ), untwisted by
// (x, y) ↦ (x·w⁻², y·w⁻³); a tangent or chord with slope λ' on E' becomes, after multiplying by w³
// and by its denominator (both vanish in the final exponentiation), (λ'x_T - y_T) - λ'x_P·v + y_P·v·w.
#include "bls/pairing.h"

namespace bls {

namespace {

Fp2 mul_b3_twist(const Fp2& t) {  // 3b' = 12(1+u)
  Fp2 t4 = dbl(dbl(t));
  return mul_by_xi(dbl(t4) + t4);
}

// T ← 2T in homogeneous coordinates (w = 3X², s = YZ, B = XYs, h = w² - 8B:
// X' = 2hs, Y' = w(4B - h) - 8Y²s², Z' = 8s³); tangent line scaled by 2YZ:
// a = Y² - 3b'Z², b = -3X², c = 2YZ.
G2Prepared::Line double_step(Fp2& x, Fp2& y, Fp2& z) {
  Fp2 xx = sqr(x), yy = sqr(y), zz = sqr(z);
  Fp2 w = dbl(xx) + xx;
  Fp2 s = y * z;
  G2Prepared::Line l{yy - mul_b3_twist(zz), -w, dbl(s)};
  Fp2 b = x * y * s;
  Fp2 b4 = dbl(dbl(b));
  Fp2 h = sqr(w) - dbl(b4);
  Fp2 ss = sqr(s);
  x = dbl(h * s);
  y = w * (b4 - h) - dbl(dbl(dbl(yy * ss)));
  z = dbl(dbl(dbl(ss * s)));
  return l;
}

// T ← T + Q (Q affine): θ = Y - y_Q·Z, λ = X - x_Q·Z; chord scaled by -λ:
// a = θ·x_Q - λ·y_Q, b = -θ, c = λ.
G2Prepared::Line add_step(Fp2& x, Fp2& y, Fp2& z, const G2Affine& q) {
  Fp2 theta = y - q.y * z, lambda = x - q.x * z;
  G2Prepared::Line l{theta * q.x - lambda * q.y, -theta, lambda};
  Fp2 c = sqr(theta), d = sqr(lambda), e = lambda * d, f = z * c, g = x * d;
  Fp2 h = e + f - dbl(g);
  Fp2 y3 = theta * (g - h) - y * e;
  x = lambda * h;
  y = y3;
  z = z * e;
  return l;
}

bool x_bit(int i) { return (kBlsX >> i) & 1; }

// t^e for t in the cyclotomic subgroup and a public 64-bit e.
Fp12 cyclotomic_pow(const Fp12& t, uint64_t e) {
  Fp12 r = Fp12::one();
  bool started = false;
  for (int i = 63; i >= 0; --i) {
    if (started) r = cyclotomic_sqr(r);
    if ((e >> i) & 1) {
      r = started ? r * t : t;
      started = true;
    }
  }
  return r;
}

// t^x with x = -|x| < 0: the inverse of t^|x|, which is the conjugate in the cyclotomic subgroup.
Fp12 pow_x(const Fp12& t) { return conj(cyclotomic_pow(t, kBlsX)); }

}  // namespace

G2Prepared prepare(const G2Affine& q) {
  G2Prepared out;
  if (q.infinity) return out;
  out.lines.reserve(68);
  Fp2 x = q.x, y = q.y, z = Fp2::one();
  for (int i = 62; i >= 0; --i) {
    out.lines.push_back(double_step(x, y, z));
    if (x_bit(i)) out.lines.push_back(add_step(x, y, z, q));
  }
  return out;
}

Fp12 miller_loop(const PairingTerm* terms, size_t count) {
  Fp12 f = Fp12::one();
  size_t step = 0;
  auto apply = [&](size_t idx) {
    for (size_t t = 0; t < count; ++t) {
      const G1Affine& p = *terms[t].p;
      const G2Prepared& q = *terms[t].q;
      if (p.infinity || q.lines.empty()) continue;
      const G2Prepared::Line& l = q.lines[idx];
      f = mul_by_line(f, l.a, l.b * p.x, l.c * p.y);
    }
  };
  for (int i = 62; i >= 0; --i) {
    if (i != 62) f = sqr(f);
    apply(step++);
    if (x_bit(i)) apply(step++);
  }
  // x < 0: f_{x,Q} = 1/(f_{|x|,Q}·v), and the vertical line v vanishes in the final exponentiation;
  // after it, the inverse equals the conjugate.
  return conj(f);
}

Fp12 final_exponentiation(const Fp12& f) {
  // Easy part: f^((p⁶-1)(p²+1)) lands in the cyclotomic subgroup.
  Fp12 t = conj(f) * inv(f);
  t = frobenius(t, 2) * t;
  // Hard part with exponent 3·Φ₁₂(p)/r = (x-1)²(x+p)(x²+p²-1) + 3 (Hayashida–Hayasaka–Teruya 2020).
  Fp12 a = pow_x(t) * conj(t);                           // t^(x-1)
  a = pow_x(a) * conj(a);                                // t^((x-1)²)
  Fp12 b = pow_x(a) * frobenius(a, 1);                   // ·(x+p)
  Fp12 c = pow_x(pow_x(b)) * frobenius(b, 2) * conj(b);  // ·(x²+p²-1)
  return c * cyclotomic_sqr(t) * t;                      // ·t³
}

Fp12 pairing(const G1Affine& p, const G2Affine& q) {
  G2Prepared prepared = prepare(q);
  PairingTerm term{&p, &prepared};
  return final_exponentiation(miller_loop(&term, 1));
}

}  // namespace bls
