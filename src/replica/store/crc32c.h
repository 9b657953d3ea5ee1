// replica::store CRC-32C (Castagnoli polynomial, as in iSCSI, ext4 and SCTP): the checksum of every
// record the store writes. Uses the SSE4.2 crc32 instruction when the CPU has it, so that checking a
// state of hundreds of MiB at start-up costs milliseconds, not seconds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace replica::store {

// crc32c_update(0, d, n) is the CRC-32C of d; pass a previous result to continue over more data.
uint32_t crc32c_update(uint32_t crc, const void* data, size_t n);
inline uint32_t crc32c(const void* data, size_t n) { return crc32c_update(0, data, n); }

}  // namespace replica::store
