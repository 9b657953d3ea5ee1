// CBOR (RFC 8949) values, a hardened decoder and a canonical encoder: the wire format of every IC
// HTTP request/response, certificates and hash trees (interface spec "CBOR encoding of requests").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace ic::cbor {

// RFC 8949 §3.4.6 self-described CBOR: the tag the IC puts in front of every message (d9 d9 f7).
constexpr uint64_t kSelfDescribeTag = 55799;
constexpr uint64_t kPositiveBignumTag = 2;  // §3.4.3
constexpr uint64_t kNegativeBignumTag = 3;

enum class Kind : uint8_t { Unsigned, Negative, Bytes, Text, Array, Map, Tag, Bool, Null, Undefined, Simple, Float };
const char* kind_name(Kind k);

class Value;
using Array = std::vector<Value>;
using Map = std::vector<std::pair<Value, Value>>;  // in encoding order; the decoder refuses duplicate keys

class Value {
 public:
  Value() : kind_(Kind::Null) {}  // null

  static Value uint(uint64_t v);
  // Negative integer -1 - n (major type 1), so the full range down to -2^64 is representable.
  static Value negative_minus_one(uint64_t n);
  static Value integer(int64_t v);
  // Unsigned if it fits in 64 bits, else tag 2 bignum (§3.4.3); likewise for BigInt with tag 3.
  static Value bignat(const BigNat& v);
  static Value bigint(const BigInt& v);
  static Value bytes(ByteView b);
  static Value bytes(Bytes&& b);
  static Value text(std::string_view s);  // caller guarantees UTF-8
  static Value array(Array items = {});
  static Value map(Map entries = {});
  // Map with text keys, e.g. Value::text_map({{"request_type", Value::text("call")}, …}).
  static Value text_map(std::initializer_list<std::pair<std::string_view, Value>> entries);
  static Value tag(uint64_t tag, Value content);
  static Value boolean(bool b);
  static Value null() { return Value(); }
  static Value undefined();
  static Value simple(uint8_t v);  // 20..23 give false/true/null/undefined; 24..31 are not valid (§3.3)
  static Value float64(double d);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_map() const { return kind_ == Kind::Map; }

  // Typed accessors: nullopt / nullptr when the value has another kind (or does not fit).
  std::optional<uint64_t> as_uint() const;
  std::optional<int64_t> as_int() const;      // Unsigned or Negative that fits int64
  std::optional<BigNat> as_bignat() const;    // Unsigned or tag 2
  std::optional<BigInt> as_bigint() const;    // Unsigned, Negative, tag 2 or tag 3
  const Bytes* as_bytes() const;
  std::optional<std::string_view> as_text() const;
  const Array* as_array() const;
  const Map* as_map() const;
  std::optional<bool> as_bool() const;
  std::optional<double> as_float() const;
  std::optional<uint8_t> as_simple() const;
  std::optional<uint64_t> tag_number() const;
  const Value* tag_content() const;
  // Raw head argument of Unsigned/Negative (n for -1-n), for code that needs the exact encoding.
  uint64_t raw_uint() const { return u_; }

  // Map lookup by text key; nullptr if this is not a map or the key is absent.
  const Value* get(std::string_view key) const;
  const Value* find(const Value& key) const;
  // Builders: set replaces an existing key or appends (keys keep insertion order); push appends to an
  // array. On a null value (the default) they first turn it into an empty map / array; otherwise they
  // do nothing if the kind is wrong.
  Value& set(std::string_view key, Value v);
  Value& set(Value key, Value v);
  Value& push(Value v);

  // The content of a self-describe tag (55799), or this value if untagged.
  const Value& untagged() const;

  Array* mutable_array() { return kind_ == Kind::Array ? &items_ : nullptr; }
  Map* mutable_map() { return kind_ == Kind::Map ? &entries_ : nullptr; }

  // Structural equality and a total order (kind first), e.g. for sorting or duplicate detection.
  friend int compare(const Value& a, const Value& b);
  friend bool operator==(const Value& a, const Value& b) { return compare(a, b) == 0; }

 private:
  friend class Decoder;
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_;
  uint64_t u_ = 0;   // Unsigned, Negative (n), Tag number, Simple, Float (bit pattern), Bool
  Bytes bytes_;      // Bytes, Text (UTF-8)
  Array items_;      // Array elements; Tag: exactly one element, the content
  Map entries_;      // Map
};

struct DecodeOptions {
  size_t max_depth = 128;          // nesting of arrays, maps and tags
  size_t max_items = 1u << 20;     // data items in total (bounds memory: ~100 bytes per item)
};

// Decodes exactly one data item; trailing bytes are an error.
Result<Value> decode(ByteView in, const DecodeOptions& opts = {});
// Decodes one data item from the front of `in`; `consumed` gets its length.
Result<Value> decode_prefix(ByteView in, size_t& consumed, const DecodeOptions& opts = {});

// Definite lengths, shortest heads (RFC 8949 §4.2.1 preferred serialization), map keys in the
// order given, floats as 64-bit doubles.
Bytes encode(const Value& v);
void encode_to(Bytes& out, const Value& v);
// d9 d9 f7 · encode(v).
Bytes encode_self_describe(const Value& v);

// Low-level head writer for streaming encoders: major type 0..7 and argument, shortest form.
void write_head(Bytes& out, uint8_t major, uint64_t arg);

// A short human-readable rendering (RFC 8949 §8 diagnostic notation, abbreviated) for error messages.
std::string diagnostic(const Value& v, size_t max_len = 200);

}  // namespace ic::cbor
