// libFuzzer target for BLS12-381 (src/bls) and certificate verification (src/agent/certificate.h): point
// decoding must accept exactly the canonical encodings, signing and verifying must agree, and any
// certificate-shaped input must verify or fail cleanly. The first byte picks the property.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "agent/certificate.h"
#include "bls/bls.h"
#include "ic/principal.h"

namespace {

void check_g1(ic::ByteView in) {
  if (in.size() < 48) return;
  auto p = bls::parse_g1(in.first(48));
  if (!p.ok()) return;
  auto out = bls::serialize_g1(*p);  // a valid point has exactly one encoding
  if (std::memcmp(out.data(), in.data(), 48) != 0) __builtin_trap();
}

void check_g2(ic::ByteView in) {
  if (in.size() < 96) return;
  auto p = bls::parse_g2(in.first(96));
  if (!p.ok()) return;
  auto out = bls::serialize_g2(*p);
  if (std::memcmp(out.data(), in.data(), 96) != 0) __builtin_trap();
}

// Arbitrary signature/key bytes: the verifier must return, and a key it accepts must stay accepted.
void check_verify(ic::ByteView in) {
  if (in.size() < 48 + 96) return;
  ic::ByteView sig = in.first(48), pk = in.subspan(48, 96), msg = in.subspan(144);
  auto first = bls::check_signature(sig, msg, pk);
  if (first.ok() && !bls::verify(sig, msg, pk)) __builtin_trap();
}

// A key derived from the input signs the rest; the signature verifies, and not for a changed message.
void check_sign(ic::ByteView in) {
  if (in.size() < 32) return;
  auto sk = bls::SecretKey::generate(in.first(32));
  if (!sk.ok()) return;
  ic::ByteView msg = in.subspan(32);
  auto pk = bls::public_key(*sk);
  auto sig = bls::sign(*sk, msg);
  if (!bls::verify(sig, msg, pk)) __builtin_trap();
  ic::Bytes other(msg.begin(), msg.end());
  other.push_back(0);
  if (bls::verify(sig, other, pk)) __builtin_trap();
}

// A certificate (or read_state body) checked against the mainnet key: no crash, no hang, and a verdict
// that does not change when asked twice.
void check_certificate(ic::ByteView in) {
  auto cert = agent::Certificate::from_saved(in);
  if (!cert.ok()) return;
  agent::VerifyOptions opts;
  opts.canister_id = ic::Principal::from_text("ivg37-qiaaa-aaaab-aaaga-cai").value();
  bool a = agent::check_certificate(*cert, opts).ok;
  bool b = agent::check_certificate(*cert, opts).ok;
  if (a != b) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ic::ByteView in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: check_g1(in); break;
    case 1: check_g2(in); break;
    case 2: check_verify(in); break;
    case 3: check_sign(in); break;
    default: check_certificate(in); break;
  }
  return 0;
}
