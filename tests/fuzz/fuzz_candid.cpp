// libFuzzer target for the Candid binary decoder: decodes at the wire types and at a few expected types;
// whatever decodes must re-encode and decode again to equal values, else the target traps.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "candid/binary.h"

namespace {

using namespace candid;

struct Expected {
  TypeTable table;
  std::vector<TypeRef> types;
};

std::vector<Expected> make_expected() {
  std::vector<Expected> out;
  {
    Expected e;  // (nat, opt text)
    e.types = {ref(Op::Nat), e.table.opt(ref(Op::Text))};
    out.push_back(std::move(e));
  }
  {
    Expected e;  // (record { a : int; b : opt blob; c : reserved; d : variant { x; y : nat } })
    TypeTable& t = e.table;
    TypeRef v = t.variant({field("x", ref(Op::Null)), field("y", ref(Op::Nat))});
    e.types = {t.record({field("a", ref(Op::Int)), field("b", t.opt(t.blob())), field("c", ref(Op::Reserved)),
                         field("d", v)})};
    out.push_back(std::move(e));
  }
  {
    Expected e;  // List = opt record { head : int; tail : List }
    TypeTable& t = e.table;
    TypeRef list = t.opt(0);
    TypeRef cell = t.record({field("head", ref(Op::Int)), field("tail", list)});
    t.node(list).inner = cell;
    e.types = {list};
    out.push_back(std::move(e));
  }
  {
    Expected e;  // (opt opt bool, vec opt nat, record { int; bool })
    TypeTable& t = e.table;
    e.types = {t.opt(t.opt(ref(Op::Bool))), t.vec(t.opt(ref(Op::Nat))), t.tuple({ref(Op::Int), ref(Op::Bool)})};
    out.push_back(std::move(e));
  }
  {
    Expected e;  // (service { foo : (text) -> (nat) query }, principal, func (text) -> ())
    TypeTable& t = e.table;
    TypeRef foo = t.func({{ref(Op::Text)}, {ref(Op::Nat)}, {FuncMode::Query}});
    e.types = {t.service({{"foo", foo}}), ref(Op::Principal), t.func({{ref(Op::Text)}, {}, {}})};
    out.push_back(std::move(e));
  }
  {
    Expected e;  // (reserved, null, float32, int8, vec text)
    e.types = {ref(Op::Reserved), ref(Op::Null), ref(Op::Float32), ref(Op::Int8), e.table.vec(ref(Op::Text))};
    out.push_back(std::move(e));
  }
  return out;
}

void round_trip(const Args& first, const TypeTable* table, const std::vector<TypeRef>* types) {
  auto bytes = encode(first);
  if (!bytes.ok()) __builtin_trap();  // a decoded value must fit its own type
  // Default options: the re-encoding may legitimately be larger (filled-in missing fields).
  auto again = decode(*bytes, table, types);
  if (!again.ok() || !(again->values == first.values)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Expected> expected = make_expected();
  ic::ByteView msg(data, size);
  DecodeOptions opts;
  opts.max_cost = 8u << 20;  // keeps each run quick while still reaching every limit path
  if (auto r = decode(msg, nullptr, nullptr, opts); r.ok()) round_trip(*r, nullptr, nullptr);
  for (const Expected& e : expected)
    if (auto r = decode(msg, &e.table, &e.types, opts); r.ok()) round_trip(*r, &e.table, &e.types);
  return 0;
}
