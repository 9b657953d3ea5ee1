// Tokens of Candid's textual notation (values, types, `.did` files, the conformance `.test.did` format),
// with line:column positions so every parse error can point at the offending character. Native only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ic/result.h"

namespace candid::text {

enum class Tok : uint8_t {
  End,    // end of input
  Ident,  // [A-Za-z_][A-Za-z0-9_]*  (keywords are identifiers; the parsers give them meaning)
  Text,   // "…" with escapes decoded into `text` (may hold any bytes: `\ff` is legal in blobs)
  Int,    // 42, 1_000, 0xff (no sign: `+`/`-` are Sign tokens, as in didc)
  Float,  // 1.5, 3., .5, 1e10, 0x1.8p3
  LParen, RParen, LBrace, RBrace, Semi, Comma, Dot, Colon, Equals, Arrow, Bang,
  Sign,   // `+` or `-` not starting `->`
};

struct Token {
  Tok kind = Tok::End;
  std::string_view raw;  // the source slice
  std::string text;      // Text: decoded bytes; Int/Float: the literal without `_`
  bool utf8 = true;      // Text: decoded bytes are valid UTF-8
  uint32_t offset = 0;   // byte offset of raw in the source
  uint32_t line = 1, col = 1;
};

// Splits `src` into tokens (comments and whitespace dropped, a final End token appended).
// Errors (unclosed string or comment, bad escape, stray character) carry "line:col:".
ic::Result<std::vector<Token>> tokenize(std::string_view src);

// How a token is shown in messages: `foo`, "text", end of input.
std::string describe(const Token& t);

// Is `s` valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF)?
bool valid_utf8(std::string_view s);

}  // namespace candid::text
