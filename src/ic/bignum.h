// Arbitrary-precision naturals and integers: Candid `nat`/`int`, CBOR bignums, LEB128 of any size.
// Deliberately small (schoolbook arithmetic on 32-bit limbs): values here are rarely beyond 128 bits.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ic/bytes.h"
#include "ic/result.h"

namespace ic {

class BigNat {
 public:
  BigNat() = default;
  BigNat(uint64_t v);  // NOLINT: implicit on purpose, BigNat x = 5;

  // Decimal digits, '_' separators allowed between digits (Candid text), no sign.
  static Result<BigNat> from_decimal(std::string_view s);
  // Big-endian / little-endian magnitude bytes (leading/trailing zero bytes allowed).
  static BigNat from_bytes_be(ByteView b);
  static BigNat from_bytes_le(ByteView b);

  std::string to_decimal() const;
  Bytes to_bytes_be() const;  // minimal, empty for zero
  Bytes to_bytes_le() const;  // minimal, empty for zero
  std::optional<uint64_t> to_u64() const;

  bool is_zero() const { return limbs_.empty(); }
  size_t bit_length() const;
  bool bit(size_t i) const;

  BigNat& operator+=(const BigNat& o);
  // Precondition: *this >= o (otherwise the result is zero).
  BigNat& operator-=(const BigNat& o);
  BigNat& mul_small(uint32_t m);
  BigNat& add_small(uint32_t a);
  // Divides in place, returns the remainder (d == 0 leaves the value unchanged and returns 0).
  uint32_t divmod_small(uint32_t d);
  BigNat& shift_left(size_t bits);
  BigNat& shift_right(size_t bits);
  // Low 7/32/64 bits.
  uint64_t low_u64() const;

  friend BigNat operator+(BigNat a, const BigNat& b) { return a += b; }
  friend bool operator==(const BigNat& a, const BigNat& b) { return a.limbs_ == b.limbs_; }
  friend std::strong_ordering operator<=>(const BigNat& a, const BigNat& b);

 private:
  void trim();
  std::vector<uint32_t> limbs_;  // little-endian, no trailing zero limbs
};

class BigInt {
 public:
  BigInt() = default;
  BigInt(int64_t v);  // NOLINT
  BigInt(BigNat magnitude, bool negative);

  // Optional leading '+' or '-', then decimal digits with '_' separators.
  static Result<BigInt> from_decimal(std::string_view s);

  std::string to_decimal() const;
  std::optional<int64_t> to_i64() const;

  bool negative() const { return neg_; }
  const BigNat& magnitude() const { return mag_; }
  bool is_zero() const { return mag_.is_zero(); }

  friend bool operator==(const BigInt& a, const BigInt& b) { return a.neg_ == b.neg_ && a.mag_ == b.mag_; }
  friend std::strong_ordering operator<=>(const BigInt& a, const BigInt& b);

 private:
  bool neg_ = false;  // never true for zero
  BigNat mag_;
};

}  // namespace ic
