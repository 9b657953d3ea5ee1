// Shared internals of the text library (not a public interface): a token cursor, the type-expression
// parser and name resolver used by both the `.did` parser and value annotations, and small helpers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "candid/text/lexer.h"
#include "candid/types.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace candid::text::detail {

// Nesting bound for types and values in text: deep enough for any real interface, shallow enough
// that recursive descent cannot exhaust the stack on hostile input.
constexpr int kMaxNesting = 400;

class Cursor {
 public:
  explicit Cursor(std::vector<Token> toks) : toks_(std::move(toks)) {}
  const Token& peek(size_t k = 0) const {
    size_t i = pos_ + k;
    return i < toks_.size() ? toks_[i] : toks_.back();
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool at(Tok k) const { return peek().kind == k; }
  bool at_ident(std::string_view word) const { return peek().kind == Tok::Ident && peek().text == word; }
  bool accept(Tok k) {
    if (!at(k)) return false;
    next();
    return true;
  }
  ic::Error error(const Token& t, const std::string& msg, std::string hint = {}) const {
    return ic::make_error(ic::Errc::invalid_input, pos(t) + ": " + msg, std::move(hint));
  }
  ic::Error unexpected(const std::string& expected) const {
    return error(peek(), "expected " + expected + ", found " + describe(peek()));
  }
  ic::Result<Token> expect(Tok k, const std::string& what) {
    if (!at(k)) return unexpected(what);
    return next();
  }
  static std::string pos(const Token& t) { return std::to_string(t.line) + ":" + std::to_string(t.col); }
  size_t index() const { return pos_; }

 private:
  std::vector<Token> toks_;
  size_t pos_ = 0;
};

// ---- Type expressions: parsed into an arena first, resolved into a TypeTable afterwards (names may be
// used before they are defined, and definitions may be mutually recursive).

struct TField {
  uint32_t id = 0;
  std::string name;  // empty for numeric / positional ids
  int type = -1;
  Token at;
};
struct TMethod {
  std::string name;
  int type = -1;  // a Func or Name expression
  Token at;
};
struct TExpr {
  enum Kind { Prim, Name, Opt, Vec, Record, Variant, Func, Service } kind = Prim;
  Op prim = Op::Null;
  std::string name;
  int inner = -1;
  std::vector<TField> fields;
  std::vector<int> args, results;
  std::vector<FuncMode> modes;
  std::vector<TMethod> methods;
  Token at;
};
struct TypeArena {
  std::vector<TExpr> nodes;
  int add(TExpr e) {
    nodes.push_back(std::move(e));
    return static_cast<int>(nodes.size() - 1);
  }
};

// <datatype>
// A numeric field id token: decimal or 0x hex, below 2^32 (Candid.md "Records").
ic::Result<uint32_t> parse_field_id(const Cursor& c, const Token& t);

ic::Result<int> parse_type_expr(Cursor& c, TypeArena& a, int depth = 0);
// ( <argtype>,* ) with optional `name :` prefixes.
ic::Result<std::vector<int>> parse_tuple_type(Cursor& c, TypeArena& a, int depth = 0);
// <tuptype> -> <tuptype> <funcann>*  (after `func`, or a method's type).
ic::Result<int> parse_func_sig(Cursor& c, TypeArena& a, int depth = 0);
// { <methtype>;* }
ic::Result<int> parse_service_body(Cursor& c, TypeArena& a, int depth = 0);

struct Def {
  std::string name;
  int expr = -1;
  Token at;
};

// Turns arena expressions into TypeTable nodes. `names` holds already resolved names (and receives new
// definitions); `defs` are new definitions, resolved all at once so they can refer to each other.
class Resolver {
 public:
  Resolver(TypeTable& table, std::map<std::string, TypeRef>& names, const TypeArena& arena,
           std::map<std::string, std::string>* aliases = nullptr)
      : table_(table), names_(names), arena_(arena), aliases_(aliases) {}
  ic::Status define(const std::vector<Def>& defs);
  ic::Result<TypeRef> build(int expr);

 private:
  ic::Status fill(TypeRef r, const TExpr& e);
  ic::Result<TypeNode> make(const TExpr& e);
  ic::Result<TypeRef> lookup(const TExpr& e);
  TypeTable& table_;
  std::map<std::string, TypeRef>& names_;
  const TypeArena& arena_;
  std::map<std::string, std::string>* aliases_;
};

// Composite types resolved directly (fields sorted by id, methods by name), so the text library does not
// depend on how the codec's builders treat duplicates.
TypeRef add_node(TypeTable& t, TypeNode n);

// Structural equality of two (possibly recursive) types.
bool same_type(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b);

// Names: identifiers that are not keywords print bare, everything else quoted.
bool is_keyword(std::string_view s);
std::string label_text(std::string_view name);
// Escaping as didc prints text, i.e. as Rust does: `escape_debug` escapes `'` and combining marks only at
// the start; `debug` (didc's compact form, Rust's `{:?}`) leaves `'` alone and escapes every combining mark.
// Non-printable characters become \u{…}; bytes that are not UTF-8 become \XX.
enum class EscapeStyle { escape_debug, debug };
std::string escape_text(std::string_view bytes, EscapeStyle style);
// "…" around escape_text(bytes, escape_debug): text values, quoted names.
std::string quote_text(std::string_view bytes);
// 1234567 -> 1_234_567 (didc groups digits this way; the lexer accepts it back).
std::string group_digits(const std::string& decimal);

// Principal text form (the IC interface spec's "Textual representation of principals").
ic::Result<ic::Bytes> principal_from_text(std::string_view s);
std::string principal_to_text(ic::ByteView b);

}  // namespace candid::text::detail
