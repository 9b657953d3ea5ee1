// libFuzzer target for the CBOR codec (src/ic/cbor.h): any input must decode or fail cleanly within
// the limits; whatever decodes must re-encode canonically and decode again to the same value.
#include <cstddef>
#include <cstdint>

#include "ic/cbor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ic::ByteView in(data, size);
  auto first = ic::cbor::decode(in);
  if (!first.ok()) return 0;
  ic::Bytes encoded = ic::cbor::encode(*first);
  auto second = ic::cbor::decode(encoded);
  if (!second.ok()) __builtin_trap();                            // our own output must decode
  if (!(*second == *first)) __builtin_trap();                    // to the same value
  if (ic::cbor::encode(*second) != encoded) __builtin_trap();    // and the encoding is a fixed point
  if (encoded.size() > 9 * size + 16) __builtin_trap();          // re-encoding cannot blow up
  return 0;
}
