// Candid values: one tagged struct for every type, produced by the binary decoder and the text
// parser and consumed by the encoder and printer. Values are always interpreted together with a type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "candid/types.h"
#include "ic/bignum.h"
#include "ic/bytes.h"

namespace candid {

struct FieldValue;

// Conventions shared by the decoder, the text parser and the encoder (so that values compare equal
// with operator== however they were produced):
// - a value at type `reserved` is Value::reserved(), whatever was sent or written;
// - a record value holds every field of its record type: fields missing in the input are filled with
//   null / none / reserved (for null, opt and reserved field types);
// - `int` values have kind Int even when they came from a `nat` on the wire; float32 is kept widened;
// - a principal-typed value has kind Principal (also when it came from a service reference).
struct Value {
  Op kind = Op::Null;  // the value's constructor: a primitive op, or Opt/Vec/Record/Variant/Func/Service

  bool boolean = false;  // Bool
  ic::BigInt number;     // Nat (never negative), Int
  uint64_t nat = 0;      // Nat8..Nat64
  int64_t integer = 0;   // Int8..Int64
  double real = 0;       // Float64; Float32 (a float widened exactly)
  std::string text;      // Text; Func: method name
  ic::Bytes bytes;       // Principal, Service, Func: principal bytes; Vec of nat8: the elements (items empty)
  std::vector<Value> items;         // Opt: 0 or 1 items; Vec (unless the element type is nat8)
  std::vector<FieldValue> fields;   // Record: by increasing id; Variant: exactly one

  // Constructors for tests and callers.
  static Value null();
  static Value reserved();
  static Value of_bool(bool b);
  static Value of_nat(ic::BigNat n);
  static Value of_int(ic::BigInt n);
  static Value of_fixed_nat(Op op, uint64_t v);  // Nat8..Nat64
  static Value of_fixed_int(Op op, int64_t v);   // Int8..Int64
  static Value of_float32(float f);
  static Value of_float64(double d);
  static Value of_text(std::string s);
  static Value of_principal(ic::Bytes p);
  static Value of_service(ic::Bytes p);
  static Value of_func(ic::Bytes principal, std::string method);
  static Value none();            // opt: null
  static Value some(Value v);     // opt: ?v
  static Value of_vec(std::vector<Value> items);
  static Value of_blob(ic::Bytes b);
  static Value of_record(std::vector<FieldValue> fields);  // sorts by id
  static Value of_variant(FieldValue f);

  // Field by id (records); nullptr if missing.
  const Value* field(uint32_t id) const;
  const Value* field(std::string_view name) const;

  // Structural equality (floats compare bitwise, so NaN == NaN and 0.0 != -0.0).
  friend bool operator==(const Value& a, const Value& b);
};

struct FieldValue {
  uint32_t id = 0;
  Value value;
};

// A message: its types and values, index-aligned.
struct Args {
  TypeTable table;
  std::vector<TypeRef> types;
  std::vector<Value> values;
};

}  // namespace candid
