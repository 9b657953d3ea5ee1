#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "ic/cbor.h"
#include "support/test_data.h"

using namespace ic;
using cbor::Kind;
using cbor::Value;

namespace {
Bytes hex(std::string_view h) { return from_hex(h).value(); }
Value dec(std::string_view h) {
  auto r = cbor::decode(hex(h));
  INFO(h << ": " << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}
std::string reenc(std::string_view h) { return to_hex(cbor::encode(dec(h))); }
Error fail(std::string_view h, const cbor::DecodeOptions& o = {}) {
  auto r = cbor::decode(hex(h), o);
  INFO(h);
  REQUIRE_FALSE(r.ok());
  return r.error();
}
bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("RFC 8949 Appendix A: integers and bignums", "[cbor]") {
  struct { const char* hex; uint64_t v; } uints[] = {
      {"00", 0}, {"01", 1}, {"0a", 10}, {"17", 23}, {"1818", 24}, {"1819", 25}, {"1864", 100}, {"1903e8", 1000},
      {"1a000f4240", 1000000}, {"1b000000e8d4a51000", 1000000000000}, {"1bffffffffffffffff", UINT64_MAX}};
  for (auto& u : uints) {
    CHECK(dec(u.hex).as_uint() == u.v);
    CHECK(to_hex(cbor::encode(Value::uint(u.v))) == u.hex);
  }
  struct { const char* hex; int64_t v; } ints[] = {{"20", -1}, {"29", -10}, {"3863", -100}, {"3903e7", -1000},
                                                   {"3b7fffffffffffffff", INT64_MIN}};
  for (auto& i : ints) {
    CHECK(dec(i.hex).as_int() == i.v);
    CHECK(to_hex(cbor::encode(Value::integer(i.v))) == i.hex);
  }
  auto two64 = BigNat(1).shift_left(64);
  CHECK(dec("c249010000000000000000").as_bignat() == two64);
  CHECK(dec("c249010000000000000000").as_bigint() == BigInt(two64, false));
  CHECK(to_hex(cbor::encode(Value::bignat(two64))) == "c249010000000000000000");
  CHECK(to_hex(cbor::encode(Value::bignat(BigNat(5)))) == "05");
  CHECK(dec("3bffffffffffffffff").as_bigint() == BigInt(two64, true));
  CHECK_FALSE(dec("3bffffffffffffffff").as_int().has_value());
  CHECK(to_hex(cbor::encode(Value::bigint(BigInt(two64, true)))) == "3bffffffffffffffff");
  BigNat two64p1 = two64 + BigNat(1);
  CHECK(dec("c349010000000000000000").as_bigint() == BigInt(two64p1, true));
  CHECK(to_hex(cbor::encode(Value::bigint(BigInt(two64p1, true)))) == "c349010000000000000000");
  CHECK(dec("c240").as_bignat() == BigNat(0));
  CHECK_FALSE(dec("20").as_bignat().has_value());
  CHECK_FALSE(dec("20").as_uint().has_value());
}

TEST_CASE("RFC 8949 Appendix A: floats and simple values", "[cbor]") {
  struct { const char* hex; double v; } floats[] = {
      {"f90000", 0.0}, {"f93c00", 1.0}, {"fb3ff199999999999a", 1.1}, {"f93e00", 1.5}, {"f97bff", 65504.0},
      {"fa47c35000", 100000.0}, {"fa7f7fffff", 3.4028234663852886e+38}, {"fb7e37e43c8800759c", 1.0e+300},
      {"f90001", 5.960464477539063e-8}, {"f90400", 0.00006103515625}, {"f9c400", -4.0},
      {"fbc010666666666666", -4.1}, {"f97c00", INFINITY}, {"f9fc00", -INFINITY}, {"fa7f800000", INFINITY},
      {"faff800000", -INFINITY}, {"fb7ff0000000000000", INFINITY}, {"fbfff0000000000000", -INFINITY}};
  for (auto& f : floats) {
    INFO(f.hex);
    CHECK(dec(f.hex).as_float() == f.v);
    // The encoder always writes doubles; the value survives.
    CHECK(cbor::decode(cbor::encode(dec(f.hex))).value().as_float() == f.v);
  }
  CHECK(std::signbit(*dec("f98000").as_float()));
  for (auto* nan : {"f97e00", "fa7fc00000", "fb7ff8000000000000"}) CHECK(std::isnan(*dec(nan).as_float()));
  CHECK(to_hex(cbor::encode(Value::float64(1.1))) == "fb3ff199999999999a");
  CHECK(dec("f4").as_bool() == false);
  CHECK(dec("f5").as_bool() == true);
  CHECK(dec("f6").is_null());
  CHECK(dec("f7").kind() == Kind::Undefined);
  CHECK(dec("f0").as_simple() == 16);
  CHECK(dec("f8ff").as_simple() == 255);
  for (auto* h : {"f4", "f5", "f6", "f7", "f0", "f8ff"}) CHECK(reenc(h) == h);
}

TEST_CASE("RFC 8949 Appendix A: strings, arrays, maps, tags", "[cbor]") {
  // Definite-length items re-encode to the same bytes (preferred serialization).
  for (auto* h : {"40", "4401020304", "60", "6161", "6449455446", "62225c", "62c3bc", "63e6b0b4", "64f0908591", "80",
                  "83010203", "8301820203820405",
                  "98190102030405060708090a0b0c0d0e0f101112131415161718181819", "a0", "a201020304",
                  "a26161016162820203", "826161a161626163", "a56161614161626142616361436164614461656145",
                  "c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0", "c1fb41d452d9ec200000",
                  "d74401020304", "d818456449455446",
                  "d82076687474703a2f2f7777772e6578616d706c652e636f6d"}) {
    INFO(h);
    CHECK(reenc(h) == h);
  }
  CHECK(dec("6449455446").as_text() == "IETF");
  CHECK(dec("64f0908591").as_text() == "\xf0\x90\x85\x91");
  CHECK(*dec("4401020304").as_bytes() == Bytes{1, 2, 3, 4});
  auto m = dec("a26161016162820203");
  CHECK(m.get("a")->as_uint() == 1);
  CHECK(m.get("b")->as_array()->size() == 2);
  CHECK(m.get("c") == nullptr);
  CHECK(dec("a201020304").find(Value::uint(3))->as_uint() == 4);
  CHECK(dec("c11a514b67b0").tag_number() == 1);
  CHECK(dec("c11a514b67b0").tag_content()->as_uint() == 1363896240);

  // Indefinite lengths decode to the same values and re-encode definite.
  struct { const char* indef; const char* def; } pairs[] = {
      {"5f42010243030405ff", "450102030405"},
      {"7f657374726561646d696e67ff", "6973747265616d696e67"},
      {"5fff", "40"},
      {"9fff", "80"},
      {"9f018202039f0405ffff", "8301820203820405"},
      {"9f01820203820405ff", "8301820203820405"},
      {"83018202039f0405ff", "8301820203820405"},
      {"83019f0203ff820405", "8301820203820405"},
      {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
       "98190102030405060708090a0b0c0d0e0f101112131415161718181819"},
      {"bf61610161629f0203ffff", "a26161016162820203"},
      {"826161bf61626163ff", "826161a161626163"},
      {"bf6346756ef563416d7421ff", "a26346756ef563416d7421"}};
  for (auto& p : pairs) {
    INFO(p.indef);
    CHECK(reenc(p.indef) == p.def);
    CHECK(dec(p.indef) == dec(p.def));
  }
  CHECK(dec("7f657374726561646d696e67ff").as_text() == "streaming");
}

TEST_CASE("CBOR builders and self-describe helpers", "[cbor]") {
  auto v = Value::text_map({{"request_type", Value::text("call")}, {"arg", Value::bytes(Bytes{1, 2})}});
  v.set("nonce", Value::uint(7)).set("arg", Value::bytes(Bytes{3}));  // replaces in place
  REQUIRE(v.as_map()->size() == 3);
  CHECK(*v.as_map()->at(1).first.as_text() == "arg");
  CHECK(*v.get("arg")->as_bytes() == Bytes{3});
  CHECK(to_hex(cbor::encode(v)) == "a36c726571756573745f747970656463616c6c636172674103656e6f6e636507");
  Bytes sd = cbor::encode_self_describe(v);
  CHECK(to_hex(sd).substr(0, 6) == "d9d9f7");
  auto back = cbor::decode(sd).value();
  CHECK(back.tag_number() == cbor::kSelfDescribeTag);
  CHECK(back.untagged() == v);
  CHECK(&v.untagged() == &v);
  Value arr;
  arr.push(Value::integer(-5)).push(Value::null());
  CHECK(to_hex(cbor::encode(arr)) == "8224f6");
  Value built;
  built.set(Value::uint(1), Value::boolean(true));
  CHECK(to_hex(cbor::encode(built)) == "a101f5");
  CHECK(cbor::diagnostic(dec("a26161016162820203")) == "{\"a\": 1, \"b\": [2, 3]}");
  CHECK(cbor::diagnostic(dec("c349010000000000000000")) == "3(h'010000000000000000')");
  CHECK(cbor::diagnostic(dec("3bffffffffffffffff")) == "-18446744073709551616");
  // Head lengths at the boundaries.
  for (uint64_t n : {23ull, 24ull, 255ull, 256ull, 65535ull, 65536ull, 4294967295ull, 4294967296ull}) {
    Bytes b;
    cbor::write_head(b, 0, n);
    CHECK(b.size() == (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : n < 4294967296ull ? 5 : 9));
    CHECK(cbor::decode(b).value().as_uint() == n);
  }
}

TEST_CASE("CBOR decoder refuses malformed and hostile input with offsets", "[cbor]") {
  CHECK(contains(fail("").message, "unexpected end of input (expected a data item) at offset 0"));
  CHECK(contains(fail("0000").message, "1 trailing bytes after the data item at offset 1"));
  size_t used = 0;
  CHECK(cbor::decode_prefix(hex("0102"), used).value().as_uint() == 1);
  CHECK(used == 1);
  CHECK(contains(fail("ff").message, "unexpected break"));
  CHECK(contains(fail("1c").message, "reserved additional information 28"));
  CHECK(contains(fail("1f").message, "indefinite length is not allowed for major type 0"));
  CHECK(contains(fail("df00").message, "major type 6"));
  CHECK(contains(fail("f810").message, "simple value 16"));
  CHECK(contains(fail("1901").message, "truncated head"));
  CHECK(contains(fail("430102").message, "byte string of 3 bytes exceeds the remaining 2 bytes"));
  CHECK(contains(fail("824100").message, "unexpected end of input (expected a data item) at offset 3"));
  CHECK(contains(fail("8201").message, "array of 2 elements exceeds the remaining 1 bytes at offset 0"));
  // Element counts are checked against the remaining input before anything is allocated.
  Error big = fail("9b1000000000000000");
  CHECK(contains(big.message, "array of 1152921504606846976 elements exceeds the remaining 0 bytes at offset 0"));
  CHECK(contains(fail("bb100000000000000000").message, "map of"));
  CHECK(contains(fail("5bffffffffffffffff00").message, "byte string of 18446744073709551615 bytes"));
  CHECK(contains(fail("7b0fffffffffffffff").message, "text string"));
  // UTF-8: bad continuation, overlong, surrogate, beyond U+10FFFF, truncated sequence.
  for (auto* h : {"62c328", "62c080", "63eda080", "64f4908080", "62e282", "61ff"}) {
    Error e = fail(h);
    CHECK(contains(e.message, "invalid UTF-8 in text string at offset 1"));
  }
  CHECK(contains(fail("7f6161628080ff").message, "invalid UTF-8 in text string at offset 4"));
  // Chunks must be definite strings of the same major type; no nesting.
  CHECK(contains(fail("7f4161ff").message, "chunk of indefinite-length text string"));
  CHECK(contains(fail("5f5fffff").message, "chunk of indefinite-length byte string"));
  CHECK(contains(fail("5f41").message, "exceeds"));
  CHECK(contains(fail("5f4101").message, "unterminated"));
  CHECK(contains(fail("9f01").message, "unterminated indefinite-length array"));
  CHECK(contains(fail("bf6161ff").message, "map ends after a key without its value"));
  CHECK(contains(fail("a2616101616102").message, "duplicate map key \"a\" at offset 0"));
  CHECK(contains(fail("bf010203040105ff").message, "duplicate map key 1"));
  CHECK(contains(fail("c201").message, "bignum tag 2 must contain a byte string"));
  CHECK(fail("c201").code == Errc::decode);

  // Nesting depth: limit error, no stack exhaustion, even for a megabyte of open arrays.
  std::string deep(129 * 2, '8');
  for (size_t i = 1; i < deep.size(); i += 2) deep[i] = '1';
  CHECK(cbor::decode(hex(deep + "00")).error().code == Errc::limit);
  CHECK(cbor::decode(hex(deep.substr(2) + "00")).ok());  // exactly 128 levels is fine
  Bytes open_arrays(1 << 20, 0x9f);
  auto r = cbor::decode(open_arrays);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == Errc::limit);
  CHECK(contains(r.error().message, "nesting deeper than 128 levels"));
  Bytes tags;
  for (int i = 0; i < 200; ++i) tags.insert(tags.end(), {0xd9, 0xd9, 0xf7});
  tags.push_back(0);
  CHECK(cbor::decode(tags).error().code == Errc::limit);

  // Total item count.
  cbor::DecodeOptions small;
  small.max_items = 10;
  CHECK(fail("8a00000000000000000000", small).code == Errc::limit);
  CHECK(cbor::decode(hex("89000000000000000000"), small).ok());
}

TEST_CASE("CBOR survives random mutations (no crash; successful decodes round-trip)", "[cbor]") {
  std::vector<Bytes> seeds = {
      hex("a26161016162820203"), hex("bf6346756ef563416d7421ff"), hex("9f018202039f0405ffff"),
      hex("c349010000000000000000"), hex("d9d9f7a167636f6e74656e74a2636172674401020304636e6f6e6365f5"),
      hex("7f657374726561646d696e67ff"), hex("fb3ff199999999999a"), testdata::read("certificates/ivg37_time.bin")};
  std::mt19937 rng(3);
  int decoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b = seeds[rng() % seeds.size()];
    int muts = 1 + rng() % 4;
    for (int m = 0; m < muts && !b.empty(); ++m) {
      size_t at = rng() % b.size();
      switch (rng() % 4) {
        case 0: b[at] = static_cast<uint8_t>(rng()); break;
        case 1: b[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 2: b.erase(b.begin() + static_cast<long>(at)); break;
        case 3: b.insert(b.begin() + static_cast<long>(at), static_cast<uint8_t>(rng())); break;
      }
    }
    auto r = cbor::decode(b);
    if (!r.ok()) continue;
    ++decoded;
    Bytes again = cbor::encode(*r);
    auto r2 = cbor::decode(again);
    REQUIRE(r2.ok());
    REQUIRE(*r2 == *r);
    REQUIRE(cbor::encode(*r2) == again);
  }
  CHECK(decoded > 100);
}

TEST_CASE("real read_state response bodies decode at both levels", "[cbor]") {
  for (auto* name : {"ivg37_time.bin", "ivg37_time_pruned_ranges.bin", "ivg37_delegated_v2.bin",
                     "ivg37_delegated_v2_pruned_subnet.bin", "224od_subnet.bin"}) {
    INFO(name);
    Bytes body = testdata::read(std::string("certificates/") + name);
    REQUIRE(body.size() > 100);
    auto outer = cbor::decode(body);
    REQUIRE(outer.ok());
    const Value& top = outer->untagged();
    REQUIRE(top.is_map());
    const Value* cert_bytes = top.get("certificate");
    REQUIRE(cert_bytes);
    REQUIRE(cert_bytes->as_bytes());
    auto cert = cbor::decode(*cert_bytes->as_bytes());
    REQUIRE(cert.ok());
    // Certificates are usually tagged 55799; the 2022 v2 ones are not. untagged() handles both.
    const Value& c = cert->untagged();
    REQUIRE(c.is_map());
    REQUIRE(c.get("tree"));
    CHECK(c.get("tree")->as_array());
    REQUIRE(c.get("signature"));
    CHECK(c.get("signature")->as_bytes()->size() == 48);  // BLS12-381 G1 signature (ic-protocol.md §4.4)
    // Re-encoding the certificate reproduces the bytes the replica sent (it uses preferred serialization).
    CHECK(cbor::encode(*cert) == *cert_bytes->as_bytes());
    if (const Value* del = c.get("delegation")) {
      CHECK(del->get("subnet_id")->as_bytes()->size() == 29);
      auto inner = cbor::decode(*del->get("certificate")->as_bytes());
      REQUIRE(inner.ok());
      CHECK(inner->untagged().get("tree"));
      CHECK(inner->untagged().get("signature")->as_bytes()->size() == 48);
      const Value* inner_del = inner->untagged().get("delegation");
      CHECK((!inner_del || inner_del->is_null()));  // depth ≤ 1 (§4.1); old certificates say `null`
    }
  }
}
