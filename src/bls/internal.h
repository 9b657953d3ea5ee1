// Helpers shared by the src/bls sources only (not part of the library's interface): constants from
// hex and wiping secrets.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bls/field.h"

namespace bls {

// A field constant from big-endian hex (at most 96 digits, < p); aborts on malformed constants,
// which are compile-time literals in this library.
Fp fp_from_hex(const char* hex);

// Zeroes memory holding secrets in a way the compiler may not elide.
void secure_wipe(void* p, size_t n);

}  // namespace bls
