// The kit's typed Candid codec (src/cdk/candid.h) against known encodings and against the generic codec of
// src/candid: what one encodes the other decodes to the same values, including the subtyping rules.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <random>

#include "candid/binary.h"
#include "candid/types.h"
#include "candid/value.h"
#include "cdk/candid.h"
#include "cdk/mock/mock.h"

using candid::Op;
using candid::Value;
using u128 = unsigned __int128;
using i128 = __int128;

namespace t {
struct Account {
  ic::Principal owner;
  std::optional<std::vector<uint8_t>> subaccount;
  friend bool operator==(const Account&, const Account&) = default;
};
CDK_RECORD(Account, owner, subaccount)

struct Profile {
  std::string name;
  uint32_t age = 0;
  std::optional<std::string> email;  // may be absent on the wire
  std::vector<Account> accounts;
  friend bool operator==(const Profile&, const Profile&) = default;
};
CDK_RECORD(Profile, name, age, email, accounts)

using Status = cdk::Variant<cdk::Alt<"Active">, cdk::Alt<"Full", uint64_t>, cdk::Alt<"Closed", std::string>>;
}  // namespace t

namespace {

template <class... Ts>
std::tuple<Ts...> decode_ok(const ic::Bytes& b) {
  std::tuple<Ts...> out;
  std::string error;
  INFO(ic::to_hex(b));
  bool ok = cdk::decode_args(b, out, error);
  INFO(error);
  REQUIRE(ok);
  return out;
}

template <class... Ts>
std::string decode_error(const ic::Bytes& b) {
  std::tuple<Ts...> out;
  std::string error;
  REQUIRE_FALSE(cdk::decode_args(b, out, error));
  REQUIRE_FALSE(error.empty());
  return error;
}

ic::Bytes hex(std::string_view h) { return ic::from_hex(h).value(); }

// The generic encoder's bytes for (table, types, values).
ic::Bytes generic(const candid::TypeTable& t, std::vector<candid::TypeRef> types, std::vector<Value> values) {
  auto b = candid::encode(t, types, values);
  INFO((b.ok() ? std::string() : b.error().to_string()));
  REQUIRE(b.ok());
  return *b;
}

candid::Args generic_decode(const ic::Bytes& b) {
  auto a = candid::decode(b);
  INFO((a.ok() ? std::string() : a.error().to_string()));
  REQUIRE(a.ok());
  return std::move(a).value();
}

}  // namespace

TEST_CASE("typed encodings match the Candid spec's examples") {
  CHECK(ic::to_hex(cdk::encode_args()) == "4449444c0000");
  CHECK(ic::to_hex(cdk::encode_args(std::string("hello"))) == "4449444c0001710568656c6c6f");
  CHECK(ic::to_hex(cdk::encode_args(ic::BigNat(624485))) == "4449444c00017de58e26");
  CHECK(ic::to_hex(cdk::encode_args(u128(624485))) == "4449444c00017de58e26");
  CHECK(ic::to_hex(cdk::encode_args(ic::BigInt(-123456))) == "4449444c00017cc0bb78");
  CHECK(ic::to_hex(cdk::encode_args(i128(-123456))) == "4449444c00017cc0bb78");
  CHECK(ic::to_hex(cdk::encode_args(true, uint8_t(7), int16_t(-2))) == "4449444c00037e7b760107feff");
  CHECK(ic::to_hex(cdk::encode_args(std::optional<uint64_t>())) == "4449444c016e78010000");
  CHECK(ic::to_hex(cdk::encode_args(std::vector<uint8_t>{1, 2})) == "4449444c016d7b0100020102");
  CHECK(ic::to_hex(cdk::encode_args(ic::Principal::anonymous())) == "4449444c0001680101" "04");
  // record { 0 : nat8; 1 : text } (a tuple)
  CHECK(ic::to_hex(cdk::encode_args(std::tuple<uint8_t, std::string>{5, "a"})) == "4449444c016c02007b0171010005" "0161");
}

TEST_CASE("type text of C++ types") {
  CHECK(cdk::type_text<t::Account>() == "record { owner : principal; subaccount : opt blob }");
  CHECK(cdk::type_text<t::Status>() == "variant { Full : nat64; Closed : text; Active }");
  CHECK(cdk::args_text<uint64_t, std::vector<std::string>, std::tuple<bool, double>>() ==
        "(nat64, vec text, record { bool; float64 })");
  CHECK(cdk::type_text<cdk::Result<u128, std::string>>() == "variant { Ok : nat; Err : text }");
}

TEST_CASE("round trips through the typed codec") {
  t::Profile p{"Ada", 36, std::string("ada@example.org"),
               {{ic::Principal::anonymous(), std::nullopt},
                {ic::Principal::from_canister_index(7), std::vector<uint8_t>(32, 9)}}};
  auto b = cdk::encode_args(p, t::Status::make<"Closed">("gone"), u128(std::numeric_limits<u128>::max()),
                            std::numeric_limits<i128>::min(), -0.0, 1.5f, std::numeric_limits<int64_t>::min());
  auto [p2, s2, n2, i2, d2, f2, l2] = decode_ok<t::Profile, t::Status, u128, i128, double, float, int64_t>(b);
  CHECK(p2 == p);
  REQUIRE(s2.is<"Closed">());
  CHECK(s2.get<"Closed">() == "gone");
  CHECK(n2 == std::numeric_limits<u128>::max());
  CHECK(i2 == std::numeric_limits<i128>::min());
  CHECK(std::signbit(d2));
  CHECK(f2 == 1.5f);
  CHECK(l2 == std::numeric_limits<int64_t>::min());
}

TEST_CASE("the generic decoder reads what the typed encoder writes") {
  t::Account a{ic::Principal::from_canister_index(3), std::vector<uint8_t>{1, 2, 3}};
  auto args = generic_decode(cdk::encode_args(a, t::Status::make<"Full">(uint64_t(12)), u128(1) << 100));
  REQUIRE(args.values.size() == 3);
  const Value& rec = args.values[0];
  REQUIRE(rec.kind == Op::Record);
  CHECK(rec.field(cdk::field_id("owner"))->bytes == a.owner.bytes());
  const Value* sub = rec.field(cdk::field_id("subaccount"));
  REQUIRE(sub->kind == Op::Opt);
  CHECK(sub->items.at(0).bytes == ic::Bytes{1, 2, 3});
  REQUIRE(args.values[1].kind == Op::Variant);
  CHECK(args.values[1].fields.at(0).id == cdk::field_id("Full"));
  CHECK(args.values[1].fields.at(0).value.nat == 12);
  CHECK(args.values[2].number.to_decimal() == "1267650600228229401496703205376");
}

TEST_CASE("decoding follows Candid subtyping") {
  candid::TypeTable t;
  using candid::field;
  using candid::ref;

  SECTION("extra and reordered record fields, a missing opt field, an unknown extra argument") {
    auto acc = t.record({field("owner", ref(Op::Principal)), field("extra", ref(Op::Text))});
    auto prof = t.record({field("name", ref(Op::Text)), field("age", ref(Op::Nat32)),
                          field("accounts", t.vec(acc)), field("note", ref(Op::Int))});
    Value account = Value::of_record({{candid::field_hash("owner"), Value::of_principal({0x04})},
                                      {candid::field_hash("extra"), Value::of_text("x")}});
    Value v = Value::of_record({{candid::field_hash("name"), Value::of_text("Bob")},
                                {candid::field_hash("age"), Value::of_fixed_nat(Op::Nat32, 40)},
                                {candid::field_hash("accounts"), Value::of_vec({account})},
                                {candid::field_hash("note"), Value::of_int(-5)}});
    auto b = generic(t, {prof, ref(Op::Text)}, {v, Value::of_text("ignored")});
    auto [p] = decode_ok<t::Profile>(b);
    CHECK(p.name == "Bob");
    CHECK(p.age == 40);
    CHECK_FALSE(p.email.has_value());
    REQUIRE(p.accounts.size() == 1);
    CHECK(p.accounts[0].owner.is_anonymous());
    CHECK_FALSE(p.accounts[0].subaccount.has_value());
  }

  SECTION("nat is accepted for int; missing trailing opt arguments are none") {
    auto b = generic(t, {ref(Op::Nat)}, {Value::of_nat(ic::BigNat(42))});
    auto [i, big, missing] = decode_ok<i128, ic::BigInt, std::optional<std::string>>(
        generic(t, {ref(Op::Nat), ref(Op::Nat)}, {Value::of_nat(ic::BigNat(42)), Value::of_nat(ic::BigNat(7))}));
    CHECK(i == 42);
    CHECK(big == ic::BigInt(7));
    CHECK_FALSE(missing.has_value());
    CHECK(decode_error<uint64_t>(b).find("expected nat64, got nat") != std::string::npos);
  }

  SECTION("the opt rule: a value that does not fit becomes null") {
    auto ot = t.opt(ref(Op::Text));
    auto b = generic(t, {ot, ref(Op::Text), ref(Op::Null), ref(Op::Nat8)},
                     {Value::some(Value::of_text("x")), Value::of_text("y"), Value::null(),
                      Value::of_fixed_nat(Op::Nat8, 3)});
    auto [a, b2, c, d] =
        decode_ok<std::optional<uint64_t>, std::optional<std::string>, std::optional<bool>, std::optional<uint8_t>>(b);
    CHECK_FALSE(a.has_value());   // opt text -> opt nat64: null
    CHECK(b2 == "y");             // text -> opt text: ?"y"
    CHECK_FALSE(c.has_value());   // null -> opt bool: null
    CHECK(d == uint8_t(3));       // nat8 -> opt nat8
  }

  SECTION("variants: the receiver may know more alternatives, not fewer") {
    auto small = t.variant({field("Active", ref(Op::Null)), field("Full", ref(Op::Nat64))});
    auto b = generic(t, {small}, {Value::of_variant({candid::field_hash("Full"), Value::of_fixed_nat(Op::Nat64, 9)})});
    auto [s] = decode_ok<t::Status>(b);
    CHECK(s.get<"Full">() == 9);
    auto big = t.variant({field("Active", ref(Op::Null)), field("Gone", ref(Op::Null))});
    auto b2 = generic(t, {big}, {Value::of_variant({candid::field_hash("Active"), Value::null()})});
    CHECK(decode_error<t::Status>(b2).find("expected variant") != std::string::npos);
  }

  SECTION("reserved takes anything; vec empty fits any vec") {
    auto ve = t.vec(ref(Op::Empty));
    auto b = generic(t, {ref(Op::Text), ve}, {Value::of_text("whatever"), Value::of_vec({})});
    auto [r, v] = decode_ok<cdk::Reserved, std::vector<std::string>>(b);
    CHECK(v.empty());
  }

  SECTION("a required argument that is missing") {
    std::string e = decode_error<uint64_t, std::string>(generic(t, {ref(Op::Nat64)}, {Value::of_fixed_nat(Op::Nat64, 1)}));
    CHECK(e.find("argument 2 (text) is missing") != std::string::npos);
  }
}

TEST_CASE("malformed and hostile messages fail cleanly") {
  ic::Bytes good = cdk::encode_args(t::Profile{"n", 1, std::string("e"), {{ic::Principal::anonymous(), std::nullopt}}});
  for (size_t n = 0; n < good.size(); ++n) {  // every truncation
    std::tuple<t::Profile> out;
    std::string error;
    CHECK_FALSE(cdk::decode_args(ic::ByteView(good.data(), n), out, error));
  }
  // Trailing garbage, bad magic, invalid UTF-8, out-of-range type reference, bool byte 2.
  ic::Bytes trailing = cdk::encode_args(std::string("x"));
  trailing.push_back(0);
  CHECK(decode_error<std::string>(trailing).find("trailing") != std::string::npos);
  CHECK(decode_error<std::string>(hex("4449444d0000")).find("DIDL") != std::string::npos);
  CHECK(decode_error<std::string>(hex("4449444c00017102c328")).find("UTF-8") != std::string::npos);
  CHECK_FALSE(decode_error<std::string>(hex("4449444c000105")).empty());
  CHECK(decode_error<bool>(hex("4449444c00017e02")).find("bool") != std::string::npos);
  // A vector of 2^60 nulls is refused by the budget before any work; so is a nat8 whose value overflows u128.
  CHECK(decode_error<std::vector<cdk::Null>>(hex("4449444c016d7f0100808080808080808010")).find("costly") !=
        std::string::npos);
  CHECK(decode_error<u128>(hex("4449444c00017d" "ffffffffffffffffffffffffffffffffffffff7f")).find("128 bits") !=
        std::string::npos);
  // opt nested 10000 deep: refused by the depth limit, not the native stack.
  ic::Bytes deep = hex("4449444c016e00010001");
  deep.insert(deep.end(), 10000, 1);
  CHECK(decode_error<std::optional<cdk::Reserved>>(deep).find("deeper") != std::string::npos);
  // Random bytes after a valid header never crash.
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    ic::Bytes b = {'D', 'I', 'D', 'L'};
    size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) b.push_back(static_cast<uint8_t>(rng() % 4 == 0 ? rng() % 0x80 + 0x60 : rng()));
    std::tuple<t::Profile, std::optional<t::Status>> out;
    std::string error;
    (void)cdk::decode_args(b, out, error);
  }
}

TEST_CASE("cdk::Variant and cdk::Result") {
  auto r = cdk::Result<uint64_t, std::string>::ok(5);
  CHECK(r.is_ok());
  CHECK(r.value() == 5);
  CHECK(r.name() == "Ok");
  auto e = cdk::Result<uint64_t, std::string>::err("no");
  CHECK_FALSE(e.is_ok());
  CHECK(e.error() == "no");
  // Asking for the wrong alternative traps (outside a message the mock throws).
  CHECK_THROWS_WITH(e.value(), Catch::Contains("variant holds Err, not Ok"));
}
