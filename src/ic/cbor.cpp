#include "ic/cbor.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ic::cbor {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Unsigned: return "unsigned integer";
    case Kind::Negative: return "negative integer";
    case Kind::Bytes: return "byte string";
    case Kind::Text: return "text string";
    case Kind::Array: return "array";
    case Kind::Map: return "map";
    case Kind::Tag: return "tag";
    case Kind::Bool: return "boolean";
    case Kind::Null: return "null";
    case Kind::Undefined: return "undefined";
    case Kind::Simple: return "simple value";
    case Kind::Float: return "float";
  }
  return "?";
}

// ---- Value ---------------------------------------------------------------------------------------

Value Value::uint(uint64_t v) {
  Value r(Kind::Unsigned);
  r.u_ = v;
  return r;
}
Value Value::negative_minus_one(uint64_t n) {
  Value r(Kind::Negative);
  r.u_ = n;
  return r;
}
Value Value::integer(int64_t v) {
  // -1 - v computed without overflow: for v < 0, -1 - v = ~v.
  return v >= 0 ? uint(static_cast<uint64_t>(v)) : negative_minus_one(~static_cast<uint64_t>(v));
}
Value Value::bignat(const BigNat& v) {
  if (auto u = v.to_u64()) return uint(*u);
  return tag(kPositiveBignumTag, bytes(v.to_bytes_be()));
}
Value Value::bigint(const BigInt& v) {
  if (!v.negative()) return bignat(v.magnitude());
  BigNat n = v.magnitude();
  n -= BigNat(1);  // §3.4.3: tag 3 holds -1 - value
  if (auto u = n.to_u64()) return negative_minus_one(*u);
  return tag(kNegativeBignumTag, bytes(n.to_bytes_be()));
}
Value Value::bytes(ByteView b) {
  Value r(Kind::Bytes);
  r.bytes_.assign(b.begin(), b.end());
  return r;
}
Value Value::bytes(Bytes&& b) {
  Value r(Kind::Bytes);
  r.bytes_ = std::move(b);
  return r;
}
Value Value::text(std::string_view s) {
  Value r(Kind::Text);
  r.bytes_.assign(s.begin(), s.end());
  return r;
}
Value Value::array(Array items) {
  Value r(Kind::Array);
  r.items_ = std::move(items);
  return r;
}
Value Value::map(Map entries) {
  Value r(Kind::Map);
  r.entries_ = std::move(entries);
  return r;
}
Value Value::text_map(std::initializer_list<std::pair<std::string_view, Value>> entries) {
  Value r(Kind::Map);
  r.entries_.reserve(entries.size());
  for (auto& e : entries) r.entries_.emplace_back(text(e.first), e.second);
  return r;
}
Value Value::tag(uint64_t tag, Value content) {
  Value r(Kind::Tag);
  r.u_ = tag;
  r.items_.push_back(std::move(content));
  return r;
}
Value Value::boolean(bool b) {
  Value r(Kind::Bool);
  r.u_ = b;
  return r;
}
Value Value::undefined() { return Value(Kind::Undefined); }
Value Value::simple(uint8_t v) {
  switch (v) {
    case 20: return boolean(false);
    case 21: return boolean(true);
    case 22: return null();
    case 23: return undefined();
  }
  Value r(Kind::Simple);
  r.u_ = v;
  return r;
}
Value Value::float64(double d) {
  Value r(Kind::Float);
  std::memcpy(&r.u_, &d, 8);
  return r;
}

std::optional<uint64_t> Value::as_uint() const {
  if (kind_ == Kind::Unsigned) return u_;
  return std::nullopt;
}
std::optional<int64_t> Value::as_int() const {
  if (u_ > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  if (kind_ == Kind::Unsigned) return static_cast<int64_t>(u_);
  if (kind_ == Kind::Negative) return -1 - static_cast<int64_t>(u_);
  return std::nullopt;
}
std::optional<BigNat> Value::as_bignat() const {
  if (kind_ == Kind::Unsigned) return BigNat(u_);
  if (kind_ == Kind::Tag && u_ == kPositiveBignumTag && items_[0].kind_ == Kind::Bytes)
    return BigNat::from_bytes_be(items_[0].bytes_);
  return std::nullopt;
}
std::optional<BigInt> Value::as_bigint() const {
  if (auto n = as_bignat()) return BigInt(std::move(*n), false);
  BigNat n;
  if (kind_ == Kind::Negative)
    n = BigNat(u_);
  else if (kind_ == Kind::Tag && u_ == kNegativeBignumTag && items_[0].kind_ == Kind::Bytes)
    n = BigNat::from_bytes_be(items_[0].bytes_);
  else
    return std::nullopt;
  n.add_small(1);
  return BigInt(std::move(n), true);
}
const Bytes* Value::as_bytes() const { return kind_ == Kind::Bytes ? &bytes_ : nullptr; }
std::optional<std::string_view> Value::as_text() const {
  if (kind_ != Kind::Text) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size());
}
const Array* Value::as_array() const { return kind_ == Kind::Array ? &items_ : nullptr; }
const Map* Value::as_map() const { return kind_ == Kind::Map ? &entries_ : nullptr; }
std::optional<bool> Value::as_bool() const {
  if (kind_ == Kind::Bool) return u_ != 0;
  return std::nullopt;
}
std::optional<double> Value::as_float() const {
  if (kind_ != Kind::Float) return std::nullopt;
  double d;
  std::memcpy(&d, &u_, 8);
  return d;
}
std::optional<uint8_t> Value::as_simple() const {
  if (kind_ == Kind::Simple) return static_cast<uint8_t>(u_);
  return std::nullopt;
}
std::optional<uint64_t> Value::tag_number() const {
  if (kind_ == Kind::Tag) return u_;
  return std::nullopt;
}
const Value* Value::tag_content() const { return kind_ == Kind::Tag ? &items_[0] : nullptr; }

const Value* Value::get(std::string_view key) const {
  if (kind_ != Kind::Map) return nullptr;
  for (auto& [k, v] : entries_)
    if (k.kind_ == Kind::Text && k.bytes_.size() == key.size() &&
        std::memcmp(k.bytes_.data(), key.data(), key.size()) == 0)
      return &v;
  return nullptr;
}
const Value* Value::find(const Value& key) const {
  if (kind_ != Kind::Map) return nullptr;
  for (auto& [k, v] : entries_)
    if (compare(k, key) == 0) return &v;
  return nullptr;
}

Value& Value::set(std::string_view key, Value v) { return set(text(key), std::move(v)); }
Value& Value::set(Value key, Value v) {
  if (kind_ == Kind::Null) kind_ = Kind::Map;
  if (kind_ != Kind::Map) return *this;
  for (auto& e : entries_)
    if (compare(e.first, key) == 0) {
      e.second = std::move(v);
      return *this;
    }
  entries_.emplace_back(std::move(key), std::move(v));
  return *this;
}
Value& Value::push(Value v) {
  if (kind_ == Kind::Null) kind_ = Kind::Array;
  if (kind_ == Kind::Array) items_.push_back(std::move(v));
  return *this;
}

const Value& Value::untagged() const {
  return kind_ == Kind::Tag && u_ == kSelfDescribeTag ? items_[0] : *this;
}

int compare(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return a.kind_ < b.kind_ ? -1 : 1;
  if (a.u_ != b.u_) return a.u_ < b.u_ ? -1 : 1;
  if (a.bytes_ != b.bytes_) return a.bytes_ < b.bytes_ ? -1 : 1;
  if (a.items_.size() != b.items_.size()) return a.items_.size() < b.items_.size() ? -1 : 1;
  for (size_t i = 0; i < a.items_.size(); ++i)
    if (int c = compare(a.items_[i], b.items_[i])) return c;
  if (a.entries_.size() != b.entries_.size()) return a.entries_.size() < b.entries_.size() ? -1 : 1;
  for (size_t i = 0; i < a.entries_.size(); ++i) {
    if (int c = compare(a.entries_[i].first, b.entries_[i].first)) return c;
    if (int c = compare(a.entries_[i].second, b.entries_[i].second)) return c;
  }
  return 0;
}

// ---- Decoder -------------------------------------------------------------------------------------

namespace {

// RFC 3629 well-formed UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const uint8_t* p, size_t n, size_t& bad) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEC) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c >= 0xEE && c <= 0xEF) len = 3;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else {
      bad = i;
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) {
      bad = i;
      return false;
    }
    for (size_t k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) {
        bad = i;
        return false;
      }
    i += len;
  }
  return true;
}

double half_to_double(uint16_t h) {
  // RFC 8949 Appendix D.
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double val;
  if (exp == 0)
    val = std::ldexp(mant, -24);
  else if (exp != 31)
    val = std::ldexp(mant + 1024, exp - 25);
  else
    val = mant == 0 ? __builtin_inf() : __builtin_nan("");
  return (h & 0x8000) ? -val : val;
}

}  // namespace

class Decoder {
 public:
  Decoder(ByteView in, const DecodeOptions& o) : in_(in), opts_(o) {}

  Result<Value> item(size_t depth);
  size_t pos() const { return pos_; }

 private:
  Error fail(size_t at, const std::string& what, Errc code = Errc::decode) {
    return make_error(code, "CBOR: " + what + " at offset " + std::to_string(at),
                      code == Errc::limit ? "the input is too large or too deeply nested; it is probably hostile"
                                          : "the data is not valid CBOR");
  }
  size_t remaining() const { return in_.size() - pos_; }
  Result<uint64_t> argument(uint8_t ai, size_t start);
  Status read_string(Value& v, uint8_t major, uint8_t ai, size_t start);
  Status check_duplicates(const Map& m, size_t start);

  ByteView in_;
  DecodeOptions opts_;
  size_t pos_ = 0;
  size_t items_ = 0;
};

Result<uint64_t> Decoder::argument(uint8_t ai, size_t start) {
  if (ai < 24) return uint64_t{ai};
  size_t n = size_t{1} << (ai - 24);  // 1, 2, 4 or 8 bytes follow
  if (remaining() < n) return fail(start, "truncated head (needs " + std::to_string(n) + " more bytes)");
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v << 8 | in_[pos_++];
  return v;
}

Status Decoder::read_string(Value& v, uint8_t major, uint8_t ai, size_t start) {
  const char* what = major == 2 ? "byte string" : "text string";
  auto append = [&](uint64_t len, size_t at) -> Status {
    if (len > remaining())
      return fail(at, std::string(what) + " of " + std::to_string(len) + " bytes exceeds the remaining " +
                          std::to_string(remaining()) + " bytes");
    const uint8_t* p = in_.data() + pos_;
    size_t bad = 0;
    // §3.2.3: each chunk of an indefinite text string is itself valid UTF-8.
    if (major == 3 && !valid_utf8(p, len, bad)) return fail(pos_ + bad, "invalid UTF-8 in text string");
    v.bytes_.insert(v.bytes_.end(), p, p + len);
    pos_ += len;
    return {};
  };
  if (ai != 31) {
    IC_TRY(uint64_t len, argument(ai, start));
    return append(len, start);
  }
  while (true) {  // indefinite length: definite chunks of the same major type until the break
    if (remaining() == 0) return fail(pos_, std::string("unterminated indefinite-length ") + what);
    size_t at = pos_;
    uint8_t ib = in_[pos_++];
    if (ib == 0xff) return {};
    if ((ib >> 5) != major || (ib & 31) == 31 || (ib & 31) >= 28)
      return fail(at, std::string("chunk of indefinite-length ") + what + " is not a definite " + what);
    IC_TRY(uint64_t len, argument(ib & 31, at));
    IC_CHECK(append(len, at));
  }
}

Status Decoder::check_duplicates(const Map& m, size_t start) {
  // RFC 8949 §5.6: duplicate keys make a map invalid; accepting them would let two readers disagree
  // on e.g. which `content` an envelope carries.
  if (m.size() < 2) return {};
  std::vector<const Value*> keys;
  keys.reserve(m.size());
  for (auto& e : m) keys.push_back(&e.first);
  std::sort(keys.begin(), keys.end(), [](const Value* a, const Value* b) { return compare(*a, *b) < 0; });
  for (size_t i = 1; i < keys.size(); ++i)
    if (compare(*keys[i - 1], *keys[i]) == 0) return fail(start, "duplicate map key " + diagnostic(*keys[i], 60));
  return {};
}

Result<Value> Decoder::item(size_t depth) {
  if (depth > opts_.max_depth)
    return fail(pos_, "nesting deeper than " + std::to_string(opts_.max_depth) + " levels", Errc::limit);
  if (++items_ > opts_.max_items)
    return fail(pos_, "more than " + std::to_string(opts_.max_items) + " data items", Errc::limit);
  if (remaining() == 0) return fail(pos_, "unexpected end of input (expected a data item)");
  size_t start = pos_;
  uint8_t ib = in_[pos_++];
  uint8_t major = ib >> 5, ai = ib & 31;
  if (ai >= 28 && ai <= 30) return fail(start, "reserved additional information " + std::to_string(ai));
  if (ai == 31) {
    if (major == 7) return fail(start, "unexpected break (0xff)");
    if (major < 2 || major == 6) return fail(start, "indefinite length is not allowed for major type " + std::to_string(major));
  }
  switch (major) {
    case 0:
    case 1: {
      IC_TRY(uint64_t arg, argument(ai, start));
      return major == 0 ? Value::uint(arg) : Value::negative_minus_one(arg);
    }
    case 2:
    case 3: {
      Value v(major == 2 ? Kind::Bytes : Kind::Text);
      IC_CHECK(read_string(v, major, ai, start));
      return v;
    }
    case 4: {
      Value v(Kind::Array);
      if (ai == 31) {
        while (true) {
          if (remaining() == 0) return fail(pos_, "unterminated indefinite-length array");
          if (in_[pos_] == 0xff) {
            ++pos_;
            return v;
          }
          IC_TRY(Value e, item(depth + 1));
          v.items_.push_back(std::move(e));
        }
      }
      IC_TRY(uint64_t n, argument(ai, start));
      // Every element takes at least one byte: refuse impossible counts before allocating.
      if (n > remaining())
        return fail(start, "array of " + std::to_string(n) + " elements exceeds the remaining " +
                               std::to_string(remaining()) + " bytes");
      v.items_.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        IC_TRY(Value e, item(depth + 1));
        v.items_.push_back(std::move(e));
      }
      return v;
    }
    case 5: {
      Value v(Kind::Map);
      if (ai == 31) {
        while (true) {
          if (remaining() == 0) return fail(pos_, "unterminated indefinite-length map");
          if (in_[pos_] == 0xff) {
            ++pos_;
            break;
          }
          IC_TRY(Value k, item(depth + 1));
          if (remaining() && in_[pos_] == 0xff) return fail(pos_, "map ends after a key without its value");
          IC_TRY(Value e, item(depth + 1));
          v.entries_.emplace_back(std::move(k), std::move(e));
        }
      } else {
        IC_TRY(uint64_t n, argument(ai, start));
        if (n > remaining() / 2)
          return fail(start, "map of " + std::to_string(n) + " entries exceeds the remaining " +
                                 std::to_string(remaining()) + " bytes");
        v.entries_.reserve(n);
        for (uint64_t i = 0; i < n; ++i) {
          IC_TRY(Value k, item(depth + 1));
          IC_TRY(Value e, item(depth + 1));
          v.entries_.emplace_back(std::move(k), std::move(e));
        }
      }
      IC_CHECK(check_duplicates(v.entries_, start));
      return v;
    }
    case 6: {
      IC_TRY(uint64_t tag, argument(ai, start));
      IC_TRY(Value content, item(depth + 1));
      if ((tag == kPositiveBignumTag || tag == kNegativeBignumTag) && content.kind() != Kind::Bytes)
        return fail(start, "bignum tag " + std::to_string(tag) + " must contain a byte string, not a " +
                               kind_name(content.kind()));
      return Value::tag(tag, std::move(content));
    }
    default: {  // major 7: simple values and floats (§3.3)
      if (ai < 24) return Value::simple(ai);
      IC_TRY(uint64_t arg, argument(ai, start));
      if (ai == 24) {
        if (arg < 32) return fail(start, "two-byte encoding of simple value " + std::to_string(arg) + " is not well-formed");
        return Value::simple(static_cast<uint8_t>(arg));
      }
      if (ai == 25) return Value::float64(half_to_double(static_cast<uint16_t>(arg)));
      if (ai == 26) {
        uint32_t bits = static_cast<uint32_t>(arg);
        float f;
        std::memcpy(&f, &bits, 4);
        return Value::float64(f);
      }
      double d;
      std::memcpy(&d, &arg, 8);
      return Value::float64(d);
    }
  }
}

Result<Value> decode_prefix(ByteView in, size_t& consumed, const DecodeOptions& opts) {
  Decoder d(in, opts);
  IC_TRY(Value v, d.item(0));
  consumed = d.pos();
  return v;
}

Result<Value> decode(ByteView in, const DecodeOptions& opts) {
  size_t used = 0;
  IC_TRY(Value v, decode_prefix(in, used, opts));
  if (used != in.size())
    return make_error(Errc::decode,
                      "CBOR: " + std::to_string(in.size() - used) + " trailing bytes after the data item at offset " +
                          std::to_string(used),
                      "the input holds more than one CBOR item or was concatenated with other data");
  return v;
}

// ---- Encoder -------------------------------------------------------------------------------------

void write_head(Bytes& out, uint8_t major, uint64_t arg) {
  uint8_t m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out.push_back(m | static_cast<uint8_t>(arg));
    return;
  }
  int n = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffffu ? 4 : 8;
  out.push_back(m | static_cast<uint8_t>(n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(arg >> (8 * i)));
}

void encode_to(Bytes& out, const Value& v) {
  switch (v.kind()) {
    case Kind::Unsigned: write_head(out, 0, v.raw_uint()); return;
    case Kind::Negative: write_head(out, 1, v.raw_uint()); return;
    case Kind::Bytes: {
      const Bytes& b = *v.as_bytes();
      write_head(out, 2, b.size());
      out.insert(out.end(), b.begin(), b.end());
      return;
    }
    case Kind::Text: {
      std::string_view s = *v.as_text();
      write_head(out, 3, s.size());
      out.insert(out.end(), s.begin(), s.end());
      return;
    }
    case Kind::Array:
      write_head(out, 4, v.as_array()->size());
      for (auto& e : *v.as_array()) encode_to(out, e);
      return;
    case Kind::Map:
      write_head(out, 5, v.as_map()->size());
      for (auto& [k, e] : *v.as_map()) {
        encode_to(out, k);
        encode_to(out, e);
      }
      return;
    case Kind::Tag:
      write_head(out, 6, *v.tag_number());
      encode_to(out, *v.tag_content());
      return;
    case Kind::Bool: out.push_back(*v.as_bool() ? 0xf5 : 0xf4); return;
    case Kind::Null: out.push_back(0xf6); return;
    case Kind::Undefined: out.push_back(0xf7); return;
    case Kind::Simple: {
      uint8_t s = *v.as_simple();
      if (s < 24) {
        out.push_back(0xe0 | s);
      } else {
        out.push_back(0xf8);
        out.push_back(s);
      }
      return;
    }
    case Kind::Float: {
      uint64_t bits = v.raw_uint();
      out.push_back(0xfb);
      for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
      return;
    }
  }
}

Bytes encode(const Value& v) {
  Bytes out;
  encode_to(out, v);
  return out;
}

Bytes encode_self_describe(const Value& v) {
  Bytes out{0xd9, 0xd9, 0xf7};
  encode_to(out, v);
  return out;
}

// ---- Diagnostic notation -------------------------------------------------------------------------

namespace {
void diag(std::string& s, const Value& v, size_t max_len) {
  if (s.size() > max_len) return;
  switch (v.kind()) {
    case Kind::Unsigned: s += std::to_string(v.raw_uint()); return;
    case Kind::Negative:
      s += v.raw_uint() == UINT64_MAX ? "-18446744073709551616" : "-" + std::to_string(v.raw_uint() + 1);
      return;
    case Kind::Bytes: s += "h'" + to_hex(*v.as_bytes()) + "'"; return;
    case Kind::Text: s += "\"" + std::string(*v.as_text()) + "\""; return;
    case Kind::Array: {
      s += "[";
      bool first = true;
      for (auto& e : *v.as_array()) {
        if (!first) s += ", ";
        first = false;
        diag(s, e, max_len);
        if (s.size() > max_len) return;
      }
      s += "]";
      return;
    }
    case Kind::Map: {
      s += "{";
      bool first = true;
      for (auto& [k, e] : *v.as_map()) {
        if (!first) s += ", ";
        first = false;
        diag(s, k, max_len);
        s += ": ";
        diag(s, e, max_len);
        if (s.size() > max_len) return;
      }
      s += "}";
      return;
    }
    case Kind::Tag:
      s += std::to_string(*v.tag_number()) + "(";
      diag(s, *v.tag_content(), max_len);
      s += ")";
      return;
    case Kind::Bool: s += *v.as_bool() ? "true" : "false"; return;
    case Kind::Null: s += "null"; return;
    case Kind::Undefined: s += "undefined"; return;
    case Kind::Simple: s += "simple(" + std::to_string(*v.as_simple()) + ")"; return;
    case Kind::Float: {
      // Exact enough for messages without pulling in iostreams/printf formatting of doubles.
      double d = *v.as_float();
      if (d != d) s += "NaN";
      else if (d == __builtin_inf()) s += "Infinity";
      else if (d == -__builtin_inf()) s += "-Infinity";
      else if (d < 9e15 && d > -9e15 && d == static_cast<double>(static_cast<int64_t>(d)))
        s += std::to_string(static_cast<int64_t>(d)) + ".0";
      else s += std::to_string(d);
      return;
    }
  }
}
}  // namespace

std::string diagnostic(const Value& v, size_t max_len) {
  std::string s;
  diag(s, v, max_len);
  if (s.size() > max_len) {
    s.resize(max_len);
    s += "…";
  }
  return s;
}

}  // namespace ic::cbor
