#include "ic/bytes.h"

namespace ic {

std::string to_hex(ByteView b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.resize(b.size() * 2);
  for (size_t i = 0; i < b.size(); ++i) {
    s[2 * i] = digits[b[i] >> 4];
    s[2 * i + 1] = digits[b[i] & 15];
  }
  return s;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Result<Bytes> from_hex(std::string_view hex) {
  size_t start = 0;
  while (start < hex.size() && is_space(hex[start])) ++start;
  if (hex.size() - start >= 2 && hex[start] == '0' && (hex[start + 1] == 'x' || hex[start + 1] == 'X')) start += 2;
  Bytes out;
  out.reserve((hex.size() - start) / 2);
  int high = -1;
  size_t high_pos = 0;
  for (size_t i = start; i < hex.size(); ++i) {
    char c = hex[i];
    if (is_space(c)) continue;
    int d = hex_digit(c);
    if (d < 0)
      return make_error(Errc::invalid_input,
                        "invalid hex character '" + std::string(1, c) + "' at offset " + std::to_string(i),
                        "hex strings may contain only 0-9, a-f, A-F, whitespace and a leading 0x");
    if (high < 0) {
      high = d;
      high_pos = i;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | d));
      high = -1;
    }
  }
  if (high >= 0)
    return make_error(Errc::invalid_input,
                      "odd number of hex digits (unpaired digit at offset " + std::to_string(high_pos) + ")",
                      "each byte needs two hex digits");
  return out;
}

}  // namespace ic
