// Runs every assertion of the conformance files (tests/data/candid/*.test.did) that has a binary input
// against the binary decoder, the way the README prescribes for an implementation without a text
// parser: `blob == "text"` is a plain decoding assertion. The types are read by a small parser of the
// suite's type grammar that lives here only, so the codec is checked independently of src/candid/text.
#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "candid/binary.h"
#include "support/test_data.h"

using namespace candid;

namespace {

struct Tok {
  enum Kind { Id, Num, Str, Punct, End } kind;
  std::string s;
};

std::vector<Tok> lex(const std::string& src) {
  std::vector<Tok> out;
  size_t i = 0;
  auto hexv = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  while (i < src.size()) {
    char c = src[i];
    if (isspace(static_cast<unsigned char>(c))) { ++i; continue; }
    if (src.compare(i, 2, "//") == 0) { i = src.find('\n', i); if (i == std::string::npos) break; continue; }
    if (src.compare(i, 2, "/*") == 0) { i = src.find("*/", i) + 2; continue; }
    if (isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < src.size() && (isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_')) ++j;
      out.push_back({Tok::Id, src.substr(i, j - i)});
      i = j;
    } else if (isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < src.size() && (isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_')) ++j;
      out.push_back({Tok::Num, src.substr(i, j - i)});
      i = j;
    } else if (c == '"') {
      std::string v;
      for (++i; src[i] != '"'; ++i) {
        if (src[i] != '\\') { v += src[i]; continue; }
        char e = src[++i];
        if (isxdigit(static_cast<unsigned char>(e)) && isxdigit(static_cast<unsigned char>(src[i + 1]))) {
          v += static_cast<char>(hexv(e) * 16 + hexv(src[i + 1]));
          ++i;
        } else if (e == 'n') v += '\n';
        else if (e == 't') v += '\t';
        else if (e == 'r') v += '\r';
        else if (e == 'u') { i = src.find('}', i); v += '?'; }  // only in textual inputs, never decoded here
        else v += e;
      }
      ++i;
      out.push_back({Tok::Str, v});
    } else {
      static const char* two[] = {"->", "!:", "==", "!="};
      std::string p(1, c);
      for (const char* t : two)
        if (src.compare(i, 2, t) == 0) p = t;
      out.push_back({Tok::Punct, p});
      i += p.size();
    }
  }
  out.push_back({Tok::End, ""});
  return out;
}

struct Parser {
  std::vector<Tok> toks;
  size_t k = 0;
  TypeTable table;
  std::map<std::string, TypeRef> names;

  const Tok& peek(size_t o = 0) { return toks[k + o]; }
  bool is(const char* p, size_t o = 0) { return peek(o).kind != Tok::Str && peek(o).s == p; }
  void expect(const char* p) {
    if (!is(p)) throw std::runtime_error(std::string("expected ") + p + " got " + peek().s);
    ++k;
  }
  uint32_t number(const std::string& s) { return static_cast<uint32_t>(std::stoull(s, nullptr, 0)); }

  TypeRef type() {
    static const std::map<std::string, Op> prims = {
        {"null", Op::Null}, {"bool", Op::Bool}, {"nat", Op::Nat}, {"int", Op::Int}, {"nat8", Op::Nat8},
        {"nat16", Op::Nat16}, {"nat32", Op::Nat32}, {"nat64", Op::Nat64}, {"int8", Op::Int8},
        {"int16", Op::Int16}, {"int32", Op::Int32}, {"int64", Op::Int64}, {"float32", Op::Float32},
        {"float64", Op::Float64}, {"text", Op::Text}, {"reserved", Op::Reserved}, {"empty", Op::Empty},
        {"principal", Op::Principal}};
    std::string w = toks[k++].s;
    if (auto p = prims.find(w); p != prims.end()) return ref(p->second);
    if (w == "opt") return table.opt(type());
    if (w == "vec") return table.vec(type());
    if (w == "blob") return table.blob();
    if (w == "record" || w == "variant") return fields(w == "record");
    if (w == "func") return table.func(functype());
    if (w == "service") {
      expect("{");
      std::vector<Method> ms;
      while (!is("}")) {
        std::string name = toks[k++].s;
        expect(":");
        ms.push_back({name, table.func(functype())});
        if (is(";")) ++k;
      }
      ++k;
      return table.service(std::move(ms));
    }
    if (auto n = names.find(w); n != names.end()) return n->second;
    throw std::runtime_error("unknown type " + w);
  }

  TypeRef fields(bool record) {
    expect("{");
    std::vector<Field> fs;
    uint32_t next = 0;
    while (!is("}")) {
      if (is(":", 1)) {
        const Tok& label = toks[k];
        k += 2;
        Field f = label.kind == Tok::Num ? field(number(label.s), type()) : field(label.s, type());
        next = f.id + 1;
        fs.push_back(std::move(f));
      } else if (record) {
        fs.push_back(field(next++, type()));
      } else {
        const Tok& label = toks[k++];
        fs.push_back(label.kind == Tok::Num ? field(number(label.s), ref(Op::Null)) : field(label.s, ref(Op::Null)));
      }
      if (is(";")) ++k;
    }
    ++k;
    return record ? table.record(std::move(fs)) : table.variant(std::move(fs));
  }

  std::vector<TypeRef> tuple() {
    expect("(");
    std::vector<TypeRef> ts;
    while (!is(")")) {
      ts.push_back(type());
      if (is(",")) ++k;
    }
    ++k;
    return ts;
  }

  FuncType functype() {
    FuncType f;
    f.args = tuple();
    expect("->");
    f.results = tuple();
    while (peek().kind == Tok::Id && (is("query") || is("oneway") || is("composite_query"))) {
      f.modes.push_back(is("query") ? FuncMode::Query : is("oneway") ? FuncMode::Oneway : FuncMode::CompositeQuery);
      ++k;
    }
    return f;
  }

  // `type X = T;` definitions: every name gets a placeholder node first, so definitions may refer to
  // each other in any order; the parsed body is then moved into the placeholder.
  void definitions() {
    for (size_t i = 0; toks[i].kind != Tok::End; ++i)
      if (toks[i].s == "type" && toks[i + 2].s == "=") names[toks[i + 1].s] = table.add(TypeNode{});
    while (is("type")) {
      std::string name = toks[k + 1].s;
      k += 3;
      TypeRef body = type();
      if (body < 0) throw std::runtime_error("alias of a primitive is not supported here");
      table.nodes[static_cast<size_t>(names[name])] = table.nodes[static_cast<size_t>(body)];
      expect(";");
    }
  }
};

struct Outcome {
  int run = 0, skipped = 0;
  std::vector<std::string> failures;
};

void run_file(const std::string& file, Outcome& o) {
  Parser p;
  p.toks = lex(testdata::read_text("candid/" + file));
  p.definitions();
  while (p.is("assert")) {
    ++p.k;
    struct Input { bool blob; std::string s; };
    auto input = [&]() {
      bool blob = p.is("blob");
      if (blob) ++p.k;
      return Input{blob, p.toks[p.k++].s};
    };
    Input a = input(), b{false, ""};
    std::string op = p.toks[p.k++].s;
    if (op == "==" || op == "!=") {
      b = input();
      p.expect(":");
    }
    std::vector<TypeRef> types = p.tuple();
    std::string desc = p.peek().kind == Tok::Str ? p.toks[p.k++].s : "";
    p.expect(";");
    if (!a.blob && !b.blob) {
      ++o.skipped;
      continue;
    }
    ++o.run;
    auto dec = [&](const Input& in) { return decode(ic::as_view(in.s), &p.table, &types); };
    std::string where = file + ": " + (desc.empty() ? a.s : desc);
    if (op == "!:") {
      if (dec(a).ok()) o.failures.push_back(where + ": decoded but must fail");
      continue;
    }
    auto ra = a.blob ? dec(a) : dec(b);
    if (!ra.ok()) {
      o.failures.push_back(where + ": " + ra.error().to_string());
      continue;
    }
    if (a.blob && b.blob) {
      auto rb = dec(b);
      if (!rb.ok()) o.failures.push_back(where + " (second input): " + rb.error().to_string());
      else if ((ra->values == rb->values) != (op == "=="))
        o.failures.push_back(where + ": values are " + (op == "==" ? "different" : "equal"));
    }
  }
  if (p.peek().kind != Tok::End) o.failures.push_back(file + ": unparsed input at `" + p.peek().s + "`");
}

}  // namespace

TEST_CASE("conformance suite: every binary assertion holds", "[candid][suite]") {
  for (const char* file : {"prim.test.did", "construct.test.did", "reference.test.did", "overshoot.test.did"}) {
    Outcome o;
    try {
      run_file(file, o);
    } catch (const std::exception& e) {
      o.failures.push_back(std::string(file) + ": " + e.what());
    }
    INFO(file << ": " << o.run << " binary assertions run, " << o.skipped << " textual ones skipped");
    for (const auto& f : o.failures) UNSCOPED_INFO(f);
    CHECK(o.failures.empty());
    CHECK(o.run > 0);
  }
}
