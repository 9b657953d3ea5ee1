// G1/G2 group law, scalar multiplication, subgroup checks and compressed encoding.
#include "bls/curve.h"

#include <cstring>
#include <string>

#include "bls/internal.h"

namespace bls {

namespace {

// 3·b for the two curves: b = 4 on E, b = 4(1+u) on E'.
Fp times12(const Fp& t) {
  Fp t4 = dbl(dbl(t));
  return dbl(t4) + t4;
}
Fp2 times12(const Fp2& t) { return {times12(t.c0), times12(t.c1)}; }
Fp mul_b3(const Fp& t) { return times12(t); }
Fp2 mul_b3(const Fp2& t) { return mul_by_xi(times12(t)); }
Fp curve_b(const Fp*) { return Fp::from_u64(4); }
Fp2 curve_b(const Fp2*) { return mul_by_xi(Fp2{Fp::from_u64(4), Fp::zero()}); }

// σ(x, y) = (βx, y) with β the cube root of unity for which σ acts on G1 as [-x²] (checked against
// the generator in tests). Montgomery form of
// 0x5f19672fdf76ce51ba69c6076a0f77eaddb3a93be6f89688de17d813620a00022e01fffffffefffe.
const Fp kBeta{{0x30f1361b798a64e8, 0xf3b8ddab7ece5a2a, 0x16a8ca3ac61577f7, 0xc26a2ff874fd029b,
                0x3636b76660701c6e, 0x051ba4ab241b6160}};

template <class F>
Point<F> select_point(const Point<F>& a, const Point<F>& b, uint64_t flag) {
  return {select(a.x, b.x, flag), select(a.y, b.y, flag), select(a.z, b.z, flag)};
}

}  // namespace

// RCB16 Algorithm 7 (complete addition, a = 0).
template <class F>
Point<F> operator+(const Point<F>& p, const Point<F>& q) {
  F t0 = p.x * q.x, t1 = p.y * q.y, t2 = p.z * q.z;
  F t3 = (p.x + p.y) * (q.x + q.y) - (t0 + t1);  // X1Y2 + X2Y1
  F t4 = (p.y + p.z) * (q.y + q.z) - (t1 + t2);  // Y1Z2 + Y2Z1
  F y3 = (p.x + p.z) * (q.x + q.z) - (t0 + t2);  // X1Z2 + X2Z1
  t0 = dbl(t0) + t0;                              // 3X1X2
  t2 = mul_b3(t2);
  F z3 = t1 + t2;
  t1 = t1 - t2;
  y3 = mul_b3(y3);
  Point<F> r;
  r.x = t3 * t1 - t4 * y3;
  r.y = y3 * t0 + t1 * z3;
  r.z = z3 * t4 + t0 * t3;
  return r;
}

// RCB16 Algorithm 9 (doubling, a = 0).
template <class F>
Point<F> dbl(const Point<F>& p) {
  F t0 = sqr(p.y);
  F z3 = dbl(dbl(dbl(t0)));
  F t1 = p.y * p.z;
  F t2 = mul_b3(sqr(p.z));
  F x3 = t2 * z3;
  F y3 = t0 + t2;
  z3 = t1 * z3;
  t2 = dbl(t2) + t2;
  t0 = t0 - t2;
  y3 = t0 * y3 + x3;
  x3 = dbl(t0 * (p.x * p.y));
  return {x3, y3, z3};
}

template <class F>
Point<F> operator-(const Point<F>& p) {
  return {p.x, -p.y, p.z};
}

template <class F>
bool operator==(const Point<F>& a, const Point<F>& b) {
  // (X1:Y1:Z1) = (X2:Y2:Z2) as projective points; the identity (0:Y:0) compares correctly too.
  return a.x * b.z == b.x * a.z && a.y * b.z == b.y * a.z;
}

template <class F>
Point<F> from_affine(const Affine<F>& a) {
  if (a.infinity) return Point<F>::identity();
  return {a.x, a.y, F::one()};
}

template <class F>
Affine<F> to_affine(const Point<F>& p) {
  if (p.is_identity()) return Affine<F>{};
  F zi = inv(p.z);
  return Affine<F>{p.x * zi, p.y * zi, false};
}

template <class F>
bool on_curve(const Affine<F>& a) {
  if (a.infinity) return true;
  return sqr(a.y) == sqr(a.x) * a.x + curve_b(static_cast<const F*>(nullptr));
}

template <class F>
Point<F> mul_vartime(const Point<F>& p, const uint64_t* k, size_t limbs) {
  Point<F> r = Point<F>::identity();
  bool started = false;
  for (size_t i = limbs; i-- > 0;) {
    for (int b = 63; b >= 0; --b) {
      if (started) r = dbl(r);
      if ((k[i] >> b) & 1) {
        r = started ? r + p : p;
        started = true;
      }
    }
  }
  return r;
}

template <class F>
Point<F> mul_ct(const Point<F>& p, const Fr& k) {
  uint64_t e[4];
  k.to_limbs(e);
  Point<F> table[16];
  table[0] = Point<F>::identity();
  for (int i = 1; i < 16; ++i) table[i] = table[i - 1] + p;
  Point<F> r = Point<F>::identity();
  for (int w = 63; w >= 0; --w) {
    r = dbl(dbl(dbl(dbl(r))));
    uint64_t idx = (e[w / 16] >> ((w % 16) * 4)) & 15;
    Point<F> t = table[0];
    for (uint64_t i = 1; i < 16; ++i) {
      uint64_t d = i ^ idx;
      uint64_t hit = ((d | (0 - d)) >> 63) ^ 1;  // 1 iff i == idx, without a comparison branch
      t = select_point(t, table[i], hit);
    }
    r = r + t;
  }
  secure_wipe(e, sizeof e);
  return r;
}

#define BLS_INSTANTIATE(F)                                                    \
  template Point<F> operator+(const Point<F>&, const Point<F>&);              \
  template Point<F> operator-(const Point<F>&);                               \
  template Point<F> dbl(const Point<F>&);                                     \
  template bool operator==(const Point<F>&, const Point<F>&);                 \
  template Point<F> from_affine(const Affine<F>&);                            \
  template Affine<F> to_affine(const Point<F>&);                              \
  template bool on_curve(const Affine<F>&);                                   \
  template Point<F> mul_vartime(const Point<F>&, const uint64_t*, size_t);    \
  template Point<F> mul_ct(const Point<F>&, const Fr&);
BLS_INSTANTIATE(Fp)
BLS_INSTANTIATE(Fp2)
#undef BLS_INSTANTIATE

G1 g1_generator() {
  static const G1 g = from_affine(G1Affine{
      fp_from_hex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
      fp_from_hex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"),
      false});
  return g;
}

G2 g2_generator() {
  static const G2 g = from_affine(G2Affine{
      {fp_from_hex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
       fp_from_hex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e")},
      {fp_from_hex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
       fp_from_hex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be")},
      false});
  return g;
}

bool in_subgroup(const G1& p) {
  // σ(P) = [-x²]P ⟺ σ(P) + [x²]P = O, with [x²]P = [|x|]([|x|]P).
  G1 t = mul_vartime(mul_vartime(p, &kBlsX, 1), &kBlsX, 1);
  G1 s{p.x * kBeta, p.y, p.z};
  return (s + t).is_identity();
}

G2 psi(const G2& q) {
  // ψ = twist ∘ Frobenius ∘ untwist: (x, y) ↦ (x̄·ξ^-(p-1)/3, ȳ·ξ^-(p-1)/2); in projective coordinates
  // Z is conjugated too. ξ^((p-1)/3) = γ_1², ξ^((p-1)/2) = γ_1³.
  static const Fp2 cx = inv(frobenius_gamma(1, 2));
  static const Fp2 cy = inv(frobenius_gamma(1, 3));
  return {conj(q.x) * cx, conj(q.y) * cy, conj(q.z)};
}

bool in_subgroup(const G2& q) {
  // ψ(Q) = [x]Q = -[|x|]Q  ⟺  ψ(Q) + [|x|]Q = O.
  return (psi(q) + mul_vartime(q, &kBlsX, 1)).is_identity();
}

// ---------------------------------------------------------------- encoding

namespace {
constexpr uint8_t kFlagCompressed = 0x80, kFlagInfinity = 0x40, kFlagSort = 0x20;

ic::Error point_error(const char* group, const std::string& what) {
  return ic::make_error(ic::Errc::decode, std::string("BLS12-381 ") + group + " point: " + what,
                        "the key or signature bytes are corrupt or not a compressed BLS12-381 point");
}

// Common flag handling; returns false with `err` set on a malformed header. `is_inf` reports the
// (valid) infinity encoding; otherwise `x_bytes` holds the coordinate bytes with the flags cleared.
bool read_flags(ic::ByteView in, size_t size, const char* group, bool& is_inf, bool& sort,
                uint8_t* x_bytes, ic::Error& err) {
  if (in.size() != size) {
    err = point_error(group, "expected " + std::to_string(size) + " bytes (compressed), got " +
                                 std::to_string(in.size()));
    return false;
  }
  uint8_t f = in[0];
  if (!(f & kFlagCompressed)) {
    err = point_error(group, "compression flag (bit 7 of the first byte) is not set; only the compressed form is accepted");
    return false;
  }
  is_inf = f & kFlagInfinity;
  sort = f & kFlagSort;
  std::memcpy(x_bytes, in.data(), size);
  x_bytes[0] &= 0x1f;
  if (is_inf) {
    uint8_t acc = sort ? 1 : 0;
    for (size_t i = 0; i < size; ++i) acc |= x_bytes[i];
    if (acc != 0) {
      err = point_error(group, "infinity flag set together with a sort flag or non-zero coordinate bits");
      return false;
    }
  }
  return true;
}
}  // namespace

std::array<uint8_t, 48> compress(const G1Affine& p) {
  std::array<uint8_t, 48> out{};
  if (p.infinity) {
    out[0] = kFlagCompressed | kFlagInfinity;
    return out;
  }
  p.x.to_bytes(out.data());
  out[0] |= kFlagCompressed | (p.y.lexicographically_largest() ? kFlagSort : 0);
  return out;
}

std::array<uint8_t, 96> compress(const G2Affine& p) {
  std::array<uint8_t, 96> out{};
  if (p.infinity) {
    out[0] = kFlagCompressed | kFlagInfinity;
    return out;
  }
  p.x.c1.to_bytes(out.data());
  p.x.c0.to_bytes(out.data() + 48);
  out[0] |= kFlagCompressed | (p.y.lexicographically_largest() ? kFlagSort : 0);
  return out;
}

ic::Result<G1Affine> decompress_g1(ic::ByteView in, bool check_subgroup) {
  uint8_t xb[48];
  bool is_inf = false, sort = false;
  ic::Error err;
  if (!read_flags(in, 48, "G1", is_inf, sort, xb, err)) return err;
  if (is_inf) return G1Affine{};
  G1Affine p;
  p.infinity = false;
  if (!Fp::from_bytes(xb, p.x)) return point_error("G1", "x coordinate is not canonical (>= p)");
  if (!sqrt(sqr(p.x) * p.x + Fp::from_u64(4), p.y))
    return point_error("G1", "x coordinate is not on the curve y^2 = x^3 + 4");
  if (p.y.lexicographically_largest() != sort) p.y = -p.y;
  if (check_subgroup && !in_subgroup(from_affine(p)))
    return point_error("G1", "not in the prime-order subgroup G1");
  return p;
}

ic::Result<G2Affine> decompress_g2(ic::ByteView in, bool check_subgroup) {
  uint8_t xb[96];
  bool is_inf = false, sort = false;
  ic::Error err;
  if (!read_flags(in, 96, "G2", is_inf, sort, xb, err)) return err;
  if (is_inf) return G2Affine{};
  G2Affine p;
  p.infinity = false;
  if (!Fp::from_bytes(xb, p.x.c1) || !Fp::from_bytes(xb + 48, p.x.c0))
    return point_error("G2", "x coordinate is not canonical (a component is >= p)");
  if (!sqrt(sqr(p.x) * p.x + curve_b(static_cast<const Fp2*>(nullptr)), p.y))
    return point_error("G2", "x coordinate is not on the curve y^2 = x^3 + 4(1+u)");
  if (p.y.lexicographically_largest() != sort) p.y = -p.y;
  if (check_subgroup && !in_subgroup(from_affine(p)))
    return point_error("G2", "not in the prime-order subgroup G2");
  return p;
}

}  // namespace bls
