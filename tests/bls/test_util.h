// Shared helpers for the src/bls tests: hex conversion, deterministic random field elements and
// points, and the JSON vector files in tests/data/bls (see PROVENANCE.md there).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bls/curve.h"
#include "bls/field.h"
#include "ic/bytes.h"
#include "support/test_data.h"

namespace blstest {

inline ic::Bytes unhex(const std::string& h) { return ic::from_hex(h).value(); }
inline std::string hex(ic::ByteView b) { return ic::to_hex(b); }
template <size_t N>
std::string hex(const std::array<uint8_t, N>& a) { return ic::to_hex(ic::ByteView(a.data(), N)); }

inline std::string fp_hex(const bls::Fp& a) {
  uint8_t b[48];
  a.to_bytes(b);
  return ic::to_hex(ic::ByteView(b, 48));
}
inline bls::Fp fp(const std::string& h) {
  ic::Bytes b = unhex(h);
  ic::Bytes padded(48 - b.size(), 0);
  padded.insert(padded.end(), b.begin(), b.end());
  bls::Fp r;
  if (!bls::Fp::from_bytes(padded.data(), r)) throw std::runtime_error("constant >= p: " + h);
  return r;
}

inline nlohmann::json load_json(const std::string& rel) { return nlohmann::json::parse(testdata::read_text(rel)); }

// Deterministic randomness: every run tests the same values, so a failure reproduces.
struct Rng {
  std::mt19937_64 gen{0x5eed};
  uint64_t u64() { return gen(); }
  bls::Fp fp() {
    uint8_t b[64];
    for (auto& x : b) x = static_cast<uint8_t>(gen());
    return bls::Fp::from_bytes_wide(b, 64);
  }
  bls::Fp2 fp2() { return {fp(), fp()}; }
  bls::Fp6 fp6() { return {fp2(), fp2(), fp2()}; }
  bls::Fp12 fp12() { return {fp6(), fp6()}; }
  bls::Fr fr() {
    uint8_t b[64];
    for (auto& x : b) x = static_cast<uint8_t>(gen());
    return bls::Fr::from_bytes_wide(b, 64);
  }
};

inline std::vector<uint64_t> limbs(const bls::Fr& k) {
  std::vector<uint64_t> l(4);
  k.to_limbs(l.data());
  return l;
}
inline bls::G1 g1_mul(const bls::Fr& k) { auto l = limbs(k); return bls::mul_vartime(bls::g1_generator(), l.data(), 4); }
inline bls::G2 g2_mul(const bls::Fr& k) { auto l = limbs(k); return bls::mul_vartime(bls::g2_generator(), l.data(), 4); }

}  // namespace blstest
