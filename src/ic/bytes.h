// Byte buffers and views shared by every module, plus hex helpers.
// Views are std::span so callers never copy to pass bytes down.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ic/result.h"

namespace ic {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_view(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Lower-case hex, no prefix.
std::string to_hex(ByteView b);
// Accepts upper/lower case, an optional "0x" prefix, and ignores ASCII whitespace.
Result<Bytes> from_hex(std::string_view hex);

}  // namespace ic
