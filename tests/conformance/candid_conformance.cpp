// candid-conformance FILE...: runs the official Candid test suite's `.test.did` files (format in
// tests/data/candid/README.md) against our binary decoder and text parser; one line per failure, then
// "N passed, M failed". Exit status 0 iff nothing failed.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/lexer.h"
#include "candid/text/text.h"

namespace {

using candid::text::Tok;
using candid::text::Token;

struct Input {
  bool binary = false;
  std::string data;  // bytes of the blob, or the Candid text
};

struct Counts {
  size_t passed = 0, failed = 0;
};

class Runner {
 public:
  Runner(std::string file, std::string src, Counts& n) : file_(std::move(file)), src_(std::move(src)), n_(n) {}

  void run() {
    auto toks = candid::text::tokenize(src_);
    if (!toks.ok()) return fail(0, "cannot tokenize the file", toks.error().to_string());
    t_ = std::move(toks).value();
    // Type definitions come first (<enctest> ::= <def>;* <test>;*): hand that prefix to the .did parser.
    while (!at(Tok::End) && !(at(Tok::Ident) && peek().text == "assert")) ++i_;
    auto env = candid::text::parse_did(std::string_view(src_).substr(0, peek().offset));
    if (!env.ok()) return fail(1, "cannot parse the type definitions", env.error().to_string());
    env_ = std::move(env).value();
    while (!at(Tok::End)) {
      size_t start = i_;
      if (!assertion()) {
        // Skip the rest of a malformed assertion and continue with the next one.
        i_ = start + 1;
        while (!at(Tok::End) && !at(Tok::Semi)) ++i_;
        if (at(Tok::Semi)) ++i_;
      }
    }
  }

 private:
  const Token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  bool at(Tok k) const { return peek().kind == k; }
  const Token& next() {
    const Token& t = peek();
    if (i_ + 1 < t_.size()) ++i_;
    return t;
  }

  void fail(uint32_t line, const std::string& what, const std::string& why) {
    ++n_.failed;
    std::printf("%s:%u: %s: %s\n", file_.c_str(), line, what.c_str(), why.c_str());
  }
  bool syntax(const std::string& msg) {
    fail(peek().line, "malformed assertion", msg + " at " + std::to_string(peek().line) + ":" +
                                                 std::to_string(peek().col));
    return false;
  }

  bool input(Input& in) {
    if (at(Tok::Ident) && peek().text == "blob") {
      next();
      in.binary = true;
    }
    if (!at(Tok::Text)) return syntax("expected a text or blob input");
    in.data = next().text;
    return true;
  }

  // assert <input> (: | !: | == <input> : | != <input> :) <tuptype> <desc>? ;
  bool assertion() {
    const Token& kw = next();
    uint32_t line = kw.line;
    if (kw.kind != Tok::Ident || kw.text != "assert") return syntax("expected `assert`");
    Input a, b;
    if (!input(a)) return false;
    enum { Ok, Fails, Equal, NotEqual } kind;
    if (at(Tok::Colon)) {
      kind = Ok;
    } else if (at(Tok::Bang) && peek(1).kind == Tok::Colon) {
      kind = Fails;
      next();
    } else if ((at(Tok::Equals) || at(Tok::Bang)) && peek(1).kind == Tok::Equals) {
      kind = at(Tok::Equals) ? Equal : NotEqual;
      next();
      next();
      if (!input(b)) return false;
      if (!at(Tok::Colon)) return syntax("expected `:` before the types");
    } else {
      return syntax("expected `:`, `!:`, `==` or `!=`");
    }
    next();  // ':'
    if (!at(Tok::LParen)) return syntax("expected `(` starting the types");
    size_t open = i_, depth = 0;
    do {
      if (at(Tok::LParen)) ++depth;
      if (at(Tok::RParen)) --depth;
      if (at(Tok::End)) return syntax("unclosed type list");
      next();
    } while (depth > 0);
    const Token& last = t_[i_ - 1];
    std::string_view types_src =
        std::string_view(src_).substr(t_[open].offset, last.offset + last.raw.size() - t_[open].offset);
    std::string desc = at(Tok::Text) ? next().text : std::string(types_src);
    if (!at(Tok::Semi) && !at(Tok::End)) return syntax("expected `;` after the assertion");
    if (at(Tok::Semi)) next();

    auto types = candid::text::parse_type_list(types_src, env_);
    if (!types.ok()) {
      fail(line, desc, "cannot parse the types: " + types.error().to_string());
      return true;
    }
    auto ra = decode(a, *types);
    switch (kind) {
      case Ok:
        return report(line, desc, ra.ok(), ra.ok() ? "" : "should decode but failed: " + ra.error().to_string());
      case Fails:
        return report(line, desc, !ra.ok(), ra.ok() ? "should fail but decoded as " + show(*ra) : "");
      case Equal:
      case NotEqual: {
        auto rb = decode(b, *types);
        if (!ra.ok()) return report(line, desc, false, "left side failed: " + ra.error().to_string());
        if (!rb.ok()) return report(line, desc, false, "right side failed: " + rb.error().to_string());
        bool same = ra->values == rb->values;
        if (kind == Equal)
          return report(line, desc, same, "values differ: " + show(*ra) + " vs " + show(*rb));
        return report(line, desc, !same, "values should differ but both are " + show(*ra));
      }
    }
    return true;
  }

  bool report(uint32_t line, const std::string& desc, bool ok, const std::string& why) {
    if (ok)
      ++n_.passed;
    else
      fail(line, desc, why);
    return true;
  }

  // Binary inputs go through candid::decode at the expected types with default options; text inputs
  // through the text parser at the same types.
  ic::Result<candid::Args> decode(const Input& in, const std::vector<candid::TypeRef>& types) {
    if (in.binary) return candid::decode(ic::as_view(in.data), &env_.table, &types);
    return candid::text::parse_args(in.data, &env_.table, &types);
  }
  static std::string show(const candid::Args& a) { return candid::text::print_args(a); }

  std::string file_, src_;
  Counts& n_;
  std::vector<Token> t_;
  size_t i_ = 0;
  candid::text::DidFile env_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: candid-conformance FILE.test.did...\n");
    return 2;
  }
  Counts n;
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      std::printf("%s:0: cannot read the file\n", argv[i]);
      ++n.failed;
      continue;
    }
    std::string src((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    Runner(argv[i], std::move(src), n).run();
  }
  std::printf("%zu passed, %zu failed\n", n.passed, n.failed);
  return n.failed == 0 ? 0 : 1;
}
