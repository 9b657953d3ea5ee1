// Candid values printed as didc prints them (the candid crate's IDLArgs Display): the same document shapes
// laid out by a Wadler-style pretty-printer at 80 columns, with the lookahead of the Rust `pretty` crate
// didc uses, so line breaks fall where didc puts them. Deep values and long vecs use didc's compact form.
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "candid/text/internal.h"
#include "candid/text/text.h"

namespace candid::text {

namespace {

using detail::EscapeStyle;

// ---- documents

// A document is text with optional line breaks: `alt` picks its first branch when the enclosing group is
// broken and its second when the group is laid out flat; `line` is a newline or one space, `soft` a
// newline or nothing. A group is flat when it fits: its flat text plus what follows it up to the next
// possible line break stays within the width (that lookahead is the `pretty` crate's).
class Docs {
 public:
  using Id = int;
  Docs() {
    nil_ = add(Nil, 0, 0);
    Id newline = add(Newline, 0, 0);
    line_ = alt(newline, text(" "));
    soft_ = alt(newline, nil_);
  }
  Id text(std::string_view s) {
    Id d = add(Text, static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(s.size()));
    text_ += s;
    return d;
  }
  Id cat(const std::vector<Id>& kids) {
    Id d = add(Cat, static_cast<uint32_t>(kids_.size()), static_cast<uint32_t>(kids.size()));
    kids_.insert(kids_.end(), kids.begin(), kids.end());
    return d;
  }
  Id alt(Id broken, Id flat) { return add(Alt, static_cast<uint32_t>(broken), static_cast<uint32_t>(flat)); }
  Id group(Id d) { return add(Group, static_cast<uint32_t>(d), 0); }
  Id nest(Id d) { return add(Nest, static_cast<uint32_t>(d), 0); }  // didc indents by 2

  // didc's `enclose` / `enclose_space`: `{` body `}` on one line, or body on its own lines, indented.
  Id enclose(const std::string& open, Id body, const std::string& close, bool spaced) {
    if (body == nil_) return text(open + close);  // an empty list
    Id brk = spaced ? line_ : soft_;
    return group(cat({nest(cat({text(open), brk, body})), brk, text(close)}));
  }
  // didc's `concat`: items separated by `sep` and a line; when broken, the last item gets a `sep` too.
  Id list(const std::vector<Id>& items, const std::string& sep) {
    if (items.empty()) return nil_;
    Id s = text(sep);
    std::vector<Id> flat;
    flat.reserve(3 * items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) {
        flat.push_back(s);
        flat.push_back(line_);
      }
      flat.push_back(items[i]);
    }
    Id single = cat(flat);
    return alt(cat({single, s}), single);
  }

  std::string render(Id root, size_t width) const {
    if (width == 0) width = SIZE_MAX;
    std::string out;
    size_t pos = 0;
    std::vector<Cmd> stack{{0, false, root}};
    while (!stack.empty()) {
      Cmd c = stack.back();
      stack.pop_back();
      const Node& n = nodes_[static_cast<size_t>(c.doc)];
      Id a = static_cast<Id>(n.a);
      switch (n.kind) {
        case Nil: break;
        case Text:
          out.append(text_, n.a, n.b);
          pos += n.b;
          break;
        case Newline:
          out += '\n';
          out.append(c.indent, ' ');
          pos = c.indent;
          break;
        case Alt: stack.push_back({c.indent, c.flat, c.flat ? static_cast<Id>(n.b) : a}); break;
        case Group: stack.push_back({c.indent, c.flat || fits(a, pos, width, stack), a}); break;
        case Nest: stack.push_back({c.indent + 2, c.flat, a}); break;
        case Cat:
          for (size_t i = n.b; i-- > 0;) stack.push_back({c.indent, c.flat, kids_[n.a + i]});
          break;
      }
    }
    return out;
  }

 private:
  enum Kind : uint8_t { Nil, Text, Newline, Alt, Group, Nest, Cat };
  // Text: a = offset into text_, b = length; Alt: a = broken, b = flat; Group, Nest: a = the document;
  // Cat: a = offset into kids_, b = count. (Compact, since a large value has millions of nodes.)
  struct Node {
    Kind kind;
    uint32_t a, b;
  };
  struct Cmd {
    size_t indent;
    bool flat;
    Id doc;
  };

  Id add(Kind k, uint32_t a, uint32_t b) {
    nodes_.push_back({k, a, b});
    return static_cast<Id>(nodes_.size() - 1);
  }

  // Does `doc`, laid out flat at column `pos`, and then the pending commands (broken) up to their first
  // newline, stay within the width?
  bool fits(Id doc, size_t pos, size_t width, const std::vector<Cmd>& rest) const {
    std::vector<Id> todo{doc};
    size_t next_rest = rest.size();
    bool flat = true;
    while (true) {
      Id d;
      if (!todo.empty()) {
        d = todo.back();
        todo.pop_back();
      } else {
        if (next_rest == 0) return true;
        d = rest[--next_rest].doc;
        flat = false;
      }
      const Node& n = nodes_[static_cast<size_t>(d)];
      switch (n.kind) {
        case Nil: break;
        case Text:
          pos += n.b;
          if (pos > width) return false;
          break;
        case Newline: return !flat;
        case Alt: todo.push_back(static_cast<Id>(flat ? n.b : n.a)); break;
        case Group:
        case Nest: todo.push_back(static_cast<Id>(n.a)); break;
        case Cat:
          for (size_t i = n.b; i-- > 0;) todo.push_back(kids_[n.a + i]);
          break;
      }
    }
  }

  std::vector<Node> nodes_;
  std::string text_;
  std::vector<Id> kids_;
  Id nil_, line_, soft_;
};

// ---- scalars

// Between two shortest digit strings that read back to the same float and are equally close to it, Rust
// takes the larger (3061734.25f32 prints as 3061734.3) where to_chars takes the even one (…4.2). Given
// to_chars' digits d1d2…dn (value d1.d2…dn × 10^exp), returns the digits Rust prints.
std::string round_ties_up(const std::string& digits, int exp, double magnitude, bool single) {
  std::string up = digits;
  size_t i = up.size();
  while (i > 0 && up[i - 1] == '9') up[--i] = '0';
  if (i == 0) return digits;  // a carry would make a shorter string, which to_chars would have found
  ++up[i - 1];
  std::string cand = up.substr(0, 1) + "." + up.substr(1) + "e" + std::to_string(exp);
  bool same;
  if (single) {
    float f = 0;
    std::from_chars(cand.data(), cand.data() + cand.size(), f);
    same = static_cast<double>(f) == magnitude;
  } else {
    double d = 0;
    std::from_chars(cand.data(), cand.data() + cand.size(), d);
    same = d == magnitude;
  }
  if (!same) return digits;
  // A tie: the float is exactly halfway, i.e. its exact decimal expansion is digits followed by a 5.
  char exact[1100];  // a double has at most 767 significant decimal digits; glibc prints them exactly
  int len = std::snprintf(exact, sizeof exact, "%.780e", magnitude);
  std::string_view ex(exact, static_cast<size_t>(len));
  size_t e = ex.find('e');
  std::string all;
  for (char ch : ex.substr(0, e))
    if (ch != '.') all += ch;
  while (all.size() > 1 && all.back() == '0') all.pop_back();
  int ex_exp = std::atoi(std::string(ex.substr(e + 1)).c_str());
  return ex_exp == exp && all == digits + "5" ? up : digits;
}

// Rust's Display for f64/f32 (what didc prints): the shortest digits that read back to the same float, in
// positional notation (never an exponent), with ".0" appended to integral values; NaN, inf, -inf.
std::string float_text(double v, bool single) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v), std::chars_format::scientific)
                  : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));  // "-1.2345e-07"
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e))
    if (ch != '.') digits += ch;
  int exp = 0;
  std::string_view es = sci.substr(e + 1);
  if (es[0] == '+') es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  digits = round_ties_up(digits, exp, std::fabs(v), single);
  // value = 0.d1d2d3… × 10^(exp+1)
  int point = exp + 1;  // digits before the decimal point
  int nd = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point >= nd) {
    out += digits;
    out.append(static_cast<size_t>(point - nd), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits.substr(static_cast<size_t>(point));
  }
  if (std::trunc(v) == v) out += ".0";
  return out;
}

// Bytes in a `blob "…"` literal as didc writes them: when every byte is printable ASCII or \t \n \r, the
// printable ones are kept except " ' ` \, which become \XX like \t \n \r; otherwise every byte is \XX.
std::string blob_text(const ic::Bytes& b) {
  static const char* hex = "0123456789abcdef";
  bool ascii = true;
  for (uint8_t ch : b)
    if (!((ch >= 0x20 && ch <= 0x7e) || ch == '\t' || ch == '\n' || ch == '\r')) ascii = false;
  std::string s = "blob \"";
  for (uint8_t ch : b) {
    if (ascii && ch >= 0x20 && ch <= 0x7e && ch != '"' && ch != '\'' && ch != '`' && ch != '\\') {
      s += static_cast<char>(ch);
    } else {
      s += '\\';
      s += hex[ch >> 4];
      s += hex[ch & 15];
    }
  }
  return s + "\"";
}

// Values that print with a type annotation (didc's has_type_annotation); after `opt` they need parentheses.
bool annotated(const Value& v) {
  bool number = v.kind >= Op::Float64 && v.kind <= Op::Nat;  // opcodes -3 (nat) down to -14 (float64)
  return number || v.kind == Op::Null || v.kind == Op::Reserved;
}

constexpr TypeRef kUnknown = INT32_MIN;
constexpr size_t kPrettyDepth = 10;  // didc: MAX_ELEMENTS_FOR_PRETTY_PRINT, for both depth and vec length

class ValuePrinter {
 public:
  ValuePrinter(const TypeTable& t, Docs& d) : t_(t), d_(d) {}

  // didc's pp_value: composite values as documents down to `depth` levels, the rest in compact form.
  Docs::Id pretty(const Value& v, TypeRef type, size_t depth) {
    if (depth == 0) return compact_doc(v, type);
    const TypeNode* n = node(v, type);
    switch (v.kind) {
      case Op::Opt: {
        if (v.items.empty()) return d_.text("null");
        Docs::Id inner = pretty(v.items[0], n ? n->inner : kUnknown, depth - 1);
        if (annotated(v.items[0])) inner = d_.enclose("(", inner, ")", false);
        return d_.cat({d_.text("opt "), inner});
      }
      case Op::Vec: {
        if (is_blob(v, n) || v.items.size() > kPrettyDepth) return compact_doc(v, type);
        std::vector<Docs::Id> items;
        for (const Value& item : v.items) items.push_back(pretty(item, n ? n->inner : kUnknown, depth - 1));
        return d_.cat({d_.text("vec "), d_.enclose("{", d_.list(items, ";"), "}", true)});
      }
      case Op::Record: {
        bool tuple = is_tuple(v);
        std::vector<Docs::Id> items;
        for (const FieldValue& f : v.fields) {
          const Field* tf = find_field(n, f.id);
          Docs::Id fd = pretty(f.value, tf ? tf->type : kUnknown, depth - 1);
          items.push_back(tuple ? fd : d_.cat({d_.text(label(tf, f.id) + " = "), fd}));
        }
        return d_.cat({d_.text("record "), d_.enclose("{", d_.list(items, ";"), "}", true)});
      }
      case Op::Variant: {
        if (v.fields.empty()) return d_.text("variant {}");  // not a valid value; shown, not hidden
        const FieldValue& f = v.fields[0];
        const Field* tf = find_field(n, f.id);
        Docs::Id fd = d_.text(label(tf, f.id));
        if (f.value.kind != Op::Null)
          fd = d_.cat({d_.text(label(tf, f.id) + " = "), pretty(f.value, tf ? tf->type : kUnknown, depth - 1)});
        return d_.cat({d_.text("variant "), d_.enclose("{", fd, "}", true)});
      }
      default: return d_.text(scalar(v, EscapeStyle::escape_debug));
    }
  }

  // didc's Debug form, all on one line: `record { a = 1 : nat; b = vec { 2 : nat;};}`, tuple fields unlabelled
  // while their ids count 0, 1, 2…
  void compact(const Value& v, TypeRef type, std::string& out, int guard = 0) {
    if (guard > 4 * detail::kMaxNesting) {
      out += "…";  // only hand-built values nest this deep (decoded and parsed ones are bounded)
      return;
    }
    const TypeNode* n = node(v, type);
    switch (v.kind) {
      case Op::Opt:
        if (v.items.empty()) {
          out += "null";
        } else {
          bool paren = annotated(v.items[0]);
          out += paren ? "opt (" : "opt ";
          compact(v.items[0], n ? n->inner : kUnknown, out, guard + 1);
          if (paren) out += ')';
        }
        return;
      case Op::Vec:
        if (is_blob(v, n)) {
          out += blob_text(v.bytes);
          return;
        }
        out += "vec {";
        for (const Value& item : v.items) {
          out += ' ';
          compact(item, n ? n->inner : kUnknown, out, guard + 1);
          out += ';';
        }
        out += '}';
        return;
      case Op::Record:
        out += "record {";
        for (size_t i = 0; i < v.fields.size(); ++i) {
          const FieldValue& f = v.fields[i];
          const Field* tf = find_field(n, f.id);
          out += ' ';
          if (f.id != i) out += label(tf, f.id) + " = ";
          compact(f.value, tf ? tf->type : kUnknown, out, guard + 1);
          out += ';';
        }
        out += '}';
        return;
      case Op::Variant: {
        out += "variant { ";
        if (!v.fields.empty()) {
          const FieldValue& f = v.fields[0];
          const Field* tf = find_field(n, f.id);
          out += label(tf, f.id);
          if (f.value.kind != Op::Null) {
            out += " = ";
            compact(f.value, tf ? tf->type : kUnknown, out, guard + 1);
          }
        }
        out += " }";
        return;
      }
      default: out += scalar(v, EscapeStyle::debug);
    }
  }

 private:
  Docs::Id compact_doc(const Value& v, TypeRef type) {
    std::string s;
    compact(v, type, s);
    return d_.text(s);
  }

  // The type's node when it agrees with the value (then it supplies field names and tells blobs apart).
  const TypeNode* node(const Value& v, TypeRef type) const {
    if (type == kUnknown || type < 0 || !t_.valid(type) || t_.op(type) != v.kind) return nullptr;
    return &t_.node(type);
  }
  static bool is_blob(const Value& v, const TypeNode* n) {
    return n ? n->inner == ref(Op::Nat8) : (v.items.empty() && !v.bytes.empty());
  }
  static bool is_tuple(const Value& v) {
    for (size_t i = 0; i < v.fields.size(); ++i)
      if (v.fields[i].id != i) return false;
    return true;
  }
  static const Field* find_field(const TypeNode* n, uint32_t id) {
    if (!n) return nullptr;
    for (const Field& f : n->fields)
      if (f.id == id) return &f;
    return nullptr;
  }
  // A name when the type has one (quoted unless it is a plain identifier), else the id with `_` groups.
  static std::string label(const Field* tf, uint32_t id) {
    if (tf && !tf->name.empty()) return detail::label_text(tf->name);
    return detail::group_digits(std::to_string(id));
  }

  static std::string scalar(const Value& v, EscapeStyle style) {
    using detail::group_digits;
    switch (v.kind) {
      case Op::Null: return "null : null";
      case Op::Bool: return v.boolean ? "true" : "false";
      case Op::Nat: return group_digits(v.number.to_decimal()) + " : nat";
      case Op::Int: return group_digits(v.number.to_decimal()) + " : int";
      case Op::Nat8: return std::to_string(v.nat) + " : nat8";  // 8-bit numbers are never grouped
      case Op::Nat16: return group_digits(std::to_string(v.nat)) + " : nat16";
      case Op::Nat32: return group_digits(std::to_string(v.nat)) + " : nat32";
      case Op::Nat64: return group_digits(std::to_string(v.nat)) + " : nat64";
      case Op::Int8: return std::to_string(v.integer) + " : int8";
      case Op::Int16: return group_digits(std::to_string(v.integer)) + " : int16";
      case Op::Int32: return group_digits(std::to_string(v.integer)) + " : int32";
      case Op::Int64: return group_digits(std::to_string(v.integer)) + " : int64";
      case Op::Float32: return float_text(v.real, true) + " : float32";
      case Op::Float64: return float_text(v.real, false) + " : float64";
      case Op::Text: return "\"" + detail::escape_text(v.text, style) + "\"";
      case Op::Reserved: return "null : reserved";
      case Op::Empty: return "null : empty";  // no value has type empty; only a hand-built Value gets here
      case Op::Principal: return "principal \"" + detail::principal_to_text(v.bytes) + "\"";
      case Op::Service: return "service \"" + detail::principal_to_text(v.bytes) + "\"";
      case Op::Func: return "func \"" + detail::principal_to_text(v.bytes) + "\"." + detail::label_text(v.text);
      default: return "?";
    }
  }

  const TypeTable& t_;
  Docs& d_;
};

}  // namespace

std::string print_args(const Args& args, const PrintOptions& opts) {
  Docs d;
  ValuePrinter p(args.table, d);
  std::vector<Docs::Id> items;
  for (size_t i = 0; i < args.values.size(); ++i)
    items.push_back(p.pretty(args.values[i], i < args.types.size() ? args.types[i] : kUnknown, kPrettyDepth));
  return d.render(d.enclose("(", d.list(items, ","), ")", false), opts.width);
}

std::string print_value(const TypeTable& table, TypeRef type, const Value& v, const PrintOptions& opts) {
  Docs d;
  ValuePrinter p(table, d);
  return d.render(p.pretty(v, type, kPrettyDepth), opts.width);
}

}  // namespace candid::text
