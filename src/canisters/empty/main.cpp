// empty: hello's counter without the Candid codec, to measure what the codec adds to a module
// (the runtime, libc and libc++ parts are shared). Replies are hand-encoded Candid.
#include <cstdint>

#include "cdk/runtime.h"

namespace {
uint64_t counter = 0;
}  // namespace

// inc : () -> (nat)
CDK_UPDATE(inc) {
  ++counter;
  // "DIDL", no type table entries, one argument of type nat (0x7d), then its unsigned LEB128.
  uint8_t msg[7 + 10] = {'D', 'I', 'D', 'L', 0x00, 0x01, 0x7d};
  size_t n = 7;
  for (uint64_t v = counter;; v >>= 7) {
    msg[n++] = static_cast<uint8_t>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
    if (v < 0x80) break;
  }
  cdk::reply(ic::ByteView(msg, n));
}
