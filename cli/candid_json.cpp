#include "candid_json.h"

#include <cstdio>

#include "ic/bytes.h"
#include "ic/principal.h"

namespace cli {
using candid::Op;

namespace {

std::string principal_text(const ic::Bytes& b) {
  auto p = ic::Principal::from_bytes(b);
  return p ? p->to_text() : "0x" + ic::to_hex(b);
}

std::string field_key(const candid::Field* f, uint32_t id) {
  if (f && !f->name.empty()) return f->name;
  return std::to_string(id);
}

nlohmann::json convert(const candid::TypeTable& t, candid::TypeRef r, const candid::Value& v, int depth) {
  if (depth > 200) return "…";
  Op op = t.valid(r) ? t.op(r) : v.kind;
  switch (v.kind) {
    case Op::Null:
    case Op::Reserved:
    case Op::Empty: return nullptr;
    case Op::Bool: return v.boolean;
    case Op::Nat:
    case Op::Int: return v.number.to_decimal();
    case Op::Nat64: return std::to_string(v.nat);
    case Op::Int64: return std::to_string(v.integer);
    case Op::Nat8:
    case Op::Nat16:
    case Op::Nat32: return v.nat;
    case Op::Int8:
    case Op::Int16:
    case Op::Int32: return v.integer;
    case Op::Float32:
    case Op::Float64: return v.real;
    case Op::Text: return v.text;
    case Op::Principal:
    case Op::Service: return principal_text(v.bytes);
    case Op::Func: return {{"principal", principal_text(v.bytes)}, {"method", v.text}};
    case Op::Opt: {
      if (v.items.empty()) return nullptr;
      candid::TypeRef inner = op == Op::Opt && r >= 0 ? t.node(r).inner : candid::ref(Op::Reserved);
      return convert(t, inner, v.items[0], depth + 1);
    }
    case Op::Vec: {
      candid::TypeRef inner = op == Op::Vec && r >= 0 ? t.node(r).inner : candid::ref(Op::Reserved);
      if (v.items.empty() && (inner == candid::ref(Op::Nat8) || !v.bytes.empty())) return ic::to_hex(v.bytes);
      auto arr = nlohmann::json::array();
      for (const auto& e : v.items) arr.push_back(convert(t, inner, e, depth + 1));
      return arr;
    }
    case Op::Record:
    case Op::Variant: {
      const std::vector<candid::Field>* fields = (op == v.kind && r >= 0) ? &t.node(r).fields : nullptr;
      auto find = [&](uint32_t id) -> const candid::Field* {
        if (fields)
          for (const auto& f : *fields)
            if (f.id == id) return &f;
        return nullptr;
      };
      auto obj = nlohmann::json::object();
      for (const auto& fv : v.fields) {
        const candid::Field* f = find(fv.id);
        obj[field_key(f, fv.id)] = convert(t, f ? f->type : candid::ref(Op::Reserved), fv.value, depth + 1);
      }
      return obj;
    }
  }
  return nullptr;
}

}  // namespace

nlohmann::json candid_to_json(const candid::TypeTable& table, candid::TypeRef type, const candid::Value& v) {
  return convert(table, type, v, 0);
}

nlohmann::json candid_args_to_json(const candid::Args& args) {
  auto arr = nlohmann::json::array();
  for (size_t i = 0; i < args.values.size(); ++i)
    arr.push_back(candid_to_json(args.table, i < args.types.size() ? args.types[i] : candid::ref(Op::Reserved), args.values[i]));
  return arr;
}

}  // namespace cli
