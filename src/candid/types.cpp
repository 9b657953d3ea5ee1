#include "candid/types.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace candid {

bool is_primitive_op(int64_t opcode) {
  return (opcode <= -1 && opcode >= -17) || opcode == static_cast<int64_t>(Op::Principal);
}

const char* op_name(Op op) {
  switch (op) {
    case Op::Null: return "null";
    case Op::Bool: return "bool";
    case Op::Nat: return "nat";
    case Op::Int: return "int";
    case Op::Nat8: return "nat8";
    case Op::Nat16: return "nat16";
    case Op::Nat32: return "nat32";
    case Op::Nat64: return "nat64";
    case Op::Int8: return "int8";
    case Op::Int16: return "int16";
    case Op::Int32: return "int32";
    case Op::Int64: return "int64";
    case Op::Float32: return "float32";
    case Op::Float64: return "float64";
    case Op::Text: return "text";
    case Op::Reserved: return "reserved";
    case Op::Empty: return "empty";
    case Op::Opt: return "opt";
    case Op::Vec: return "vec";
    case Op::Record: return "record";
    case Op::Variant: return "variant";
    case Op::Func: return "func";
    case Op::Service: return "service";
    case Op::Principal: return "principal";
  }
  return "future type";
}

uint32_t field_hash(std::string_view name) {
  // Candid.md "Records": hash(id) = sum utf8(id)[i] * 223^(k-i) mod 2^32, evaluated by Horner's rule.
  uint32_t h = 0;
  for (unsigned char c : name) h = h * 223u + c;
  return h;
}

bool FuncType::is_query() const {
  return std::find_if(modes.begin(), modes.end(), [](FuncMode m) {
           return m == FuncMode::Query || m == FuncMode::CompositeQuery;
         }) != modes.end();
}

TypeRef TypeTable::opt(TypeRef inner) {
  TypeNode n;
  n.op = Op::Opt;
  n.inner = inner;
  return add(std::move(n));
}

TypeRef TypeTable::vec(TypeRef inner) {
  TypeNode n;
  n.op = Op::Vec;
  n.inner = inner;
  return add(std::move(n));
}

static TypeRef fields_node(TypeTable& t, Op op, std::vector<Field> fields) {
  std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.id < b.id; });
  TypeNode n;
  n.op = op;
  n.fields = std::move(fields);
  return t.add(std::move(n));
}

TypeRef TypeTable::record(std::vector<Field> fields) { return fields_node(*this, Op::Record, std::move(fields)); }
TypeRef TypeTable::variant(std::vector<Field> fields) { return fields_node(*this, Op::Variant, std::move(fields)); }

TypeRef TypeTable::tuple(const std::vector<TypeRef>& elems) {
  std::vector<Field> fs;
  for (size_t i = 0; i < elems.size(); ++i) fs.push_back(field(static_cast<uint32_t>(i), elems[i]));
  return record(std::move(fs));
}

TypeRef TypeTable::func(FuncType f) {
  TypeNode n;
  n.op = Op::Func;
  n.func = std::move(f);
  return add(std::move(n));
}

TypeRef TypeTable::service(std::vector<Method> methods) {
  std::sort(methods.begin(), methods.end(), [](const Method& a, const Method& b) { return a.name < b.name; });
  TypeNode n;
  n.op = Op::Service;
  n.methods = std::move(methods);
  return add(std::move(n));
}

TypeRef TypeTable::import(const TypeTable& other, TypeRef r) {
  if (r < 0 || &other == this) return r;
  // Breadth-first copy: every reachable node gets its new index on first sight, so cycles map to cycles.
  std::vector<TypeRef> map(other.nodes.size(), -1);
  std::vector<TypeRef> queue;
  auto visit = [&](TypeRef x) -> TypeRef {
    if (x < 0 || static_cast<size_t>(x) >= other.nodes.size()) return x;
    if (map[static_cast<size_t>(x)] < 0) {
      map[static_cast<size_t>(x)] = add(other.node(x));
      queue.push_back(x);
    }
    return map[static_cast<size_t>(x)];
  };
  TypeRef result = visit(r);
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    TypeNode n = other.node(queue[qi]);  // copy: adding nodes may reallocate `nodes`
    n.inner = visit(n.inner);
    for (auto& f : n.fields) f.type = visit(f.type);
    for (auto& a : n.func.args) a = visit(a);
    for (auto& a : n.func.results) a = visit(a);
    for (auto& m : n.methods) m.type = visit(m.type);
    node(map[static_cast<size_t>(queue[qi])]) = std::move(n);
  }
  return result;
}

Field field(std::string_view name, TypeRef type) { return Field{field_hash(name), std::string(name), type}; }
Field field(uint32_t id, TypeRef type) { return Field{id, std::string(), type}; }

bool is_null_like(const TypeTable& t, TypeRef r) {
  if (!t.valid(r)) return false;
  Op o = t.op(r);
  return o == Op::Null || o == Op::Opt || o == Op::Reserved;
}

// ---------------------------------------------------------------------------------------------
// Well-formedness

ic::Status validate(const TypeTable& t) {
  auto bad = [](size_t i, const std::string& what) {
    return ic::make_error(ic::Errc::invalid_input, "type table entry " + std::to_string(i) + ": " + what,
                          "the type definition is malformed");
  };
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    const TypeNode& n = t.nodes[i];
    auto ref_ok = [&](TypeRef r) { return t.valid(r); };
    switch (n.op) {
      case Op::Opt:
      case Op::Vec:
        if (!ref_ok(n.inner)) return bad(i, "inner type reference out of range");
        break;
      case Op::Record:
      case Op::Variant:
        for (size_t k = 0; k < n.fields.size(); ++k) {
          if (!ref_ok(n.fields[k].type)) return bad(i, "field type reference out of range");
          if (k > 0 && n.fields[k - 1].id >= n.fields[k].id)
            return bad(i, "field ids are not strictly increasing (duplicate field " +
                              std::to_string(n.fields[k].id) + "?)");
        }
        break;
      case Op::Func:
        for (TypeRef a : n.func.args)
          if (!ref_ok(a)) return bad(i, "func argument type reference out of range");
        for (TypeRef a : n.func.results)
          if (!ref_ok(a)) return bad(i, "func result type reference out of range");
        if (n.func.modes.size() > 1) return bad(i, "func has more than one annotation");
        for (FuncMode m : n.func.modes) {
          if (m != FuncMode::Query && m != FuncMode::Oneway && m != FuncMode::CompositeQuery)
            return bad(i, "unknown func annotation");
          if (m == FuncMode::Oneway && !n.func.results.empty()) return bad(i, "a oneway func has results");
        }
        break;
      case Op::Service:
        for (size_t k = 0; k < n.methods.size(); ++k) {
          const Method& m = n.methods[k];
          if (m.type < 0 || !ref_ok(m.type) || t.op(m.type) != Op::Func)
            return bad(i, "method `" + m.name + "` does not refer to a func type");
          if (!valid_utf8(m.name)) return bad(i, "method name is not valid UTF-8");
          if (k > 0 && !(n.methods[k - 1].name < m.name))
            return bad(i, "method names are not strictly increasing (duplicate `" + m.name + "`?)");
        }
        break;
      default:
        return bad(i, std::string("opcode ") + std::to_string(static_cast<int>(n.op)) +
                          " is not a composite type");
    }
  }
  return {};
}

ic::Status validate(const TypeTable& t, const std::vector<TypeRef>& types) {
  IC_CHECK(validate(t));
  for (size_t i = 0; i < types.size(); ++i)
    if (!t.valid(types[i]))
      return ic::make_error(ic::Errc::invalid_input, "argument type " + std::to_string(i) + " is out of range",
                            "the type list refers to a type the table does not have");
  return {};
}

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) { ++i; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    // Reject overlong forms, UTF-16 surrogates and code points beyond U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Subtyping (Candid.md "Subtyping"). Coinductive: a pair being checked is assumed to hold, so
// recursive types terminate. No rule has a fallback alternative once it applies (the opt rules make
// every type a subtype of any option), so a single failure fails the whole check and the set of
// assumed pairs never needs retracting.

namespace {

struct Subtyper {
  const TypeTable* left;  // the table of the original left-hand type (to tell directions apart)
  uint32_t max_depth;
  uint64_t& steps;
  std::set<std::tuple<bool, TypeRef, TypeRef>> assumed;
  bool limit_hit = false;

  bool sub(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b, uint32_t depth) {
    if (limit_hit) return false;
    if (!ta.valid(a) || !tb.valid(b)) return false;
    Op ob = tb.op(b);
    // reserved is the top type; any type is a subtype of an option (the catch-all opt rules).
    if (ob == Op::Reserved || ob == Op::Opt) return true;
    Op oa = ta.op(a);
    if (oa == Op::Empty) return true;  // empty is the bottom type
    if (ob == Op::Principal) return oa == Op::Principal || oa == Op::Service;  // service <: principal
    if (a < 0 || b < 0) return oa == ob || (oa == Op::Nat && ob == Op::Int);
    if (oa != ob) return false;
    if (depth >= max_depth || steps == 0) {
      limit_hit = true;
      return false;
    }
    --steps;
    if (!assumed.insert({&ta == left, a, b}).second) return true;
    const TypeNode& na = ta.node(a);
    const TypeNode& nb = tb.node(b);
    switch (ob) {
      case Op::Vec:
        return sub(ta, na.inner, tb, nb.inner, depth + 1);
      case Op::Record: {
        // Every expected field must be present with a subtype, or be missing at a null-like type.
        size_t i = 0;
        for (const Field& fb : nb.fields) {
          while (i < na.fields.size() && na.fields[i].id < fb.id) ++i;
          if (i < na.fields.size() && na.fields[i].id == fb.id) {
            if (!sub(ta, na.fields[i].type, tb, fb.type, depth + 1)) return false;
          } else if (!is_null_like(tb, fb.type)) {
            return false;
          }
        }
        return true;
      }
      case Op::Variant: {
        // Every case of the left variant must exist on the right.
        size_t j = 0;
        for (const Field& fa : na.fields) {
          while (j < nb.fields.size() && nb.fields[j].id < fa.id) ++j;
          if (j == nb.fields.size() || nb.fields[j].id != fa.id) return false;
          if (!sub(ta, fa.type, tb, nb.fields[j].type, depth + 1)) return false;
        }
        return true;
      }
      case Op::Func: {
        std::vector<FuncMode> ma = na.func.modes, mb = nb.func.modes;
        std::sort(ma.begin(), ma.end());
        std::sort(mb.begin(), mb.end());
        if (ma != mb) return false;
        // Arguments are contravariant, results covariant (both as tuples).
        return tuple(tb, nb.func.args, ta, na.func.args, depth) &&
               tuple(ta, na.func.results, tb, nb.func.results, depth);
      }
      case Op::Service: {
        size_t i = 0;
        for (const Method& mb : nb.methods) {
          while (i < na.methods.size() && na.methods[i].name < mb.name) ++i;
          if (i == na.methods.size() || na.methods[i].name != mb.name) return false;
          if (!sub(ta, na.methods[i].type, tb, mb.type, depth + 1)) return false;
        }
        return true;
      }
      default:
        return false;
    }
  }

  // Tuple subtyping, as records with fields 0..n-1: extra left elements are ignored, missing ones
  // must be null-like.
  bool tuple(const TypeTable& ta, const std::vector<TypeRef>& as, const TypeTable& tb,
             const std::vector<TypeRef>& bs, uint32_t depth) {
    for (size_t i = 0; i < bs.size(); ++i) {
      if (i < as.size()) {
        if (!sub(ta, as[i], tb, bs[i], depth + 1)) return false;
      } else if (!is_null_like(tb, bs[i])) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace

ic::Result<bool> check_subtype(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b,
                               uint32_t max_depth, uint64_t& steps) {
  Subtyper s{&ta, max_depth, steps, {}, false};
  bool r = s.sub(ta, a, tb, b, 0);
  if (s.limit_hit)
    return ic::make_error(ic::Errc::limit,
                          "subtype check exceeded its limits (" + std::to_string(max_depth) +
                              " levels of nesting or too many type pairs)",
                          "the types are too deep or too large to compare");
  return r;
}

bool is_subtype(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b) {
  uint64_t steps = 1'000'000;
  auto r = check_subtype(ta, a, tb, b, 256, steps);
  return r.ok() && *r;
}

}  // namespace candid
