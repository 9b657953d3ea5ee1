#include "ic/leb128.h"

namespace ic {

namespace {

Error truncated(size_t start) {
  return make_error(Errc::decode, "truncated LEB128 number starting at offset " + std::to_string(start),
                    "the input ends before a byte without the continuation bit (0x80)");
}

// Emits `groups` 7-bit groups of the little-endian bit string `le`, each XORed with `flip` (0 or 0x7f),
// with the continuation bit on all but the last.
void emit_groups(Bytes& out, const Bytes& le, size_t groups, uint8_t flip) {
  for (size_t g = 0; g < groups; ++g) {
    uint8_t v = 0;
    for (size_t j = 0; j < 7; ++j) {
      size_t bit = 7 * g + j;
      size_t byte = bit / 8;
      if (byte < le.size() && (le[byte] >> (bit % 8) & 1)) v |= uint8_t(1u << j);
    }
    v ^= flip;
    out.push_back(g + 1 < groups ? (v | 0x80) : v);
  }
}

// Reads the 7-bit groups of one LEB128 number into a little-endian bit string; returns the number of groups.
Result<size_t> read_groups(ByteView in, size_t pos, size_t max_bytes, Bytes& le) {
  size_t start = pos, n = 0;
  while (true) {
    if (pos >= in.size()) return truncated(start);
    if (n == max_bytes)
      return make_error(Errc::limit,
                        "LEB128 number at offset " + std::to_string(start) + " is longer than " +
                            std::to_string(max_bytes) + " bytes",
                        "the input is malformed or hostile");
    uint8_t b = in[pos++];
    for (size_t j = 0; j < 7; ++j) {
      size_t bit = 7 * n + j;
      if (bit / 8 >= le.size()) le.push_back(0);
      if (b >> j & 1) le[bit / 8] |= uint8_t(1u << (bit % 8));
    }
    ++n;
    if (!(b & 0x80)) return n;
  }
}

}  // namespace

void write_uleb(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v ? (b | 0x80) : b);
  } while (v);
}

void write_uleb(Bytes& out, const BigNat& v) {
  size_t bits = v.bit_length();
  emit_groups(out, v.to_bytes_le(), bits == 0 ? 1 : (bits + 6) / 7, 0);
}

void write_sleb(Bytes& out, int64_t v) {
  while (true) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift (guaranteed since C++20)
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out.push_back(done ? b : (b | 0x80));
    if (done) return;
  }
}

void write_sleb(Bytes& out, const BigInt& v) {
  // Two's complement of -m is ~(m - 1): encode the bits of x = m - 1 inverted. The shortest form has
  // the sign bit (bit 6 of the last byte) at or above the highest significant bit of x.
  BigNat x = v.magnitude();
  if (v.negative()) x -= BigNat(1);
  size_t groups = (x.bit_length() + 1 + 6) / 7;
  emit_groups(out, x.to_bytes_le(), groups, v.negative() ? 0x7f : 0);
}

Result<uint64_t> read_uleb64(ByteView in, size_t& pos) {
  uint64_t v = 0;
  size_t p = pos;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= in.size()) return truncated(pos);
    uint8_t b = in[p++];
    uint64_t payload = b & 0x7f;
    // Overlong encodings are accepted, but every bit at position >= 64 must be zero.
    if (shift >= 64 ? payload != 0 : (shift > 57 && (payload >> (64 - shift)) != 0))
      return make_error(Errc::decode, "LEB128 number at offset " + std::to_string(pos) + " does not fit in 64 bits");
    if (shift < 64) v |= payload << shift;
    if (!(b & 0x80)) break;
  }
  pos = p;
  return v;
}

Result<int64_t> read_sleb64(ByteView in, size_t& pos) {
  uint64_t v = 0;
  size_t p = pos;
  // Bits at positions >= 63 are all sign copies for a value that fits; track whether they agree.
  bool high_zero = true, high_one = true;
  unsigned shift = 0;
  uint8_t b = 0;
  while (true) {
    if (p >= in.size()) return truncated(pos);
    b = in[p++];
    for (unsigned j = 0; j < 7; ++j) {
      unsigned bit = shift + j;
      bool set = b >> j & 1;
      if (bit < 64 && set) v |= uint64_t{1} << bit;
      if (bit >= 63) (set ? high_zero : high_one) = false;
    }
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift <= 63) {
    if (b & 0x40) v |= ~uint64_t{0} << shift;  // sign-extend
  } else if (!high_zero && !high_one) {
    return make_error(Errc::decode, "SLEB128 number at offset " + std::to_string(pos) + " does not fit in 64 bits");
  }
  pos = p;
  return static_cast<int64_t>(v);
}

Result<BigNat> read_uleb_big(ByteView in, size_t& pos, size_t max_bytes) {
  Bytes le;
  IC_TRY(size_t n, read_groups(in, pos, max_bytes, le));
  pos += n;
  return BigNat::from_bytes_le(le);
}

Result<BigInt> read_sleb_big(ByteView in, size_t& pos, size_t max_bytes) {
  Bytes le;
  IC_TRY(size_t n, read_groups(in, pos, max_bytes, le));
  size_t bits = 7 * n;
  bool negative = le[(bits - 1) / 8] >> ((bits - 1) % 8) & 1;
  pos += n;
  if (!negative) return BigInt(BigNat::from_bytes_le(le), false);
  // Value = x - 2^bits; magnitude = (2^bits - 1 - x) + 1 = (~x within `bits`) + 1.
  for (size_t i = 0; i < le.size(); ++i) le[i] = static_cast<uint8_t>(~le[i]);
  if (bits % 8) le.back() &= static_cast<uint8_t>((1u << (bits % 8)) - 1);
  BigNat m = BigNat::from_bytes_le(le);
  m.add_small(1);
  return BigInt(std::move(m), true);
}

}  // namespace ic
