// The `.did` language (Candid.md "Type Structure", "Type Definitions", "Interfaces") and type printing.
#include "candid/text/did.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "candid/text/internal.h"
#include "candid/text/text.h"

namespace candid::text {

using detail::Cursor;
using detail::Def;
using detail::Resolver;
using detail::TExpr;
using detail::TField;
using detail::TMethod;
using detail::TypeArena;

namespace detail {

namespace {

struct PrimName {
  const char* name;
  Op op;
};
constexpr PrimName kPrims[] = {
    {"null", Op::Null},       {"bool", Op::Bool},       {"nat", Op::Nat},         {"int", Op::Int},
    {"nat8", Op::Nat8},       {"nat16", Op::Nat16},     {"nat32", Op::Nat32},     {"nat64", Op::Nat64},
    {"int8", Op::Int8},       {"int16", Op::Int16},     {"int32", Op::Int32},     {"int64", Op::Int64},
    {"float32", Op::Float32}, {"float64", Op::Float64}, {"text", Op::Text},       {"reserved", Op::Reserved},
    {"empty", Op::Empty},     {"principal", Op::Principal},
};

const char* prim_name(Op op) {
  for (const auto& p : kPrims)
    if (p.op == op) return p.name;
  return nullptr;
}


bool is_label_start(const Cursor& c) {
  Tok k = c.peek().kind;
  return (k == Tok::Ident || k == Tok::Text || k == Tok::Int);
}

// A label token (identifier, quoted name or numeric id) into (id, name).
ic::Status read_label(Cursor& c, TField& f) {
  const Token& t = c.next();
  f.at = t;
  if (t.kind == Tok::Int) {
    IC_TRY(f.id, parse_field_id(c, t));
    return {};
  }
  if (t.kind == Tok::Text && !t.utf8) return c.error(t, "field name is not valid UTF-8");
  f.name = t.text;
  f.id = field_hash(f.name);
  return {};
}

ic::Result<int> parse_fields(Cursor& c, TypeArena& a, TExpr e, int depth) {
  bool variant = e.kind == TExpr::Variant;
  IC_CHECK(c.expect(Tok::LBrace, "`{`"));
  uint64_t next_id = 0;
  while (!c.at(Tok::RBrace)) {
    TField f;
    f.at = c.peek();
    if (is_label_start(c) && c.peek(1).kind == Tok::Colon) {
      IC_CHECK(read_label(c, f));
      c.next();  // ':'
      IC_TRY(f.type, parse_type_expr(c, a, depth + 1));
    } else if (variant && is_label_start(c)) {
      // `variant { red; 3 }`: a label alone means a null case (Candid.md "Enumeration Types").
      IC_CHECK(read_label(c, f));
      TExpr null_type;
      null_type.prim = Op::Null;
      null_type.at = f.at;
      f.type = a.add(std::move(null_type));
    } else if (variant) {
      return c.unexpected("a variant case (`name`, `name : type` or `N : type`)");
    } else {
      // `record { nat; text }`: positional fields take the previous id + 1 (Candid.md "Tuple Fields").
      if (next_id > 0xFFFFFFFFull) return c.error(f.at, "positional field id exceeds 2^32-1");
      f.id = static_cast<uint32_t>(next_id);
      IC_TRY(f.type, parse_type_expr(c, a, depth + 1));
    }
    next_id = static_cast<uint64_t>(f.id) + 1;
    e.fields.push_back(std::move(f));
    if (!c.accept(Tok::Semi)) break;
  }
  IC_CHECK(c.expect(Tok::RBrace, variant ? "`;` or `}` in the variant" : "`;` or `}` in the record"));
  return a.add(std::move(e));
}

}  // namespace

ic::Result<uint32_t> parse_field_id(const Cursor& c, const Token& t) {
  // Field ids (Candid.md "Records"): decimal or 0x hex, below 2^32.
  std::string_view s = t.text;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  for (char ch : s) {
    int d = ch >= '0' && ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    if (v > 0xFFFFFFFFull) return c.error(t, "field id " + std::string(t.raw) + " does not fit 32 bits");
  }
  return static_cast<uint32_t>(v);
}

ic::Result<std::vector<int>> parse_tuple_type(Cursor& c, TypeArena& a, int depth) {
  IC_CHECK(c.expect(Tok::LParen, "`(` starting a type list"));
  std::vector<int> out;
  while (!c.at(Tok::RParen)) {
    // `(name : text, age : nat8)`: argument names document only (Candid.md "Named Parameters").
    if ((c.at(Tok::Ident) || c.at(Tok::Text)) && c.peek(1).kind == Tok::Colon) {
      c.next();
      c.next();
    }
    IC_TRY(int t, parse_type_expr(c, a, depth + 1));
    out.push_back(t);
    if (!c.accept(Tok::Comma)) break;
  }
  IC_CHECK(c.expect(Tok::RParen, "`,` or `)` in the type list"));
  return out;
}

ic::Result<int> parse_func_sig(Cursor& c, TypeArena& a, int depth) {
  TExpr e;
  e.kind = TExpr::Func;
  e.at = c.peek();
  IC_TRY(e.args, parse_tuple_type(c, a, depth));
  IC_CHECK(c.expect(Tok::Arrow, "`->` after the argument types"));
  IC_TRY(e.results, parse_tuple_type(c, a, depth));
  for (;;) {
    if (c.at_ident("query")) {
      e.modes.push_back(FuncMode::Query);
    } else if (c.at_ident("oneway")) {
      e.modes.push_back(FuncMode::Oneway);
    } else if (c.at_ident("composite_query")) {
      e.modes.push_back(FuncMode::CompositeQuery);
    } else {
      break;
    }
    c.next();
  }
  return a.add(std::move(e));
}

ic::Result<int> parse_service_body(Cursor& c, TypeArena& a, int depth) {
  TExpr e;
  e.kind = TExpr::Service;
  e.at = c.peek();
  IC_CHECK(c.expect(Tok::LBrace, "`{` starting the service's methods"));
  while (!c.at(Tok::RBrace)) {
    TMethod m;
    m.at = c.peek();
    if (!c.at(Tok::Ident) && !c.at(Tok::Text)) return c.unexpected("a method name");
    if (c.at(Tok::Text) && !c.peek().utf8) return c.error(m.at, "method name is not valid UTF-8");
    m.name = c.next().text;
    IC_CHECK(c.expect(Tok::Colon, "`:` after the method name"));
    if (c.at(Tok::LParen)) {
      IC_TRY(m.type, parse_func_sig(c, a, depth + 1));
    } else if (c.at_ident("func")) {
      c.next();
      IC_TRY(m.type, parse_func_sig(c, a, depth + 1));
    } else if (c.at(Tok::Ident) && !is_keyword(c.peek().text)) {
      TExpr n;
      n.kind = TExpr::Name;
      n.at = c.peek();
      n.name = c.next().text;
      m.type = a.add(std::move(n));
    } else {
      return c.unexpected("a function type `(…) -> (…)` or the name of one");
    }
    e.methods.push_back(std::move(m));
    if (!c.accept(Tok::Semi)) break;
  }
  IC_CHECK(c.expect(Tok::RBrace, "`;` or `}` in the service"));
  return a.add(std::move(e));
}

ic::Result<int> parse_type_expr(Cursor& c, TypeArena& a, int depth) {
  const Token& t = c.peek();
  if (depth > kMaxNesting) return c.error(t, "type nested more than " + std::to_string(kMaxNesting) + " levels deep");
  if (t.kind != Tok::Ident) return c.unexpected("a type");
  TExpr e;
  e.at = t;
  const std::string w = t.text;
  for (const auto& p : kPrims) {
    if (w == p.name) {
      c.next();
      e.kind = TExpr::Prim;
      e.prim = p.op;
      return a.add(std::move(e));
    }
  }
  if (w == "blob") {
    c.next();
    TExpr n8;
    n8.kind = TExpr::Prim;
    n8.prim = Op::Nat8;
    n8.at = e.at;
    e.kind = TExpr::Vec;
    e.inner = a.add(std::move(n8));
    return a.add(std::move(e));
  }
  if (w == "opt" || w == "vec") {
    c.next();
    e.kind = w == "opt" ? TExpr::Opt : TExpr::Vec;
    IC_TRY(e.inner, parse_type_expr(c, a, depth + 1));
    return a.add(std::move(e));
  }
  if (w == "record" || w == "variant") {
    c.next();
    e.kind = w == "record" ? TExpr::Record : TExpr::Variant;
    return parse_fields(c, a, std::move(e), depth);
  }
  if (w == "func") {
    c.next();
    return parse_func_sig(c, a, depth + 1);
  }
  if (w == "service") {
    c.next();
    return parse_service_body(c, a, depth + 1);
  }
  if (is_keyword(w)) return c.error(t, "expected a type, found the keyword `" + w + "`");
  c.next();
  e.kind = TExpr::Name;
  e.name = w;
  return a.add(std::move(e));
}

// ---- resolution

TypeRef add_node(TypeTable& t, TypeNode n) {
  std::sort(n.fields.begin(), n.fields.end(), [](const Field& x, const Field& y) { return x.id < y.id; });
  std::sort(n.methods.begin(), n.methods.end(), [](const Method& x, const Method& y) { return x.name < y.name; });
  return t.add(std::move(n));
}

namespace {
Op expr_op(const TExpr& e) {
  switch (e.kind) {
    case TExpr::Opt: return Op::Opt;
    case TExpr::Vec: return Op::Vec;
    case TExpr::Record: return Op::Record;
    case TExpr::Variant: return Op::Variant;
    case TExpr::Func: return Op::Func;
    case TExpr::Service: return Op::Service;
    default: return e.prim;
  }
}
std::string at(const Token& t) { return Cursor::pos(t); }
ic::Error err(const Token& t, const std::string& msg, std::string hint = {}) {
  return ic::make_error(ic::Errc::invalid_input, at(t) + ": " + msg, std::move(hint));
}
}  // namespace

ic::Result<TypeRef> Resolver::lookup(const TExpr& e) {
  auto it = names_.find(e.name);
  if (it == names_.end()) return err(e.at, "unknown type `" + e.name + "`", "define it with `type " + e.name + " = …;`");
  return it->second;
}

ic::Result<TypeRef> Resolver::build(int expr) {
  const TExpr& e = arena_.nodes[static_cast<size_t>(expr)];
  if (e.kind == TExpr::Prim) return ref(e.prim);
  if (e.kind == TExpr::Name) return lookup(e);
  IC_TRY(TypeNode n, make(e));
  return add_node(table_, std::move(n));
}

ic::Result<TypeNode> Resolver::make(const TExpr& e) {
  TypeNode n;
  n.op = expr_op(e);
  switch (e.kind) {
    case TExpr::Opt:
    case TExpr::Vec: {
      IC_TRY(n.inner, build(e.inner));
      break;
    }
    case TExpr::Record:
    case TExpr::Variant: {
      std::vector<std::pair<Field, const Token*>> fs;
      for (const TField& f : e.fields) {
        IC_TRY(TypeRef t, build(f.type));
        Field fld;
        fld.id = f.id;
        fld.name = f.name;
        fld.type = t;
        fs.emplace_back(std::move(fld), &f.at);
      }
      std::stable_sort(fs.begin(), fs.end(), [](const auto& x, const auto& y) { return x.first.id < y.first.id; });
      for (size_t i = 1; i < fs.size(); ++i) {
        if (fs[i].first.id != fs[i - 1].first.id) continue;
        auto show = [](const Field& f) { return f.name.empty() ? std::to_string(f.id) : "`" + f.name + "`"; };
        return err(*fs[i].second, "field " + show(fs[i].first) + " has the same id (" + std::to_string(fs[i].first.id) +
                                      ") as field " + show(fs[i - 1].first),
                   "field names must have distinct hashes (Candid.md \"Records\")");
      }
      for (auto& f : fs) n.fields.push_back(std::move(f.first));
      break;
    }
    case TExpr::Func: {
      for (int a : e.args) {
        IC_TRY(TypeRef t, build(a));
        n.func.args.push_back(t);
      }
      for (int r : e.results) {
        IC_TRY(TypeRef t, build(r));
        n.func.results.push_back(t);
      }
      n.func.modes = e.modes;
      if (n.func.modes.size() > 1)
        return err(e.at, "a function takes at most one of `query`, `composite_query` and `oneway`");
      if (!n.func.modes.empty() && n.func.modes[0] == FuncMode::Oneway && !n.func.results.empty())
        return err(e.at, "a `oneway` function cannot have results", "write `-> ()`");
      break;
    }
    case TExpr::Service: {
      std::set<std::string> seen;
      for (const TMethod& m : e.methods) {
        IC_TRY(TypeRef t, build(m.type));
        if (table_.op(t) != Op::Func)
          return err(m.at, "method `" + m.name + "` must have a function type", "write `" + m.name + " : (…) -> (…)`");
        if (!seen.insert(m.name).second) return err(m.at, "method `" + m.name + "` is declared twice");
        n.methods.push_back(Method{m.name, t});
      }
      std::sort(n.methods.begin(), n.methods.end(), [](const Method& x, const Method& y) { return x.name < y.name; });
      break;
    }
    default: break;
  }
  return n;
}

ic::Status Resolver::fill(TypeRef r, const TExpr& e) {
  IC_TRY(TypeNode n, make(e));
  table_.node(r) = std::move(n);
  return {};
}

ic::Status Resolver::define(const std::vector<Def>& defs) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < defs.size(); ++i) {
    const Def& d = defs[i];
    if (is_keyword(d.name)) return err(d.at, "`" + d.name + "` is a keyword and cannot name a type");
    if (names_.count(d.name)) return err(d.at, "type `" + d.name + "` is already defined");
    auto [it, fresh] = index.emplace(d.name, i);
    if (!fresh) return err(d.at, "type `" + d.name + "` is defined twice (first at " + at(defs[it->second].at) + ")");
  }
  // Composite definitions get their node first, so definitions can refer to each other in any order.
  std::vector<std::pair<TypeRef, const TExpr*>> pending;
  for (const Def& d : defs) {
    const TExpr& e = arena_.nodes[static_cast<size_t>(d.expr)];
    if (e.kind == TExpr::Prim) {
      names_[d.name] = ref(e.prim);
    } else if (e.kind != TExpr::Name) {
      TypeNode placeholder;
      placeholder.op = expr_op(e);
      TypeRef r = table_.add(std::move(placeholder));
      names_[d.name] = r;
      pending.emplace_back(r, &e);
    }
  }
  // Aliases (`type A = B;`) follow their chain iteratively; a chain that returns to itself never reaches a
  // type constructor and is refused (Candid.md "Type Definitions": every cycle must be productive).
  for (const Def& d : defs) {
    if (aliases_ && arena_.nodes[static_cast<size_t>(d.expr)].kind == TExpr::Name)
      (*aliases_)[d.name] = arena_.nodes[static_cast<size_t>(d.expr)].name;
    if (names_.count(d.name)) continue;
    std::vector<std::string> chain{d.name};
    std::string cur = arena_.nodes[static_cast<size_t>(d.expr)].name;
    const Token* where = &arena_.nodes[static_cast<size_t>(d.expr)].at;
    TypeRef target;
    for (;;) {
      if (auto it = names_.find(cur); it != names_.end()) {
        target = it->second;
        break;
      }
      auto di = index.find(cur);
      if (di == index.end()) return err(*where, "unknown type `" + cur + "`", "define it with `type " + cur + " = …;`");
      if (std::find(chain.begin(), chain.end(), cur) != chain.end()) {
        std::string path;
        for (const auto& s : chain) path += s + " -> ";
        return err(d.at, "type `" + d.name + "` is not productive: " + path + cur,
                   "a recursive type must pass through opt, vec, record, variant, func or service");
      }
      chain.push_back(cur);
      const TExpr& e = arena_.nodes[static_cast<size_t>(defs[di->second].expr)];
      where = &e.at;
      cur = e.name;
    }
    for (const auto& s : chain) names_[s] = target;
  }
  for (const auto& [r, e] : pending) IC_CHECK(fill(r, *e));
  return {};
}

// ---- helpers

bool same_type_rec(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b,
                   std::set<std::pair<TypeRef, TypeRef>>& assumed, int depth) {
  if (a < 0 || b < 0) return a == b;
  if (!ta.valid(a) || !tb.valid(b)) return false;
  if (depth > 1000) return false;
  if (!assumed.emplace(a, b).second) return true;  // coinductive: a cycle that got here matched so far
  const TypeNode& x = ta.node(a);
  const TypeNode& y = tb.node(b);
  if (x.op != y.op) return false;
  auto list = [&](const std::vector<TypeRef>& p, const std::vector<TypeRef>& q) {
    if (p.size() != q.size()) return false;
    for (size_t i = 0; i < p.size(); ++i)
      if (!same_type_rec(ta, p[i], tb, q[i], assumed, depth + 1)) return false;
    return true;
  };
  switch (x.op) {
    case Op::Opt:
    case Op::Vec: return same_type_rec(ta, x.inner, tb, y.inner, assumed, depth + 1);
    case Op::Record:
    case Op::Variant:
      if (x.fields.size() != y.fields.size()) return false;
      for (size_t i = 0; i < x.fields.size(); ++i)
        if (x.fields[i].id != y.fields[i].id ||
            !same_type_rec(ta, x.fields[i].type, tb, y.fields[i].type, assumed, depth + 1))
          return false;
      return true;
    case Op::Func: return x.func.modes == y.func.modes && list(x.func.args, y.func.args) && list(x.func.results, y.func.results);
    case Op::Service:
      if (x.methods.size() != y.methods.size()) return false;
      for (size_t i = 0; i < x.methods.size(); ++i)
        if (x.methods[i].name != y.methods[i].name ||
            !same_type_rec(ta, x.methods[i].type, tb, y.methods[i].type, assumed, depth + 1))
          return false;
      return true;
    default: return false;
  }
}

bool same_type(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b) {
  std::set<std::pair<TypeRef, TypeRef>> assumed;
  return same_type_rec(ta, a, tb, b, assumed, 0);
}

bool is_keyword(std::string_view s) {
  static constexpr const char* kWords[] = {
      "import", "service", "func",    "type",    "opt",     "vec",      "record", "variant", "blob",     "principal",
      "nat",    "nat8",    "nat16",   "nat32",   "nat64",   "int",      "int8",   "int16",   "int32",    "int64",
      "float32", "float64", "bool",   "text",    "null",    "reserved", "empty",  "oneway",  "query", "composite_query"};
  for (const char* w : kWords)
    if (s == w) return true;
  return false;
}

std::string label_text(std::string_view name) {
  bool id = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char ch : name)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) id = false;
  if (id && !is_keyword(name)) return std::string(name);
  return quote_text(name);
}

std::string group_digits(const std::string& decimal) {
  size_t start = (!decimal.empty() && (decimal[0] == '-' || decimal[0] == '+')) ? 1 : 0;
  size_t n = decimal.size() - start;
  if (n <= 3) return decimal;
  std::string out = decimal.substr(0, start);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += '_';
    out += decimal[start + i];
  }
  return out;
}

}  // namespace detail

// ---- public: parsing

namespace {

ic::Status parse_defs(Cursor& c, TypeArena& a, std::vector<Def>& defs) {
  while (c.at_ident("type") || c.at_ident("import")) {
    if (c.at_ident("import")) {
      const Token& t = c.next();
      std::string file = c.at(Tok::Text) ? " \"" + c.peek().text + "\"" : "";
      return ic::make_error(ic::Errc::unsupported, Cursor::pos(t) + ": `import" + file + "` is not supported",
                            "copy the imported definitions into this file");
    }
    c.next();
    Def d;
    d.at = c.peek();
    IC_TRY(Token name, c.expect(Tok::Ident, "a type name after `type`"));
    d.name = name.text;
    IC_CHECK(c.expect(Tok::Equals, "`=` after `type " + d.name + "`"));
    IC_TRY(d.expr, detail::parse_type_expr(c, a));
    defs.push_back(std::move(d));
    if (!c.accept(Tok::Semi) && !c.at(Tok::End)) return c.unexpected("`;` after the definition of `" + defs.back().name + "`");
  }
  return {};
}

std::string kind_name(const TypeTable& t, TypeRef r) {
  return print_type(t, r);
}

}  // namespace

ic::Result<FuncType> DidFile::method(std::string_view name) const {
  if (!service || !table.valid(*service) || table.op(*service) != Op::Service)
    return ic::make_error(ic::Errc::not_found, "the interface has no service, so no method `" + std::string(name) + "`",
                          "the .did file needs `service : { … }`");
  const TypeNode& s = table.node(*service);
  std::string avail;
  for (const Method& m : s.methods) {
    if (m.name == name && table.valid(m.type) && table.op(m.type) == Op::Func) return table.node(m.type).func;
    avail += (avail.empty() ? "" : ", ") + m.name;
  }
  return ic::make_error(ic::Errc::not_found, "the service has no method `" + std::string(name) + "`",
                        avail.empty() ? "the service declares no methods" : "available methods: " + avail);
}

ic::Result<DidFile> parse_did(std::string_view source) {
  IC_TRY(auto toks, tokenize(source));
  Cursor c(std::move(toks));
  TypeArena a;
  std::vector<Def> defs;
  IC_CHECK(parse_defs(c, a, defs));

  // <actor> ::= service <id>? : (<tuptype> ->)? (<actortype> | <id>)
  bool has_actor = false;
  std::vector<int> init;
  bool has_init = false;
  int body = -1;
  if (c.at_ident("service")) {
    has_actor = true;
    c.next();
    if (c.at(Tok::Ident)) c.next();  // the service's name documents only
    IC_CHECK(c.expect(Tok::Colon, "`:` after `service`"));
    if (c.at(Tok::LParen)) {
      has_init = true;
      IC_TRY(init, detail::parse_tuple_type(c, a));
      IC_CHECK(c.expect(Tok::Arrow, "`->` after the service's init arguments"));
    }
    if (c.at(Tok::LBrace)) {
      IC_TRY(body, detail::parse_service_body(c, a));
    } else if (c.at(Tok::Ident) && !detail::is_keyword(c.peek().text)) {
      TExpr n;
      n.kind = TExpr::Name;
      n.at = c.peek();
      n.name = c.next().text;
      body = a.add(std::move(n));
    } else {
      return c.unexpected("`{` or the name of a service type");
    }
    c.accept(Tok::Semi);
  }
  if (!c.at(Tok::End)) {
    if (has_actor) return c.unexpected("end of file after the service (definitions go before it)");
    return c.unexpected("`type`, `import` or `service`");
  }

  DidFile f;
  Resolver r(f.table, f.names, a, &f.aliases);
  IC_CHECK(r.define(defs));
  if (has_actor) {
    IC_TRY(TypeRef s, r.build(body));
    if (f.table.op(s) != Op::Service)
      return ic::make_error(ic::Errc::invalid_input,
                            Cursor::pos(a.nodes[static_cast<size_t>(body)].at) + ": the service's type `" +
                                a.nodes[static_cast<size_t>(body)].name + "` is " + kind_name(f.table, s) +
                                ", not a service");
    f.service = s;
    for (int i : init) {
      IC_TRY(TypeRef t, r.build(i));
      f.init_args.push_back(t);
    }
    f.has_init = has_init;
  }
  return f;
}

ic::Result<DidFile> load_did(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return ic::make_error(ic::Errc::io, "cannot read .did file `" + path + "`: " + std::strerror(errno),
                          "check the path");
  std::string src((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto r = parse_did(src);
  if (!r.ok()) {
    ic::Error e = r.take_error();
    e.message = path + ":" + e.message;
    return e;
  }
  return r;
}

namespace {
ic::Result<std::vector<TypeRef>> parse_types(std::string_view text, DidFile& env, bool list) {
  IC_TRY(auto toks, tokenize(text));
  Cursor c(std::move(toks));
  TypeArena a;
  std::vector<Def> defs;
  IC_CHECK(parse_defs(c, a, defs));
  std::vector<int> exprs;
  if (list && c.at(Tok::LParen)) {
    IC_TRY(exprs, detail::parse_tuple_type(c, a));
  } else {
    IC_TRY(int e, detail::parse_type_expr(c, a));
    exprs.push_back(e);
  }
  if (!c.at(Tok::End)) return c.unexpected("end of the type");
  Resolver r(env.table, env.names, a, &env.aliases);
  IC_CHECK(r.define(defs));
  std::vector<TypeRef> out;
  for (int e : exprs) {
    IC_TRY(TypeRef t, r.build(e));
    out.push_back(t);
  }
  return out;
}
}  // namespace

ic::Result<std::vector<TypeRef>> parse_type_list(std::string_view text, DidFile& env) {
  return parse_types(text, env, true);
}

ic::Result<TypeRef> parse_type(std::string_view text, DidFile& env) {
  IC_TRY(auto v, parse_types(text, env, false));
  return v[0];
}

// ---- public: printing

namespace {

class TypePrinter {
 public:
  TypePrinter(const TypeTable& t, std::map<TypeRef, std::string> names) : t_(t), names_(std::move(names)) {}

  std::string type(TypeRef r, bool top = false) {
    if (r < 0) {
      const char* n = detail::prim_name(static_cast<Op>(r));
      return n ? n : "<invalid type " + std::to_string(r) + ">";
    }
    if (!t_.valid(r)) return "<invalid type " + std::to_string(r) + ">";
    if (!top)
      if (auto it = names_.find(r); it != names_.end()) return it->second;
    if (std::find(stack_.begin(), stack_.end(), r) != stack_.end()) return "rec_" + std::to_string(r);
    stack_.push_back(r);
    std::string s = structure(t_.node(r));
    stack_.pop_back();
    return s;
  }

  std::string func_sig(const FuncType& f) {
    std::string s = "(" + list(f.args) + ") -> (" + list(f.results) + ")";
    for (FuncMode m : f.modes)
      s += m == FuncMode::Query ? " query" : m == FuncMode::Oneway ? " oneway" : " composite_query";
    return s;
  }

  std::string methods(const TypeNode& n, const std::string& sep, const std::string& indent) {
    std::string s;
    for (const Method& m : n.methods) {
      s += indent + detail::label_text(m.name) + " : ";
      if (names_.count(m.type) || !t_.valid(m.type) || t_.op(m.type) != Op::Func)
        s += type(m.type);
      else
        s += func_sig(t_.node(m.type).func);
      s += sep;
    }
    return s;
  }

 private:
  std::string list(const std::vector<TypeRef>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + type(ts[i]);
    return s;
  }
  std::string structure(const TypeNode& n) {
    switch (n.op) {
      case Op::Opt: return "opt " + type(n.inner);
      case Op::Vec: return n.inner == ref(Op::Nat8) ? "blob" : "vec " + type(n.inner);
      case Op::Record:
      case Op::Variant: {
        bool variant = n.op == Op::Variant;
        bool tuple = !variant;
        for (size_t i = 0; i < n.fields.size(); ++i)
          if (n.fields[i].id != i || !n.fields[i].name.empty()) tuple = false;
        std::string s = variant ? "variant {" : "record {";
        for (size_t i = 0; i < n.fields.size(); ++i) {
          const Field& f = n.fields[i];
          s += i ? "; " : " ";
          if (tuple) {
            s += type(f.type);
            continue;
          }
          s += f.name.empty() ? detail::group_digits(std::to_string(f.id)) : detail::label_text(f.name);
          if (!(variant && f.type == ref(Op::Null))) s += " : " + type(f.type);
        }
        return s + (n.fields.empty() ? "}" : " }");
      }
      case Op::Func: return "func " + func_sig(n.func);
      case Op::Service: {
        std::string m = methods(n, "; ", "");
        if (m.empty()) return "service {}";
        m.resize(m.size() - 2);
        return "service { " + m + " }";
      }
      default: return "<invalid type>";
    }
  }

  const TypeTable& t_;
  std::map<TypeRef, std::string> names_;
  std::vector<TypeRef> stack_;
};

// One display name per composite node: the name it was defined with, not an alias of it.
std::map<TypeRef, std::string> invert(const DidFile& f) {
  std::map<TypeRef, std::string> out;
  for (const auto& [n, r] : f.names)
    if (r >= 0 && !f.aliases.count(n)) out.emplace(r, n);
  for (const auto& [n, r] : f.names)
    if (r >= 0) out.emplace(r, n);  // only if no definition named it
  return out;
}

}  // namespace

std::string print_type(const TypeTable& table, TypeRef type) { return TypePrinter(table, {}).type(type, true); }

std::string print_type(const DidFile& env, TypeRef type) { return TypePrinter(env.table, invert(env)).type(type, true); }

std::string print_did(const DidFile& f) {
  auto canon = invert(f);
  TypePrinter p(f.table, canon);
  std::string out;
  for (const auto& [name, r] : f.names) {
    auto it = canon.find(r);
    auto alias = f.aliases.find(name);
    std::string rhs = alias != f.aliases.end()                        ? alias->second
                      : (it != canon.end() && it->second == name) ? p.type(r, true)
                                                                   : p.type(r);
    out += "type " + name + " = " + rhs + ";\n";
  }
  if (f.service) {
    out += "service : ";
    if (f.has_init) {
      out += "(";
      for (size_t i = 0; i < f.init_args.size(); ++i) out += (i ? ", " : "") + p.type(f.init_args[i]);
      out += ") -> ";
    }
    if (canon.count(*f.service)) {
      out += canon[*f.service];
    } else if (f.table.valid(*f.service) && f.table.op(*f.service) == Op::Service) {
      std::string m = p.methods(f.table.node(*f.service), ";\n", "  ");
      out += m.empty() ? "{}" : "{\n" + m + "}";
    }
    out += ";\n";
  }
  return out;
}


}  // namespace candid::text
