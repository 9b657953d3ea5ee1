#include "ic/principal.h"

#include "ic/base32.h"
#include "ic/crc32.h"
#include "ic/sha2.h"

namespace ic {

namespace {
Error text_error(std::string_view text, const std::string& what, std::string hint = {}) {
  std::string shown(text.substr(0, 70));
  if (text.size() > 70) shown += "…";
  return make_error(Errc::invalid_input, "invalid principal '" + shown + "': " + what,
                    hint.empty() ? "a principal looks like `rrkah-fqaaa-aaaaa-aaaaq-cai`" : std::move(hint));
}
}  // namespace

Result<Principal> Principal::from_bytes(ByteView bytes) {
  if (bytes.size() > kMaxLength)
    return make_error(Errc::invalid_input,
                      "principal of " + std::to_string(bytes.size()) + " bytes is longer than 29 bytes",
                      "the bytes are probably not a principal");
  return Principal(Bytes(bytes.begin(), bytes.end()));
}

Principal Principal::self_authenticating(ByteView der_public_key) {
  Hash224 h = sha224(der_public_key);
  Bytes b(h.begin(), h.end());
  b.push_back(0x02);
  return Principal(std::move(b));
}

Principal Principal::from_canister_index(uint64_t index) {
  Bytes b(10);
  for (size_t i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(index >> (56 - 8 * i));
  b[8] = b[9] = 0x01;
  return Principal(std::move(b));
}

std::optional<uint64_t> Principal::canister_index() const {
  if (bytes_.size() != 10 || bytes_[8] != 1 || bytes_[9] != 1) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = v << 8 | bytes_[i];
  return v;
}

const char* principal_class_name(const Principal& p) {
  const Bytes& b = p.bytes();
  if (b.empty()) return "management";
  if (p.is_anonymous()) return "anonymous";
  if (p.is_self_authenticating()) return "self-authenticating";
  if (b.back() == 0x03) return "derived";
  if (b.back() == 0x7f) return "reserved";
  return "opaque";
}

std::string Principal::to_text() const {
  // text = group5(base32(CRC32_be(b) · b)), spec §"Textual representation of principals".
  uint32_t crc = crc32(bytes_);
  Bytes buf{static_cast<uint8_t>(crc >> 24), static_cast<uint8_t>(crc >> 16), static_cast<uint8_t>(crc >> 8),
            static_cast<uint8_t>(crc)};
  buf.insert(buf.end(), bytes_.begin(), bytes_.end());
  std::string b32 = base32_encode(buf);
  std::string out;
  for (size_t i = 0; i < b32.size(); ++i) {
    if (i && i % 5 == 0) out.push_back('-');
    out.push_back(b32[i]);
  }
  return out;
}

Result<Principal> Principal::from_text(std::string_view text) {
  if (text.empty()) return text_error(text, "empty text");
  if (text.size() > kMaxTextLength)
    return text_error(text, std::to_string(text.size()) + " characters, more than the maximum of 63");
  std::string b32;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-') {
      if (i + 1 == text.size()) return text_error(text, "trailing '-'");
      if (i % 6 != 5)
        return text_error(text, "misplaced '-' at position " + std::to_string(i),
                          "dashes separate groups of 5 characters");
      continue;
    }
    if (i % 6 == 5)
      return text_error(text, "expected '-' at position " + std::to_string(i) + ", found '" + std::string(1, c) + "'",
                        "dashes separate groups of 5 characters");
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
    if (!ok)
      return text_error(text, "invalid character '" + std::string(1, c) + "' at position " + std::to_string(i),
                        "principals use a-z, 2-7 and '-' (no 0, 1, 8, 9)");
    b32.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  auto raw = base32_decode(b32);
  if (!raw.ok()) return text_error(text, raw.error().message, "a character is probably missing or mistyped");
  const Bytes& buf = raw.value();
  if (buf.size() < 4) return text_error(text, "too short to hold the 4-byte checksum");
  if (buf.size() - 4 > kMaxLength)
    return text_error(text, "decodes to " + std::to_string(buf.size() - 4) + " bytes; principals have at most 29");
  ByteView body = ByteView(buf).subspan(4);
  uint32_t stored = uint32_t(buf[0]) << 24 | uint32_t(buf[1]) << 16 | uint32_t(buf[2]) << 8 | buf[3];
  if (crc32(body) != stored)
    return text_error(text, "checksum mismatch", "a character is probably mistyped; copy the id again");
  Principal p(Bytes(body.begin(), body.end()));
  // Catches what the checks above cannot: a final group whose length does not match the bytes.
  std::string canonical = p.to_text();
  if (canonical.size() != text.size())
    return text_error(text, "not in canonical form (expected '" + canonical + "')");
  return p;
}

}  // namespace ic
