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
// (table, types): numbers take the expected type (range-checked), `null` is opt's none, field names
// resolve by hash, record fields the type lacks are ignored and missing opt/null/reserved fields (and
// trailing arguments) are filled in, as the binary decoder does; the result's table is a copy of
// *table. Without types, types are inferred as didc does: integers are int, floats float64, `vec {}`
// is vec empty, vec elements are joined (`vec { null; opt 1 }` : vec opt int), `(v : t)` fixes a type.
// Errors are "line:col: argument 0, field `a`, vec element 2: what is wrong" (Errc::invalid_input for
// syntax, Errc::type_mismatch for values that do not fit).
ic::Result<Args> parse_args(std::string_view text, const TypeTable* table = nullptr,
                            const std::vector<TypeRef>* types = nullptr);
// A single value (no surrounding argument list) at a single type.
ic::Result<Value> parse_value(std::string_view text, const TypeTable& table, TypeRef type);

struct PrintOptions {
  bool multiline = false;    // didc's pretty layout with indentation
  bool annotate_numbers = true;  // "42 : nat8" for fixed-size and ambiguous numbers, as didc prints
  bool blob_as_text = true;  // vec nat8 as blob "…" literal
};
// didc's notation: `(42 : nat8, "x", record { a = 1_000 : nat; b = vec { 1; 2 } })`. Numbers other than
// int and float64 (what a bare literal reads as) carry annotations; digits are grouped with `_`; field
// names come from the types, numeric ids otherwise; blobs keep printable ASCII; floats print the
// shortest round-trip form. Printed text parses back to equal values at the same types.
std::string print_args(const Args& args, const PrintOptions& opts = {});
std::string print_value(const TypeTable& table, TypeRef type, const Value& v, const PrintOptions& opts = {});

// "record { a : nat; b : vec text }". A recursive reference with no name prints as `rec_N` (N = node index).
std::string print_type(const TypeTable& table, TypeRef type);
// (did.h has print_type(DidFile, type), which prints defined types by name.)

}  // namespace candid::text
