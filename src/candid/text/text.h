// Candid textual values in didc's notation: parse "(42 : nat, record { a = "x" })" and print Args back,
// plus type printing. Native only (the canisters never see text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "candid/types.h"
#include "candid/value.h"
#include "ic/result.h"

namespace candid::text {

// Parse an argument list "( v1, v2, … )". With `types` the values are checked/annotated against
// (table, types) (numbers take the expected type, `null` fills opt, field names resolve by hash);
// without, types are inferred as didc does (unannotated numbers are int, a bare literal is its own type).
ic::Result<Args> parse_args(std::string_view text, const TypeTable* table = nullptr,
                            const std::vector<TypeRef>* types = nullptr);
// A single value at a single type (conformance tests, tests).
ic::Result<Value> parse_value(std::string_view text, const TypeTable& table, TypeRef type);

struct PrintOptions {
  bool multiline = false;    // didc's pretty layout with indentation
  bool annotate_numbers = true;  // "42 : nat8" for fixed-size and ambiguous numbers, as didc prints
  bool blob_as_text = true;  // vec nat8 as blob "…" literal
};
std::string print_args(const Args& args, const PrintOptions& opts = {});
std::string print_value(const TypeTable& table, TypeRef type, const Value& v, const PrintOptions& opts = {});

// "record { a : nat; b : vec text }"; named types print by name when `names` knows them.
std::string print_type(const TypeTable& table, TypeRef type);

}  // namespace candid::text
