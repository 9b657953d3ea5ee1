// src/ic/crypto against OpenSSL's own command-line tool: every PEM form dfx, icp-cli and openssl write loads
// to the public key (and principal) openssl derives; signatures verify, in both directions, and tampering fails.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "ic/crypto/keys.h"
#include "ic/principal.h"

using namespace ic;
using namespace ic::crypto;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/hubctl-crypto-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
};

std::string slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void spit(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

// Runs an openssl command line (arguments after "openssl"); fails the test if it does.
void openssl(const std::string& args) {
  std::string cmd = std::string(OPENSSL_BIN) + " " + args + " >/dev/null 2>&1";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

// The DER SubjectPublicKeyInfo openssl derives from a private key file (uncompressed points).
Bytes openssl_public_der(const TempDir& d, const std::string& pem, const std::string& passin = "") {
  openssl("pkey -in " + d / pem + (passin.empty() ? "" : " -passin pass:" + passin) +
          " -pubout -outform DER -out " + d / "pub.der");
  std::string s = slurp(d / "pub.der");
  return Bytes(s.begin(), s.end());
}

PrivateKey load(const std::string& pem, const PasswordCallback& pw = {}) {
  auto k = PrivateKey::from_pem(pem, pw);
  INFO((k.ok() ? "" : k.error().to_string()));
  REQUIRE(k.ok());
  return *k;
}

// r‖s → DER ECDSA-Sig-Value, written independently of the library (for the openssl CLI).
Bytes der_int(ByteView v) {
  size_t i = 0;
  while (i + 1 < v.size() && v[i] == 0) ++i;
  Bytes out{0x02};
  bool pad = v[i] & 0x80;
  out.push_back(uint8_t(v.size() - i + pad));
  if (pad) out.push_back(0);
  out.insert(out.end(), v.begin() + long(i), v.end());
  return out;
}
Bytes rs_to_der(ByteView rs) {
  Bytes r = der_int(rs.first(32)), s = der_int(rs.subspan(32));
  Bytes out{0x30, uint8_t(r.size() + s.size())};
  out.insert(out.end(), r.begin(), r.end());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

}  // namespace

TEST_CASE("crypto: every PEM form openssl writes loads to openssl's public key", "[crypto][pem]") {
  TempDir d;
  struct Case {
    const char* file;
    const char* command;  // arguments to openssl
    KeyType type;
    size_t der_size;
  };
  Case cases[] = {
      {"ed25519.pem", "genpkey -algorithm ed25519 -out ", KeyType::Ed25519, 44},
      {"k1_params.pem", "ecparam -name secp256k1 -genkey -out ", KeyType::Secp256k1, 88},  // EC PARAMETERS + SEC1
      {"k1.pem", "ecparam -name secp256k1 -genkey -noout -out ", KeyType::Secp256k1, 88},  // SEC1 only (quill)
      {"p256.pem", "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ", KeyType::P256, 91},  // PKCS#8
      {"p256_sec1.pem", "ecparam -name prime256v1 -genkey -noout -out ", KeyType::P256, 91},
  };
  for (auto& c : cases) {
    SECTION(c.file) {
      openssl(std::string(c.command) + d / c.file);
      std::string pem = slurp(d / c.file);
      if (std::string(c.file) == "k1_params.pem") REQUIRE(pem.find("BEGIN EC PARAMETERS") != std::string::npos);
      PrivateKey k = load(pem);
      CHECK(k.type() == c.type);
      Bytes expect = openssl_public_der(d, c.file);
      CHECK(k.public_key_der().size() == c.der_size);
      CHECK(to_hex(k.public_key_der()) == to_hex(expect));
      Principal p = Principal::self_authenticating(k.public_key_der());
      CHECK(p.is_self_authenticating());

      // The same key as PKCS#8 (secp256k1 keys exported by icp-cli) and encrypted PKCS#8 (PBES2).
      openssl("pkcs8 -topk8 -nocrypt -in " + d / c.file + " -out " + d / "p8.pem");
      CHECK(load(slurp(d / "p8.pem")).public_key_der() == k.public_key_der());
      openssl("pkcs8 -topk8 -v2 aes-256-cbc -passout pass:s3cret -in " + d / c.file + " -out " + d / "enc.pem");
      std::string enc = slurp(d / "enc.pem");
      REQUIRE(enc.find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos);
      int asked = 0;
      PrivateKey e = load(enc, [&]() -> Result<std::string> {
        ++asked;
        return std::string("s3cret");
      });
      CHECK(asked == 1);
      CHECK(e.public_key_der() == k.public_key_der());
      // Wrong password, no password: errors that say so.
      auto wrong = PrivateKey::from_pem(enc, []() -> Result<std::string> { return std::string("nope"); });
      REQUIRE_FALSE(wrong.ok());
      CHECK(wrong.error().message.find("wrong password") != std::string::npos);
      auto none = PrivateKey::from_pem(enc);
      REQUIRE_FALSE(none.ok());
      CHECK(none.error().hint.find("--password-file") != std::string::npos);

      // Our own PEM output reads back in openssl and here.
      spit(d / "ours.pem", k.to_pem());
      CHECK(openssl_public_der(d, "ours.pem") == k.public_key_der());
      auto ours_enc = k.to_pkcs8_pem("pw");
      REQUIRE(ours_enc.ok());
      spit(d / "ours_enc.pem", *ours_enc);
      CHECK(openssl_public_der(d, "ours_enc.pem", "pw") == k.public_key_der());
    }
  }
}

TEST_CASE("crypto: compressed SEC1 points and dfx's PEM conventions", "[crypto][pem]") {
  TempDir d;
  openssl("ecparam -name secp256k1 -genkey -noout -out " + d / "k1.pem");
  openssl("ec -in " + d / "k1.pem" + " -conv_form compressed -out " + d / "k1c.pem");
  Bytes expect = openssl_public_der(d, "k1.pem");
  // The DER key is always the 88-byte uncompressed form the IC expects, whatever the file holds.
  CHECK(load(slurp(d / "k1c.pem")).public_key_der() == expect);

  // New dfx identities: secp256k1 in SEC1 ("EC PRIVATE KEY").
  auto k1 = PrivateKey::generate(KeyType::Secp256k1).value();
  CHECK(k1.to_pem().find("BEGIN EC PRIVATE KEY") != std::string::npos);
  auto ed = PrivateKey::generate(KeyType::Ed25519).value();
  CHECK(ed.to_pem().find("BEGIN PRIVATE KEY") != std::string::npos);
  CHECK(ed.public_key_der().size() == 44);

  // Not a key, or no private key in it.
  CHECK(PrivateKey::from_pem("hello").error().code == Errc::decode);
  openssl("pkey -in " + d / "k1.pem" + " -pubout -out " + d / "pub.pem");
  auto pub_only = PrivateKey::from_pem(slurp(d / "pub.pem"));
  REQUIRE_FALSE(pub_only.ok());
  CHECK(pub_only.error().message.find("PUBLIC KEY") != std::string::npos);
  // Other curves are refused by name.
  openssl("ecparam -name secp384r1 -genkey -noout -out " + d / "p384.pem");
  auto p384 = PrivateKey::from_pem(slurp(d / "p384.pem"));
  REQUIRE_FALSE(p384.ok());
  CHECK(p384.error().code == Errc::unsupported);
  CHECK(p384.error().message.find("secp384r1") != std::string::npos);
}

TEST_CASE("crypto: old dfx's non-conforming Ed25519 PKCS#8 is repaired", "[crypto][pem]") {
  // RFC 8032 §7.1 test 1; its public key gives the principal quoted in ic-protocol.md §3.2.
  Bytes seed = from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").value();
  Bytes pub = from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a").value();
  // A v2 OneAsymmetricKey with the [1] public key appended but the outer length left at 46 (what old dfx
  // wrote): strict DER parsers refuse the trailing bytes.
  Bytes der = from_hex("302e020101300506032b657004220420").value();
  der.insert(der.end(), seed.begin(), seed.end());
  Bytes tail = from_hex("a123032100").value();
  der.insert(der.end(), tail.begin(), tail.end());
  der.insert(der.end(), pub.begin(), pub.end());
  std::string b64;
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < der.size(); i += 3) {
    uint32_t n = uint32_t(der[i]) << 16 | (i + 1 < der.size() ? uint32_t(der[i + 1]) << 8 : 0) |
                 (i + 2 < der.size() ? der[i + 2] : 0);
    for (size_t j = 0; j < 4; ++j) b64 += (i + j <= der.size()) ? alphabet[(n >> (18 - 6 * j)) & 63] : '=';
  }
  PrivateKey k = load("-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
  CHECK(k.type() == KeyType::Ed25519);
  CHECK(Principal::self_authenticating(k.public_key_der()).to_text() ==
        "e73il-iz5tp-nkgt7-idxyw-ngkah-47bpv-qdase-pzde6-g6vwc-a3eql-jae");
}

TEST_CASE("crypto: Ed25519 known answer (RFC 8032 §7.1 test 1)", "[crypto][sign]") {
  auto k = PrivateKey::ed25519_from_seed(from_hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").value()).value();
  CHECK(to_hex(k.public_key_der()) ==
        "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes sig = k.sign({}).value();
  CHECK(to_hex(sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  CHECK(verify_signature(k.public_key_der(), {}, sig).ok());
  Bytes msg{0x72};
  CHECK(verify_signature(k.public_key_der(), msg, sig).error().code == Errc::crypto);
}

TEST_CASE("crypto: sign and verify for each scheme, cross-checked with the openssl CLI", "[crypto][sign]") {
  TempDir d;
  for (KeyType t : {KeyType::Ed25519, KeyType::Secp256k1, KeyType::P256}) {
    SECTION(key_type_name(t)) {
      auto k = PrivateKey::generate(t).value();
      Bytes msg = to_bytes("\x0Aic-request and some request id bytes");
      Bytes sig = k.sign(msg).value();
      REQUIRE(sig.size() == 64);
      CHECK(verify_signature(k.public_key_der(), msg, sig).ok());

      // Any flipped bit of message or signature is refused.
      for (size_t bit : {0u, 77u, 263u, 511u}) {
        Bytes s2 = sig;
        s2[bit / 8] ^= uint8_t(1u << (bit % 8));
        auto st = verify_signature(k.public_key_der(), msg, s2);
        CHECK_FALSE(st.ok());
      }
      Bytes m2 = msg;
      m2.back() ^= 1;
      CHECK(verify_signature(k.public_key_der(), m2, sig).error().code == Errc::crypto);
      // Another key of the same scheme refuses it; malformed signatures are decode errors.
      auto other = PrivateKey::generate(t).value();
      CHECK(verify_signature(other.public_key_der(), msg, sig).error().code == Errc::crypto);
      CHECK(verify_signature(k.public_key_der(), msg, ByteView(sig).first(63)).error().code == Errc::decode);

      // openssl verifies ours (the DER key, and r‖s converted to DER independently for ECDSA).
      std::ofstream(d / "pub.der", std::ios::binary).write(reinterpret_cast<const char*>(k.public_key_der().data()),
                                                           std::streamsize(k.public_key_der().size()));
      std::ofstream(d / "msg", std::ios::binary).write(reinterpret_cast<const char*>(msg.data()), std::streamsize(msg.size()));
      Bytes wire = t == KeyType::Ed25519 ? sig : rs_to_der(sig);
      std::ofstream(d / "sig", std::ios::binary).write(reinterpret_cast<const char*>(wire.data()), std::streamsize(wire.size()));
      if (t == KeyType::Ed25519)
        openssl("pkeyutl -verify -pubin -keyform DER -inkey " + d / "pub.der" + " -rawin -in " + d / "msg" +
                " -sigfile " + d / "sig");
      else
        openssl("dgst -sha256 -verify " + d / "pub.der" + " -keyform DER -signature " + d / "sig" + " " + d / "msg");

      // and we verify openssl's.
      spit(d / "key.pem", k.to_pem());
      if (t == KeyType::Ed25519) {
        openssl("pkeyutl -sign -inkey " + d / "key.pem" + " -rawin -in " + d / "msg" + " -out " + d / "osig");
        std::string os = slurp(d / "osig");
        CHECK(verify_signature(k.public_key_der(), msg, Bytes(os.begin(), os.end())).ok());
      }

      if (t != KeyType::Ed25519) {
        // Low s (BIP-62); the high-s twin n - s verifies too (the IC accepts both).
        Bytes n = from_hex(t == KeyType::Secp256k1
                               ? "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
                               : "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
                      .value();
        CHECK(std::lexicographical_compare(sig.begin() + 32, sig.end(), n.begin(), n.end()));
        Bytes half = n;  // n >> 1
        for (size_t i = half.size(); i-- > 0;) half[i] = uint8_t((half[i] >> 1) | (i ? (n[i - 1] & 1) << 7 : 0));
        CHECK_FALSE(std::lexicographical_compare(half.begin(), half.end(), sig.begin() + 32, sig.end()));
        Bytes high = sig;
        int borrow = 0;
        for (size_t i = 32; i-- > 0;) {
          int v = int(n[i]) - int(sig[32 + i]) - borrow;
          borrow = v < 0;
          high[32 + i] = uint8_t(v + (borrow ? 256 : 0));
        }
        CHECK(verify_signature(k.public_key_der(), msg, high).ok());
      }
    }
  }
}

TEST_CASE("crypto: DER public keys", "[crypto][der]") {
  auto k = PrivateKey::generate(KeyType::P256).value();
  auto dec = der_decode_public_key(k.public_key_der()).value();
  CHECK(dec.type == KeyType::P256);
  CHECK(der_encode_public_key(dec.type, dec.raw).value() == k.public_key_der());
  // A point off the curve, a wrong prefix, a truncated key: refused.
  Bytes bad = k.public_key_der();
  bad.back() ^= 1;
  CHECK(der_decode_public_key(bad).error().code == Errc::decode);
  Bytes trunc(k.public_key_der().begin(), k.public_key_der().end() - 1);
  CHECK_FALSE(der_decode_public_key(trunc).ok());
  CHECK_FALSE(der_decode_public_key(Bytes{}).ok());
  // Ed25519 and a BLS key (not a sender key scheme).
  CHECK(der_encode_public_key(KeyType::Ed25519, Bytes(31)).error().code == Errc::decode);
  Bytes bls = from_hex("308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100").value();
  bls.resize(133);
  CHECK(der_decode_public_key(bls).error().message.find("not a DER public key") != std::string::npos);
  CHECK(key_type_from_name("p256").value() == KeyType::P256);
  CHECK_FALSE(key_type_from_name("rsa").ok());
}
