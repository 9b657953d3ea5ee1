// RFC 4648 §6 base32 without padding, lower-case on output and case-insensitive on input: the alphabet
// of textual principals and ICRC-1 account checksums.
#pragma once

#include <string>
#include <string_view>

#include "ic/bytes.h"
#include "ic/result.h"

namespace ic {

std::string base32_encode(ByteView data);
// Refuses characters outside the alphabet (naming the offset), '=' padding, impossible lengths
// (1, 3 or 6 characters in the last group) and non-zero unused trailing bits.
Result<Bytes> base32_decode(std::string_view text);

}  // namespace ic
