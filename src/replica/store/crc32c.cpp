// CRC-32C: reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF (RFC 3720 B.4).
#include "replica/store/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define HUBCTL_CRC32C_X86 1
#endif

namespace replica::store {
namespace {

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b)
      for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFF];
  }
};
constexpr Tables kTables;

uint32_t update_soft(uint32_t state, const uint8_t* p, size_t n) {
  const auto& t = kTables.t;
  while (n >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    // The tables assume little-endian loads; every platform hubctl targets natively is little-endian.
    lo ^= state;
    state = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
            t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) state = (state >> 8) ^ t[0][(state ^ *p++) & 0xFF];
  return state;
}

#ifdef HUBCTL_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t update_hw(uint32_t state, const uint8_t* p, size_t n) {
#if defined(__x86_64__)
  uint64_t s = state;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    s = _mm_crc32_u64(s, v);
    p += 8;
    n -= 8;
  }
  state = static_cast<uint32_t>(s);
#endif
  while (n--) state = _mm_crc32_u8(state, *p++);
  return state;
}

using UpdateFn = uint32_t (*)(uint32_t, const uint8_t*, size_t);
UpdateFn pick() { return __builtin_cpu_supports("sse4.2") ? update_hw : update_soft; }
#endif

}  // namespace

uint32_t crc32c_update(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
#ifdef HUBCTL_CRC32C_X86
  static const UpdateFn fn = pick();
  return ~fn(~crc, p, n);
#else
  return ~update_soft(~crc, p, n);
#endif
}

}  // namespace replica::store
