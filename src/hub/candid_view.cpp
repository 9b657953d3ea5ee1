// CView: typed navigation over (type table, type, value) triples produced by candid::decode with expected types.
#include "hub/candid_view.h"

namespace hub {

using candid::Op;
using ic::Errc;
using ic::make_error;

ic::Error CView::mismatch(const std::string& expected) const {
  return make_error(Errc::type_mismatch, path_ + " is " + candid::op_name(op()) + ", expected " + expected,
                    "the canister's interface differs from the one hubctl was built with");
}

bool CView::has_field(std::string_view name) const {
  if (op() != Op::Record) return false;
  uint32_t id = candid::field_hash(name);
  for (auto& f : table_->node(type_).fields)
    if (f.id == id) return true;
  return false;
}

ic::Result<CView> CView::field(std::string_view name) const {
  if (op() != Op::Record) return mismatch("a record with field `" + std::string(name) + "`");
  uint32_t id = candid::field_hash(name);
  for (auto& f : table_->node(type_).fields) {
    if (f.id != id) continue;
    const candid::Value* v = value_->field(id);
    if (!v) break;
    return CView(*table_, f.type, *v, path_ + "." + std::string(name));
  }
  return make_error(Errc::type_mismatch, path_ + " has no field `" + std::string(name) + "`",
                    "the canister's interface differs from the one hubctl was built with");
}

ic::Result<std::optional<CView>> CView::opt() const {
  if (op() != Op::Opt) return mismatch("an opt");
  if (value_->items.empty()) return std::optional<CView>{};
  return std::optional<CView>(CView(*table_, table_->node(type_).inner, value_->items[0], path_ + "?"));
}

ic::Result<std::vector<CView>> CView::items() const {
  if (op() != Op::Vec) return mismatch("a vec");
  candid::TypeRef inner = table_->node(type_).inner;
  std::vector<CView> out;
  out.reserve(value_->items.size());
  for (size_t i = 0; i < value_->items.size(); ++i)
    out.emplace_back(*table_, inner, value_->items[i], path_ + "[" + std::to_string(i) + "]");
  return out;
}

ic::Result<std::string> CView::variant_tag() const {
  if (op() != Op::Variant || value_->fields.size() != 1) return mismatch("a variant");
  uint32_t id = value_->fields[0].id;
  for (auto& f : table_->node(type_).fields)
    if (f.id == id) return f.name.empty() ? std::to_string(id) : f.name;
  return std::to_string(id);
}

ic::Result<CView> CView::variant_value() const {
  if (op() != Op::Variant || value_->fields.size() != 1) return mismatch("a variant");
  uint32_t id = value_->fields[0].id;
  for (auto& f : table_->node(type_).fields)
    if (f.id == id) return CView(*table_, f.type, value_->fields[0].value, path_ + "." + f.name);
  return mismatch("a known variant case");
}

ic::Result<ic::BigNat> CView::nat() const {
  switch (op()) {
    case Op::Nat:
    case Op::Int:
      if (value_->number.negative()) return make_error(Errc::type_mismatch, path_ + " is negative");
      return value_->number.magnitude();
    case Op::Nat8:
    case Op::Nat16:
    case Op::Nat32:
    case Op::Nat64: return ic::BigNat(value_->nat);
    default: return mismatch("a natural number");
  }
}

ic::Result<uint64_t> CView::u64() const {
  IC_TRY(ic::BigNat n, nat());
  auto v = n.to_u64();
  if (!v) return make_error(Errc::limit, path_ + " = " + n.to_decimal() + " does not fit 64 bits");
  return *v;
}

ic::Result<std::string> CView::text() const {
  if (op() != Op::Text) return mismatch("text");
  return value_->text;
}

ic::Result<ic::Principal> CView::principal() const {
  if (op() != Op::Principal) return mismatch("a principal");
  return ic::Principal::from_bytes(value_->bytes);
}

ic::Result<ic::Bytes> CView::blob() const {
  if (op() != Op::Vec || table_->op(table_->node(type_).inner) != Op::Nat8) return mismatch("a blob");
  return value_->bytes;
}

ic::Result<bool> CView::boolean() const {
  if (op() != Op::Bool) return mismatch("a bool");
  return value_->boolean;
}

ic::Result<CView> CView::ok() const {
  IC_TRY(std::string tag, variant_tag());
  IC_TRY(CView inner, variant_value());
  if (tag == "Ok" || tag == "ok") return inner;
  return make_error(Errc::rejected, path_ + ": " + tag + " " + inner.render());
}

audit::Numbers CView::numbers() const {
  audit::Numbers out;
  if (op() != Op::Record) return out;
  for (auto& f : table_->node(type_).fields) {
    const candid::Value* v = value_->field(f.id);
    if (!v || f.name.empty()) continue;
    CView child(*table_, f.type, *v, path_ + "." + f.name);
    if (auto n = child.nat()) {
      out[f.name] = *n;
    } else if (child.op() == Op::Record) {
      for (auto& [k, val] : child.numbers()) out[f.name + "." + k] = val;
    }
  }
  return out;
}

std::string CView::render(size_t max_len) const {
  std::string s;
  switch (op()) {
    case Op::Text: s = "\"" + value_->text + "\""; break;
    case Op::Variant: {
      auto tag = variant_tag();
      auto inner = variant_value();
      s = tag ? *tag : "?";
      if (inner && inner->op() != Op::Null) s += " " + inner->render(max_len);
      break;
    }
    case Op::Record: {
      s = "{";
      for (auto& f : table_->node(type_).fields) {
        const candid::Value* v = value_->field(f.id);
        if (!v) continue;
        s += (s.size() > 1 ? "; " : " ") + f.name + " = " + CView(*table_, f.type, *v, path_).render(max_len);
        if (s.size() > max_len) break;
      }
      s += " }";
      break;
    }
    case Op::Opt: {
      auto o = opt();
      s = (o && *o) ? "opt " + (*o)->render(max_len) : "null";
      break;
    }
    case Op::Principal: {
      auto p = principal();
      s = p ? p->to_text() : "principal?";
      break;
    }
    default:
      if (auto n = nat()) s = n->to_decimal();
      else s = candid::op_name(op());
  }
  if (s.size() > max_len) s = s.substr(0, max_len) + "…";
  return s;
}

}  // namespace hub
