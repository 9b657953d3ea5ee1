#include <catch2/catch.hpp>

#include "ic/request_id.h"

using namespace ic;
using cbor::Value;

namespace {
Bytes hex(std::string_view h) { return from_hex(h).value(); }
std::string rid(const Value& v) {
  auto r = hash_of_map(v);
  INFO((r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return to_hex(*r);
}
Value spec_call() {
  return Value::text_map({{"request_type", Value::text("call")},
                          {"sender", Value::bytes(Bytes{0x04})},
                          {"ingress_expiry", Value::uint(1685570400000000000ull)},
                          {"canister_id", Value::bytes(hex("00000000000004D2"))},
                          {"method_name", Value::text("hello")},
                          {"arg", Value::bytes(to_bytes(std::string_view("DIDL\x00\xFD*", 7)))}});
}
}  // namespace

TEST_CASE("request id: interface spec worked example (ic-protocol.md §2)", "[request_id]") {
  CHECK(rid(spec_call()) == "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101");
  // Same through CBOR bytes, tagged as a real envelope would be.
  auto decoded = cbor::decode(cbor::encode_self_describe(spec_call())).value();
  CHECK(to_hex(request_id(decoded).value()) == "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101");
  // Field order does not matter.
  auto reordered = Value::text_map({{"arg", *spec_call().get("arg")},
                                    {"method_name", Value::text("hello")},
                                    {"canister_id", Value::bytes(hex("00000000000004D2"))},
                                    {"ingress_expiry", Value::uint(1685570400000000000ull)},
                                    {"sender", Value::bytes(Bytes{0x04})},
                                    {"request_type", Value::text("call")}});
  CHECK(rid(reordered) == "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101");

  // Per-field hashes quoted in the spec (prefixes).
  struct { const char* key; const char* key_hash; const char* value_hash; } fields[] = {
      {"request_type", "769e6f87", "7edb360f"}, {"sender", "0a367b92", "e52d9c50"},
      {"ingress_expiry", "26cec6b6", "db8e57ab"}, {"canister_id", "0a3eb2ba", "4d8c47c3"},
      {"method_name", "29353623", "2cf24dba"}, {"arg", "b25f03de", "6c0b2ae4"}};
  auto call = spec_call();
  for (auto& f : fields) {
    INFO(f.key);
    CHECK(to_hex(ri_hash_text(f.key)).substr(0, 8) == f.key_hash);
    CHECK(to_hex(ri_hash_value(*call.get(f.key)).value()).substr(0, 8) == f.value_hash);
  }
}

TEST_CASE("request id: agent-rs vectors (ic-protocol.md §2)", "[request_id]") {
  auto call = Value::text_map({{"request_type", Value::text("call")},
                               {"canister_id", Value::bytes(hex("00000000000004D2"))},
                               {"method_name", Value::text("hello")},
                               {"arg", Value::bytes(to_bytes(std::string_view("DIDL\x00\xFD*", 7)))}});
  CHECK(rid(call) == "8781291c347db32a9d8c10eb62b710fce5a93be676474c42babc74c51858f94b");

  Value paths = Value::array({Value::array(), Value::array({Value::bytes(Bytes{})}),
                              Value::array({Value::bytes(to_bytes("hello")), Value::bytes(to_bytes("world"))})});
  CHECK(rid(Value::text_map({{"sender", Value::bytes(hex("00000000000004D2"))}, {"paths", paths}})) ==
        "97d6f297aea699aec85d3377c7643ea66db810aba5c4372fbc2082c999f452dc");
  CHECK(rid(Value::text_map({{"paths", Value::array()}})) ==
        "99daa8c80a61e87ac1fdf9dd49e39963bfe4dafb2a45095ebf4cad72d916d5be");
  CHECK(rid(Value::text_map({{"paths", Value::array({Value::array()})}})) ==
        "ea01a9c3d3830db108e0a87995ea0d4183dc9c6e51324e9818fced5c57aa64f5");
  auto nested = Value::text_map(
      {{"foo", Value::text_map({{"baz", Value::text("hello")}, {"quux", Value::uint(3)}})},
       {"bar", Value::bytes(to_bytes("world"))}});
  CHECK(rid(nested) == "3d447339cc0c2b894ee215c8141770bf4b86c72b6c37d9873213a786ec7f9f31");

  // {foo: 73} with 73 as a signed int (SLEB c9 00): only the explicit API can say "int" for a positive value.
  std::pair<std::string, Hash256> foo{"foo", ri_hash_int(73)};
  CHECK(to_hex(ri_hash_map(std::span(&foo, 1))) == "7b3d327026e6bb5b4c13b898a6ca8fff6fd6838f44f6c27d9adf34542add75a0");
  CHECK(ri_hash_int(BigInt(73)) == ri_hash_int(73));
  CHECK(ri_hash_nat(BigNat(73)) == ri_hash_nat(73));
  CHECK(ri_hash_nat(73) != ri_hash_int(73));  // c9 00 vs 49
}

TEST_CASE("ICRC-3 value hashes (ic-protocol.md §7)", "[request_id]") {
  std::string nat = to_hex(ri_hash_value(Value::uint(42)).value());
  CHECK(nat.substr(0, 8) == "684888c0");
  CHECK(nat.substr(60) == "4fc1");
  std::string neg = to_hex(ri_hash_value(Value::integer(-42)).value());
  CHECK(neg.substr(0, 8) == "de5a6f78");
  CHECK(neg.substr(60) == "d0cc");
  CHECK(ri_hash_int(-42) == ri_hash_value(Value::integer(-42)).value());
  std::string text = to_hex(ri_hash_text("Hello, World!"));
  CHECK(text.substr(0, 8) == "dffd6021");
  CHECK(text.substr(60) == "986f");
  // Bignums hash like the same number written as LEB128.
  BigNat big = BigNat(1).shift_left(100);
  CHECK(ri_hash_value(Value::bignat(big)).value() == ri_hash_nat(big));
  BigInt nbig(big, true);
  CHECK(ri_hash_value(Value::bigint(nbig)).value() == ri_hash_int(nbig));
}

TEST_CASE("request id: refusals and domain separators", "[request_id]") {
  auto r = hash_of_map(Value::text_map({{"a", Value::text_map({{"b", Value::float64(1.5)}})}}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("field `a.b`") != std::string::npos);
  CHECK_FALSE(hash_of_map(Value::array()).ok());
  CHECK_FALSE(ri_hash_value(Value::boolean(true)).ok());
  CHECK_FALSE(ri_hash_value(Value::tag(1, Value::uint(1))).ok());
  Value bad_key = Value::map({{Value::uint(1), Value::uint(2)}});
  CHECK(hash_of_map(bad_key).error().message.find("not a text string") != std::string::npos);
  Value dup = Value::map({{Value::text("a"), Value::uint(1)}, {Value::text("a"), Value::uint(2)}});
  CHECK(hash_of_map(dup).error().message.find("duplicate key \"a\"") != std::string::npos);

  Hash256 id{};
  id[0] = 0xab;
  Bytes p = request_signing_payload(id);
  CHECK(to_hex(ByteView(p).first(11)) == "0a69632d72657175657374");  // "\x0Aic-request"
  CHECK(p.size() == 43);
  CHECK(p[11] == 0xab);
  CHECK(to_hex(domain_separated("ic-state-root", Bytes{})) == "0d69632d73746174652d726f6f74");
}
