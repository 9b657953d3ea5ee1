#include "candid/text/lexer.h"

#include <limits>

namespace candid::text {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }
int hex_val(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : src_(s) {}

  ic::Result<std::vector<Token>> run() {
    std::vector<Token> out;
    for (;;) {
      IC_CHECK(skip_space());
      Token t;
      t.offset = static_cast<uint32_t>(pos_);
      t.line = line_;
      t.col = col_at(pos_);
      if (pos_ >= src_.size()) {
        out.push_back(std::move(t));
        return out;
      }
      IC_CHECK(lex_one(t));
      t.raw = src_.substr(t.offset, pos_ - t.offset);
      out.push_back(std::move(t));
    }
  }

 private:
  std::string_view src_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
  mutable size_t col_cache_pos_ = 0;
  mutable uint32_t col_cache_ = 1;

  // Columns count code points, so a message points at the right character on non-ASCII lines. Tokens
  // are visited in order, so counting resumes from the previous answer (linear time on one long line).
  uint32_t col_at(size_t p) const {
    if (col_cache_pos_ < line_start_ || col_cache_pos_ > p) {
      col_cache_pos_ = line_start_;
      col_cache_ = 1;
    }
    for (; col_cache_pos_ < p && col_cache_pos_ < src_.size(); ++col_cache_pos_)
      if ((static_cast<uint8_t>(src_[col_cache_pos_]) & 0xC0) != 0x80) ++col_cache_;
    return col_cache_;
  }
  ic::Error err_at(size_t p, const std::string& msg, std::string hint = {}) const {
    return ic::make_error(ic::Errc::invalid_input, std::to_string(line_) + ":" + std::to_string(col_at(p)) + ": " + msg,
                          std::move(hint));
  }
  char peek(size_t k = 0) const { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; }
  void newline_at(size_t p) {
    ++line_;
    line_start_ = p + 1;
  }

  ic::Status skip_space() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n') {
        newline_at(pos_);
        ++pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
      } else if (c == '/' && peek(1) == '*') {
        // Block comments nest (Candid.md "Comments").
        uint32_t start_line = line_;
        uint32_t start_col = col_at(pos_);
        size_t depth = 0;
        do {
          if (pos_ >= src_.size())
            return ic::make_error(ic::Errc::invalid_input,
                                  std::to_string(start_line) + ":" + std::to_string(start_col) +
                                      ": unclosed comment `/*`",
                                  "close it with `*/` (block comments nest)");
          if (src_[pos_] == '/' && peek(1) == '*') {
            ++depth;
            pos_ += 2;
          } else if (src_[pos_] == '*' && peek(1) == '/') {
            --depth;
            pos_ += 2;
          } else {
            if (src_[pos_] == '\n') newline_at(pos_);
            ++pos_;
          }
        } while (depth > 0);
      } else {
        break;
      }
    }
    return {};
  }

  ic::Status lex_one(Token& t) {
    char c = src_[pos_];
    auto single = [&](Tok k) {
      t.kind = k;
      ++pos_;
      return ic::Status{};
    };
    switch (c) {
      case '(': return single(Tok::LParen);
      case ')': return single(Tok::RParen);
      case '{': return single(Tok::LBrace);
      case '}': return single(Tok::RBrace);
      case ';': return single(Tok::Semi);
      case ',': return single(Tok::Comma);
      case ':': return single(Tok::Colon);
      case '=': return single(Tok::Equals);
      case '!': return single(Tok::Bang);
      case '"': return lex_text(t);
      case '-':
        if (peek(1) == '>') {
          t.kind = Tok::Arrow;
          pos_ += 2;
          return {};
        }
        return single(Tok::Sign);
      case '+': return single(Tok::Sign);
      case '.':
        if (is_digit(peek(1))) return lex_number(t);
        return single(Tok::Dot);
      default: break;
    }
    if (is_digit(c)) return lex_number(t);
    if (is_ident_start(c)) {
      while (pos_ < src_.size() && is_ident_char(src_[pos_])) ++pos_;
      t.kind = Tok::Ident;
      t.text = std::string(src_.substr(t.offset, pos_ - t.offset));
      return {};
    }
    if (static_cast<uint8_t>(c) >= 0x80) return err_at(pos_, "unexpected non-ASCII character", "quote names that are not identifiers");
    return err_at(pos_, std::string("unexpected character `") + c + "`");
  }

  // Numbers (Candid.md "Values"): <num> | 0x<hexnum> | decimal/hex floats; `_` separates digits.
  ic::Status lex_number(Token& t) {
    size_t start = pos_;
    bool is_float = false;
    auto digits = [&](bool hex) {
      while (pos_ < src_.size() && (src_[pos_] == '_' || (hex ? is_hex(src_[pos_]) : is_digit(src_[pos_]))))
        ++pos_;
    };
    if (src_[pos_] == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
      pos_ += 2;
      if (!is_hex(peek())) return err_at(start, "hexadecimal number `0x` has no digits");
      digits(true);
      if (peek() == '.') {
        is_float = true;
        ++pos_;
        digits(true);
      }
      if (peek() == 'p' || peek() == 'P') {
        size_t e = pos_ + 1;
        if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
        if (e >= src_.size() || !is_digit(src_[e])) return err_at(pos_, "hexadecimal float exponent has no digits");
        is_float = true;
        pos_ = e;
        digits(false);
      }
    } else {
      digits(false);
      // `1.` and `1.5` are floats, but `1.foo` is not a number followed by a method name: that never
      // occurs in the grammar, so a dot always continues the number.
      if (peek() == '.') {
        is_float = true;
        ++pos_;
        digits(false);
      }
      if (peek() == 'e' || peek() == 'E') {
        size_t e = pos_ + 1;
        if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
        if (e >= src_.size() || !is_digit(src_[e])) return err_at(pos_, "float exponent has no digits");
        is_float = true;
        pos_ = e;
        digits(false);
      }
    }
    if (pos_ < src_.size() && is_ident_char(src_[pos_])) {
      size_t end = pos_;
      while (end < src_.size() && is_ident_char(src_[end])) ++end;
      return err_at(start, "invalid number `" + std::string(src_.substr(start, end - start)) + "`");
    }
    t.kind = is_float ? Tok::Float : Tok::Int;
    for (size_t i = start; i < pos_; ++i)
      if (src_[i] != '_') t.text += src_[i];
    return {};
  }

  // Text literals (Candid.md "Values": <text>): escapes \n \r \t \\ \" \', \XX (a raw byte, as in the
  // WebAssembly text format, so blobs can hold any byte) and \u{hexnum}.
  ic::Status lex_text(Token& t) {
    uint32_t start_line = line_;
    uint32_t start_col = col_at(pos_);
    ++pos_;
    std::string out;
    for (;;) {
      if (pos_ >= src_.size())
        return ic::make_error(ic::Errc::invalid_input,
                              std::to_string(start_line) + ":" + std::to_string(start_col) + ": unclosed string",
                              "end the text with `\"`");
      char c = src_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\n') {
        newline_at(pos_);
        out += c;
        ++pos_;
        continue;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      size_t esc = pos_;
      char e = peek(1);
      if (is_hex(e) && is_hex(peek(2))) {
        out += static_cast<char>(hex_val(e) * 16 + hex_val(peek(2)));
        pos_ += 3;
        continue;
      }
      switch (e) {
        case 'n': out += '\n'; pos_ += 2; continue;
        case 'r': out += '\r'; pos_ += 2; continue;
        case 't': out += '\t'; pos_ += 2; continue;
        case '\\': out += '\\'; pos_ += 2; continue;
        case '"': out += '"'; pos_ += 2; continue;
        case '\'': out += '\''; pos_ += 2; continue;
        case 'u': {
          if (peek(2) != '{') return err_at(esc, "`\\u` escape must look like \\u{263A}");
          size_t p = pos_ + 3;
          uint64_t cp = 0;
          size_t n = 0;
          while (p < src_.size() && (is_hex(src_[p]) || (src_[p] == '_' && n > 0))) {
            if (src_[p] != '_') {
              cp = cp * 16 + static_cast<uint64_t>(hex_val(src_[p]));
              if (cp > 0x10FFFF) return err_at(esc, "unicode escape is beyond U+10FFFF");
              ++n;
            }
            ++p;
          }
          if (n == 0 || p >= src_.size() || src_[p] != '}')
            return err_at(esc, "unclosed or empty `\\u{…}` escape", "write e.g. \\u{2603}");
          if (cp >= 0xD800 && cp <= 0xDFFF) return err_at(esc, "unicode escape is a surrogate, not a scalar value");
          put_utf8(out, static_cast<uint32_t>(cp));
          pos_ = p + 1;
          continue;
        }
        default:
          return err_at(esc, "unknown escape `\\" + std::string(1, e) + "`",
                        "use \\n \\r \\t \\\\ \\\" \\' \\XX (two hex digits) or \\u{…}");
      }
    }
    t.kind = Tok::Text;
    t.utf8 = valid_utf8(out);
    t.text = std::move(out);
    return {};
  }
};

}  // namespace

ic::Result<std::vector<Token>> tokenize(std::string_view src) {
  if (src.size() >= std::numeric_limits<uint32_t>::max())
    return ic::make_error(ic::Errc::limit, "Candid text of " + std::to_string(src.size()) + " bytes is too large");
  return Lexer(src).run();
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "end of input";
    case Tok::Text: return "text literal";
    default: break;
  }
  std::string r(t.raw.substr(0, 40));
  return "`" + r + (t.raw.size() > 40 ? "…" : "") + "`";
}

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t d = static_cast<uint8_t>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

}  // namespace candid::text
