#include "ic/crypto/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace ic::crypto {

struct PrivateKey::Handle {
  EVP_PKEY* pkey;
  explicit Handle(EVP_PKEY* p) : pkey(p) {}
  ~Handle() { EVP_PKEY_free(pkey); }
};

namespace {

// ic-protocol.md §3.3: the DER prefixes of the three sender-key encodings the IC accepts.
constexpr std::array<uint8_t, 12> kEd25519Prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr std::array<uint8_t, 23> kSecp256k1Prefix = {0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
                                                      0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
                                                      0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00};
constexpr std::array<uint8_t, 26> kP256Prefix = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using GroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP, EC_GROUP_free>>;
using PointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT, EC_POINT_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using P8Ptr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;
using X509SigPtr = std::unique_ptr<X509_SIG, Deleter<X509_SIG, X509_SIG_free>>;

// The most recent OpenSSL error as text (and the queue cleared), for messages.
std::string ssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

int curve_nid(KeyType t) { return t == KeyType::Secp256k1 ? NID_secp256k1 : NID_X9_62_prime256v1; }

bool starts_with(ByteView b, ByteView prefix) {
  return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
}

// The uncompressed SEC1 form of an on-curve point given compressed or uncompressed.
Result<Bytes> normalize_point(KeyType t, ByteView raw) {
  GroupPtr group(EC_GROUP_new_by_curve_name(curve_nid(t)));
  PointPtr point(EC_POINT_new(group.get()));
  if (!group || !point) return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  if (!EC_POINT_oct2point(group.get(), point.get(), raw.data(), raw.size(), nullptr)) {
    ERR_clear_error();
    return make_error(Errc::decode, std::string("the ") + key_type_name(t) + " public key is not a point on the curve");
  }
  if (EC_POINT_is_at_infinity(group.get(), point.get()))
    return make_error(Errc::decode, "the ECDSA public key is the point at infinity");
  Bytes out(65);
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), nullptr) != 65)
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  return out;
}

// The curve order n, for low-s normalization.
const BIGNUM* curve_order(KeyType t) {
  static GroupPtr k1(EC_GROUP_new_by_curve_name(NID_secp256k1));
  static GroupPtr p256(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  return EC_GROUP_get0_order(t == KeyType::Secp256k1 ? k1.get() : p256.get());
}

Result<KeyType> type_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "ED25519")) return KeyType::Ed25519;
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char name[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len))
      return make_error(Errc::unsupported, "the EC key has explicit curve parameters, not a named curve",
                        "re-encode it with `openssl ec -param_enc named_curve`");
    std::string_view n(name, len);
    if (n == "secp256k1") return KeyType::Secp256k1;
    if (n == "prime256v1" || n == "P-256") return KeyType::P256;
    return make_error(Errc::unsupported, "EC keys on curve " + std::string(n) + " are not supported",
                      "the IC accepts secp256k1 and P-256 (prime256v1) ECDSA keys, or Ed25519");
  }
  return make_error(Errc::unsupported, std::string("keys of type ") + EVP_PKEY_get0_type_name(pkey) + " are not supported",
                    "use an Ed25519, secp256k1 or P-256 key");
}

Result<Bytes> public_der_of(EVP_PKEY* pkey, KeyType t) {
  if (t == KeyType::Ed25519) {
    Bytes raw(32);
    size_t len = raw.size();
    if (!EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) || len != 32)
      return make_error(Errc::internal, "OpenSSL: " + ssl_error());
    return der_encode_public_key(t, raw);
  }
  Bytes raw(133);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, raw.data(), raw.size(), &len))
    return make_error(Errc::internal, "OpenSSL could not export the EC public key: " + ssl_error());
  raw.resize(len);
  return der_encode_public_key(t, raw);
}

// --- PEM ---

struct PemBlock {
  std::string label;
  Bytes der;
};

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

Result<Bytes> base64_decode(std::string_view s, const std::string& label) {
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = b64_value(c);
    if (v < 0 || pad)
      return make_error(Errc::decode, "the PEM block \"" + label + "\" has invalid base64",
                        "the file may be damaged or not a PEM file");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return out;
}

// RFC 7468 textual encoding: every "-----BEGIN L-----" … "-----END L-----" block with its label.
// Headers (Proc-Type/DEK-Info of legacy encrypted PEM) are refused: OpenSSL's legacy encryption is not
// what dfx or icp-cli write.
Result<std::vector<PemBlock>> split_pem(std::string_view text) {
  std::vector<PemBlock> blocks;
  size_t pos = 0;
  while (true) {
    size_t b = text.find("-----BEGIN ", pos);
    if (b == std::string_view::npos) break;
    size_t le = text.find("-----", b + 11);
    if (le == std::string_view::npos) return make_error(Errc::decode, "unterminated PEM header line");
    std::string label(text.substr(b + 11, le - (b + 11)));
    std::string end_marker = "-----END " + label + "-----";
    size_t body = le + 5;
    size_t e = text.find(end_marker, body);
    if (e == std::string_view::npos)
      return make_error(Errc::decode, "the PEM block \"" + label + "\" has no END line", "the file may be truncated");
    std::string_view content = text.substr(body, e - body);
    if (content.find(':') != std::string_view::npos)
      return make_error(Errc::unsupported, "the PEM block \"" + label + "\" uses legacy OpenSSL encryption headers",
                        "convert it to PKCS#8: openssl pkcs8 -topk8 -in OLD.pem -out NEW.pem");
    IC_TRY(auto der, base64_decode(content, label));
    blocks.push_back({label, std::move(der)});
    pos = e + end_marker.size();
  }
  return blocks;
}

Result<EVP_PKEY*> pkcs8_to_pkey(PKCS8_PRIV_KEY_INFO* p8) {
  EVP_PKEY* pkey = EVP_PKCS82PKEY(p8);
  if (!pkey) return make_error(Errc::decode, "the PKCS#8 key could not be decoded: " + ssl_error());
  return pkey;
}

Result<EVP_PKEY*> decode_pkcs8(ByteView der) {
  const unsigned char* p = der.data();
  P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, long(der.size())));
  if (p8 && p == der.data() + der.size()) return pkcs8_to_pkey(p8.get());
  ERR_clear_error();
  // Old dfx wrote Ed25519 PKCS#8 with a trailing public-key field whose lengths are wrong. The first
  // 48 bytes are a complete version-0 key once the outer length and version are patched (agent-rs and
  // icp-cli repair it the same way).
  static constexpr uint8_t kEdTail[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
  if (der.size() > 48 && der[0] == 0x30 && der[2] == 0x02 && der[3] == 0x01 &&
      std::equal(std::begin(kEdTail), std::end(kEdTail), der.begin() + 5)) {
    Bytes fixed(der.begin(), der.begin() + 48);
    fixed[1] = 0x2e;
    fixed[4] = 0x00;
    p = fixed.data();
    P8Ptr q(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, long(fixed.size())));
    if (q) return pkcs8_to_pkey(q.get());
    ERR_clear_error();
  }
  return make_error(Errc::decode, "the \"PRIVATE KEY\" block is not a valid PKCS#8 private key");
}

Result<EVP_PKEY*> decode_sec1(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = d2i_PrivateKey(EVP_PKEY_EC, nullptr, &p, long(der.size()));
  if (!pkey)
    return make_error(Errc::decode, "the \"EC PRIVATE KEY\" block is not a valid SEC1 EC private key: " + ssl_error());
  return pkey;
}

Result<EVP_PKEY*> decode_encrypted_pkcs8(ByteView der, const PasswordCallback& password) {
  if (!password)
    return make_error(Errc::invalid_input, "the PEM key is encrypted and no password was supplied",
                      "give the password with --password-file FILE, or run on a terminal to be asked");
  const unsigned char* p = der.data();
  X509SigPtr sig(d2i_X509_SIG(nullptr, &p, long(der.size())));
  if (!sig) return make_error(Errc::decode, "the \"ENCRYPTED PRIVATE KEY\" block is malformed: " + ssl_error());
  IC_TRY(std::string pw, password());
  P8Ptr p8(PKCS8_decrypt(sig.get(), pw.data(), int(pw.size())));
  OPENSSL_cleanse(pw.data(), pw.size());
  if (!p8) {
    ERR_clear_error();
    return make_error(Errc::invalid_input, "could not decrypt the PEM key: wrong password (or a damaged file)",
                      "check the password; a password file's trailing newline is ignored");
  }
  return pkcs8_to_pkey(p8.get());
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(n));
}

}  // namespace

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::Ed25519: return "ed25519";
    case KeyType::Secp256k1: return "secp256k1";
    case KeyType::P256: return "p256";
  }
  return "?";
}

Result<KeyType> key_type_from_name(std::string_view n) {
  if (n == "ed25519" || n == "Ed25519") return KeyType::Ed25519;
  if (n == "secp256k1") return KeyType::Secp256k1;
  if (n == "p256" || n == "P-256" || n == "prime256v1" || n == "secp256r1") return KeyType::P256;
  return make_error(Errc::invalid_input, "unknown key type \"" + std::string(n) + "\"",
                    "use ed25519, secp256k1 or p256");
}

Result<Bytes> der_encode_public_key(KeyType type, ByteView raw) {
  Bytes out;
  if (type == KeyType::Ed25519) {
    if (raw.size() != 32)
      return make_error(Errc::decode, "an Ed25519 public key has 32 bytes, not " + std::to_string(raw.size()));
    out.assign(kEd25519Prefix.begin(), kEd25519Prefix.end());
    out.insert(out.end(), raw.begin(), raw.end());
    return out;
  }
  IC_TRY(Bytes point, normalize_point(type, raw));
  if (type == KeyType::Secp256k1)
    out.assign(kSecp256k1Prefix.begin(), kSecp256k1Prefix.end());
  else
    out.assign(kP256Prefix.begin(), kP256Prefix.end());
  out.insert(out.end(), point.begin(), point.end());
  return out;
}

Result<PublicKey> der_decode_public_key(ByteView der) {
  PublicKey k;
  if (der.size() == kEd25519Prefix.size() + 32 && starts_with(der, kEd25519Prefix)) {
    k.type = KeyType::Ed25519;
    k.raw.assign(der.begin() + kEd25519Prefix.size(), der.end());
    return k;
  }
  if (der.size() == kSecp256k1Prefix.size() + 65 && starts_with(der, kSecp256k1Prefix))
    k.type = KeyType::Secp256k1;
  else if (der.size() == kP256Prefix.size() + 65 && starts_with(der, kP256Prefix))
    k.type = KeyType::P256;
  else
    return make_error(Errc::decode,
                      "not a DER public key of a supported scheme (" + std::to_string(der.size()) + " bytes, starting " +
                          to_hex(der.first(std::min<size_t>(der.size(), 12))) + ")",
                      "expected Ed25519 (302a3005…), ECDSA secp256k1 (30563010…) or P-256 (30593013…)");
  ByteView point = der.subspan(der.size() - 65);
  IC_TRY(k.raw, normalize_point(k.type, point));
  return k;
}

Status verify_signature(ByteView der_public_key, ByteView message, ByteView signature) {
  IC_TRY(PublicKey key, der_decode_public_key(der_public_key));
  const unsigned char* p = der_public_key.data();
  PkeyPtr pkey(d2i_PUBKEY(nullptr, &p, long(der_public_key.size())));
  if (!pkey) return make_error(Errc::decode, "OpenSSL refused the public key: " + ssl_error());
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (key.type == KeyType::Ed25519) {
    if (signature.size() != 64)
      return make_error(Errc::decode, "an Ed25519 signature has 64 bytes, not " + std::to_string(signature.size()));
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
      return make_error(Errc::internal, "OpenSSL: " + ssl_error());
    int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
    ERR_clear_error();
    if (rc != 1) return make_error(Errc::crypto, "the Ed25519 signature does not verify");
    return {};
  }
  if (signature.size() != 64)
    return make_error(Errc::decode, std::string("an ECDSA ") + key_type_name(key.type) + " signature is r||s, 64 bytes, not " +
                                        std::to_string(signature.size()));
  // r‖s to the DER ECDSA-Sig-Value OpenSSL verifies.
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  }
  unsigned char* der_sig = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der_sig);
  if (der_len <= 0) return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  int rc = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) == 1
               ? EVP_DigestVerify(ctx.get(), der_sig, size_t(der_len), message.data(), message.size())
               : -1;
  OPENSSL_free(der_sig);
  ERR_clear_error();
  if (rc != 1)
    return make_error(Errc::crypto, std::string("the ECDSA ") + key_type_name(key.type) + " signature does not verify");
  return {};
}

Result<PrivateKey> PrivateKey::wrap(void* raw) {
  auto handle = std::make_shared<Handle>(static_cast<EVP_PKEY*>(raw));
  IC_TRY(KeyType t, type_of(handle->pkey));
  IC_TRY(Bytes der, public_der_of(handle->pkey, t));
  return PrivateKey(std::move(handle), t, std::move(der));
}

Result<PrivateKey> PrivateKey::generate(KeyType type) {
  EVP_PKEY* pkey = type == KeyType::Ed25519     ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                   : type == KeyType::Secp256k1 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1")
                                                : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (!pkey) return make_error(Errc::internal, "OpenSSL key generation failed: " + ssl_error());
  return wrap(pkey);
}

Result<PrivateKey> PrivateKey::ed25519_from_seed(ByteView seed) {
  if (seed.size() != 32) return make_error(Errc::invalid_input, "an Ed25519 seed has 32 bytes");
  EVP_PKEY* pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
  if (!pkey) return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  return wrap(pkey);
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem, const PasswordCallback& password) {
  IC_TRY(auto blocks, split_pem(pem));
  std::string labels;
  for (auto& b : blocks) {
    Result<EVP_PKEY*> pkey = make_error(Errc::internal, "");
    if (b.label == "PRIVATE KEY")
      pkey = decode_pkcs8(b.der);
    else if (b.label == "EC PRIVATE KEY")
      pkey = decode_sec1(b.der);
    else if (b.label == "ENCRYPTED PRIVATE KEY")
      pkey = decode_encrypted_pkcs8(b.der, password);
    else {
      // "EC PARAMETERS" precedes SEC1 keys from `openssl ecparam -genkey`; the key repeats the curve.
      labels += (labels.empty() ? "" : ", ") + b.label;
      continue;
    }
    std::fill(b.der.begin(), b.der.end(), 0);
    if (!pkey) return pkey.take_error();
    return wrap(*pkey);
  }
  return make_error(Errc::decode,
                    blocks.empty() ? std::string("no PEM block found") : "no private key in the PEM (blocks: " + labels + ")",
                    "expected a \"PRIVATE KEY\", \"EC PRIVATE KEY\" or \"ENCRYPTED PRIVATE KEY\" block, as dfx "
                    "(`dfx identity export NAME`), icp-cli or openssl write them");
}

Result<Bytes> PrivateKey::sign(ByteView message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = type_ == KeyType::Ed25519 ? nullptr : EVP_sha256();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_->pkey) != 1)
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    return make_error(Errc::internal, "OpenSSL signing failed: " + ssl_error());
  sig.resize(len);
  if (type_ == KeyType::Ed25519) return sig;
  // DER ECDSA-Sig-Value → r‖s with low s (s and n - s both verify; the low one is canonical).
  const unsigned char* p = sig.data();
  SigPtr es(d2i_ECDSA_SIG(nullptr, &p, long(sig.size())));
  if (!es) return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  const BIGNUM* n = curve_order(type_);
  BnPtr s(BN_dup(ECDSA_SIG_get0_s(es.get())));
  BnPtr half(BN_dup(n));
  if (!s || !half || !BN_rshift1(half.get(), half.get())) return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  if (BN_cmp(s.get(), half.get()) > 0 && !BN_sub(s.get(), n, s.get()))
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  Bytes out(64);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(es.get()), out.data(), 32) != 32 || BN_bn2binpad(s.get(), out.data() + 32, 32) != 32)
    return make_error(Errc::internal, "OpenSSL: " + ssl_error());
  return out;
}

std::string PrivateKey::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (type_ == KeyType::Secp256k1) {
    OSSL_ENCODER_CTX* ctx =
        OSSL_ENCODER_CTX_new_for_pkey(key_->pkey, EVP_PKEY_KEYPAIR, "PEM", "type-specific", nullptr);
    bool ok = ctx && OSSL_ENCODER_to_bio(ctx, bio.get()) == 1;
    OSSL_ENCODER_CTX_free(ctx);
    if (ok) return bio_to_string(bio.get());
    ERR_clear_error();
    bio.reset(BIO_new(BIO_s_mem()));
  }
  PEM_write_bio_PrivateKey(bio.get(), key_->pkey, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_to_string(bio.get());
}

Result<std::string> PrivateKey::to_pkcs8_pem(std::string_view password) const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  int ok = password.empty()
               ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key_->pkey, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PKCS8PrivateKey(bio.get(), key_->pkey, EVP_aes_256_cbc(), password.data(),
                                               int(password.size()), nullptr, nullptr);
  if (!ok) return make_error(Errc::internal, "OpenSSL could not write the key: " + ssl_error());
  return bio_to_string(bio.get());
}

}  // namespace ic::crypto
