// CRC-32 as in ISO 3309 / zlib / PNG (reflected polynomial 0xEDB88320): the checksum in textual
// principals (interface spec "Textual representation of principals") and in ICRC-1 textual accounts.
#pragma once

#include <cstdint>

#include "ic/bytes.h"

namespace ic {

// crc32(b) == crc32_update(0, b); crc32_update continues a running checksum over more data.
uint32_t crc32_update(uint32_t crc, ByteView data);
inline uint32_t crc32(ByteView data) { return crc32_update(0, data); }

}  // namespace ic
