#include "candid/value.h"

#include <algorithm>
#include <cstring>

namespace candid {

static Value of_kind(Op k) {
  Value v;
  v.kind = k;
  return v;
}

Value Value::null() { return of_kind(Op::Null); }
Value Value::reserved() { return of_kind(Op::Reserved); }

Value Value::of_bool(bool b) {
  Value v = of_kind(Op::Bool);
  v.boolean = b;
  return v;
}

Value Value::of_nat(ic::BigNat n) {
  Value v = of_kind(Op::Nat);
  v.number = ic::BigInt(std::move(n), false);
  return v;
}

Value Value::of_int(ic::BigInt n) {
  Value v = of_kind(Op::Int);
  v.number = std::move(n);
  return v;
}

Value Value::of_fixed_nat(Op op, uint64_t x) {
  Value v = of_kind(op);
  v.nat = x;
  return v;
}

Value Value::of_fixed_int(Op op, int64_t x) {
  Value v = of_kind(op);
  v.integer = x;
  return v;
}

Value Value::of_float32(float f) {
  Value v = of_kind(Op::Float32);
  v.real = static_cast<double>(f);
  return v;
}

Value Value::of_float64(double d) {
  Value v = of_kind(Op::Float64);
  v.real = d;
  return v;
}

Value Value::of_text(std::string s) {
  Value v = of_kind(Op::Text);
  v.text = std::move(s);
  return v;
}

Value Value::of_principal(ic::Bytes p) {
  Value v = of_kind(Op::Principal);
  v.bytes = std::move(p);
  return v;
}

Value Value::of_service(ic::Bytes p) {
  Value v = of_kind(Op::Service);
  v.bytes = std::move(p);
  return v;
}

Value Value::of_func(ic::Bytes principal, std::string method) {
  Value v = of_kind(Op::Func);
  v.bytes = std::move(principal);
  v.text = std::move(method);
  return v;
}

Value Value::none() { return of_kind(Op::Opt); }

Value Value::some(Value x) {
  Value v = of_kind(Op::Opt);
  v.items.push_back(std::move(x));
  return v;
}

Value Value::of_vec(std::vector<Value> items) {
  Value v = of_kind(Op::Vec);
  // Invariant: a vec of nat8 keeps its elements in `bytes`, however it was built.
  bool all_nat8 = !items.empty() && std::all_of(items.begin(), items.end(), [](const Value& x) {
    return x.kind == Op::Nat8;
  });
  if (all_nat8) {
    v.bytes.reserve(items.size());
    for (const Value& x : items) v.bytes.push_back(static_cast<uint8_t>(x.nat));
  } else {
    v.items = std::move(items);
  }
  return v;
}

Value Value::of_blob(ic::Bytes b) {
  Value v = of_kind(Op::Vec);
  v.bytes = std::move(b);
  return v;
}

Value Value::of_record(std::vector<FieldValue> fields) {
  Value v = of_kind(Op::Record);
  std::sort(fields.begin(), fields.end(), [](const FieldValue& a, const FieldValue& b) { return a.id < b.id; });
  v.fields = std::move(fields);
  return v;
}

Value Value::of_variant(FieldValue f) {
  Value v = of_kind(Op::Variant);
  v.fields.push_back(std::move(f));
  return v;
}

const Value* Value::field(uint32_t id) const {
  auto it = std::lower_bound(fields.begin(), fields.end(), id,
                             [](const FieldValue& f, uint32_t x) { return f.id < x; });
  return it != fields.end() && it->id == id ? &it->value : nullptr;
}

const Value* Value::field(std::string_view name) const { return field(field_hash(name)); }

// A vec's elements compare equal whether they are held as `bytes` (nat8) or as `items`.
static bool vec_equal(const Value& a, const Value& b) {
  if (a.items.empty() == b.items.empty()) return a.bytes == b.bytes && a.items == b.items;
  const Value& by = a.items.empty() ? a : b;
  const Value& it = a.items.empty() ? b : a;
  if (!it.bytes.empty() || by.bytes.size() != it.items.size()) return false;
  for (size_t i = 0; i < it.items.size(); ++i)
    if (it.items[i].kind != Op::Nat8 || it.items[i].nat != by.bytes[i]) return false;
  return true;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Op::Null:
    case Op::Reserved:
    case Op::Empty:
      return true;
    case Op::Bool: return a.boolean == b.boolean;
    case Op::Nat:
    case Op::Int: return a.number == b.number;
    case Op::Nat8:
    case Op::Nat16:
    case Op::Nat32:
    case Op::Nat64: return a.nat == b.nat;
    case Op::Int8:
    case Op::Int16:
    case Op::Int32:
    case Op::Int64: return a.integer == b.integer;
    case Op::Float32:
    case Op::Float64: return std::memcmp(&a.real, &b.real, sizeof a.real) == 0;  // bitwise: NaN == NaN, 0 != -0
    case Op::Text: return a.text == b.text;
    case Op::Principal:
    case Op::Service: return a.bytes == b.bytes;
    case Op::Func: return a.bytes == b.bytes && a.text == b.text;
    case Op::Opt: return a.items == b.items;
    case Op::Vec: return vec_equal(a, b);
    case Op::Record:
    case Op::Variant:
      if (a.fields.size() != b.fields.size()) return false;
      for (size_t i = 0; i < a.fields.size(); ++i)
        if (a.fields[i].id != b.fields[i].id || !(a.fields[i].value == b.fields[i].value)) return false;
      return true;
  }
  return false;
}

}  // namespace candid
