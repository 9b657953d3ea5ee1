#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <random>

#include "ic/sha2.h"

using namespace ic;

namespace {
Bytes openssl_digest(const EVP_MD* md, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) == 1);
  out.resize(len);
  return out;
}
template <size_t N>
Bytes vec(const std::array<uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}
}  // namespace

TEST_CASE("SHA-256 / SHA-224 FIPS 180-2 vectors", "[sha2]") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha224(as_view(""))) == "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f");
  CHECK(to_hex(sha224(as_view("abc"))) == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7");
  CHECK(to_hex(sha224(as_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525");
  Sha256 h;
  Sha224 h2;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(chunk), h2.update(chunk);
  CHECK(to_hex(h.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(to_hex(h2.finish()) == "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67");
  // finish() resets: the object hashes the next message from scratch.
  h.update("abc");
  CHECK(to_hex(h.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("SHA-256 / SHA-224 agree with OpenSSL on every length 0..1000, split arbitrarily", "[sha2]") {
  std::mt19937 rng(1);
  Bytes data(1001);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t len = 0; len <= 1000; ++len) {
    ByteView m(data.data(), len);
    INFO("length " << len);
    REQUIRE(vec(sha256(m)) == openssl_digest(EVP_sha256(), m));
    REQUIRE(vec(sha224(m)) == openssl_digest(EVP_sha224(), m));
    // Incremental in random-size pieces.
    Sha256 s;
    size_t pos = 0;
    while (pos < len) {
      size_t take = std::min<size_t>(len - pos, rng() % 130);
      s.update(m.subspan(pos, take));
      pos += take;
    }
    REQUIRE(vec(s.finish()) == openssl_digest(EVP_sha256(), m));
  }
}

TEST_CASE("SHA-256 / SHA-224 agree with OpenSSL on multi-megabyte inputs", "[sha2]") {
  std::mt19937 rng(2);
  for (size_t len : {size_t(1) << 20, (size_t(3) << 20) + 17, (size_t(5) << 20) - 1}) {
    Bytes data(len);
    for (auto& b : data) b = static_cast<uint8_t>(rng());
    CHECK(vec(sha256(data)) == openssl_digest(EVP_sha256(), data));
    CHECK(vec(sha224(data)) == openssl_digest(EVP_sha224(), data));
    Sha224 s;
    for (size_t pos = 0; pos < len; pos += 65537) s.update(ByteView(data).subspan(pos, std::min<size_t>(65537, len - pos)));
    CHECK(vec(s.finish()) == openssl_digest(EVP_sha224(), data));
  }
}
