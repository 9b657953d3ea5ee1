// Candid binary codec: known byte vectors, round trips of every constructor, and decoding at expected
// types exercising each coercion rule of Candid.md "Coercion".
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "candid/binary.h"
#include "helpers.h"

using namespace candid;
using namespace candid_test;

namespace {

std::string enc_hex(const TypeTable& t, std::vector<TypeRef> types, std::vector<Value> values) {
  auto r = encode(t, types, values);
  INFO((r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  return ic::to_hex(*r);
}

// Encodes, decodes at the wire types and at the original types, and checks both give the values back.
void round_trip(const TypeTable& t, std::vector<TypeRef> types, std::vector<Value> values) {
  auto bytes = encode(t, types, values);
  INFO((bytes.ok() ? ic::to_hex(*bytes) : bytes.error().to_string()));
  REQUIRE(bytes.ok());
  auto untyped = decode(*bytes);
  INFO((untyped.ok() ? "" : untyped.error().to_string()));
  REQUIRE(untyped.ok());
  CHECK(untyped->values == values);
  auto again = encode(*untyped);
  REQUIRE(again.ok());
  CHECK(*again == *bytes);  // the wire table re-encodes to the same bytes
  auto typed = decode(*bytes, &t, &types);
  REQUIRE(typed.ok());
  CHECK(typed->values == values);
}

}  // namespace

TEST_CASE("known encodings", "[candid][binary]") {
  TypeTable t;
  CHECK(enc_hex(t, {}, {}) == "4449444c0000");
  CHECK(enc_hex(t, {ref(Op::Nat)}, {nat(42)}) == "4449444c00017d2a");
  CHECK(enc_hex(t, {ref(Op::Int)}, {integer(-1)}) == "4449444c00017c7f");
  CHECK(enc_hex(t, {ref(Op::Int)}, {integer(-128)}) == "4449444c00017c807f");
  CHECK(enc_hex(t, {ref(Op::Nat)}, {nat(60000000000000000ull)}) == "4449444c00017d808098f4e9b5ca6a");
  CHECK(enc_hex(t, {ref(Op::Bool)}, {Value::of_bool(true)}) == "4449444c00017e01");
  CHECK(enc_hex(t, {ref(Op::Text)}, {text("Motoko")}) == "4449444c000171064d6f746f6b6f");
  CHECK(enc_hex(t, {ref(Op::Nat16)}, {Value::of_fixed_nat(Op::Nat16, 256)}) == "4449444c00017a0001");
  CHECK(enc_hex(t, {ref(Op::Int32)}, {Value::of_fixed_int(Op::Int32, -1)}) == "4449444c000175ffffffff");
  CHECK(enc_hex(t, {ref(Op::Float32)}, {Value::of_float32(3.0f)}) == "4449444c00017300004040");
  CHECK(enc_hex(t, {ref(Op::Float64)}, {Value::of_float64(0.5)}) == "4449444c000172000000000000e03f");
  CHECK(enc_hex(t, {ref(Op::Null), ref(Op::Reserved)}, {Value::null(), Value::reserved()}) == "4449444c00027f70");
  CHECK(enc_hex(t, {ref(Op::Principal)}, {Value::of_principal({})}) == "4449444c0001680100");
  CHECK(enc_hex(t, {ref(Op::Principal)}, {Value::of_principal({0xca, 0xff, 0xee})}) == "4449444c00016801" "03caffee");

  TypeTable c;
  TypeRef opt_nat = c.opt(ref(Op::Nat));
  CHECK(enc_hex(c, {opt_nat}, {Value::some(nat(42))}) == "4449444c016e7d0100012a");
  CHECK(enc_hex(c, {opt_nat}, {Value::none()}) == "4449444c016e7d010000");

  TypeTable v;
  TypeRef vec_int = v.vec(ref(Op::Int));
  CHECK(enc_hex(v, {vec_int}, {Value::of_vec({integer(1), integer(2)})}) == "4449444c016d7c0100020102");
  TypeTable b;
  TypeRef blob = b.blob();
  CHECK(enc_hex(b, {blob}, {Value::of_blob({1, 2})}) == "4449444c016d7b0100020102");

  // record { foo = 42; bar = true }: fields by hash (bar 4895187 < foo 5097222), as in construct.test.did
  TypeTable r;
  TypeRef rec = r.record({field("foo", ref(Op::Int)), field("bar", ref(Op::Bool))});
  Value rv = Value::of_record({{field_hash("foo"), integer(42)}, {field_hash("bar"), Value::of_bool(true)}});
  CHECK(enc_hex(r, {rec}, {rv}) == "4449444c016c02d3e3aa027e868eb7027c0100012a");

  // variant { Ok = "good" } at variant { Ok : text; Err : text }
  TypeTable vr;
  TypeRef result = vr.variant({field("Ok", ref(Op::Text)), field("Err", ref(Op::Text))});
  CHECK(enc_hex(vr, {result}, {Value::of_variant({field_hash("Ok"), text("good")})}) ==
        "4449444c016b02bc8a0171c5fed20171010000" "04676f6f64");

  // service {} and func () -> () references
  TypeTable s;
  TypeRef svc = s.service({});
  CHECK(enc_hex(s, {svc}, {Value::of_service({0xca, 0xff, 0xee})}) == "4449444c01690001000103caffee");
  TypeTable f;
  TypeRef fn = f.func({});
  CHECK(enc_hex(f, {fn}, {Value::of_func({0xca, 0xff, 0xee}, "a")}) == "4449444c016a000000010001" "0103caffee0161");

  // The recursive list opt record { head : int; tail : List } holding [1, 2] (construct.test.did).
  TypeTable l;
  TypeRef list = l.opt(0);
  TypeRef node = l.record({field("head", ref(Op::Int)), field("tail", list)});
  l.node(list).inner = node;
  Value two = Value::some(Value::of_record({{field_hash("head"), integer(2)}, {field_hash("tail"), Value::none()}}));
  Value one = Value::some(Value::of_record({{field_hash("head"), integer(1)}, {field_hash("tail"), two}}));
  CHECK(enc_hex(l, {list}, {one}) == "4449444c026e016c02a0d2aca8047c90eddae704000100" "0101010200");
}

TEST_CASE("the type table holds only reachable types, in a deterministic order", "[candid][binary]") {
  TypeTable t;
  t.record({field("unused", ref(Op::Nat))});
  TypeRef inner = t.vec(ref(Op::Text));
  TypeRef outer = t.opt(inner);
  // opt (vec text): entry 0 = opt 1, entry 1 = vec text
  CHECK(enc_hex(t, {outer}, {Value::none()}) == "4449444c026e016d71010000");
  CHECK(enc_hex(t, {inner, outer}, {Value::of_vec({}), Value::none()}) == "4449444c026d716e00020001" "0000");
}

TEST_CASE("decoding at the wire types", "[candid][binary]") {
  auto r = decode(didl("00017d2a"));
  REQUIRE(r.ok());
  REQUIRE(r->values.size() == 1);
  CHECK(r->types[0] == ref(Op::Nat));
  CHECK(r->values[0] == nat(42));

  // record { foo = 42; bar = true } comes back with ids only
  auto rec = decode(didl("016c02d3e3aa027e868eb7027c0100012a"));
  REQUIRE(rec.ok());
  REQUIRE(rec->table.nodes.size() == 1);
  CHECK(rec->table.nodes[0].fields[0].name.empty());
  const Value* foo = rec->values[0].field("foo");
  REQUIRE(foo);
  CHECK(*foo == integer(42));
  CHECK(*rec->values[0].field(field_hash("bar")) == Value::of_bool(true));
  CHECK(rec->values[0].field("baz") == nullptr);

  // a blob decodes into `bytes`
  auto blob = decode(didl("016d7b0100020102"));
  REQUIRE(blob.ok());
  CHECK(blob->values[0].bytes == ic::Bytes{1, 2});
  CHECK(blob->values[0].items.empty());

  // a future type (opcode 0x67 = -25) comes back as reserved
  auto future = decode(didl("0167034142430200 7e 0500 68656c6c6f 01"));
  REQUIRE(future.ok());
  CHECK(future->types[0] == ref(Op::Reserved));
  CHECK(future->values[0] == Value::reserved());
  CHECK(future->values[1] == Value::of_bool(true));
  CHECK(encode(*future).ok());
}

TEST_CASE("round trips of every constructor", "[candid][binary]") {
  TypeTable t;
  std::vector<TypeRef> types = {ref(Op::Null), ref(Op::Bool), ref(Op::Nat), ref(Op::Int), ref(Op::Nat8),
                                ref(Op::Nat16), ref(Op::Nat32), ref(Op::Nat64), ref(Op::Int8), ref(Op::Int16),
                                ref(Op::Int32), ref(Op::Int64), ref(Op::Float32), ref(Op::Float64),
                                ref(Op::Text), ref(Op::Reserved), ref(Op::Principal)};
  ic::BigNat big = *ic::BigNat::from_decimal("340282366920938463463374607431768211457");
  std::vector<Value> values = {
      Value::null(), Value::of_bool(false), Value::of_nat(big), Value::of_int(ic::BigInt(big, true)),
      Value::of_fixed_nat(Op::Nat8, 255), Value::of_fixed_nat(Op::Nat16, 65535),
      Value::of_fixed_nat(Op::Nat32, 4294967295u), Value::of_fixed_nat(Op::Nat64, ~uint64_t{0}),
      Value::of_fixed_int(Op::Int8, -128), Value::of_fixed_int(Op::Int16, -32768),
      Value::of_fixed_int(Op::Int32, std::numeric_limits<int32_t>::min()),
      Value::of_fixed_int(Op::Int64, std::numeric_limits<int64_t>::min()), Value::of_float32(-0.0f),
      Value::of_float64(std::nan("")), text("\xe2\x98\x83 snow"), Value::reserved(),
      Value::of_principal({0, 0, 0, 0, 0, 0, 0, 1, 1, 1})};
  round_trip(t, types, values);

  TypeTable c;
  TypeRef opt_text = c.opt(ref(Op::Text));
  TypeRef vec_rec = c.vec(c.record({field("a", ref(Op::Nat)), field("b", opt_text)}));
  TypeRef tup = c.tuple({ref(Op::Int), ref(Op::Bool)});
  TypeRef var = c.variant({field("nil", ref(Op::Null)), field("cons", ref(Op::Nat))});
  TypeRef blob = c.blob();
  TypeRef vec_vec = c.vec(c.vec(ref(Op::Nat8)));
  TypeRef fn = c.func({{ref(Op::Text)}, {ref(Op::Nat)}, {FuncMode::Query}});
  TypeRef svc = c.service({{"get", fn}, {"put", c.func({{ref(Op::Nat)}, {}, {FuncMode::Oneway}})}});
  TypeRef empty_vec = c.vec(ref(Op::Int));
  Value row1 = Value::of_record({{field_hash("a"), nat(1)}, {field_hash("b"), Value::some(text("x"))}});
  Value row2 = Value::of_record({{field_hash("a"), nat(2)}, {field_hash("b"), Value::none()}});
  round_trip(c, {opt_text, opt_text, vec_rec, tup, var, var, blob, vec_vec, fn, svc, empty_vec},
             {Value::some(text("hi")), Value::none(), Value::of_vec({row1, row2}),
              Value::of_record({{0, integer(-5)}, {1, Value::of_bool(true)}}),
              Value::of_variant({field_hash("nil"), Value::null()}),
              Value::of_variant({field_hash("cons"), nat(7)}), Value::of_blob(ic::Bytes(300, 0xab)),
              Value::of_vec({Value::of_blob({1}), Value::of_blob({})}), Value::of_func({0xca, 0xff}, "get"),
              Value::of_service({0x01}), Value::of_vec({})});

  // Recursive type: variant List { nil; cons : record { nat; List } } three deep.
  TypeTable r;
  TypeRef lst = r.variant({});
  TypeRef cell = r.tuple({ref(Op::Nat), lst});
  r.node(lst).fields = {field("nil", ref(Op::Null)), field("cons", cell)};
  std::sort(r.node(lst).fields.begin(), r.node(lst).fields.end(), [](auto& a, auto& b) { return a.id < b.id; });
  Value v = Value::of_variant({field_hash("nil"), Value::null()});
  for (uint64_t i = 0; i < 3; ++i)
    v = Value::of_variant({field_hash("cons"), Value::of_record({{0, nat(i)}, {1, v}})});
  round_trip(r, {lst}, {v});
}

TEST_CASE("a vec of nat8 is held in bytes however it is built", "[candid][value]") {
  Value a = Value::of_vec({Value::of_fixed_nat(Op::Nat8, 1), Value::of_fixed_nat(Op::Nat8, 2)});
  CHECK(a.items.empty());
  CHECK(a.bytes == ic::Bytes{1, 2});
  CHECK(a == Value::of_blob({1, 2}));
  Value manual;
  manual.kind = Op::Vec;
  manual.items = {Value::of_fixed_nat(Op::Nat8, 1), Value::of_fixed_nat(Op::Nat8, 2)};
  CHECK(manual == a);
  CHECK_FALSE(manual == Value::of_blob({1, 3}));
  TypeTable t;
  TypeRef blob = t.blob();
  CHECK(enc_hex(t, {blob}, {manual}) == enc_hex(t, {blob}, {a}));
}

TEST_CASE("value equality", "[candid][value]") {
  CHECK(Value::of_float64(std::nan("")) == Value::of_float64(std::nan("")));
  CHECK_FALSE(Value::of_float64(0.0) == Value::of_float64(-0.0));
  CHECK_FALSE(Value::of_float32(1.0f) == Value::of_float64(1.0));
  CHECK_FALSE(nat(1) == integer(1));
  CHECK(Value::of_record({{2, nat(1)}, {1, nat(2)}}) == Value::of_record({{1, nat(2)}, {2, nat(1)}}));
  CHECK_FALSE(Value::some(nat(1)) == Value::none());
  CHECK_FALSE(Value::of_func({1}, "a") == Value::of_func({1}, "b"));
}

TEST_CASE("encode refuses values that do not fit", "[candid][binary]") {
  TypeTable t;
  TypeRef rec = t.record({field("a", ref(Op::Nat)), field("b", t.opt(ref(Op::Nat)))});
  TypeRef var = t.variant({field("x", ref(Op::Null))});
  CHECK_FALSE(check_value(t, ref(Op::Nat), text("x")).ok());
  CHECK_FALSE(check_value(t, ref(Op::Nat), integer(-1)).ok());
  CHECK(check_value(t, ref(Op::Int), nat(1)).ok());  // nat <: int
  CHECK_FALSE(check_value(t, ref(Op::Nat8), Value::of_fixed_nat(Op::Nat8, 256)).ok());
  CHECK_FALSE(check_value(t, ref(Op::Int8), Value::of_fixed_int(Op::Int8, 128)).ok());
  CHECK(check_value(t, ref(Op::Int8), Value::of_fixed_int(Op::Int8, -128)).ok());
  CHECK_FALSE(check_value(t, ref(Op::Empty), Value::null()).ok());
  CHECK(check_value(t, ref(Op::Reserved), nat(5)).ok());
  CHECK_FALSE(check_value(t, ref(Op::Text), text("\xff")).ok());
  CHECK_FALSE(check_value(t, ref(Op::Principal), Value::of_principal(ic::Bytes(30, 1))).ok());
  CHECK_FALSE(check_value(t, rec, Value::of_record({})).ok());                      // lacks a
  CHECK(check_value(t, rec, Value::of_record({{field_hash("a"), nat(1)}})).ok());  // b is optional
  CHECK_FALSE(check_value(t, rec, Value::of_record({{field_hash("a"), nat(1)}, {field_hash("zz"), nat(1)}})).ok());
  CHECK_FALSE(check_value(t, var, Value::of_variant({field_hash("y"), Value::null()})).ok());
  CHECK(check_value(t, var, Value::of_variant({field_hash("x"), Value::null()})).ok());
  auto bad = encode(t, {rec}, {Value::of_record({})});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ic::Errc::type_mismatch);
  CHECK(bad.error().message.find("argument 0") != std::string::npos);
  CHECK_FALSE(encode(t, {ref(Op::Nat)}, {}).ok());  // one type per value
  // A missing optional field is sent as null.
  CHECK(enc_hex(t, {rec}, {Value::of_record({{field_hash("a"), nat(1)}})}) == "4449444c026c02617d62016e7d01000100");
}

// ---------------------------------------------------------------------------------------------
// Coercion at expected types (Candid.md "Coercion").

TEST_CASE("coercion of primitives", "[candid][coerce]") {
  auto as_int = decode_at(didl("00017d80 01"), ref(Op::Int));  // nat <: int
  REQUIRE(as_int.ok());
  CHECK(as_int->values[0] == integer(128));
  CHECK(as_int->values[0].kind == Op::Int);
  auto int_at_nat = decode_at(didl("00017c01"), ref(Op::Nat));
  REQUIRE_FALSE(int_at_nat.ok());
  CHECK(int_at_nat.error().code == ic::Errc::type_mismatch);
  CHECK_FALSE(decode_at(didl("00017b01"), ref(Op::Nat)).ok());  // nat8 is not nat
  CHECK_FALSE(decode_at(didl("00017001"), ref(Op::Null)).ok());  // reserved is not null
  auto res = decode_at(didl("000171064d6f746f6b6f"), ref(Op::Reserved));  // anything at reserved
  REQUIRE(res.ok());
  CHECK(res->values[0] == Value::reserved());
  CHECK_FALSE(decode_at(didl("000171064d6f746f6b"), ref(Op::Reserved)).ok());  // but it must be valid
  CHECK_FALSE(decode_at(didl("00017f"), ref(Op::Empty)).ok());                // empty never decodes
  CHECK_FALSE(decode_at(didl("00016f"), ref(Op::Reserved)).ok());
}

TEST_CASE("coercion of arguments: extra ignored, missing only when null-like", "[candid][coerce]") {
  TypeTable t;
  TypeRef opt_nat = t.opt(ref(Op::Nat));
  auto r = decode_at(didl("00027d7d0506"), t, {ref(Op::Nat)});
  REQUIRE(r.ok());
  CHECK(r->values.size() == 1);
  auto m = decode_at(didl("00017d05"), t, {ref(Op::Nat), opt_nat, ref(Op::Null), ref(Op::Reserved)});
  REQUIRE(m.ok());
  CHECK(m->values[1] == Value::none());
  CHECK(m->values[2] == Value::null());
  CHECK(m->values[3] == Value::reserved());
  CHECK(m->types.size() == 4);
  CHECK_FALSE(decode_at(didl("00017d05"), t, {ref(Op::Nat), ref(Op::Nat)}).ok());
  CHECK_FALSE(decode_at(didl("00027d7d05"), t, {ref(Op::Nat)}).ok());  // the extra argument must be there
}

TEST_CASE("coercion of records", "[candid][coerce]") {
  // wire: record { foo : int; bar : bool } = { foo = 42; bar = true }
  ic::Bytes msg = didl("016c02d3e3aa027e868eb7027c0100012a");
  TypeTable t;
  TypeRef just_bar = t.record({field("bar", ref(Op::Bool))});
  auto r = decode_at(msg, t, {just_bar});  // unknown wire fields are skipped
  REQUIRE(r.ok());
  CHECK(r->values[0] == Value::of_record({{field_hash("bar"), Value::of_bool(true)}}));

  TypeRef with_opt = t.record({field("foo", ref(Op::Int)), field("baz", t.opt(ref(Op::Text))),
                               field("qux", ref(Op::Null)), field("res", ref(Op::Reserved))});
  auto o = decode_at(msg, t, {with_opt});  // missing opt/null/reserved fields are filled
  REQUIRE(o.ok());
  CHECK(*o->values[0].field("baz") == Value::none());
  CHECK(*o->values[0].field("qux") == Value::null());
  CHECK(*o->values[0].field("res") == Value::reserved());
  CHECK(*o->values[0].field("foo") == integer(42));

  TypeRef need_baz = t.record({field("baz", ref(Op::Text))});
  auto miss = decode_at(msg, t, {need_baz});
  REQUIRE_FALSE(miss.ok());
  CHECK(miss.error().code == ic::Errc::type_mismatch);
  CHECK(miss.error().message.find("baz") != std::string::npos);

  TypeRef foo_nat = t.record({field("foo", ref(Op::Nat))});
  CHECK_FALSE(decode_at(msg, t, {foo_nat}).ok());  // int is not nat
}

TEST_CASE("coercion of variants", "[candid][coerce]") {
  // wire variant { Ok : text; Err : text } = Ok "good"
  ic::Bytes msg = didl("016b02bc8a0171c5fed20171010000" "04676f6f64");
  TypeTable t;
  TypeRef ok_only = t.variant({field("Ok", ref(Op::Text))});
  auto r = decode_at(msg, t, {ok_only});  // cases the value does not use may be missing
  REQUIRE(r.ok());
  CHECK(r->values[0] == Value::of_variant({field_hash("Ok"), text("good")}));
  TypeRef err_only = t.variant({field("Err", ref(Op::Text))});
  auto e = decode_at(msg, t, {err_only});
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ic::Errc::type_mismatch);
  TypeRef more = t.variant({field("Ok", ref(Op::Reserved)), field("Err", ref(Op::Text)), field("Other", ref(Op::Nat))});
  auto m = decode_at(msg, t, {more});
  REQUIRE(m.ok());
  CHECK(m->values[0] == Value::of_variant({field_hash("Ok"), Value::reserved()}));
}

TEST_CASE("coercion of options (the special opt rule)", "[candid][coerce]") {
  TypeTable t;
  TypeRef opt_nat = t.opt(ref(Op::Nat));
  TypeRef opt_opt_bool = t.opt(t.opt(ref(Op::Bool)));
  TypeRef opt_null = t.opt(ref(Op::Null));
  auto one = [&](const ic::Bytes& msg, TypeRef ty) {
    auto r = decode_at(msg, t, {ty});
    INFO((r.ok() ? "" : r.error().to_string()));
    REQUIRE(r.ok());
    return r->values[0];
  };
  CHECK(one(didl("00017f"), opt_nat) == Value::none());               // null
  CHECK(one(didl("000170"), opt_nat) == Value::none());               // reserved
  CHECK(one(didl("00017d05"), opt_nat) == Value::some(nat(5)));       // a non-opt value is wrapped
  CHECK(one(didl("00017e01"), opt_nat) == Value::none());             // ... or null if it does not fit
  CHECK(one(didl("00017e01"), opt_opt_bool) == Value::some(Value::some(Value::of_bool(true))));
  CHECK(one(didl("016e7e01000101"), opt_nat) == Value::none());       // opt true : opt bool at opt nat
  CHECK(one(didl("016e7f010001"), opt_null) == Value::some(Value::null()));
  CHECK(one(didl("016e70010001"), opt_null) == Value::none());        // opt reserved at opt null
  CHECK(one(didl("016e7f010000"), opt_opt_bool) == Value::none());    // null : opt null stays null
  // A value that does not fit is skipped but still validated: a bad bool fails the whole decode.
  auto bad = decode_at(didl("016e7e01000102"), t, {opt_nat});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ic::Errc::decode);
  CHECK_FALSE(decode_at(didl("016e7e01000102"), t, {opt_nat}).ok());
  // The failure is recovered at the innermost opt: record { a = opt (variant {0 = true}) } keeps the record.
  TypeRef rec = t.record({field(0u, t.opt(t.variant({field(0u, ref(Op::Int))}))), field(1u, ref(Op::Nat))});
  auto r = decode_at(didl("036c02000101 7d 6e02 6b01007e 0100 010001 07"), t, {rec});
  REQUIRE(r.ok());
  CHECK(*r->values[0].field(0u) == Value::none());
  CHECK(*r->values[0].field(1u) == nat(7));
  // vec null <: vec opt nat: every element becomes null
  TypeRef vec_opt = t.vec(opt_nat);
  auto v = decode_at(didl("016d7f0100 03"), t, {vec_opt});
  REQUIRE(v.ok());
  CHECK(v->values[0] == Value::of_vec({Value::none(), Value::none(), Value::none()}));
  // Coercion into a recursive `Opt = opt Opt` from bool never terminates: refused by the depth limit.
  TypeRef fix = t.opt(0);
  t.node(fix).inner = fix;
  auto loop = decode_at(didl("00017e01"), t, {fix});
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.error().code == ic::Errc::limit);
}

TEST_CASE("coercion of references", "[candid][coerce]") {
  TypeTable t;
  TypeRef text_to_nat = t.func({{ref(Op::Text)}, {ref(Op::Nat)}, {}});
  TypeRef s_foo = t.service({{"foo", text_to_nat}});
  TypeRef s_empty = t.service({});
  // wire: service { foo : (text) -> (nat) } = caffee
  ic::Bytes svc = didl("026a0171017d0069010366 6f6f00 0101 0103caffee");
  auto at_empty = decode_at(svc, t, {s_empty});
  REQUIRE(at_empty.ok());
  CHECK(at_empty->values[0] == Value::of_service({0xca, 0xff, 0xee}));
  CHECK(decode_at(svc, t, {s_foo}).ok());
  auto at_principal = decode_at(svc, t, {ref(Op::Principal)});  // service <: principal
  REQUIRE(at_principal.ok());
  CHECK(at_principal->values[0] == Value::of_principal({0xca, 0xff, 0xee}));
  // service {} is not a subtype of service { foo }
  auto narrow = decode_at(didl("0169000100 0103caffee"), t, {s_foo});
  REQUIRE_FALSE(narrow.ok());
  CHECK(narrow.error().code == ic::Errc::type_mismatch);
  // a principal is not a service
  CHECK_FALSE(decode_at(didl("00016801 03caffee"), t, {s_empty}).ok());
  // func (text) -> (nat) decodes at func (text, opt text) -> ()
  TypeRef wider = t.func({{ref(Op::Text), t.opt(ref(Op::Text))}, {}, {}});
  auto fn = decode_at(didl("016a0171017d000100 01 0103caffee 03666f6f"), t, {wider});
  REQUIRE(fn.ok());
  CHECK(fn->values[0] == Value::of_func({0xca, 0xff, 0xee}, "foo"));
  TypeRef narrower = t.func({{ref(Op::Text)}, {ref(Op::Nat), ref(Op::Nat)}, {}});
  CHECK_FALSE(decode_at(didl("016a0171017d000100 01 0103caffee 03666f6f"), t, {narrower}).ok());
}

TEST_CASE("decode errors say what failed", "[candid][binary]") {
  auto r = decode(didl("00017e02"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ic::Errc::decode);
  CHECK(r.error().message.find("bool") != std::string::npos);
  CHECK(r.error().message.find("argument 0") != std::string::npos);
  auto magic = decode(hex("4441444c0000"));
  REQUIRE_FALSE(magic.ok());
  CHECK(magic.error().message.find("DIDL") != std::string::npos);
  auto trailing = decode(didl("000000"));
  REQUIRE_FALSE(trailing.ok());
  CHECK(trailing.error().message.find("left over") != std::string::npos);
  // An expected table that is itself malformed is refused before the message is read.
  TypeTable bad;
  bad.opt(9);
  auto e = decode_at(didl("0000"), bad, {0});
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == ic::Errc::invalid_input);
}
