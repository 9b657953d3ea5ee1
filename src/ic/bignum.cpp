#include "ic/bignum.h"

#include <algorithm>

namespace ic {

namespace {
// Decimal text beyond this many digits is refused: parsing is quadratic and no IC value needs it.
constexpr size_t kMaxDecimalDigits = 100000;
}  // namespace

BigNat::BigNat(uint64_t v) {
  if (v) limbs_.push_back(static_cast<uint32_t>(v));
  if (v >> 32) limbs_.push_back(static_cast<uint32_t>(v >> 32));
}

void BigNat::trim() {
  while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
}

Result<BigNat> BigNat::from_decimal(std::string_view s) {
  if (s.empty()) return make_error(Errc::invalid_input, "empty number", "expected decimal digits");
  if (s.size() > kMaxDecimalDigits * 2)
    return make_error(Errc::limit, "number has " + std::to_string(s.size()) + " characters, more than the limit of " +
                                       std::to_string(kMaxDecimalDigits) + " digits");
  BigNat r;
  uint32_t chunk = 0, chunk_digits = 0;
  size_t digits = 0;
  static constexpr uint32_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      // Candid text: `_` only between two digits.
      if (i == 0 || i + 1 == s.size() || s[i - 1] == '_')
        return make_error(Errc::invalid_input, "misplaced '_' at offset " + std::to_string(i) + " in number '" +
                                                   std::string(s.substr(0, 40)) + "'",
                          "'_' may only separate two digits");
      continue;
    }
    if (c < '0' || c > '9')
      return make_error(Errc::invalid_input, "invalid character '" + std::string(1, c) + "' at offset " +
                                                 std::to_string(i) + " in number '" + std::string(s.substr(0, 40)) + "'",
                        "expected decimal digits");
    if (++digits > kMaxDecimalDigits)
      return make_error(Errc::limit, "number has more than " + std::to_string(kMaxDecimalDigits) + " digits");
    chunk = chunk * 10 + static_cast<uint32_t>(c - '0');
    if (++chunk_digits == 9) {
      r.mul_small(pow10[9]).add_small(chunk);
      chunk = chunk_digits = 0;
    }
  }
  if (chunk_digits) r.mul_small(pow10[chunk_digits]).add_small(chunk);
  return r;
}

BigNat BigNat::from_bytes_be(ByteView b) {
  BigNat r;
  r.limbs_.assign((b.size() + 3) / 4, 0);
  for (size_t i = 0; i < b.size(); ++i) {
    size_t k = b.size() - 1 - i;  // significance of byte i, in bytes
    r.limbs_[k / 4] |= static_cast<uint32_t>(b[i]) << (8 * (k % 4));
  }
  r.trim();
  return r;
}

BigNat BigNat::from_bytes_le(ByteView b) {
  BigNat r;
  r.limbs_.assign((b.size() + 3) / 4, 0);
  for (size_t k = 0; k < b.size(); ++k) r.limbs_[k / 4] |= static_cast<uint32_t>(b[k]) << (8 * (k % 4));
  r.trim();
  return r;
}

std::string BigNat::to_decimal() const {
  if (is_zero()) return "0";
  BigNat t = *this;
  std::string out;
  while (!t.is_zero()) {
    uint32_t rem = t.divmod_small(1000000000);
    for (int i = 0; i < 9; ++i) {
      out.push_back(static_cast<char>('0' + rem % 10));
      rem /= 10;
      if (t.is_zero() && rem == 0) break;
    }
  }
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  std::reverse(out.begin(), out.end());
  return out;
}

Bytes BigNat::to_bytes_be() const {
  Bytes out;
  size_t n = (bit_length() + 7) / 8;
  out.resize(n);
  for (size_t k = 0; k < n; ++k) out[n - 1 - k] = static_cast<uint8_t>(limbs_[k / 4] >> (8 * (k % 4)));
  return out;
}

Bytes BigNat::to_bytes_le() const {
  Bytes out = to_bytes_be();
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<uint64_t> BigNat::to_u64() const {
  if (limbs_.size() > 2) return std::nullopt;
  return low_u64();
}

size_t BigNat::bit_length() const {
  if (limbs_.empty()) return 0;
  uint32_t top = limbs_.back();
  size_t bits = 0;
  while (top) {
    ++bits;
    top >>= 1;
  }
  return (limbs_.size() - 1) * 32 + bits;
}

bool BigNat::bit(size_t i) const {
  size_t limb = i / 32;
  return limb < limbs_.size() && (limbs_[limb] >> (i % 32) & 1);
}

BigNat& BigNat::operator+=(const BigNat& o) {
  if (o.limbs_.size() > limbs_.size()) limbs_.resize(o.limbs_.size(), 0);
  uint64_t carry = 0;
  for (size_t i = 0; i < limbs_.size(); ++i) {
    uint64_t s = carry + limbs_[i] + (i < o.limbs_.size() ? o.limbs_[i] : 0);
    limbs_[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
    if (!carry && i >= o.limbs_.size()) break;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  return *this;
}

BigNat& BigNat::operator-=(const BigNat& o) {
  // Precondition *this >= o; if violated the result saturates at zero rather than wrapping.
  if (*this < o) {
    limbs_.clear();
    return *this;
  }
  int64_t borrow = 0;
  for (size_t i = 0; i < limbs_.size(); ++i) {
    int64_t d = static_cast<int64_t>(limbs_[i]) - (i < o.limbs_.size() ? o.limbs_[i] : 0) - borrow;
    borrow = d < 0;
    limbs_[i] = static_cast<uint32_t>(d + (borrow << 32));
    if (!borrow && i >= o.limbs_.size()) break;
  }
  trim();
  return *this;
}

BigNat& BigNat::mul_small(uint32_t m) {
  if (m == 0) {
    limbs_.clear();
    return *this;
  }
  uint64_t carry = 0;
  for (auto& l : limbs_) {
    uint64_t p = static_cast<uint64_t>(l) * m + carry;
    l = static_cast<uint32_t>(p);
    carry = p >> 32;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  return *this;
}

BigNat& BigNat::add_small(uint32_t a) {
  uint64_t carry = a;
  for (size_t i = 0; carry && i < limbs_.size(); ++i) {
    uint64_t s = limbs_[i] + carry;
    limbs_[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
  }
  if (carry) limbs_.push_back(static_cast<uint32_t>(carry));
  return *this;
}

uint32_t BigNat::divmod_small(uint32_t d) {
  if (d == 0) return 0;  // undefined; leave the value unchanged instead of trapping
  uint64_t rem = 0;
  for (size_t i = limbs_.size(); i-- > 0;) {
    uint64_t cur = rem << 32 | limbs_[i];
    limbs_[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  trim();
  return static_cast<uint32_t>(rem);
}

BigNat& BigNat::shift_left(size_t bits) {
  if (is_zero() || bits == 0) return *this;
  size_t words = bits / 32, sh = bits % 32;
  limbs_.insert(limbs_.begin(), words, 0);
  if (sh) {
    uint32_t carry = 0;
    for (size_t i = words; i < limbs_.size(); ++i) {
      uint32_t v = limbs_[i];
      limbs_[i] = v << sh | carry;
      carry = v >> (32 - sh);
    }
    if (carry) limbs_.push_back(carry);
  }
  return *this;
}

BigNat& BigNat::shift_right(size_t bits) {
  size_t words = bits / 32, sh = bits % 32;
  if (words >= limbs_.size()) {
    limbs_.clear();
    return *this;
  }
  limbs_.erase(limbs_.begin(), limbs_.begin() + static_cast<std::ptrdiff_t>(words));
  if (sh) {
    for (size_t i = 0; i < limbs_.size(); ++i) {
      uint32_t next = i + 1 < limbs_.size() ? limbs_[i + 1] : 0;
      limbs_[i] = limbs_[i] >> sh | next << (32 - sh);
    }
  }
  trim();
  return *this;
}

uint64_t BigNat::low_u64() const {
  uint64_t v = limbs_.empty() ? 0 : limbs_[0];
  if (limbs_.size() > 1) v |= static_cast<uint64_t>(limbs_[1]) << 32;
  return v;
}

std::strong_ordering operator<=>(const BigNat& a, const BigNat& b) {
  if (a.limbs_.size() != b.limbs_.size()) return a.limbs_.size() <=> b.limbs_.size();
  for (size_t i = a.limbs_.size(); i-- > 0;)
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  return std::strong_ordering::equal;
}

BigInt::BigInt(int64_t v) : neg_(v < 0), mag_(v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v)) {}

BigInt::BigInt(BigNat magnitude, bool negative) : neg_(negative && !magnitude.is_zero()), mag_(std::move(magnitude)) {}

Result<BigInt> BigInt::from_decimal(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  IC_TRY(BigNat m, BigNat::from_decimal(s));
  return BigInt(std::move(m), neg);
}

std::string BigInt::to_decimal() const { return neg_ ? "-" + mag_.to_decimal() : mag_.to_decimal(); }

std::optional<int64_t> BigInt::to_i64() const {
  auto m = mag_.to_u64();
  if (!m) return std::nullopt;
  if (neg_) {
    if (*m > (uint64_t{1} << 63)) return std::nullopt;
    return static_cast<int64_t>(0 - *m);
  }
  if (*m > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*m);
}

std::strong_ordering operator<=>(const BigInt& a, const BigInt& b) {
  if (a.neg_ != b.neg_) return a.neg_ ? std::strong_ordering::less : std::strong_ordering::greater;
  return a.neg_ ? b.mag_ <=> a.mag_ : a.mag_ <=> b.mag_;
}

}  // namespace ic
