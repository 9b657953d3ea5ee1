// Public-key cryptography of IC senders and nodes: Ed25519, ECDSA secp256k1 and ECDSA P-256 keys as
// DER SubjectPublicKeyInfo (ic-protocol.md §3.3), PEM private keys as dfx/icp-cli/OpenSSL write them, sign/verify.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "ic/bytes.h"
#include "ic/result.h"

namespace ic::crypto {

enum class KeyType { Ed25519, Secp256k1, P256 };
// "ed25519", "secp256k1", "p256".
const char* key_type_name(KeyType t);
Result<KeyType> key_type_from_name(std::string_view name);

// A public key in its raw form: 32 bytes (Ed25519) or a 65-byte uncompressed SEC1 point (ECDSA).
struct PublicKey {
  KeyType type = KeyType::Ed25519;
  Bytes raw;
};

// DER SubjectPublicKeyInfo (RFC 8410 / RFC 5480 with named curves), exactly the encodings of
// ic-protocol.md §3.3 (44, 88 and 91 bytes). A 33-byte compressed point is expanded first.
Result<Bytes> der_encode_public_key(KeyType type, ByteView raw);
// Parses those encodings (and only those: the IC accepts no other forms for these schemes); the
// point of an ECDSA key is checked to lie on its curve.
Result<PublicKey> der_decode_public_key(ByteView der);

// Verifies a signature as the IC defines it for `sender_sig` and node signatures: Ed25519 (pure,
// RFC 8032) over the message; ECDSA over SHA-256(message) with the 64-byte r‖s encoding (high or low s).
// Ok, Errc::crypto when the signature does not verify, Errc::decode for a malformed key or signature.
Status verify_signature(ByteView der_public_key, ByteView message, ByteView signature);

// Asked for the password of an encrypted PEM (PKCS#8 "ENCRYPTED PRIVATE KEY"); an error aborts loading.
using PasswordCallback = std::function<Result<std::string>()>;

class PrivateKey {
 public:
  static Result<PrivateKey> generate(KeyType type);
  // The first private key in a PEM text: "PRIVATE KEY" (PKCS#8: Ed25519, secp256k1, P-256, including
  // the non-conforming Ed25519 PKCS#8 that old dfx wrote), "EC PRIVATE KEY" (SEC1, with or without a
  // preceding "EC PARAMETERS" block), "ENCRYPTED PRIVATE KEY" (PKCS#8 PBES2; `password` is asked).
  static Result<PrivateKey> from_pem(std::string_view pem, const PasswordCallback& password = {});
  // RFC 8032 private key (the 32-byte seed): for known-answer tests and seed-derived keys.
  static Result<PrivateKey> ed25519_from_seed(ByteView seed32);

  KeyType type() const { return type_; }
  const Bytes& public_key_der() const { return der_; }
  // Ed25519: the 64-byte signature of `message`; ECDSA: r‖s (32 + 32 bytes, big-endian) of SHA-256(message)
  // with s normalized to the lower half (BIP-62 low-s), which every verifier accepts.
  Result<Bytes> sign(ByteView message) const;

  // PEM as dfx writes new keys: secp256k1 as SEC1 "EC PRIVATE KEY", Ed25519 and P-256 as PKCS#8.
  std::string to_pem() const;
  // Always PKCS#8; with a password, "ENCRYPTED PRIVATE KEY" (PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256).
  Result<std::string> to_pkcs8_pem(std::string_view password = {}) const;

  struct Handle;  // the OpenSSL key, shared by copies (keys are immutable)

 private:
  PrivateKey(std::shared_ptr<Handle> h, KeyType t, Bytes der)
      : key_(std::move(h)), type_(t), der_(std::move(der)) {}
  static Result<PrivateKey> wrap(void* evp_pkey);  // takes ownership of an EVP_PKEY*
  std::shared_ptr<Handle> key_;
  KeyType type_;
  Bytes der_;
};

}  // namespace ic::crypto
