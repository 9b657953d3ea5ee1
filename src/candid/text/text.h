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

struct DidFile;  // did.h

struct ParseOptions {
  // Type names that annotations inside values may use, `(x : MyType)`: usually the .did file the expected
  // types come from. Without it only type expressions (`(x : vec nat8)`) are understood.
  const DidFile* env = nullptr;
  // When set, receives one line per input that was accepted but ignored, e.g.
  // "1:22: argument 0: field `emial` is not in the type and was ignored" (record fields the type lacks).
  std::vector<std::string>* warnings = nullptr;
};

// Parse an argument list "( v1, v2, … )". With `types` the values are checked/annotated against
// (table, types): numbers take the expected type (range-checked), `null` is opt's none, field names
// resolve by hash, record fields the type lacks are ignored (and reported in opts.warnings) and missing
// opt/null/reserved fields (and trailing arguments) are filled in, as the binary decoder does; the
// result's table is a copy of *table. Without types, types are inferred as didc does: integers are int,
// floats float64, `vec {}` is vec empty, vec elements are joined (`vec { null; opt 1 }` : vec opt int),
// `(v : t)` fixes a type. Errors are "line:col: argument 0, field `a`, vec element 2: what is wrong"
// (Errc::invalid_input for syntax, Errc::type_mismatch for values that do not fit).
ic::Result<Args> parse_args(std::string_view text, const TypeTable* table = nullptr,
                            const std::vector<TypeRef>* types = nullptr, const ParseOptions& opts = {});
// The same with types from a .did environment: table = &env.table, annotations may name env's types.
// `types` may be null (inferred types; names still usable in annotations).
ic::Result<Args> parse_args(std::string_view text, const DidFile& env, const std::vector<TypeRef>* types,
                            const ParseOptions& opts = {});
// A single value (no surrounding argument list) at a single type.
ic::Result<Value> parse_value(std::string_view text, const TypeTable& table, TypeRef type,
                              const ParseOptions& opts = {});

struct PrintOptions {
  // didc's layout is a pretty-printer at 80 columns: whatever fits stays on one line, a record, vec or
  // argument list that does not is broken one element per line (each followed by its `;` or `,`),
  // indented by 2. 0: no limit, everything on one line.
  size_t width = 80;
};
// didc's notation (candid crate's IDLArgs Display), so hubctl's output matches didc's character for
// character: `(42 : nat8, "x", record { a = 1 : nat; b = vec { 1 : int } })`. Every number carries its
// type (`-1 : int`, `1.5 : float64`, `null : null`, `null : reserved`); digits are grouped with `_` except
// for nat8/int8; floats print Rust's shortest positional form (`3.0`, `0.000001`, `NaN`, `inf`); text is
// escaped as Rust's escape_debug; blobs are `blob "…"`; field names come from the types, numeric ids
// otherwise. Values nested more than 10 levels deep and vecs of more than 10 elements print in didc's
// compact one-line form (`vec { 1 : nat; 2 : nat;}`). Printed text parses back to equal values at the
// same types (without types, at types that infer to the same).
std::string print_args(const Args& args, const PrintOptions& opts = {});
std::string print_value(const TypeTable& table, TypeRef type, const Value& v, const PrintOptions& opts = {});

// "record { a : nat; b : vec text }". A recursive reference with no name prints as `rec_N` (N = node index).
std::string print_type(const TypeTable& table, TypeRef type);
// (did.h has print_type(DidFile, type), which prints defined types by name.)

}  // namespace candid::text
