// Candid values in text (Candid.md "Values"), in didc's notation: parse to an untyped tree first, then
// either check it against expected types or infer types the way didc does, then build candid::Value.
#include "candid/text/text.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>

#include "candid/text/did.h"
#include "candid/text/internal.h"

namespace candid::text {

using detail::Cursor;
using detail::kMaxNesting;

namespace {

// ---- the untyped value tree

struct Pos {
  uint32_t line = 1, col = 1;
};
std::string pos_str(Pos p) { return std::to_string(p.line) + ":" + std::to_string(p.col); }
Pos pos_of(const Token& t) { return Pos{t.line, t.col}; }

struct VField {
  uint32_t id = 0;
  std::string name;  // empty for numeric/positional ids
  int value = -1;    // -1: a variant label alone (`variant { ok }`), i.e. null
  Pos at;
};

struct VNode {
  enum Kind { Null, Bool, Int, Float, Text, Blob, Opt, Vec, Record, Variant, Principal, Service, Func, Annot } kind = Null;
  Pos at;
  bool boolean = false;
  bool neg = false;    // Int/Float: a `-` sign
  bool utf8 = true;    // Text
  std::string s;       // Int/Float: literal without `_`; Text/Blob: bytes; Func: method name
  ic::Bytes principal; // Principal/Service/Func
  std::vector<int> kids;        // Opt, Annot: one; Vec: elements
  std::vector<VField> fields;   // Record; Variant: one
  int type_expr = -1;           // Annot
  TypeRef ann = INT32_MIN;      // Annot: the type, once resolved into the annotation table
};

struct Tree {
  std::vector<VNode> nodes;
  detail::TypeArena types;
  int add(VNode n) {
    nodes.push_back(std::move(n));
    return static_cast<int>(nodes.size() - 1);
  }
};

class ValueParser {
 public:
  ValueParser(Cursor& c, Tree& t) : c_(c), t_(t) {}

  // <annval> ::= <val> | <val> : <datatype>
  ic::Result<int> annval(int depth) {
    IC_TRY(int v, val(depth));
    if (!c_.at(Tok::Colon)) return v;
    VNode a;
    a.kind = VNode::Annot;
    a.at = t_.nodes[static_cast<size_t>(v)].at;
    c_.next();
    IC_TRY(a.type_expr, detail::parse_type_expr(c_, t_.types));
    a.kids.push_back(v);
    return t_.add(std::move(a));
  }

  // ( <annval>,* )
  ic::Result<std::vector<int>> args() {
    if (!c_.at(Tok::LParen))
      return c_.error(c_.peek(), "expected `(` starting the argument list, found " + describe(c_.peek()),
                      "arguments are written as a tuple, e.g. (42, \"text\")");
    c_.next();
    std::vector<int> out;
    while (!c_.at(Tok::RParen)) {
      IC_TRY(int v, annval(1));
      out.push_back(v);
      if (!c_.accept(Tok::Comma)) break;
    }
    IC_CHECK(c_.expect(Tok::RParen, "`,` or `)` in the argument list"));
    return out;
  }

  ic::Result<int> val(int depth) {
    const Token& t = c_.peek();
    if (depth > kMaxNesting) return c_.error(t, "value nested more than " + std::to_string(kMaxNesting) + " levels deep");
    VNode n;
    n.at = pos_of(t);
    switch (t.kind) {
      case Tok::LParen: {
        c_.next();
        IC_TRY(int v, annval(depth + 1));
        IC_CHECK(c_.expect(Tok::RParen, "`)`"));
        return v;
      }
      case Tok::Sign: {
        n.neg = c_.next().raw == "-";
        const Token& num = c_.peek();
        if (num.kind == Tok::Int || num.kind == Tok::Float) {
          n.kind = num.kind == Tok::Int ? VNode::Int : VNode::Float;
          n.s = c_.next().text;
          return t_.add(std::move(n));
        }
        if (num.kind == Tok::Ident && (num.text == "inf" || num.text == "nan" || num.text == "NaN")) {
          n.kind = VNode::Float;
          n.s = c_.next().text;
          return t_.add(std::move(n));
        }
        return c_.unexpected("a number after the sign");
      }
      case Tok::Int:
      case Tok::Float:
        n.kind = t.kind == Tok::Int ? VNode::Int : VNode::Float;
        n.s = c_.next().text;
        return t_.add(std::move(n));
      case Tok::Text:
        n.kind = VNode::Text;
        n.utf8 = t.utf8;
        n.s = c_.next().text;
        return t_.add(std::move(n));
      case Tok::Ident: break;
      default: return c_.unexpected("a value");
    }
    const std::string w = t.text;
    if (w == "true" || w == "false") {
      c_.next();
      n.kind = VNode::Bool;
      n.boolean = w == "true";
    } else if (w == "null") {
      c_.next();
      n.kind = VNode::Null;
    } else if (w == "nan" || w == "NaN" || w == "inf") {
      c_.next();
      n.kind = VNode::Float;
      n.s = w;
    } else if (w == "opt") {
      c_.next();
      n.kind = VNode::Opt;
      IC_TRY(int v, val(depth + 1));
      n.kids.push_back(v);
    } else if (w == "vec") {
      c_.next();
      n.kind = VNode::Vec;
      IC_CHECK(c_.expect(Tok::LBrace, "`{` after `vec`"));
      while (!c_.at(Tok::RBrace)) {
        IC_TRY(int v, annval(depth + 1));
        n.kids.push_back(v);
        if (!c_.accept(Tok::Semi)) break;
      }
      IC_CHECK(c_.expect(Tok::RBrace, "`;` or `}` in the vec"));
    } else if (w == "blob") {
      c_.next();
      n.kind = VNode::Blob;
      IC_TRY(Token s, c_.expect(Tok::Text, "a text literal after `blob`"));
      n.s = std::move(s.text);
    } else if (w == "record") {
      c_.next();
      n.kind = VNode::Record;
      IC_CHECK(record_fields(n, depth));
    } else if (w == "variant") {
      c_.next();
      n.kind = VNode::Variant;
      IC_CHECK(variant_field(n, depth));
    } else if (w == "principal" || w == "service") {
      c_.next();
      n.kind = w == "principal" ? VNode::Principal : VNode::Service;
      IC_TRY(n.principal, principal_literal());
    } else if (w == "func") {
      // func "<principal>".<method>
      c_.next();
      n.kind = VNode::Func;
      IC_TRY(n.principal, principal_literal());
      IC_CHECK(c_.expect(Tok::Dot, "`.` and the method name after the principal"));
      if (c_.at(Tok::Text) && !c_.peek().utf8) return c_.error(c_.peek(), "method name is not valid UTF-8");
      if (!c_.at(Tok::Ident) && !c_.at(Tok::Text)) return c_.unexpected("a method name");
      n.s = c_.next().text;
    } else {
      return c_.error(t, "expected a value, found " + describe(t));
    }
    return t_.add(std::move(n));
  }

 private:
  ic::Result<ic::Bytes> principal_literal() {
    const Token& t = c_.peek();
    if (t.kind != Tok::Text) return c_.unexpected("a principal in quotes, e.g. \"aaaaa-aa\"");
    auto p = detail::principal_from_text(t.text);
    if (!p.ok()) return c_.error(t, "invalid principal " + detail::quote_text(t.text) + ": " + p.error().message);
    c_.next();
    return std::move(p).value();
  }

  bool label_ahead() const {
    Tok k = c_.peek().kind;
    return (k == Tok::Ident || k == Tok::Text || k == Tok::Int) && c_.peek(1).kind == Tok::Equals;
  }

  ic::Status label(VField& f) {
    const Token& t = c_.next();
    f.at = pos_of(t);
    if (t.kind == Tok::Int) {
      IC_TRY(f.id, parse_field_id(c_, t));
      return {};
    }
    if (t.kind == Tok::Text && !t.utf8) return c_.error(t, "field name is not valid UTF-8");
    f.name = t.text;
    f.id = field_hash(f.name);
    return {};
  }

  ic::Status record_fields(VNode& n, int depth) {
    IC_CHECK(c_.expect(Tok::LBrace, "`{` after `record`"));
    uint64_t next_id = 0;
    while (!c_.at(Tok::RBrace)) {
      VField f;
      f.at = pos_of(c_.peek());
      if (label_ahead()) {
        IC_CHECK(label(f));
        c_.next();  // '='
      } else {
        // Positional fields take the previous id + 1 (Candid.md "Syntactic Shorthands" for values).
        if (next_id > 0xFFFFFFFFull) return c_.error(c_.peek(), "positional field id exceeds 2^32-1");
        f.id = static_cast<uint32_t>(next_id);
      }
      IC_TRY(f.value, annval(depth + 1));
      next_id = static_cast<uint64_t>(f.id) + 1;
      n.fields.push_back(std::move(f));
      if (!c_.accept(Tok::Semi)) break;
    }
    IC_CHECK(c_.expect(Tok::RBrace, "`;` or `}` in the record"));
    return {};
  }

  ic::Status variant_field(VNode& n, int depth) {
    IC_CHECK(c_.expect(Tok::LBrace, "`{` after `variant`"));
    Tok k = c_.peek().kind;
    if (k != Tok::Ident && k != Tok::Text && k != Tok::Int)
      return c_.error(c_.peek(), "a variant value needs exactly one case, e.g. variant { ok = 1 } or variant { none }");
    VField f;
    IC_CHECK(label(f));
    if (c_.accept(Tok::Equals)) {
      IC_TRY(f.value, annval(depth + 1));
    }
    c_.accept(Tok::Semi);
    n.fields.push_back(std::move(f));
    IC_CHECK(c_.expect(Tok::RBrace, "`}` (a variant value has exactly one case)"));
    return {};
  }

  Cursor& c_;
  Tree& t_;
};

// ---- numbers

// The literal's magnitude; hex is converted through bytes so the cost stays linear.
ic::Result<ic::BigNat> magnitude(const VNode& n) {
  std::string_view s = n.s;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (s.size() > 200000) return ic::make_error(ic::Errc::limit, "hex number has more than 200000 digits");
    ic::Bytes be((s.size() + 1) / 2, 0);
    for (size_t i = 0; i < s.size(); ++i) {
      char ch = s[s.size() - 1 - i];
      uint8_t d = static_cast<uint8_t>(ch >= '0' && ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
      be[be.size() - 1 - i / 2] |= static_cast<uint8_t>(i % 2 ? d << 4 : d);
    }
    return ic::BigNat::from_bytes_be(be);
  }
  return ic::BigNat::from_decimal(s);
}

template <class F>
ic::Result<F> parse_float(const VNode& n, const char* type_name) {
  std::string_view s = n.s;
  F v{};
  std::from_chars_result r;
  if (s == "NaN") s = "nan";
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    r = std::from_chars(s.data() + 2, s.data() + s.size(), v, std::chars_format::hex);
  else
    r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range)
    return ic::make_error(ic::Errc::type_mismatch, std::string(n.neg ? "-" : "") + n.s + " is out of range for " + type_name);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    return ic::make_error(ic::Errc::invalid_input, "malformed number `" + n.s + "`");
  return n.neg ? -v : v;
}

// nat, int, nat8…int64, float32, float64: opcodes -3 down to -14.
bool is_number_op(Op op) { return op >= Op::Float64 && op <= Op::Nat; }

std::string describe_node(const VNode& n) {
  switch (n.kind) {
    case VNode::Null: return "null";
    case VNode::Bool: return n.boolean ? "true" : "false";
    case VNode::Int:
    case VNode::Float: return (n.neg ? "-" : "") + n.s;
    case VNode::Text: return "text " + detail::quote_text(n.s.size() > 40 ? n.s.substr(0, 40) + "…" : n.s);
    case VNode::Blob: return "a blob";
    case VNode::Opt: return "an opt value";
    case VNode::Vec: return "a vec";
    case VNode::Record: return "a record";
    case VNode::Variant: return "a variant";
    case VNode::Principal: return "a principal";
    case VNode::Service: return "a service reference";
    case VNode::Func: return "a func reference";
    case VNode::Annot: return "an annotated value";
  }
  return "a value";
}

// ---- checking against a type (and building the Value)

class Builder {
 public:
  // Annotation types are built into ann_table, which must start as a copy of opts.env's table when there is
  // an env (its names refer to that table).
  Builder(Tree& t, TypeTable& ann_table, const ParseOptions& opts) : t_(t), ann_table_(ann_table), opts_(opts) {}

  ic::Result<Value> check(int idx, const TypeTable& tt, TypeRef T, int depth = 0) {
    VNode& n = t_.nodes[static_cast<size_t>(idx)];
    if (!tt.valid(T)) return fail(n, "invalid type reference " + std::to_string(T));
    Op op = tt.op(T);
    if (op == Op::Reserved) return Value::reserved();  // anything fits reserved, its content is dropped
    if (n.kind == VNode::Annot) return check_annot(n, tt, T, depth);
    if (depth > 2 * kMaxNesting) return fail(n, "type nested too deeply");
    switch (n.kind) {
      case VNode::Null:
        if (op == Op::Null) return Value::null();
        if (op == Op::Opt) return Value::none();
        break;
      case VNode::Bool:
        if (op == Op::Bool) return Value::of_bool(n.boolean);
        break;
      case VNode::Int:
        if (is_number_op(op)) return number(n, op);
        break;
      case VNode::Float:
        if (op == Op::Float32 || op == Op::Float64) return number(n, op);
        if (is_number_op(op)) return fail(n, describe_node(n) + " is not an integer, but the type is " + type_name(tt, T));
        break;
      case VNode::Text:
        if (op == Op::Text) {
          if (!n.utf8) return fail(n, "text is not valid UTF-8", "use blob \"…\" for arbitrary bytes");
          return Value::of_text(n.s);
        }
        break;
      case VNode::Blob:
        if (op == Op::Vec && tt.node(T).inner == ref(Op::Nat8)) return Value::of_blob(ic::to_bytes(n.s));
        break;
      case VNode::Opt:
        if (op == Op::Opt) {
          path_.push_back("opt value");
          IC_TRY(Value v, check(n.kids[0], tt, tt.node(T).inner, depth + 1));
          path_.pop_back();
          return Value::some(std::move(v));
        }
        break;
      case VNode::Vec:
        if (op == Op::Vec) return vec(n, tt, tt.node(T).inner, depth);
        break;
      case VNode::Record:
        if (op == Op::Record) return record(n, tt, T, depth);
        break;
      case VNode::Variant:
        if (op == Op::Variant) return variant(n, tt, T, depth);
        break;
      case VNode::Principal:
        if (op == Op::Principal) return Value::of_principal(n.principal);
        break;
      case VNode::Service:
        if (op == Op::Service) return Value::of_service(n.principal);
        break;
      case VNode::Func:
        if (op == Op::Func) return Value::of_func(n.principal, n.s);
        break;
      case VNode::Annot: break;
    }
    if (op == Op::Empty) return fail(n, "no value has type empty");
    return fail(n, describe_node(n) + " does not fit type " + type_name(tt, T));
  }

  // Infers a type for an unannotated value as didc does: integers are int, floats float64, `null` is
  // null, `vec {}` is vec empty, records/variants have exactly the fields written. Vector elements
  // are joined (e.g. `vec { null; opt 1 }` is vec opt int) and then checked at the joined type.
  ic::Result<TypeRef> infer(int idx, TypeTable& tt, int depth = 0) {
    VNode& n = t_.nodes[static_cast<size_t>(idx)];
    switch (n.kind) {
      case VNode::Null: return ref(Op::Null);
      case VNode::Bool: return ref(Op::Bool);
      case VNode::Int: return ref(Op::Int);
      case VNode::Float: return ref(Op::Float64);
      case VNode::Text: return ref(Op::Text);
      case VNode::Principal: return ref(Op::Principal);
      case VNode::Blob: return mk(tt, Op::Vec, ref(Op::Nat8));
      case VNode::Opt: {
        IC_TRY(TypeRef inner, infer(n.kids[0], tt, depth + 1));
        return mk(tt, Op::Opt, inner);
      }
      case VNode::Vec: {
        TypeRef elem = ref(Op::Empty);
        for (size_t i = 0; i < n.kids.size(); ++i) {
          IC_TRY(TypeRef t, infer(n.kids[i], tt, depth + 1));
          auto j = join(tt, elem, t, 0);
          if (!j.ok())
            return fail(t_.nodes[static_cast<size_t>(n.kids[i])],
                        "vec element " + std::to_string(i) + " has type " + type_name(tt, t) +
                            ", unlike the elements before it (" + type_name(tt, elem) + ")",
                        "annotate the vec, e.g. (vec { … } : vec opt nat)");
          elem = *j;
        }
        return mk(tt, Op::Vec, elem);
      }
      case VNode::Record:
      case VNode::Variant: {
        TypeNode r;
        r.op = n.kind == VNode::Record ? Op::Record : Op::Variant;
        IC_CHECK(field_ids(n));
        for (const VField& f : n.fields) {
          Field fd = as_field(f);
          if (f.value >= 0) {
            IC_TRY(fd.type, infer(f.value, tt, depth + 1));
          } else {
            fd.type = ref(Op::Null);
          }
          r.fields.push_back(std::move(fd));
        }
        return detail::add_node(tt, std::move(r));
      }
      case VNode::Service: {
        TypeNode s;
        s.op = Op::Service;
        return detail::add_node(tt, std::move(s));
      }
      case VNode::Func: {
        TypeNode f;
        f.op = Op::Func;
        return detail::add_node(tt, std::move(f));
      }
      case VNode::Annot: return annotation(n);
    }
    return ref(Op::Null);
  }

  std::vector<std::string>& path() { return path_; }

 private:
  static TypeRef mk(TypeTable& tt, Op op, TypeRef inner) {
    TypeNode n;
    n.op = op;
    n.inner = inner;
    return tt.add(std::move(n));
  }

  static std::string type_name(const TypeTable& tt, TypeRef t) { return print_type(tt, t); }
  static std::string field_label(const Field& f) {
    return f.name.empty() ? std::to_string(f.id) : "`" + f.name + "`";
  }

  ic::Error fail_at(Pos p, const std::string& msg, std::string hint = {}) {
    std::string where;
    for (const auto& s : path_) where += (where.empty() ? "" : ", ") + s;
    return ic::make_error(ic::Errc::type_mismatch, pos_str(p) + ": " + (where.empty() ? "" : where + ": ") + msg,
                          std::move(hint));
  }
  ic::Error fail(const VNode& n, const std::string& msg, std::string hint = {}) { return fail_at(n.at, msg, std::move(hint)); }
  void note(Pos p, const std::string& msg) {
    std::string where;
    for (const auto& s : path_) where += (where.empty() ? "" : ", ") + s;
    opts_.warnings->push_back(pos_str(p) + ": " + (where.empty() ? "" : where + ": ") + msg);
  }

  static Field as_field(const VField& f) {
    Field fd;
    fd.id = f.id;
    fd.name = f.name;
    return fd;
  }
  // The record's field ids with their positions, sorted; an error names the first repeated field.
  ic::Result<std::vector<std::pair<uint32_t, size_t>>> field_ids(const VNode& n) {
    std::vector<std::pair<uint32_t, size_t>> ids;
    for (size_t i = 0; i < n.fields.size(); ++i) ids.emplace_back(n.fields[i].id, i);
    std::sort(ids.begin(), ids.end());
    size_t dup = SIZE_MAX;
    for (size_t i = 1; i < ids.size(); ++i)
      if (ids[i].first == ids[i - 1].first) dup = std::min(dup, ids[i].second);
    if (dup != SIZE_MAX)
      return fail_at(n.fields[dup].at, "field " + field_label(as_field(n.fields[dup])) + " appears twice");
    return ids;
  }

  ic::Result<TypeRef> annotation(VNode& n) {
    if (n.ann != INT32_MIN) return n.ann;
    std::map<std::string, TypeRef> names;
    if (opts_.env) names = opts_.env->names;
    detail::Resolver r(ann_table_, names, t_.types);
    IC_TRY(n.ann, r.build(n.type_expr));
    return n.ann;
  }

  ic::Result<Value> check_annot(VNode& n, const TypeTable& tt, TypeRef T, int depth) {
    IC_TRY(TypeRef a, annotation(n));
    if (&tt == &ann_table_ && a == T) return check(n.kids[0], tt, T, depth + 1);
    // `(v : t)` where the context expects T: v must fit t, and t must be a subtype of T. Warnings come from
    // the second check, at T, which decides the value.
    ++quiet_;
    auto at_ann = check(n.kids[0], ann_table_, a, depth + 1);
    --quiet_;
    IC_CHECK(at_ann);
    if (!detail::same_type(ann_table_, a, tt, T) && !is_subtype(ann_table_, a, tt, T))
      return fail(n, "the value is annotated as " + type_name(ann_table_, a) + ", which does not fit type " +
                         type_name(tt, T));
    return check(n.kids[0], tt, T, depth + 1);
  }

  ic::Result<Value> number(const VNode& n, Op op) {
    auto wrap = [&](ic::Error e) { return fail(n, e.message, e.hint); };
    if (op == Op::Float32) {
      auto f = parse_float<float>(n, "float32");
      if (!f.ok()) return wrap(f.take_error());
      return Value::of_float32(*f);
    }
    if (op == Op::Float64) {
      auto f = parse_float<double>(n, "float64");
      if (!f.ok()) return wrap(f.take_error());
      return Value::of_float64(*f);
    }
    auto m = magnitude(n);
    if (!m.ok()) return wrap(m.take_error());
    bool neg = n.neg && !m->is_zero();
    std::string shown = (n.neg ? "-" : "") + n.s;
    if (op == Op::Int) return Value::of_int(ic::BigInt(std::move(*m), neg));
    if (neg && (op == Op::Nat || (op >= Op::Nat64 && op <= Op::Nat8)))
      return fail(n, "negative number " + shown + " does not fit " + print_type(TypeTable{}, ref(op)));
    if (op == Op::Nat) return Value::of_nat(std::move(*m));
    auto u = m->to_u64();
    int bits = 0;
    bool is_signed = false;
    switch (op) {
      case Op::Nat8: bits = 8; break;
      case Op::Nat16: bits = 16; break;
      case Op::Nat32: bits = 32; break;
      case Op::Nat64: bits = 64; break;
      case Op::Int8: bits = 8; is_signed = true; break;
      case Op::Int16: bits = 16; is_signed = true; break;
      case Op::Int32: bits = 32; is_signed = true; break;
      case Op::Int64: bits = 64; is_signed = true; break;
      default: break;
    }
    std::string tn = print_type(TypeTable{}, ref(op));
    if (!is_signed) {
      uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
      if (!u || *u > max)
        return fail(n, shown + " is out of range for " + tn + " (0 to " + std::to_string(max) + ")");
      return Value::of_fixed_nat(op, *u);
    }
    uint64_t lim = uint64_t{1} << (bits - 1);  // |min|; max is lim - 1
    if (!u || *u > (neg ? lim : lim - 1))
      return fail(n, shown + " is out of range for " + tn + " (-" + std::to_string(lim) + " to " +
                         std::to_string(lim - 1) + ")");
    int64_t v = neg ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
    return Value::of_fixed_int(op, v);
  }

  ic::Result<Value> vec(const VNode& n, const TypeTable& tt, TypeRef elem, int depth) {
    bool bytes = elem == ref(Op::Nat8);
    ic::Bytes b;
    std::vector<Value> items;
    for (size_t i = 0; i < n.kids.size(); ++i) {
      path_.push_back("vec element " + std::to_string(i));
      IC_TRY(Value v, check(n.kids[i], tt, elem, depth + 1));
      path_.pop_back();
      if (bytes)
        b.push_back(static_cast<uint8_t>(v.nat));
      else
        items.push_back(std::move(v));
    }
    return bytes ? Value::of_blob(std::move(b)) : Value::of_vec(std::move(items));
  }

  ic::Result<Value> record(const VNode& n, const TypeTable& tt, TypeRef T, int depth) {
    IC_TRY(auto given_ids, field_ids(n));
    const TypeNode& tn = tt.node(T);
    std::vector<FieldValue> out;
    // Fields the type does not mention are ignored, like the decoder ignores extra wire fields; since in
    // text that is more often a typo than an upgrade, each one is reported as a warning.
    if (opts_.warnings && quiet_ == 0) {
      std::vector<uint32_t> known;
      for (const Field& tf : tn.fields) known.push_back(tf.id);
      std::sort(known.begin(), known.end());
      for (const VField& f : n.fields)
        if (!std::binary_search(known.begin(), known.end(), f.id))
          note(f.at, "field " + field_label(as_field(f)) + " is not in the type and was ignored");
    }
    for (const Field& tf : tn.fields) {
      auto it = std::lower_bound(given_ids.begin(), given_ids.end(), std::make_pair(tf.id, size_t{0}));
      const VField* given = it != given_ids.end() && it->first == tf.id ? &n.fields[it->second] : nullptr;
      if (!given) {
        // A missing field is fine when its type has a default (Candid.md: opt fields read as null).
        Op fo = tt.op(tf.type);
        if (fo == Op::Opt) out.push_back(FieldValue{tf.id, Value::none()});
        else if (fo == Op::Null) out.push_back(FieldValue{tf.id, Value::null()});
        else if (fo == Op::Reserved) out.push_back(FieldValue{tf.id, Value::reserved()});
        else
          return fail(n, "missing field " + field_label(tf) + " of type " + type_name(tt, tf.type));
        continue;
      }
      path_.push_back("field " + field_label(tf));
      IC_TRY(Value v, check(given->value, tt, tf.type, depth + 1));
      path_.pop_back();
      out.push_back(FieldValue{tf.id, std::move(v)});
    }
    return Value::of_record(std::move(out));
  }

  ic::Result<Value> variant(const VNode& n, const TypeTable& tt, TypeRef T, int depth) {
    const VField& f = n.fields[0];
    const TypeNode& tn = tt.node(T);
    for (const Field& tf : tn.fields) {
      if (tf.id != f.id) continue;
      path_.push_back("case " + field_label(tf));
      Value v;
      if (f.value >= 0) {
        IC_TRY(v, check(f.value, tt, tf.type, depth + 1));
      } else {
        Op fo = tt.op(tf.type);
        if (fo == Op::Null) v = Value::null();
        else if (fo == Op::Opt) v = Value::none();
        else if (fo == Op::Reserved) v = Value::reserved();
        else return fail_at(f.at, "this case needs a value of type " + type_name(tt, tf.type));
      }
      path_.pop_back();
      return Value::of_variant(FieldValue{tf.id, std::move(v)});
    }
    std::string cases;
    for (const Field& tf : tn.fields) cases += (cases.empty() ? "" : ", ") + field_label(tf);
    Field shown;
    shown.id = f.id;
    shown.name = f.name;
    return fail_at(f.at, "the variant type has no case " + field_label(shown),
                   cases.empty() ? "the variant type has no cases" : "cases: " + cases);
  }

  // The least type both a and b fit, for inferring vec element types.
  ic::Result<TypeRef> join(TypeTable& tt, TypeRef a, TypeRef b, int depth) {
    auto no = [] { return ic::make_error(ic::Errc::type_mismatch, "incompatible"); };
    if (depth > 2 * kMaxNesting) return no();
    if (detail::same_type(tt, a, tt, b)) return a;
    Op oa = tt.op(a), ob = tt.op(b);
    if (oa == Op::Empty) return b;
    if (ob == Op::Empty) return a;
    if (oa == Op::Null && ob == Op::Opt) return b;
    if (ob == Op::Null && oa == Op::Opt) return a;
    // An unannotated integer literal can take any numeric type (the final check enforces the range).
    if (oa == Op::Int && is_number_op(ob)) return b;
    if (ob == Op::Int && is_number_op(oa)) return a;
    if (oa == Op::Float64 && ob == Op::Float32) return b;
    if (ob == Op::Float64 && oa == Op::Float32) return a;
    if (oa != ob || a < 0 || b < 0) return no();
    if (oa == Op::Opt || oa == Op::Vec) {
      IC_TRY(TypeRef j, join(tt, tt.node(a).inner, tt.node(b).inner, depth + 1));
      return mk(tt, oa, j);
    }
    if (oa == Op::Record || oa == Op::Variant) {
      std::vector<Field> fa = tt.node(a).fields, fb = tt.node(b).fields;
      if (oa == Op::Record && fa.size() != fb.size()) return no();
      TypeNode r;
      r.op = oa;
      size_t i = 0, j = 0;
      while (i < fa.size() || j < fb.size()) {
        if (j == fb.size() || (i < fa.size() && fa[i].id < fb[j].id)) {
          if (oa == Op::Record) return no();
          r.fields.push_back(fa[i++]);
        } else if (i == fa.size() || fb[j].id < fa[i].id) {
          if (oa == Op::Record) return no();
          r.fields.push_back(fb[j++]);
        } else {
          IC_TRY(TypeRef t, join(tt, fa[i].type, fb[j].type, depth + 1));
          Field f = fa[i];
          if (f.name.empty()) f.name = fb[j].name;
          f.type = t;
          r.fields.push_back(std::move(f));
          ++i;
          ++j;
        }
      }
      return detail::add_node(tt, std::move(r));
    }
    return no();
  }

  Tree& t_;
  TypeTable& ann_table_;
  const ParseOptions& opts_;
  int quiet_ = 0;  // > 0 while checking against an annotation: no warnings
  std::vector<std::string> path_;
};

}  // namespace

ic::Result<Args> parse_args(std::string_view text, const TypeTable* table, const std::vector<TypeRef>* types,
                            const ParseOptions& opts) {
  IC_TRY(auto toks, tokenize(text));
  Cursor c(std::move(toks));
  Tree tree;
  ValueParser p(c, tree);
  IC_TRY(std::vector<int> nodes, p.args());
  if (!c.at(Tok::End)) return c.unexpected("end of input after the argument list");

  Args out;
  if (!table || !types) {
    // Inferred and annotation types share the result's table (with env's types when names may be used).
    if (opts.env) out.table = opts.env->table;
    Builder b(tree, out.table, opts);
    for (size_t i = 0; i < nodes.size(); ++i) {
      b.path().assign(1, "argument " + std::to_string(i));
      IC_TRY(TypeRef t, b.infer(nodes[i], out.table));
      IC_TRY(Value v, b.check(nodes[i], out.table, t));
      out.types.push_back(t);
      out.values.push_back(std::move(v));
    }
    return out;
  }
  out.table = *table;
  out.types = *types;
  if (nodes.size() > types->size())
    return ic::make_error(ic::Errc::type_mismatch,
                          std::to_string(nodes.size()) + " values given, but the types take only " +
                              std::to_string(types->size()),
                          "expected (" + [&] {
                            std::string s;
                            for (size_t i = 0; i < types->size(); ++i)
                              s += (i ? ", " : "") + print_type(*table, (*types)[i]);
                            return s;
                          }() + ")");
  // Annotation types live apart from the caller's table.
  TypeTable scratch = opts.env ? opts.env->table : TypeTable{};
  Builder b(tree, scratch, opts);
  for (size_t i = 0; i < types->size(); ++i) {
    TypeRef t = (*types)[i];
    if (!table->valid(t)) return ic::make_error(ic::Errc::internal, "invalid type reference " + std::to_string(t));
    if (i >= nodes.size()) {
      // Missing trailing arguments read as null when their type allows it, as in the binary decoder.
      Op op = table->op(t);
      if (op == Op::Opt) out.values.push_back(Value::none());
      else if (op == Op::Null) out.values.push_back(Value::null());
      else if (op == Op::Reserved) out.values.push_back(Value::reserved());
      else
        return ic::make_error(ic::Errc::type_mismatch,
                              "argument " + std::to_string(i) + " of type " + print_type(*table, t) + " is missing");
      continue;
    }
    b.path().assign(1, "argument " + std::to_string(i));
    IC_TRY(Value v, b.check(nodes[i], *table, t));
    out.values.push_back(std::move(v));
  }
  return out;
}

ic::Result<Args> parse_args(std::string_view text, const DidFile& env, const std::vector<TypeRef>* types,
                            const ParseOptions& opts) {
  ParseOptions o = opts;
  o.env = &env;
  return parse_args(text, &env.table, types, o);
}

ic::Result<Value> parse_value(std::string_view text, const TypeTable& table, TypeRef type, const ParseOptions& opts) {
  IC_TRY(auto toks, tokenize(text));
  Cursor c(std::move(toks));
  Tree tree;
  ValueParser p(c, tree);
  IC_TRY(int node, p.annval(0));
  if (!c.at(Tok::End)) return c.unexpected("end of input after the value");
  TypeTable scratch = opts.env ? opts.env->table : TypeTable{};
  Builder b(tree, scratch, opts);
  return b.check(node, table, type);
}

}  // namespace candid::text
