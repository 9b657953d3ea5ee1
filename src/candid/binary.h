// The Candid binary format: encode a typed argument list to "DIDL…" bytes and decode bytes, optionally
// at expected types with the spec's subtyping/coercion. Bounded in time and memory for any input.
#pragma once

#include <cstdint>
#include <vector>

#include "candid/types.h"
#include "candid/value.h"
#include "ic/bytes.h"
#include "ic/result.h"

namespace candid {

struct DecodeOptions {
  // Work budget, like the reference implementation's decoding quota: exceeding it fails the decode
  // (Errc::limit). Units are roughly bytes of work and memory: the whole input costs its length, each
  // type-table entry, field and method the size of its struct, each func argument and subtype-check
  // step 16, each decoded value sizeof(Value) (so the budget bounds the memory the result takes), each
  // skipped value skip_cost_multiplier.
  // Vectors are charged for all their elements before the first one is read, so a billion `null`s
  // fail at once. The default admits any realistic 2 MiB message.
  uint64_t max_cost = 128u << 20;
  // Nesting limit for values and types during decode, skipping and subtype checks. Decoding recurses
  // on the stack (about 1 KiB per level), so keep it well below the stack size.
  uint32_t max_depth = 256;
  // Cost of each value skipped (unknown record fields, extra arguments, `reserved`, a failed `opt`).
  uint64_t skip_cost_multiplier = 50;
  // nat/int LEB128 encodings longer than this are refused (they may be overlong, so this is not a
  // bound on the value alone; 128 bytes hold any number below 2^896).
  size_t max_number_bytes = 128;
};

// Decode `msg`. If `expected_types` is null the values come back at their wire types and the returned
// Args holds the wire type table (field names empty; future types, opcodes below -24, as reserved).
// Otherwise they are coerced to (expected_table, expected_types), which the result then holds: extra
// arguments are ignored, missing ones are accepted only for opt/null/reserved types. Errors: decode
// (malformed bytes), type_mismatch (does not fit the expected types), limit (DecodeOptions), unsupported.
ic::Result<Args> decode(ic::ByteView msg, const TypeTable* expected_table = nullptr,
                        const std::vector<TypeRef>* expected_types = nullptr,
                        const DecodeOptions& opts = {});

// Encode values at the given types (types must be well-formed; values must fit them).
ic::Result<ic::Bytes> encode(const TypeTable& table, const std::vector<TypeRef>& types,
                             const std::vector<Value>& values);
inline ic::Result<ic::Bytes> encode(const Args& a) { return encode(a.table, a.types, a.values); }

// Does `v` fit type r? (recursive, cheap; used by encode and by tests)
ic::Status check_value(const TypeTable& table, TypeRef r, const Value& v);

}  // namespace candid
