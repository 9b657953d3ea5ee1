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
  // Work budget, like the reference implementation's decoding quota: every value decoded or skipped,
  // every type-table entry and every byte costs; exceeding it fails the decode (Errc::limit).
  uint64_t max_cost = 2'000'000;
  // Nesting limit for values and types during decode and subtype checks.
  uint32_t max_depth = 256;
  // Expected-type decoding only: skipped (unknown / unexpected) values also cost.
  uint64_t skip_cost_multiplier = 50;
};

// Decode `msg`. If `expected_types` is null the values come back at their wire types and the returned
// Args holds the wire type table. Otherwise they are coerced to (expected_table, expected_types):
// extra arguments are ignored, missing ones are accepted only for opt/null/reserved types.
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
