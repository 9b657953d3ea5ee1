// BLS signatures as the Internet Computer uses them: BLS12-381 minimal-signature-size (48-byte G1
// signatures, 96-byte G2 public keys), basic scheme, DST BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bls/curve.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace bls {

// draft-irtf-cfrg-bls-signature-05 §4.2.1 (basic scheme, minimal-signature-size); ic-protocol.md §4.4.
inline constexpr std::string_view kSignatureDst = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
inline constexpr size_t kSignatureSize = 48;
inline constexpr size_t kPublicKeySize = 96;
inline constexpr size_t kSecretKeySize = 32;
inline constexpr size_t kDerPublicKeySize = 133;

using Signature = std::array<uint8_t, kSignatureSize>;
using PublicKeyBytes = std::array<uint8_t, kPublicKeySize>;

// Compressed points with full validation (canonical encoding and flags, on the curve, in the
// subgroup); the identity is a valid point here — verify() is where it is refused.
ic::Result<G1Affine> parse_g1(ic::ByteView bytes48);
ic::Result<G2Affine> parse_g2(ic::ByteView bytes96);
std::array<uint8_t, 48> serialize_g1(const G1Affine& p);
std::array<uint8_t, 96> serialize_g2(const G2Affine& p);

class SecretKey;

// A validated public key (KeyValidate, draft §2.5: a G2 point, not the identity) together with its
// precomputed pairing lines. Copies share the same immutable data.
class PublicKey {
 public:
  static ic::Result<PublicKey> from_bytes(ic::ByteView bytes96);
  // The 133-byte DER form of ic-protocol.md §3.3 (root key, /subnet/<id>/public_key).
  static ic::Result<PublicKey> from_der(ic::ByteView der);
  const PublicKeyBytes& bytes() const;
  ic::Bytes to_der() const;
  const G2Affine& point() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  friend PublicKey public_key(const SecretKey& sk);
  explicit PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// A secret scalar in [1, r). The local network signs its certificates with it; signing and key
// derivation never branch on or index memory by its bits. The destructor wipes it.
class SecretKey {
 public:
  // KeyGen (draft-irtf-cfrg-bls-signature-05 §2.3: HKDF-SHA256 with salt "BLS-SIG-KEYGEN-SALT-",
  // L = 48) from at least 32 bytes of secret input keying material.
  static ic::Result<SecretKey> generate(ic::ByteView ikm, ic::ByteView key_info = {});
  // A 32-byte big-endian scalar; 0 and values >= r are refused.
  static ic::Result<SecretKey> from_bytes(ic::ByteView bytes32);
  std::array<uint8_t, kSecretKeySize> to_bytes() const;
  const Fr& scalar() const { return sk_; }

  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  ~SecretKey();

 private:
  explicit SecretKey(const Fr& sk) : sk_(sk) {}
  Fr sk_;
};

// SkToPk: [sk]·g2.
PublicKey public_key(const SecretKey& sk);
// CoreSign: [sk]·hash_to_g1(msg, kSignatureDst), compressed.
Signature sign(const SecretKey& sk, ic::ByteView msg);

// CoreVerify: e(sig, g2) = e(hash_to_g1(msg), pk), computed as one two-term Miller loop and one
// final exponentiation. Ok, or Errc::decode (malformed signature or key) / Errc::crypto (does not verify).
ic::Status check_signature(ic::ByteView sig48, ic::ByteView msg, const PublicKey& pk);
ic::Status check_signature(ic::ByteView sig48, ic::ByteView msg, ic::ByteView pubkey96);
bool verify(ic::ByteView sig48, ic::ByteView msg, const PublicKey& pk);
bool verify(ic::ByteView sig48, ic::ByteView msg, ic::ByteView pubkey96);

// Validated public keys by their 96 bytes, least recently used evicted beyond `capacity`; safe to
// share between threads. Validation (≈ a subgroup check and line precomputation) runs outside the lock.
class PublicKeyCache {
 public:
  explicit PublicKeyCache(size_t capacity = 256);
  ic::Result<PublicKey> get(ic::ByteView pubkey96);
  ic::Result<PublicKey> get_der(ic::ByteView der);
  size_t size() const;
  // One cache for the whole process (root and subnet keys repeat across certificates).
  static PublicKeyCache& global();

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  std::list<PublicKey> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<PublicKey>::iterator> index_;
};

// DER SubjectPublicKeyInfo of an IC BLS key: this 37-byte prefix (algorithm OID 1.3.6.1.4.1.44668.5.3.1.2.1,
// curve OID 1.3.6.1.4.1.44668.5.3.2.1, BIT STRING of 97 bytes) followed by the 96-byte key.
inline constexpr std::array<uint8_t, 37> kDerPrefix = {
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc,
    0x7c, 0x05, 0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
    0xdc, 0x7c, 0x05, 0x03, 0x02, 0x01, 0x03, 0x61, 0x00};
// The raw key inside the DER form (length and prefix checked; the point itself is not validated).
ic::Result<PublicKeyBytes> public_key_from_der(ic::ByteView der);
ic::Bytes public_key_to_der(const PublicKeyBytes& key);

}  // namespace bls
