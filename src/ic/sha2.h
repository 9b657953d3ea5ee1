// SHA-256 and SHA-224 (FIPS 180-4), own portable code so canisters (wasm32) and native share one
// implementation: request ids, hash trees, module hashes, self-authenticating principals.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ic/bytes.h"

namespace ic {

using Hash256 = std::array<uint8_t, 32>;
using Hash224 = std::array<uint8_t, 28>;

// Shared compression state; Sha256 and Sha224 differ only in initial values and output length.
class Sha2_256_Core {
 public:
  void update(ByteView data);
  void update(std::string_view s) { update(as_view(s)); }

 protected:
  explicit Sha2_256_Core(const uint32_t (&iv)[8]);
  void finish_into(uint8_t* out, size_t words);  // pads, writes `words` big-endian state words, resets

 private:
  void compress(const uint8_t* block);
  uint32_t iv_[8];
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;  // bytes hashed so far
};

class Sha256 : public Sha2_256_Core {
 public:
  Sha256();
  // Returns the digest and resets the object for a new message.
  Hash256 finish();
};

class Sha224 : public Sha2_256_Core {
 public:
  Sha224();
  Hash224 finish();
};

Hash256 sha256(ByteView data);
inline Hash256 sha256(std::string_view s) { return sha256(as_view(s)); }
Hash224 sha224(ByteView data);

}  // namespace ic
