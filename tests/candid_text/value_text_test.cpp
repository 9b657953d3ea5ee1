// Candid textual values: parsing (inferred and typed), printing in didc's notation, round trips.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/lexer.h"
#include "candid/text/text.h"

using namespace candid;
using candid::text::DidFile;
using candid::text::parse_args;
using candid::text::print_args;
using candid::text::PrintOptions;

namespace {

// Types from their text, in a fresh environment (optionally with definitions first).
struct Typed {
  DidFile env;
  std::vector<TypeRef> types;
  explicit Typed(const std::string& list) {
    auto r = text::parse_type_list(list, env);
    INFO(list << ": " << (r.ok() ? "" : r.error().to_string()));
    REQUIRE(r.ok());
    types = *r;
  }
  ic::Result<Args> parse(const std::string& s) const { return parse_args(s, &env.table, &types); }
  Args ok(const std::string& s) const {
    auto r = parse(s);
    INFO(s << ": " << (r.ok() ? "" : r.error().to_string()));
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  std::string err(const std::string& s) const {
    auto r = parse(s);
    INFO(s);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  }
};

Args untyped(const std::string& s) {
  auto r = parse_args(s);
  INFO(s << ": " << (r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string untyped_err(const std::string& s) {
  auto r = parse_args(s);
  INFO(s);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

std::string types_of(const Args& a) {
  std::string s;
  for (size_t i = 0; i < a.types.size(); ++i) s += (i ? ", " : "") + text::print_type(a.table, a.types[i]);
  return s;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  while (n-- > 0) out += s;
  return out;
}

uint64_t bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return u;
}

}  // namespace

TEST_CASE("lexer: tokens, nested comments, escapes and positions") {
  auto t = text::tokenize("/* a /* nested */ comment */ record { x = 0x1F; } // tail\n -> 1_000 2.5e3 \"\\u{26_03}\\41\\n\"");
  REQUIRE(t.ok());
  std::vector<text::Tok> kinds;
  for (const auto& tok : *t) kinds.push_back(tok.kind);
  using text::Tok;
  CHECK(kinds == std::vector<Tok>{Tok::Ident, Tok::LBrace, Tok::Ident, Tok::Equals, Tok::Int, Tok::Semi, Tok::RBrace,
                                  Tok::Arrow, Tok::Int, Tok::Float, Tok::Text, Tok::End});
  CHECK((*t)[4].text == "0x1F");
  CHECK((*t)[8].text == "1000");
  CHECK((*t)[8].line == 2);
  CHECK((*t)[8].col == 5);
  CHECK((*t)[10].text == "\xE2\x98\x83" "A\n");
  CHECK((*t)[10].utf8);

  auto bad = text::tokenize("(\n  \"abc\\q\")");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind("2:7: unknown escape", 0) == 0);
  auto unclosed = text::tokenize("x /* /* */");
  REQUIRE_FALSE(unclosed.ok());
  CHECK(unclosed.error().message.rfind("1:3: unclosed comment", 0) == 0);
  CHECK_FALSE(text::tokenize("\"abc").ok());
  CHECK_FALSE(text::tokenize("\"\\u{D800}\"").ok());   // surrogate
  CHECK_FALSE(text::tokenize("\"\\u{110000}\"").ok()); // beyond Unicode
  CHECK_FALSE(text::tokenize("12ab").ok());
  auto raw = text::tokenize("\"\\ff\"");
  REQUIRE(raw.ok());
  CHECK_FALSE((*raw)[0].utf8);
}

TEST_CASE("untyped values infer types as didc does") {
  Args a = untyped("(42, -5, 1.5, \"x\", true, null, opt 7, vec {}, blob \"\\00a\", principal \"aaaaa-aa\")");
  CHECK(types_of(a) == "int, int, float64, text, bool, null, opt int, vec empty, blob, principal");
  CHECK(a.values[0] == Value::of_int(ic::BigInt(42)));
  CHECK(a.values[1] == Value::of_int(ic::BigInt(-5)));
  CHECK(a.values[2] == Value::of_float64(1.5));
  CHECK(a.values[3] == Value::of_text("x"));
  CHECK(a.values[5] == Value::null());
  CHECK(a.values[6] == Value::some(Value::of_int(ic::BigInt(7))));
  CHECK(a.values[8] == Value::of_blob({0, 'a'}));
  CHECK(a.values[9] == Value::of_principal({}));

  // Records: named, numeric and positional fields (positional = previous id + 1).
  Args r = untyped("(record { a = 1; 5 = \"x\"; true }, variant { ok }, variant { err = \"no\" })");
  CHECK(types_of(r) == "record { 5 : text; 6 : bool; a : int }, variant { ok }, variant { err : text }");
  REQUIRE(r.values[0].fields.size() == 3);
  CHECK(r.values[0].field("a") != nullptr);
  CHECK(*r.values[0].field(6) == Value::of_bool(true));
  CHECK(r.values[1] == Value::of_variant(FieldValue{field_hash("ok"), Value::null()}));

  // Tuple shorthand.
  Args t = untyped("(record { 1; \"two\" })");
  CHECK(types_of(t) == "record { int; text }");

  // Vec elements are joined: null and opt, literals and an annotated element, variants' cases.
  CHECK(types_of(untyped("(vec { null; opt 1 })")) == "vec opt int");
  Args bytes = untyped("(vec { 1 : nat8; 2; 255 })");
  CHECK(types_of(bytes) == "blob");
  CHECK(bytes.values[0] == Value::of_blob({1, 2, 255}));
  CHECK(types_of(untyped("(vec { variant { a }; variant { b = 1 } })")) == "vec variant { a; b : int }");
  CHECK(types_of(untyped("(vec { vec {}; vec { 1.5 } })")) == "vec vec float64");
  CHECK(untyped_err("(vec { 1; \"x\" })").find("vec element 1 has type text") != std::string::npos);
  CHECK(untyped_err("(vec { 1 : nat8; 256 })").find("256 is out of range for nat8") != std::string::npos);
  CHECK(untyped_err("(record { a = 1; a = 2 })").find("field `a` appears twice") != std::string::npos);

  // Annotations fix the type.
  Args ann = untyped("(42 : nat8, (7 : int16), 1.5 : float32, null : opt text, vec {} : vec nat)");
  CHECK(types_of(ann) == "nat8, int16, float32, opt text, vec nat");
  CHECK(ann.values[0] == Value::of_fixed_nat(Op::Nat8, 42));
  CHECK(ann.values[1] == Value::of_fixed_int(Op::Int16, 7));
  CHECK(ann.values[2] == Value::of_float32(1.5f));
  CHECK(ann.values[3] == Value::none());

  // References.
  Args refs = untyped("(service \"w7x7r-cok77-xa\", func \"w7x7r-cok77-xa\".go, func \"aaaaa-aa\".\"odd name\")");
  CHECK(types_of(refs) == "service {}, func () -> (), func () -> ()");
  CHECK(refs.values[0] == Value::of_service({0xca, 0xff, 0xee}));
  CHECK(refs.values[1] == Value::of_func({0xca, 0xff, 0xee}, "go"));
  CHECK(refs.values[2] == Value::of_func({}, "odd name"));
  CHECK(untyped("()").values.empty());
}

TEST_CASE("typed numbers: ranges, signs, hex, underscores and floats") {
  Typed t("(nat8, nat16, nat32, nat64, int8, int16, int32, int64, nat, int)");
  Args a = t.ok("(255, 0xffff, 4_294_967_295, 18446744073709551615, -128, -32768, 2147483647, "
                "-9223372036854775808, 123456789012345678901234567890, -0x10)");
  CHECK(a.values[0] == Value::of_fixed_nat(Op::Nat8, 255));
  CHECK(a.values[1] == Value::of_fixed_nat(Op::Nat16, 65535));
  CHECK(a.values[2] == Value::of_fixed_nat(Op::Nat32, 4294967295u));
  CHECK(a.values[3] == Value::of_fixed_nat(Op::Nat64, UINT64_MAX));
  CHECK(a.values[4] == Value::of_fixed_int(Op::Int8, -128));
  CHECK(a.values[5] == Value::of_fixed_int(Op::Int16, -32768));
  CHECK(a.values[6] == Value::of_fixed_int(Op::Int32, 2147483647));
  CHECK(a.values[7] == Value::of_fixed_int(Op::Int64, INT64_MIN));
  CHECK(a.values[8] == Value::of_nat(*ic::BigNat::from_decimal("123456789012345678901234567890")));
  CHECK(a.values[9] == Value::of_int(ic::BigInt(-16)));

  CHECK(Typed("(nat8)").err("(256)").find("256 is out of range for nat8 (0 to 255)") != std::string::npos);
  CHECK(Typed("(int8)").err("(-129)").find("out of range for int8 (-128 to 127)") != std::string::npos);
  CHECK(Typed("(int64)").err("(9223372036854775808)").find("out of range") != std::string::npos);
  CHECK(Typed("(nat64)").err("(18446744073709551616)").find("out of range") != std::string::npos);
  CHECK(Typed("(nat)").err("(-1)").find("negative number -1 does not fit nat") != std::string::npos);
  CHECK(Typed("(nat)").ok("(-0)").values[0] == Value::of_nat(0));
  CHECK(Typed("(nat)").err("(1.5)").find("1.5 is not an integer") != std::string::npos);
  CHECK(Typed("(text)").err("(5)").find("5 does not fit type text") != std::string::npos);

  Typed f("(float64, float32, float64, float64, float64, float32, float64)");
  Args v = f.ok("(3., 0.1, -2.5e-3, 7, 0x1.8p1, 1e38, .5)");
  CHECK(v.values[0] == Value::of_float64(3.0));
  CHECK(v.values[1] == Value::of_float32(0.1f));  // parsed as float32 directly, not via double
  CHECK(v.values[2] == Value::of_float64(-2.5e-3));
  CHECK(v.values[3] == Value::of_float64(7.0));
  CHECK(v.values[4] == Value::of_float64(3.0));
  CHECK(v.values[5] == Value::of_float32(1e38f));
  CHECK(v.values[6] == Value::of_float64(0.5));
  Args special = Typed("(float64, float64, float32)").ok("(nan, -inf, inf)");
  CHECK(std::isnan(special.values[0].real));
  CHECK(special.values[1].real == -INFINITY);
  CHECK(special.values[2] == Value::of_float32(INFINITY));
  CHECK(Typed("(float32)").err("(1e39)").find("out of range for float32") != std::string::npos);
  CHECK(bits(Typed("(float64)").ok("(-0.0)").values[0].real) == 0x8000000000000000ull);
}

TEST_CASE("typed text, blobs, opt, vec, records and variants") {
  Typed t("(text, blob, blob, opt opt nat, vec int, vec nat8)");
  Args a = t.ok("(\"\\u{1F600} \\\"q\\\" \\\\ \\t\", blob \"\\de\\ad\\be\\ef\", blob \"abc\", opt opt 3, "
                "vec { 1; -2; }, vec { 1; 2 })");
  CHECK(a.values[0].text == "\xF0\x9F\x98\x80 \"q\" \\ \t");
  CHECK(a.values[1] == Value::of_blob({0xde, 0xad, 0xbe, 0xef}));
  CHECK(a.values[2] == Value::of_blob({'a', 'b', 'c'}));
  CHECK(a.values[3] == Value::some(Value::some(Value::of_nat(3))));
  CHECK(a.values[4].items.size() == 2);
  CHECK(a.values[5] == Value::of_blob({1, 2}));  // vec nat8 is always bytes (value.h)
  CHECK(Typed("(text)").err("(\"\\ff\")").find("not valid UTF-8") != std::string::npos);
  CHECK(Typed("(opt nat)").ok("(null)").values[0] == Value::none());
  CHECK(Typed("(opt nat)").err("(5)").find("does not fit type opt nat") != std::string::npos);
  CHECK(Typed("(null)").err("(opt null)").find("does not fit type null") != std::string::npos);

  Typed r("type R = record { name : text; age : nat8; tags : vec text; note : opt text; \"odd key\" : bool };"
          "(R)");
  Args rec = r.ok("(record { name = \"ann\"; age = 30; tags = vec { \"a\" }; \"odd key\" = true; extra = 1 })");
  const Value& rv = rec.values[0];
  REQUIRE(rv.fields.size() == 5);  // `extra` is not in the type and is dropped, `note` defaults to null
  CHECK(*rv.field("age") == Value::of_fixed_nat(Op::Nat8, 30));
  CHECK(*rv.field("note") == Value::none());
  CHECK(*rv.field("odd key") == Value::of_bool(true));
  // Field ids may also be given numerically: `age` hashes to 4_846_783.
  CHECK(field_hash("age") == 4846783u);
  Args byid = r.ok("(record { name = \"ann\"; 4_846_783 = 30; tags = vec {}; \"odd key\" = false })");
  CHECK(*byid.values[0].field("age") == Value::of_fixed_nat(Op::Nat8, 30));

  // Errors name the position and the path to the offending value.
  std::string e = r.err("(record { name = \"ann\"; age = 30; tags = vec { \"a\"; 5 }; \"odd key\" = true })");
  CHECK(e == "1:53: argument 0, field `tags`, vec element 1: 5 does not fit type text");
  CHECK(r.err("(record { name = \"ann\"; tags = vec {}; \"odd key\" = true })").find("missing field `age` of type nat8") !=
        std::string::npos);

  Typed v("(variant { ok : nat; err : text; none }, variant { a; b : opt nat })");
  Args va = v.ok("(variant { err = \"bad\" }, variant { b })");
  CHECK(va.values[0] == Value::of_variant(FieldValue{field_hash("err"), Value::of_text("bad")}));
  CHECK(va.values[1] == Value::of_variant(FieldValue{field_hash("b"), Value::none()}));
  CHECK(v.err("(variant { nope }, variant { a })").find("the variant type has no case `nope`") != std::string::npos);
  CHECK(v.err("(variant { ok }, variant { a })").find("this case needs a value of type nat") != std::string::npos);
  CHECK(v.err("(variant {}, variant { a })").find("exactly one case") != std::string::npos);

  // reserved accepts anything; a missing reserved/opt/null trailing argument is filled in.
  Typed res("(reserved, opt nat, null, reserved)");
  Args ra = res.ok("(record { anything = vec { 1; \"mixed\" } })");
  CHECK(ra.values == std::vector<Value>{Value::reserved(), Value::none(), Value::null(), Value::reserved()});
  CHECK(Typed("(nat)").err("()").find("argument 0 of type nat is missing") != std::string::npos);
  CHECK(Typed("(nat)").err("(1, 2)").find("2 values given, but the types take only 1") != std::string::npos);
}

TEST_CASE("typed references and annotations") {
  Typed t("(principal, service { m : () -> () }, func (nat) -> () query)");
  Args a = t.ok("(principal \"2chl6-4hpzw-vqaaa-aaaaa-c\", service \"aaaaa-aa\", func \"w7x7r-cok77-xa\".\"m\")");
  CHECK(a.values[0] == Value::of_principal({0xef, 0xcd, 0xab, 0, 0, 0, 0, 0, 1}));
  CHECK(a.values[1] == Value::of_service({}));
  CHECK(a.values[2] == Value::of_func({0xca, 0xff, 0xee}, "m"));
  auto bad = parse_args("(principal \"w7x7r-cok77-xb\")");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind("1:12: invalid principal \"w7x7r-cok77-xb\"", 0) == 0);
  CHECK(Typed("(service {})").err("(principal \"aaaaa-aa\")").find("does not fit type service {}") != std::string::npos);

  // (v : t) at an expected T: t must fit T.
  CHECK(Typed("(int)").ok("(5 : nat)").values[0] == Value::of_int(ic::BigInt(5)));
  CHECK(Typed("(nat8)").ok("((5 : nat8))").values[0] == Value::of_fixed_nat(Op::Nat8, 5));
  CHECK(Typed("(nat)").err("(5 : nat8)").find("annotated as nat8, which does not fit type nat") != std::string::npos);
  CHECK(Typed("(nat8)").err("(300 : nat8)").find("300 is out of range for nat8") != std::string::npos);
}

TEST_CASE("printing: the JS interop cases, as didc prints them") {
  // tests/js/candid_interop.mjs compares hubctl's output with didc's for these (and more) values.
  CHECK(print_args(Typed("(null)").ok("(null)")) == "(null : null)");
  CHECK(print_args(Typed("(int, int, int)").ok("(-1, 42, 0)")) == "(-1 : int, 42 : int, 0 : int)");
  CHECK(print_args(Typed("(int)").ok("(-1180591620717411303424)")) == "(-1_180_591_620_717_411_303_424 : int)");
  CHECK(print_args(Typed("(int)").ok("(18446744073709551616)")) == "(18_446_744_073_709_551_616 : int)");
  CHECK(print_args(Typed("(float64, float64, float64, float64)").ok("(0.1, -2.5, 3, 0.000001)")) ==
        "(0.1 : float64, -2.5 : float64, 3.0 : float64, 0.000001 : float64)");
  CHECK(print_args(Typed("(text)").ok("(\"it's\")")) == "(\"it\\'s\")");
  CHECK(print_args(Typed("(opt null)").ok("(opt null)")) == "(opt (null : null))");
  // Cases that passed before, pinned too.
  CHECK(print_args(Typed("(nat, nat)").ok("(0, 1234567)")) == "(0 : nat, 1_234_567 : nat)");
  CHECK(print_args(Typed("(nat8, nat16, nat32)").ok("(255, 65535, 4294967295)")) ==
        "(255 : nat8, 65_535 : nat16, 4_294_967_295 : nat32)");
  CHECK(print_args(Typed("(int8, int16, int32)").ok("(-128, -32768, -2147483648)")) ==
        "(-128 : int8, -32_768 : int16, -2_147_483_648 : int32)");
  CHECK(print_args(Typed("(int64, nat64)").ok("(-9223372036854775808, 18446744073709551615)")) ==
        "(-9_223_372_036_854_775_808 : int64, 18_446_744_073_709_551_615 : nat64)");
  CHECK(print_args(Typed("(float32, float32, float32)").ok("(1.5, -3, 0.1)")) ==
        "(1.5 : float32, -3.0 : float32, 0.1 : float32)");
  CHECK(print_args(Typed("(text, text)").ok("(\"héllo, 世界 🚀\", \"\")")) == "(\"héllo, 世界 🚀\", \"\")");
  CHECK(print_args(Typed("(text)").ok("(\"tab\\there \\\"quoted\\\" back\\\\slash\\nnew\")")) ==
        "(\"tab\\there \\\"quoted\\\" back\\\\slash\\nnew\")");
  CHECK(print_args(Typed("(text)").ok("(\"bell\\07\")")) == "(\"bell\\u{7}\")");
  CHECK(print_args(Typed("(reserved)").ok("(null)")) == "(null : reserved)");
  CHECK(print_args(Typed("(variant { ok : nat; never : empty })").ok("(variant { ok = 5 })")) ==
        "(variant { ok = 5 : nat })");
  CHECK(print_args(Typed("(opt nat, opt nat, opt text)").ok("(opt 7, null, opt \"x\")")) ==
        "(opt (7 : nat), null, opt \"x\")");
  CHECK(print_args(Typed("(opt opt nat, opt opt nat, opt opt nat)").ok("(opt opt 1, opt null, null)")) ==
        "(opt opt (1 : nat), opt null, null)");
  CHECK(print_args(Typed("(vec nat, vec text)").ok("(vec { 1; 2; 3 }, vec {})")) ==
        "(vec { 1 : nat; 2 : nat; 3 : nat }, vec {})");
  CHECK(print_args(Typed("(vec record { x : int8; y : text })").ok("(vec { record { x = 1; y = \"a\" }; record { x = -2; y = \"b\" } })")) ==
        "(vec { record { x = 1 : int8; y = \"a\" }; record { x = -2 : int8; y = \"b\" } })");
  CHECK(print_args(Typed("(blob, blob, blob)").ok("(blob \"\\00\\01\\02\\ff\", blob \"hello\", blob \"\")")) ==
        "(blob \"\\00\\01\\02\\ff\", blob \"hello\", blob \"\")");
  CHECK(print_args(Typed("(blob)").ok("(blob \"say \\\"hi\\\"\\n\")")) == "(blob \"say \\22hi\\22\\0a\")");
  CHECK(print_args(Typed("(record { name : text; age : nat8 })").ok("(record { name = \"Ada\"; age = 36 })")) ==
        "(record { age = 36 : nat8; name = \"Ada\" })");
  CHECK(print_args(Typed("(record { nat; text; bool })").ok("(record { 1; \"x\"; true })")) ==
        "(record { 1 : nat; \"x\"; true })");
  CHECK(print_args(Typed("(record {})").ok("(record {})")) == "(record {})");
  CHECK(print_args(Typed("(variant { none; some : nat })").ok("(variant { none })")) == "(variant { none })");
  CHECK(print_args(Typed("(principal, func (text) -> (text) query, service {})")
                       .ok("(principal \"aaaaa-aa\", func \"ryjl3-tyaaa-aaaaa-aaaba-cai\".greet, service \"aaaaa-aa\")")) ==
        "(\n  principal \"aaaaa-aa\",\n  func \"ryjl3-tyaaa-aaaaa-aaaba-cai\".greet,\n  service \"aaaaa-aa\",\n)");
  CHECK(print_args(Typed("()").ok("()")) == "()");
}

TEST_CASE("printing: numbers, floats, text escapes and blobs follow didc (Rust) exactly") {
  // Floats: Rust's Display, shortest round-trip digits, never an exponent; integral values get ".0".
  Args f = Typed("(float64, float64, float64, float64, float64, float64, float64, float64)")
               .ok("(1e300, 1e-7, 123456789012345678901, -0.0, 5e-324, nan, inf, -inf)");
  std::string printed = print_args(f, PrintOptions{0});
  CHECK(printed == "(1" + std::string(300, '0') + ".0 : float64, 0.0000001 : float64, 123456789012345680000.0 : float64, " +
                       "-0.0 : float64, 0." + std::string(323, '0') + "5 : float64, NaN : float64, inf : float64, " +
                       "-inf : float64)");
  // float32 prints its own shortest digits; where two are equally close Rust takes the larger.
  CHECK(print_args(Typed("(float32, float32, float32)").ok("(3061734.25, 0.3, 16777216)")) ==
        "(3061734.3 : float32, 0.3 : float32, 16777216.0 : float32)");

  // Text: Rust's escape_debug. Non-printable characters (controls, format characters such as the zero
  // width joiner, non-ASCII spaces) as \u{…}; a combining mark only when it starts the text; `\0` is written
  // \u{0} (Rust's `\0` would not read back).
  CHECK(print_args(Typed("(text)").ok("(\"a\\u{200d}b\\u{a0}c\\u{7f}\\u{0}\\u{1F468}\")")) ==
        "(\"a\\u{200d}b\\u{a0}c\\u{7f}\\u{0}\xF0\x9F\x91\xA8\")");
  CHECK(print_args(Typed("(text, text)").ok("(\"\\u{301}e\", \"e\\u{301}\")")) ==
        "(\"\\u{301}e\", \"e\xCC\x81\")");

  // Blobs: printable ASCII kept except " ' ` \ (and \t \n \r as escapes); any other byte makes all \XX.
  CHECK(print_args(Typed("(blob, blob)").ok("(blob \"a'b`c\\\\d\\te\", blob \"ok\\80\")")) ==
        "(blob \"a\\27b\\60c\\5cd\\09e\", blob \"\\6f\\6b\\80\")");

  // Field ids without names are grouped; names that are keywords or not identifiers are quoted.
  CHECK(print_args(untyped("(record { 12345 = 1; \"odd key\" = 2; text = 3 }, variant { 1_000_000 })")) ==
        "(\n  record { 12_345 = 1 : int; \"text\" = 3 : int; \"odd key\" = 2 : int },\n"
        "  variant { 1_000_000 },\n)");
  CHECK(print_args(untyped("(func \"aaaaa-aa\".\"odd name\", func \"aaaaa-aa\".go)")) ==
        "(func \"aaaaa-aa\".\"odd name\", func \"aaaaa-aa\".go)");

  // Names from the type; without it the ids show.
  Typed named("(record { owner : principal; n : nat64 })");
  Args a = named.ok("(record { owner = principal \"aaaaa-aa\"; n = 1_000 })");
  CHECK(print_args(a) == "(record { n = 1_000 : nat64; owner = principal \"aaaaa-aa\" })");
  a.table = TypeTable{};
  a.types = {ref(Op::Reserved)};  // inconsistent with the value: the value decides
  CHECK(print_args(a) == "(record { 110 = 1_000 : nat64; 947_296_307 = principal \"aaaaa-aa\" })");
}

TEST_CASE("printing: didc's 80-column layout and its compact form") {
  // Too long for one line: one element per line, each followed by its separator, indented by 2.
  Typed acct("(record { owner : principal; subaccount : opt blob; amount : nat })");
  Args a = acct.ok("(record { owner = principal \"ryjl3-tyaaa-aaaaa-aaaba-cai\"; subaccount = null; amount = 1 })");
  CHECK(print_args(a) ==
        "(\n"
        "  record {\n"
        "    owner = principal \"ryjl3-tyaaa-aaaaa-aaaba-cai\";\n"
        "    subaccount = null;\n"
        "    amount = 1 : nat;\n"
        "  },\n"
        ")");
  // Width 0: everything on one line.
  CHECK(print_args(a, PrintOptions{0}) ==
        "(record { owner = principal \"ryjl3-tyaaa-aaaaa-aaaba-cai\"; subaccount = null; amount = 1 : nat })");
  // Exactly 80 columns still fits; 81 does not.
  std::string t66(66, 'x');
  CHECK(print_args(Typed("(text, nat8)").ok("(\"" + t66 + "\", 1)")) == "(\"" + t66 + "\", 1 : nat8)");
  CHECK(print_args(Typed("(text, nat8)").ok("(\"" + t66 + "x\", 1)")) == "(\n  \"" + t66 + "x\",\n  1 : nat8,\n)");

  // Nested groups break independently: an inner group stays flat when it fits with what follows it.
  Typed nested("(vec record { text; nat })");
  Args n = nested.ok("(vec { record { \"short\"; 1 }; record { \"" + std::string(75, 'b') + "\"; 2 } })");
  CHECK(print_args(n) ==
        "(\n"
        "  vec {\n"
        "    record { \"short\"; 1 : nat };\n"
        "    record {\n"
        "      \"" + std::string(75, 'b') + "\";\n"
        "      2 : nat;\n"
        "    };\n"
        "  },\n"
        ")");
  // A variant's single case has no separator; an annotated opt payload breaks inside its parentheses.
  Typed var("(variant { ok : record { a : text; b : text }; err : text }, opt nat)");
  Args v = var.ok("(variant { ok = record { a = \"" + std::string(40, 'x') + "\"; b = \"" + std::string(40, 'y') +
                  "\" } }, opt " + std::string(79, '9') + ")");
  CHECK(print_args(v) ==
        "(\n"
        "  variant {\n"
        "    ok = record {\n"
        "      a = \"" + std::string(40, 'x') + "\";\n"
        "      b = \"" + std::string(40, 'y') + "\";\n"
        "    }\n"
        "  },\n"
        "  opt (\n"
        "    9" + repeat("_999", 26) + " : nat\n"
        "  ),\n"
        ")");

  // More than 10 elements, or nesting below 10 levels: didc's compact form (each item followed by `;`).
  Typed ten("(vec nat8, vec nat, vec text)");
  CHECK(print_args(ten.ok("(vec { 1; 2 }, vec { 1; 2; 3; 4; 5; 6; 7; 8; 9; 10; 11 }, vec { \"it's\" })")) ==
        "(\n  blob \"\\01\\02\",\n"
        "  vec { 1 : nat; 2 : nat; 3 : nat; 4 : nat; 5 : nat; 6 : nat; 7 : nat; 8 : nat; 9 : nat; 10 : nat; 11 : nat;},\n"
        "  vec { \"it\\'s\" },\n)");
  Typed many("(vec record { a : text; b : opt nat8; c : variant { x; y : int } })");
  Args m = many.ok("(vec { record { a = \"it's\"; b = opt 1; c = variant { x } }; record { a = \"\"; c = variant { y = -1 } }; "
                   "record { a = \"\"; c = variant { x } }; record { a = \"\"; c = variant { x } }; "
                   "record { a = \"\"; c = variant { x } }; record { a = \"\"; c = variant { x } }; "
                   "record { a = \"\"; c = variant { x } }; record { a = \"\"; c = variant { x } }; "
                   "record { a = \"\"; c = variant { x } }; record { a = \"\"; c = variant { x } }; "
                   "record { a = \"\"; c = variant { x } } })");
  std::string compact = print_args(m);
  // Rust's Debug: `'` is not escaped here, unlike in the pretty form.
  CHECK(compact.rfind("(\n  vec { record { a = \"it's\"; b = opt (1 : nat8); c = variant { x };}; "
                      "record { a = \"\"; b = null; c = variant { y = -1 : int };};", 0) == 0);
  CHECK(compact.size() > 80);
  Typed deep("(opt opt opt opt opt opt opt opt opt opt opt record { nat; a : text })");
  CHECK(print_args(deep.ok("(opt opt opt opt opt opt opt opt opt opt opt record { 1; a = \"q\" })")) ==
        "(opt opt opt opt opt opt opt opt opt opt opt record { 1 : nat; a = \"q\";})");
  // print_value: one value, same rules.
  Typed one("(opt record { x : int })");
  CHECK(text::print_value(one.env.table, one.types[0], one.ok("(opt record { x = -3 })").values[0]) ==
        "opt record { x = -3 : int }");
}

TEST_CASE("printed values parse back to equal values at the same types") {
  std::string long_text(90, 'z');
  std::string eleven = "vec { record { 1; \"a\" }; record { 2; \"\\u{301}'\" }; record { 3; \"\" }; record { 4; \"\" }; "
                       "record { 5; \"\" }; record { 6; \"\" }; record { 7; \"\" }; record { 8; \"\" }; record { 9; \"\" }; "
                       "record { 10; \"\" }; record { 11; \"\\00\" } }";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(nat, int, nat8, nat16, nat32, nat64)", "(0, -123456789012345678901234567890, 255, 65535, 4294967295, 18446744073709551615)"},
      {"(int8, int16, int32, int64)", "(-128, -32768, -2147483648, -9223372036854775808)"},
      {"(float32, float64, float64, float64, float32, float64)", "(0.1, 0.30000000000000004, 1e-300, -0.0, 3061734.25, 1e300)"},
      {"(float64, float32, float64)", "(inf, -inf, -inf)"},
      {"(text, blob, bool, null, reserved)", "(\"\\00 \\u{1}\\\"'☃\\u{200d}\\u{301}\", blob \"\\00\\ff\\\"'x`\", false, null, 5)"},
      {"(blob, text)", "(blob \"a\\tb'\\\"`\\\\c\", \"\\u{301}x\")"},
      {"(opt opt nat, opt nat, vec opt int8, opt null, opt reserved)", "(opt null, null, vec { opt -1; null }, opt null, opt 1)"},
      {"(record { a : nat; 5 : vec text; \"b c\" : record { int; opt bool }; \"text\" : null })",
       "(record { a = 1; 5 = vec { \"x\"; \"y\" }; \"b c\" = record { -1; opt true }; \"text\" = null })"},
      {"(variant { ok : nat; err : text; none }, variant { a : opt nat16 }, variant { 1_000_000 : reserved })",
       "(variant { none }, variant { a = opt 7 }, variant { 1_000_000 = 1 })"},
      {"(principal, service {}, func () -> ())", "(principal \"2chl6-4hpzw-vqaaa-aaaaa-c\", service \"aaaaa-aa\", func \"w7x7r-cok77-xa\".\"x-y\")"},
      {"type List = opt record { head : int; tail : List }; (List)",
       "(opt record { head = 1; tail = opt record { head = 2; tail = null } })"},
      // Long enough to break across lines, and compact forms (11 elements; deeper than 10 levels).
      {"(record { a : text; b : vec text; c : opt opt nat })",
       "(record { a = \"" + long_text + "\"; b = vec { \"" + long_text + "\" }; c = opt opt 5 })"},
      {"(vec record { nat; text })", "(" + eleven + ")"},
      {"type L = opt record { int; L }; (L)",
       "(opt record { 1; opt record { 2; opt record { 3; opt record { 4; opt record { 5; opt record { 6; null } } } } } })"},
      {"(vec vec vec vec vec vec vec vec vec vec vec vec variant { a : float32; b })",
       "(vec { vec { vec { vec { vec { vec { vec { vec { vec { vec { vec { vec { variant { a = 1.5 }; variant { b } } } } } } } } } } } } })"},
  };
  for (const auto& [types, value] : cases) {
    Typed t(types);
    Args a = t.ok(value);
    for (size_t width : {size_t{80}, size_t{0}, size_t{20}}) {
      std::string printed = print_args(a, PrintOptions{width});
      INFO(value << " printed as " << printed);
      Args b = t.ok(printed);
      CHECK(b.values == a.values);
      // And untyped: the annotations make inference give the same values (where no names are involved).
      if (types.find("type ") == std::string::npos && types.find("record") == std::string::npos &&
          types.find("variant") == std::string::npos && types.find("func") == std::string::npos &&
          types.find("service") == std::string::npos && types.find("reserved") == std::string::npos) {
        Args u = untyped(printed);
        CHECK(u.values == a.values);
      }
    }
    // And through the binary codec: encode, decode at the same types, same values.
    auto bytes = encode(a);
    INFO(value << ": " << (bytes.ok() ? "" : bytes.error().to_string()));
    REQUIRE(bytes.ok());
    auto back = decode(*bytes, &t.env.table, &t.types);
    REQUIRE(back.ok());
    CHECK(back->values == a.values);
  }
  // Untyped: printing keeps enough annotations that inference gives the same types and values.
  Args u = untyped("(5 : nat, 6 : nat8, -7, 1.5 : float32, 2.5, vec { 1 : nat16 }, opt (3 : nat32), null : reserved)");
  Args u2 = untyped(print_args(u));
  CHECK(types_of(u2) == types_of(u));
  CHECK(u2.values == u.values);
}

TEST_CASE("didc notation examples") {
  // As written in dfx/didc documentation and issue threads.
  Typed t(
      "type Account = record { owner : principal; subaccount : opt blob };"
      "type TransferArg = record { to : Account; fee : opt nat; memo : opt blob; from_subaccount : opt blob;"
      "  created_at_time : opt nat64; amount : nat };"
      "(TransferArg)");
  Args a = t.ok(
      "(record { to = record { owner = principal \"ryjl3-tyaaa-aaaaa-aaaba-cai\"; subaccount = null }; "
      "fee = opt 10_000; memo = null; from_subaccount = null; created_at_time = null; amount = 100_000_000 })");
  const Value* to = a.values[0].field("to");
  REQUIRE(to != nullptr);
  CHECK(*to->field("owner") == Value::of_principal({0, 0, 0, 0, 0, 0, 0, 2, 1, 1}));
  CHECK(*a.values[0].field("amount") == Value::of_nat(100000000));
  CHECK(print_args(a) ==
        "(\n"
        "  record {\n"
        "    to = record {\n"
        "      owner = principal \"ryjl3-tyaaa-aaaaa-aaaba-cai\";\n"
        "      subaccount = null;\n"
        "    };\n"
        "    fee = opt (10_000 : nat);\n"
        "    memo = null;\n"
        "    from_subaccount = null;\n"
        "    created_at_time = null;\n"
        "    amount = 100_000_000 : nat;\n"
        "  },\n"
        ")");
  // `(v)` parenthesised values and comments inside argument lists.
  Args p = untyped("( /* first */ (1), // second\n (\"x\" : text) )");
  CHECK(types_of(p) == "int, text");
}

TEST_CASE("syntax errors carry line:column; hostile input is bounded") {
  auto e1 = parse_args("(1,\n  record { a = }\n)");
  REQUIRE_FALSE(e1.ok());
  CHECK(e1.error().message == "2:16: expected a value, found `}`");
  auto e2 = parse_args("42");
  REQUIRE_FALSE(e2.ok());
  CHECK(e2.error().message.rfind("1:1: expected `(` starting the argument list", 0) == 0);
  auto e3 = parse_args("(1) 2");
  REQUIRE_FALSE(e3.ok());
  CHECK(e3.error().message.rfind("1:5: expected end of input", 0) == 0);
  auto e4 = parse_args("(vec { 1; 2 )");
  REQUIRE_FALSE(e4.ok());
  CHECK(e4.error().message.rfind("1:13: expected `;` or `}` in the vec", 0) == 0);
  CHECK_FALSE(parse_args("(func \"aaaaa-aa\")").ok());
  CHECK_FALSE(parse_args("(- x)").ok());

  // Deep nesting is refused, not a stack overflow.
  std::string deep = "(";
  for (int i = 0; i < 100000; ++i) deep += "opt ";
  deep += "1)";
  auto d = parse_args(deep);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().message.find("nested more than") != std::string::npos);
  std::string deep_vec = "(" + std::string(50000, '(') + "1" + std::string(50000, ')') + ")";
  CHECK_FALSE(parse_args(deep_vec).ok());
  // A huge literal is bounded by the bignum parser's digit limit.
  CHECK_FALSE(parse_args("(" + std::string(300000, '9') + ")").ok());
}

TEST_CASE("parse_value parses one value at a type") {
  Typed t("(record { a : vec nat16 })");
  auto v = text::parse_value("record { a = vec { 1; 2 } }", t.env.table, t.types[0]);
  REQUIRE(v.ok());
  CHECK(v->field("a")->items.size() == 2);
  CHECK_FALSE(text::parse_value("record { a = vec { -1 } }", t.env.table, t.types[0]).ok());
  CHECK_FALSE(text::parse_value("record {} extra", t.env.table, t.types[0]).ok());
}

TEST_CASE("typed parsing reports record fields it ignores") {
  Typed r("(record { name : text; email : opt text }, vec record { a : nat })");
  std::vector<std::string> warnings;
  text::ParseOptions o;
  o.warnings = &warnings;
  auto a = parse_args("(record { name = \"a\"; emial = \"x\"; 7 = 1 }, vec { record { a = 1 }; record { a = 2; b = 3 } })",
                      &r.env.table, &r.types, o);
  REQUIRE(a.ok());
  CHECK(*a->values[0].field("email") == Value::none());  // accepted, as the conformance suite requires
  CHECK(warnings == std::vector<std::string>{
                        "1:23: argument 0: field `emial` is not in the type and was ignored",
                        "1:36: argument 0: field 7 is not in the type and was ignored",
                        "1:85: argument 1, vec element 1: field `b` is not in the type and was ignored"});
  // Without a warnings list the same input parses quietly.
  CHECK(parse_args("(record { name = \"a\"; emial = \"x\" }, vec {})", &r.env.table, &r.types).ok());
  // An annotated value is checked twice (at its annotation, then at the expected type): reported once.
  warnings.clear();
  Typed one("(record { a : nat })");
  REQUIRE(parse_args("((record { a = 1; b = 2 } : record { a : nat; b : nat }))", &one.env.table, &one.types, o).ok());
  CHECK(warnings == std::vector<std::string>{"1:19: argument 0: field `b` is not in the type and was ignored"});
}

TEST_CASE("annotations may name the types of a .did environment") {
  auto env = text::parse_did(
      "type Amount = nat64; type Pair = record { Amount; text }; type Tree = variant { leaf; node : vec Tree };"
      "service : { put : (Pair, Tree) -> () }");
  REQUIRE(env.ok());
  auto m = env->method("put");
  REQUIRE(m.ok());
  // Typed by the method, with names in annotations.
  auto a = parse_args("((record { (5 : Amount); \"x\" } : Pair), (variant { node = vec { variant { leaf } } } : Tree))",
                      *env, &m->args);
  INFO((a.ok() ? "" : a.error().to_string()));
  REQUIRE(a.ok());
  CHECK(*a->values[0].field(0) == Value::of_fixed_nat(Op::Nat64, 5));
  // Inferred, with names in annotations.
  auto u = parse_args("((5 : Amount), (record { 1; \"y\" } : Pair))", *env, nullptr);
  REQUIRE(u.ok());
  CHECK(types_of(*u) == "nat64, record { nat64; text }");
  CHECK(*u->values[1].field(1) == Value::of_text("y"));
  // Without the environment the name is unknown; a mismatch still names both types.
  auto no = parse_args("((5 : Amount))");
  REQUIRE_FALSE(no.ok());
  CHECK(no.error().message.find("unknown type `Amount`") != std::string::npos);
  auto bad = parse_args("((\"x\" : Pair), (variant { leaf } : Tree))", *env, &m->args);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("\"x\" does not fit type record") != std::string::npos);
  // parse_value takes the environment through ParseOptions.
  text::ParseOptions o;
  o.env = &*env;
  auto v = text::parse_value("(7 : Amount)", env->table, env->names.at("Amount"), o);
  REQUIRE(v.ok());
  CHECK(*v == Value::of_fixed_nat(Op::Nat64, 7));
}
