// Candid types (spec: dfinity/candid spec/Candid.md): a TypeTable of composite types addressed by
// TypeRef, primitives as negative opcodes, exactly as the binary format's type table. Recursive types are cycles of indices.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ic/result.h"

namespace candid {

// Wire opcodes (Candid.md "Binary format"). Primitives and composites share this enum.
enum class Op : int32_t {
  Null = -1,
  Bool = -2,
  Nat = -3,
  Int = -4,
  Nat8 = -5,
  Nat16 = -6,
  Nat32 = -7,
  Nat64 = -8,
  Int8 = -9,
  Int16 = -10,
  Int32 = -11,
  Int64 = -12,
  Float32 = -13,
  Float64 = -14,
  Text = -15,
  Reserved = -16,
  Empty = -17,
  Opt = -18,
  Vec = -19,
  Record = -20,
  Variant = -21,
  Func = -22,
  Service = -23,
  Principal = -24,
};

// A reference to a type: < 0 is a primitive opcode (only primitive ones: Null..Empty, Principal),
// >= 0 indexes TypeTable::nodes.
using TypeRef = int32_t;
constexpr TypeRef ref(Op primitive) { return static_cast<TypeRef>(primitive); }

bool is_primitive_op(int64_t opcode);
const char* op_name(Op op);  // "nat", "record", …

// Field id of a name: sum of utf8[i] * 223^(k-1-i) mod 2^32 (Candid.md "Records").
uint32_t field_hash(std::string_view name);

struct Field {
  uint32_t id = 0;
  std::string name;  // empty when only the numeric id is known (wire types, `0 : nat` syntax)
  TypeRef type = ref(Op::Null);
};

enum class FuncMode : uint8_t { Query = 1, Oneway = 2, CompositeQuery = 3 };

struct FuncType {
  std::vector<TypeRef> args;
  std::vector<TypeRef> results;
  std::vector<FuncMode> modes;  // at most one in well-formed types
  bool is_query() const;
};

struct Method {
  std::string name;
  TypeRef type = 0;  // refers to a node whose op is Func
};

struct TypeNode {
  Op op = Op::Record;             // Opt, Vec, Record, Variant, Func, Service
  TypeRef inner = ref(Op::Null);  // Opt, Vec
  std::vector<Field> fields;      // Record, Variant: strictly increasing ids
  FuncType func;                  // Func
  std::vector<Method> methods;    // Service: strictly increasing names (bytewise)
};

class TypeTable {
 public:
  std::vector<TypeNode> nodes;

  TypeRef add(TypeNode n) {
    nodes.push_back(std::move(n));
    return static_cast<TypeRef>(nodes.size() - 1);
  }
  // Precondition: r >= 0 && r < size.
  const TypeNode& node(TypeRef r) const { return nodes[static_cast<size_t>(r)]; }
  TypeNode& node(TypeRef r) { return nodes[static_cast<size_t>(r)]; }
  // The opcode of any reference (primitive or composite).
  Op op(TypeRef r) const { return r < 0 ? static_cast<Op>(r) : node(r).op; }
  bool valid(TypeRef r) const { return r < 0 ? is_primitive_op(r) : static_cast<size_t>(r) < nodes.size(); }

  // Convenience builders (append a node, return its ref).
  TypeRef opt(TypeRef inner);
  TypeRef vec(TypeRef inner);
  TypeRef blob() { return vec(ref(Op::Nat8)); }
  TypeRef record(std::vector<Field> fields);   // sorts by id
  TypeRef variant(std::vector<Field> fields);  // sorts by id
  TypeRef tuple(const std::vector<TypeRef>& elems);
  TypeRef func(FuncType f);
  TypeRef service(std::vector<Method> methods);  // sorts by name

  // Copies the type r of `other` (and everything it reaches) into this table; returns the new ref.
  TypeRef import(const TypeTable& other, TypeRef r);
};

// Makes a named field / an id-only field.
Field field(std::string_view name, TypeRef type);
Field field(uint32_t id, TypeRef type);

// Is (ta, a) a subtype of (tb, b)? Candid.md "Subtyping", coinductive over recursive types.
// Used for func/service references and by the decoder. False also when the check exceeds its
// limits (nesting deeper than 256, more than a million type pairs): use check_subtype to tell apart.
bool is_subtype(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b);

// The same with explicit limits: Errc::limit when the types nest deeper than max_depth or the check
// visits more than `steps` type pairs; `steps` is decremented by the pairs visited.
ic::Result<bool> check_subtype(const TypeTable& ta, TypeRef a, const TypeTable& tb, TypeRef b,
                               uint32_t max_depth, uint64_t& steps);

// Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as Candid text requires.
bool valid_utf8(std::string_view s);

// null <: t, i.e. t is null, opt _ or reserved: the types a record field or argument may be missing at.
bool is_null_like(const TypeTable& t, TypeRef r);

// Checks that the table is well-formed: composite opcodes only, every reference in range, field ids
// strictly increasing, method names strictly increasing and referring to func types, at most one
// func annotation and no results for oneway. decode() and encode() check the tables they are given.
ic::Status validate(const TypeTable& t);
ic::Status validate(const TypeTable& t, const std::vector<TypeRef>& types);

}  // namespace candid
