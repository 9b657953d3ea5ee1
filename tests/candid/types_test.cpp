// Candid types: field hashes, table builders, import, well-formedness and subtyping (Candid.md "Subtyping").
#include <catch2/catch.hpp>

#include "candid/types.h"

using namespace candid;

TEST_CASE("field_hash follows Candid.md's hash function", "[candid][types]") {
  CHECK(field_hash("") == 0);
  CHECK(field_hash("a") == 97);
  // Known ids from the conformance suite: foo, bar, head, tail, Ok, Err, nil, cons, ☃.
  CHECK(field_hash("foo") == 5097222);
  CHECK(field_hash("bar") == 4895187);
  CHECK(field_hash("head") == 1158359328);
  CHECK(field_hash("tail") == 1291237008);
  CHECK(field_hash("Ok") == 17724);
  CHECK(field_hash("Err") == 3456837);
  CHECK(field_hash("\xe2\x98\x83") == 11272781);  // "☃"
  CHECK(field("foo", ref(Op::Nat)).id == 5097222);
  CHECK(field("foo", ref(Op::Nat)).name == "foo");
  CHECK(field(7u, ref(Op::Nat)).name.empty());
}

TEST_CASE("primitive opcodes and names", "[candid][types]") {
  for (int op = -1; op >= -17; --op) CHECK(is_primitive_op(op));
  CHECK(is_primitive_op(-24));
  for (int op : {0, 1, -18, -19, -20, -21, -22, -23, -25, -100}) CHECK_FALSE(is_primitive_op(op));
  CHECK(std::string(op_name(Op::Nat)) == "nat");
  CHECK(std::string(op_name(Op::Principal)) == "principal");
  CHECK(std::string(op_name(Op::Record)) == "record");
}

TEST_CASE("builders sort fields by id and methods by name", "[candid][types]") {
  TypeTable t;
  TypeRef r = t.record({field("foo", ref(Op::Nat)), field("bar", ref(Op::Text)), field(1u, ref(Op::Bool))});
  const auto& fs = t.node(r).fields;
  REQUIRE(fs.size() == 3);
  CHECK(fs[0].id == 1);
  CHECK(fs[1].name == "bar");
  CHECK(fs[2].name == "foo");
  TypeRef f = t.func({{}, {}, {}});
  TypeRef s = t.service({{"zeta", f}, {"alpha", f}, {"Beta", f}});
  CHECK(t.node(s).methods[0].name == "Beta");  // bytewise: upper case first
  CHECK(t.node(s).methods[2].name == "zeta");
  TypeRef tup = t.tuple({ref(Op::Int), ref(Op::Bool)});
  CHECK(t.node(tup).fields[1].id == 1);
  CHECK(t.op(t.blob()) == Op::Vec);
  CHECK(validate(t).ok());
}

TEST_CASE("validate refuses malformed tables", "[candid][types]") {
  TypeTable t;
  t.opt(5);  // out of range
  CHECK_FALSE(validate(t).ok());

  TypeTable dup;
  TypeNode n;
  n.op = Op::Record;
  n.fields = {field(1u, ref(Op::Nat)), field(1u, ref(Op::Int))};
  dup.add(n);
  CHECK_FALSE(validate(dup).ok());

  TypeTable bad_method;
  TypeRef o = bad_method.opt(ref(Op::Nat));
  bad_method.service({{"m", o}});  // a method must refer to a func type
  CHECK_FALSE(validate(bad_method).ok());

  TypeTable oneway;
  oneway.func({{}, {ref(Op::Nat)}, {FuncMode::Oneway}});
  CHECK_FALSE(validate(oneway).ok());

  TypeTable two_modes;
  two_modes.func({{}, {}, {FuncMode::Query, FuncMode::CompositeQuery}});
  CHECK_FALSE(validate(two_modes).ok());

  TypeTable prim;
  TypeNode p;
  p.op = Op::Nat;
  prim.add(p);
  CHECK_FALSE(validate(prim).ok());

  TypeTable ok;
  TypeRef v = ok.vec(ref(Op::Nat));
  CHECK(validate(ok, {v, ref(Op::Text)}).ok());
  CHECK_FALSE(validate(ok, {v + 1}).ok());
  CHECK_FALSE(validate(ok, {ref(Op::Opt)}).ok());  // composite opcode used as a reference
}

TEST_CASE("import copies a recursive type with everything it reaches", "[candid][types]") {
  TypeTable src;
  src.opt(ref(Op::Text));  // unrelated entry that must not be copied
  TypeRef list = src.opt(0);                                                  // placeholder inner
  TypeRef rec = src.record({field("head", ref(Op::Int)), field("tail", list)});
  src.node(list).inner = rec;  // list = opt record { head : int; tail : list }

  TypeTable dst;
  dst.vec(ref(Op::Nat));
  TypeRef l2 = dst.import(src, list);
  CHECK(dst.nodes.size() == 3);
  REQUIRE(dst.op(l2) == Op::Opt);
  TypeRef r2 = dst.node(l2).inner;
  REQUIRE(dst.op(r2) == Op::Record);
  CHECK(dst.node(r2).fields[1].type == l2);  // the cycle is preserved
  CHECK(dst.node(r2).fields[0].name == "head");
  CHECK(validate(dst).ok());
  CHECK(is_subtype(src, list, dst, l2));
  CHECK(is_subtype(dst, l2, src, list));
  CHECK(dst.import(src, ref(Op::Nat)) == ref(Op::Nat));
}

TEST_CASE("subtyping of primitives, reserved, empty and opt", "[candid][types][subtype]") {
  TypeTable t;
  auto sub = [&](TypeRef a, TypeRef b) { return is_subtype(t, a, t, b); };
  CHECK(sub(ref(Op::Nat), ref(Op::Int)));
  CHECK_FALSE(sub(ref(Op::Int), ref(Op::Nat)));
  CHECK_FALSE(sub(ref(Op::Nat8), ref(Op::Nat)));
  CHECK(sub(ref(Op::Text), ref(Op::Text)));
  CHECK_FALSE(sub(ref(Op::Text), ref(Op::Null)));
  CHECK(sub(ref(Op::Empty), ref(Op::Text)));
  CHECK(sub(ref(Op::Text), ref(Op::Reserved)));
  CHECK_FALSE(sub(ref(Op::Reserved), ref(Op::Null)));
  TypeRef opt_nat = t.opt(ref(Op::Nat));
  TypeRef opt_bool = t.opt(ref(Op::Bool));
  CHECK(sub(ref(Op::Null), opt_nat));
  CHECK(sub(ref(Op::Nat), opt_nat));
  CHECK(sub(opt_bool, opt_nat));      // the catch-all opt rule (the value decodes as null)
  CHECK(sub(ref(Op::Bool), opt_nat));
  CHECK_FALSE(sub(opt_nat, ref(Op::Nat)));
  TypeRef vn = t.vec(ref(Op::Nat)), vi = t.vec(ref(Op::Int));
  CHECK(sub(vn, vi));
  CHECK_FALSE(sub(vi, vn));
  CHECK_FALSE(sub(vn, ref(Op::Text)));
}

TEST_CASE("subtyping of records and variants", "[candid][types][subtype]") {
  TypeTable t;
  auto sub = [&](TypeRef a, TypeRef b) { return is_subtype(t, a, t, b); };
  TypeRef ab = t.record({field("a", ref(Op::Nat)), field("b", ref(Op::Text))});
  TypeRef a = t.record({field("a", ref(Op::Int))});
  TypeRef a_optc = t.record({field("a", ref(Op::Nat)), field("c", t.opt(ref(Op::Nat)))});
  TypeRef a_resc = t.record({field("a", ref(Op::Nat)), field("c", ref(Op::Reserved))});
  TypeRef a_c = t.record({field("a", ref(Op::Nat)), field("c", ref(Op::Nat))});
  CHECK(sub(ab, a));          // extra fields are dropped, nat <: int
  CHECK_FALSE(sub(a, ab));    // a missing non-optional field
  CHECK(sub(ab, a_optc));     // a missing opt field
  CHECK(sub(ab, a_resc));     // a missing reserved field
  CHECK_FALSE(sub(ab, a_c));

  TypeRef v_ab = t.variant({field("a", ref(Op::Null)), field("b", ref(Op::Nat))});
  TypeRef v_a = t.variant({field("a", ref(Op::Null))});
  CHECK(sub(v_a, v_ab));
  CHECK_FALSE(sub(v_ab, v_a));
  TypeRef v_bi = t.variant({field("a", ref(Op::Null)), field("b", ref(Op::Int))});
  CHECK(sub(v_ab, v_bi));
  CHECK_FALSE(sub(v_bi, v_ab));
}

TEST_CASE("subtyping of recursive types is coinductive", "[candid][types][subtype]") {
  TypeTable t;
  // A = opt record { head : nat; tail : A }, B = opt record { head : int; tail : B }
  TypeRef a = t.opt(0), ra = t.record({field("head", ref(Op::Nat)), field("tail", a)});
  t.node(a).inner = ra;
  TypeRef b = t.opt(0), rb = t.record({field("head", ref(Op::Int)), field("tail", b)});
  t.node(b).inner = rb;
  CHECK(is_subtype(t, ra, t, rb));
  CHECK_FALSE(is_subtype(t, rb, t, ra));
  // V = vec V against W = vec vec W (unrolled differently)
  TypeRef v = t.vec(0);
  t.node(v).inner = v;
  TypeRef w = t.vec(0), w2 = t.vec(w);
  t.node(w).inner = w2;
  CHECK(is_subtype(t, v, t, w));
  CHECK(is_subtype(t, w, t, v));
}

TEST_CASE("subtyping of func and service references", "[candid][types][subtype]") {
  TypeTable t;
  auto sub = [&](TypeRef a, TypeRef b) { return is_subtype(t, a, t, b); };
  TypeRef text_to_nat = t.func({{ref(Op::Text)}, {ref(Op::Nat)}, {}});
  TypeRef text_opt_to_unit = t.func({{ref(Op::Text), t.opt(ref(Op::Text))}, {}, {}});
  TypeRef unit_to_unit = t.func({{}, {}, {}});
  TypeRef text_to_nat_q = t.func({{ref(Op::Text)}, {ref(Op::Nat)}, {FuncMode::Query}});
  TypeRef text_to_int = t.func({{ref(Op::Text)}, {ref(Op::Int)}, {}});
  TypeRef nat_to_nat = t.func({{ref(Op::Nat)}, {ref(Op::Nat)}, {}});
  TypeRef int_to_nat = t.func({{ref(Op::Int)}, {ref(Op::Nat)}, {}});
  CHECK(sub(text_to_nat, text_opt_to_unit));   // extra opt argument, dropped result
  CHECK_FALSE(sub(unit_to_unit, text_to_nat));  // result nat missing
  CHECK_FALSE(sub(text_to_nat, unit_to_unit));  // callers of () -> () would not pass the text
  CHECK_FALSE(sub(text_to_nat, text_to_nat_q));  // modes must agree
  CHECK_FALSE(sub(text_to_nat_q, text_to_nat));
  CHECK(sub(text_to_nat, text_to_int));          // results are covariant
  CHECK(sub(int_to_nat, nat_to_nat));            // arguments are contravariant
  CHECK_FALSE(sub(nat_to_nat, int_to_nat));

  TypeRef s_empty = t.service({});
  TypeRef s_foo = t.service({{"foo", text_to_nat}});
  TypeRef s_foo_q = t.service({{"foo", text_to_nat_q}});
  CHECK(sub(s_foo, s_empty));
  CHECK_FALSE(sub(s_empty, s_foo));
  CHECK_FALSE(sub(s_foo, s_foo_q));
  CHECK(sub(s_foo, ref(Op::Principal)));  // service <: principal
  CHECK_FALSE(sub(ref(Op::Principal), s_empty));
  CHECK_FALSE(sub(t.func({{}, {}, {}}), ref(Op::Principal)));
}

TEST_CASE("subtype checks are bounded", "[candid][types][subtype]") {
  // Two chains of 2000 nested vectors: deeper than the depth limit, so the check reports a limit.
  TypeTable t;
  TypeRef a = ref(Op::Nat), b = ref(Op::Int);
  for (int i = 0; i < 2000; ++i) {
    a = t.vec(a);
    b = t.vec(b);
  }
  uint64_t steps = 1'000'000;
  auto r = check_subtype(t, a, t, b, 256, steps);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ic::Errc::limit);
  steps = 1'000'000;
  auto deep = check_subtype(t, a, t, b, 5000, steps);
  REQUIRE(deep.ok());
  CHECK(*deep);
  CHECK(steps == 1'000'000 - 2000);
  uint64_t few = 10;
  CHECK_FALSE(check_subtype(t, a, t, b, 5000, few).ok());
  CHECK_FALSE(is_subtype(t, a, t, b));  // the public form answers no when it cannot decide
}
