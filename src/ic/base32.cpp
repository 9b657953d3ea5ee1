#include "ic/base32.h"

namespace ic {

namespace {
constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

int value_of(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}
}  // namespace

std::string base32_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(acc >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  return out;
}

Result<Bytes> base32_decode(std::string_view text) {
  size_t rem = text.size() % 8;
  if (rem == 1 || rem == 3 || rem == 6)
    return make_error(Errc::invalid_input,
                      "base32 text of " + std::to_string(text.size()) + " characters has an impossible length",
                      "a character may be missing or extra");
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int v = value_of(text[i]);
    if (v < 0)
      return make_error(Errc::invalid_input, "invalid base32 character '" + std::string(1, text[i]) +
                                                 "' at offset " + std::to_string(i),
                        "base32 uses a-z and 2-7 (no 0, 1, 8, 9 or padding)");
    acc = (acc << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  if (acc & ((1u << bits) - 1))
    return make_error(Errc::invalid_input, "base32 text has non-zero unused bits in its last character",
                      "the last character is probably mistyped");
  return out;
}

}  // namespace ic
