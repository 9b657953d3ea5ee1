// BLS signature scheme (draft-irtf-cfrg-bls-signature-05, minimal-signature-size, basic scheme):
// KeyGen with HKDF-SHA256, SkToPk, CoreSign, CoreVerify, validated-key cache, DER wrapping.
#include "bls/bls.h"

#include <algorithm>
#include <cstring>

#include "bls/internal.h"
#include "bls/pairing.h"
#include "ic/sha2.h"

namespace bls {

struct PublicKey::Impl {
  PublicKeyBytes bytes;
  G2Affine point;
  G2Prepared lines;
};

namespace {

ic::ByteView dst_view() { return ic::as_view(kSignatureDst); }

// HMAC-SHA256 (RFC 2104) for keys of at most 64 bytes (KeyGen uses 32-byte salts and PRKs).
ic::Hash256 hmac_sha256(const uint8_t* key, size_t key_len, std::initializer_list<ic::ByteView> parts) {
  uint8_t pad[64];
  ic::Sha256 inner, outer;
  for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>((i < key_len ? key[i] : 0) ^ 0x36);
  inner.update(ic::ByteView(pad, 64));
  for (auto p : parts) inner.update(p);
  ic::Hash256 ih = inner.finish();
  for (size_t i = 0; i < 64; ++i) pad[i] = static_cast<uint8_t>((i < key_len ? key[i] : 0) ^ 0x5c);
  outer.update(ic::ByteView(pad, 64));
  outer.update(ic::ByteView(ih.data(), ih.size()));
  ic::Hash256 out = outer.finish();
  secure_wipe(pad, sizeof pad);
  secure_wipe(ih.data(), ih.size());
  return out;
}

const G2Prepared& neg_g2_lines() {
  static const G2Prepared lines = prepare(to_affine(-g2_generator()));
  return lines;
}

ic::Error key_error(const std::string& what) {
  return ic::make_error(ic::Errc::decode, "BLS public key: " + what,
                        "expected a 96-byte compressed BLS12-381 G2 point (or its 133-byte DER form)");
}

}  // namespace

// ---------------------------------------------------------------- points

ic::Result<G1Affine> parse_g1(ic::ByteView bytes48) { return decompress_g1(bytes48); }
ic::Result<G2Affine> parse_g2(ic::ByteView bytes96) { return decompress_g2(bytes96); }
std::array<uint8_t, 48> serialize_g1(const G1Affine& p) { return compress(p); }
std::array<uint8_t, 96> serialize_g2(const G2Affine& p) { return compress(p); }

// ---------------------------------------------------------------- public keys

ic::Result<PublicKey> PublicKey::from_bytes(ic::ByteView bytes96) {
  if (bytes96.size() != kPublicKeySize)
    return key_error("expected 96 bytes, got " + std::to_string(bytes96.size()));
  auto point = decompress_g2(bytes96);
  if (!point) return key_error(point.error().message);
  if (point->infinity) return key_error("the identity point is not a valid public key");
  auto impl = std::make_shared<Impl>();
  std::copy(bytes96.begin(), bytes96.end(), impl->bytes.begin());
  impl->point = *point;
  impl->lines = prepare(*point);
  return PublicKey(std::move(impl));
}

ic::Result<PublicKey> PublicKey::from_der(ic::ByteView der) {
  IC_TRY(auto raw, public_key_from_der(der));
  return from_bytes(ic::ByteView(raw.data(), raw.size()));
}

const PublicKeyBytes& PublicKey::bytes() const { return impl_->bytes; }
const G2Affine& PublicKey::point() const { return impl_->point; }
ic::Bytes PublicKey::to_der() const { return public_key_to_der(impl_->bytes); }

ic::Result<PublicKeyBytes> public_key_from_der(ic::ByteView der) {
  if (der.size() != kDerPublicKeySize)
    return key_error("DER form must be 133 bytes, got " + std::to_string(der.size()));
  if (!std::equal(kDerPrefix.begin(), kDerPrefix.end(), der.begin()))
    return key_error("DER prefix is not the IC BLS12-381 G2 SubjectPublicKeyInfo (ic-protocol §3.3)");
  PublicKeyBytes out;
  std::copy(der.begin() + kDerPrefix.size(), der.end(), out.begin());
  return out;
}

ic::Bytes public_key_to_der(const PublicKeyBytes& key) {
  ic::Bytes out(kDerPublicKeySize);
  std::memcpy(out.data(), kDerPrefix.data(), kDerPrefix.size());
  std::memcpy(out.data() + kDerPrefix.size(), key.data(), key.size());
  return out;
}

// ---------------------------------------------------------------- secret keys

SecretKey::~SecretKey() { secure_wipe(&sk_, sizeof sk_); }

ic::Result<SecretKey> SecretKey::generate(ic::ByteView ikm, ic::ByteView key_info) {
  if (ikm.size() < 32)
    return ic::make_error(ic::Errc::invalid_input,
                          "BLS KeyGen: input keying material is " + std::to_string(ikm.size()) + " bytes",
                          "supply at least 32 bytes of secret randomness (draft-irtf-cfrg-bls-signature §2.3)");
  if (key_info.size() > 65535)
    return ic::make_error(ic::Errc::invalid_input, "BLS KeyGen: key_info longer than 65535 bytes");
  constexpr size_t L = 48;  // ceil((3·ceil(log2(r))) / 16)
  const uint8_t zero = 0, l_bytes[2] = {0, L};
  ic::Hash256 salt = ic::sha256(std::string_view("BLS-SIG-KEYGEN-SALT-"));
  Fr sk = Fr::zero();
  while (sk.is_zero()) {  // practically one iteration; loops only if OKM ≡ 0 mod r
    // PRK = HKDF-Extract(salt, IKM || I2OSP(0, 1)); OKM = HKDF-Expand(PRK, key_info || I2OSP(L, 2), L).
    ic::Hash256 prk = hmac_sha256(salt.data(), salt.size(), {ikm, ic::ByteView(&zero, 1)});
    const uint8_t one = 1, two = 2;
    ic::Hash256 t1 = hmac_sha256(prk.data(), prk.size(), {key_info, ic::ByteView(l_bytes, 2), ic::ByteView(&one, 1)});
    ic::Hash256 t2 = hmac_sha256(prk.data(), prk.size(),
                                 {ic::ByteView(t1.data(), t1.size()), key_info, ic::ByteView(l_bytes, 2), ic::ByteView(&two, 1)});
    uint8_t okm[L];
    std::memcpy(okm, t1.data(), 32);
    std::memcpy(okm + 32, t2.data(), L - 32);
    sk = Fr::from_bytes_wide(okm, L);
    secure_wipe(okm, sizeof okm);
    secure_wipe(prk.data(), prk.size());
    secure_wipe(t1.data(), t1.size());
    secure_wipe(t2.data(), t2.size());
    salt = ic::sha256(ic::ByteView(salt.data(), salt.size()));
  }
  return SecretKey(sk);
}

ic::Result<SecretKey> SecretKey::from_bytes(ic::ByteView bytes32) {
  if (bytes32.size() != kSecretKeySize)
    return ic::make_error(ic::Errc::invalid_input,
                          "BLS secret key: expected 32 bytes, got " + std::to_string(bytes32.size()));
  Fr sk;
  if (!Fr::from_bytes(bytes32.data(), sk) || sk.is_zero())
    return ic::make_error(ic::Errc::invalid_input, "BLS secret key: scalar is 0 or not below the group order r",
                          "the key file is corrupt; generate a new key");
  return SecretKey(sk);
}

std::array<uint8_t, kSecretKeySize> SecretKey::to_bytes() const {
  std::array<uint8_t, kSecretKeySize> out;
  sk_.to_bytes(out.data());
  return out;
}

PublicKey public_key(const SecretKey& sk) {
  G2Affine pk = to_affine(mul_ct(g2_generator(), sk.scalar()));
  auto impl = std::make_shared<PublicKey::Impl>();
  impl->bytes = compress(pk);
  impl->point = pk;
  impl->lines = prepare(pk);
  return PublicKey(std::move(impl));  // in G2 by construction: no need for from_bytes' checks
}

Signature sign(const SecretKey& sk, ic::ByteView msg) {
  return compress(to_affine(mul_ct(hash_to_g1(msg, dst_view()), sk.scalar())));
}

// ---------------------------------------------------------------- verification

ic::Status check_signature(ic::ByteView sig48, ic::ByteView msg, const PublicKey& pk) {
  auto sig = decompress_g1(sig48);
  if (!sig)
    return ic::make_error(ic::Errc::decode, "BLS signature: " + sig.error().message,
                          "expected a 48-byte compressed BLS12-381 G1 point");
  if (sig->infinity)
    return ic::make_error(ic::Errc::crypto, "BLS signature is the identity point, which never verifies");
  G1Affine h = to_affine(hash_to_g1(msg, dst_view()));
  // e(sig, -g2)·e(H(m), pk) = 1.
  PairingTerm terms[2] = {{&*sig, &neg_g2_lines()}, {&h, &pk.impl().lines}};
  if (!final_exponentiation(miller_loop(terms, 2)).is_one())
    return ic::make_error(ic::Errc::crypto, "BLS signature does not verify for this message and public key");
  return {};
}

ic::Status check_signature(ic::ByteView sig48, ic::ByteView msg, ic::ByteView pubkey96) {
  IC_TRY(PublicKey pk, PublicKey::from_bytes(pubkey96));
  return check_signature(sig48, msg, pk);
}

bool verify(ic::ByteView sig48, ic::ByteView msg, const PublicKey& pk) {
  return check_signature(sig48, msg, pk).ok();
}

bool verify(ic::ByteView sig48, ic::ByteView msg, ic::ByteView pubkey96) {
  return check_signature(sig48, msg, pubkey96).ok();
}

// ---------------------------------------------------------------- cache

PublicKeyCache::PublicKeyCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

ic::Result<PublicKey> PublicKeyCache::get(ic::ByteView pubkey96) {
  std::string key(pubkey96.begin(), pubkey96.end());
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return *it->second;
    }
  }
  IC_TRY(PublicKey pk, PublicKey::from_bytes(pubkey96));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) return *it->second;  // another thread validated it meanwhile
  lru_.push_front(pk);
  index_.emplace(std::move(key), lru_.begin());
  while (lru_.size() > capacity_) {
    const PublicKeyBytes& b = lru_.back().bytes();
    index_.erase(std::string(b.begin(), b.end()));
    lru_.pop_back();
  }
  return pk;
}

ic::Result<PublicKey> PublicKeyCache::get_der(ic::ByteView der) {
  IC_TRY(auto raw, public_key_from_der(der));
  return get(ic::ByteView(raw.data(), raw.size()));
}

size_t PublicKeyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

PublicKeyCache& PublicKeyCache::global() {
  static PublicKeyCache cache(1024);
  return cache;
}

}  // namespace bls
