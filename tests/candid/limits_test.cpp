// Hostile input: every overshoot case of overshoot.test.did by hand, plus bombs (zero-sized vectors,
// nesting, type-table fan-out, huge numbers). Each must be refused quickly and without large allocations.
#include <catch2/catch.hpp>

#include "candid/binary.h"
#include "helpers.h"

using namespace candid;
using namespace candid_test;

namespace {

// One billion as LEB128, the length overshoot.test.did uses everywhere.
constexpr const char* kBillion = "8094ebdc03";

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s += p;
  return s;
}

ic::Error refused(const ic::Result<Args>& r) {
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("overshoot.test.did: lengths beyond the input fail early", "[candid][limits]") {
  TypeTable t;
  CHECK(refused(decode(didl(cat({kBillion, "00"})))).code == ic::Errc::decode);              // type table length
  CHECK(refused(decode(didl(cat({"00", kBillion})))).code == ic::Errc::decode);              // argument count
  CHECK(refused(decode_at(didl(cat({"0001 71", kBillion, "4d6f746f6b6f"})), ref(Op::Text))).code ==
        ic::Errc::decode);                                                                    // text length
  CHECK(refused(decode_at(didl(cat({"0001 68 01", kBillion, "4d6f746f6b6f"})), ref(Op::Principal))).code ==
        ic::Errc::decode);                                                                    // principal length
  CHECK_FALSE(decode(didl(cat({"01 6c", kBillion, "007f007f"}))).ok());                       // record fields
  CHECK_FALSE(decode(didl(cat({"01 6b", kBillion, "007f007f"}))).ok());                       // variant cases
  TypeRef vec_bool = t.vec(ref(Op::Bool));
  CHECK(refused(decode_at(didl(cat({"016d7e0100", kBillion, "000000"})), t, {vec_bool})).code ==
        ic::Errc::decode);                                                                    // vector length
  CHECK_FALSE(decode(didl(cat({"0167", kBillion, "0000"}))).ok());                            // future type length
  TypeTable none;
  TypeRef opt_empty = none.opt(ref(Op::Empty));
  CHECK_FALSE(decode_at(didl(cat({"016700 0100", kBillion, "0000"})), none, {opt_empty}).ok());  // future value
  // func arg length: the fuzzer-found message from the suite
  ic::Bytes fuzz = didl(
      "016a686868686800000000000000000000000000006868686868680068687a6868686868686868686868686868687979"
      "797979797979797979797979797a7979797979797979797b79797979797f007979797979000000000000000000000000"
      "000000000000000000000000000400000000010168681d00000000000000681f00000000000000006800444444444444"
      "49444c00f7017c8080808080808080ffffffff8080808080808080ffffffff80808080808080808080808049444c016c"
      "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff01");
  CHECK_FALSE(decode(fuzz).ok());
}

TEST_CASE("a billion nulls are refused by the cost limit, not materialised", "[candid][limits]") {
  for (const char* elem : {"7f", "70"}) {  // vec null, vec reserved
    auto e = refused(decode(didl(cat({"016d", elem, "0100", kBillion}))));
    CHECK(e.code == ic::Errc::limit);
  }
  // vec record {} and vec opt empty... (zero-sized or tiny elements)
  CHECK(refused(decode(didl(cat({"026d016c000100", kBillion})))).code == ic::Errc::limit);
  // also when skipped as an unknown record field or an extra argument
  TypeTable t;
  TypeRef unit = t.record({});
  CHECK(refused(decode_at(didl(cat({"026c01 00 01 6d7f 0100", kBillion})), t, {unit})).code == ic::Errc::limit);
  CHECK(refused(decode_at(didl(cat({"016d7f 0100", kBillion})), t, {})).code == ic::Errc::limit);
  // A thousand are fine, and a small budget refuses them.
  auto ok = decode(didl("016d7f0100e807"));
  REQUIRE(ok.ok());
  CHECK(ok->values[0].items.size() == 1000);
  DecodeOptions tight;
  tight.max_cost = 10'000;
  CHECK(refused(decode(didl("016d7f0100e807"), nullptr, nullptr, tight)).code == ic::Errc::limit);
}

TEST_CASE("nesting bombs are refused by the depth limit", "[candid][limits]") {
  // Opt = opt Opt with 100000 `some` flags: deeper than max_depth.
  ic::Bytes msg = didl("016e000100");
  msg.insert(msg.end(), 100000, 0x01);
  msg.push_back(0x00);
  CHECK(refused(decode(msg)).code == ic::Errc::limit);
  // At an expected type that reserves the value it is skipped, still bounded.
  TypeTable none;
  CHECK(refused(decode_at(msg, none, {ref(Op::Reserved)})).code == ic::Errc::limit);
  // 200 levels are within the default limit; a tighter limit refuses them.
  ic::Bytes ok = didl("016e000100");
  ok.insert(ok.end(), 200, 0x01);
  ok.push_back(0x00);
  CHECK(decode(ok).ok());
  DecodeOptions shallow;
  shallow.max_depth = 100;
  CHECK(refused(decode(ok, nullptr, nullptr, shallow)).code == ic::Errc::limit);
  // record { EmptyRecord } has no finite value: decoding recurses without consuming input.
  CHECK(refused(decode(didl("016c0100000100"))).code == ic::Errc::limit);
  CHECK(refused(decode(didl("026d016c0100010100" "01"))).code == ic::Errc::limit);  // vec of it
  // variant { 0 : EmptyVariant } with many index bytes
  ic::Bytes ev = didl("016b0100000100");
  ev.insert(ev.end(), 5000, 0x00);
  CHECK_FALSE(decode(ev).ok());
}

TEST_CASE("type-table fan-out bombs are refused by the cost limit", "[candid][limits]") {
  // T_i = record { T_{i+1}; T_{i+1} } for 60 levels, T_60 = record { null; null }: a value of T_0 has
  // 2^61 nulls and takes no bytes.
  std::string h = "3d";  // 61 entries (indices stay below 0x40, single-byte SLEB128)
  for (int i = 0; i < 60; ++i) {
    h += "6c02";
    std::string idx = ic::to_hex(ic::Bytes{static_cast<uint8_t>(i + 1)});
    h += "00" + idx + "01" + idx;
  }
  h += "6c02007f017f";  // T_60 = record { null; null }
  h += "0100";            // one argument of type T_0
  ic::Bytes msg = didl(h);
  CHECK(refused(decode(msg)).code == ic::Errc::limit);
  TypeTable none;
  CHECK(refused(decode_at(msg, none, {ref(Op::Reserved)})).code == ic::Errc::limit);  // skipping too
  CHECK(refused(decode_at(msg, none, {})).code == ic::Errc::limit);                   // as an extra argument
}

TEST_CASE("huge numbers are refused, overlong small ones accepted", "[candid][limits]") {
  ic::Bytes big = didl("00017d");
  big.insert(big.end(), 100000, 0x80);
  big.push_back(0x00);
  CHECK(refused(decode(big)).code == ic::Errc::limit);
  TypeTable none;
  CHECK_FALSE(decode_at(big, none, {ref(Op::Reserved)}).ok());
  ic::Bytes overlong = didl("00017d");
  overlong.insert(overlong.end(), 100, 0x80);
  overlong.push_back(0x00);
  auto r = decode(overlong);
  REQUIRE(r.ok());
  CHECK(r->values[0] == nat(0));
}
