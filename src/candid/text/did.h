// The `.did` interface language: type definitions, the service (actor) with methods, and init
// arguments (`service : (Init) -> { … }`). Native only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "candid/types.h"
#include "ic/result.h"

namespace candid::text {

struct DidFile {
  TypeTable table;
  std::map<std::string, TypeRef> names;  // `type Name = …;` definitions, resolved
  std::map<std::string, std::string> aliases;  // `type A = B;`: A -> B (A shares B's TypeRef)
  std::optional<TypeRef> service;         // the actor's service node (op Service), if any
  std::vector<TypeRef> init_args;         // `service : (A, B) -> …` class arguments
  bool has_init = false;

  // The method's func type, or not_found naming the available methods.
  ic::Result<FuncType> method(std::string_view name) const;
};

// Parses a whole file. `import` is reported as unsupported with the file name.
ic::Result<DidFile> parse_did(std::string_view source);
ic::Result<DidFile> load_did(const std::string& path);

// Parses optional type definitions (added to `env`) and then a type list in their scope, e.g.
// "(nat, opt text)" or "type P = record { x : Id }; (P, nat)" (conformance format, `--types`); a bare
// type ("vec nat") is a list of one. Names resolve against `env`; new nodes go into env.table.
ic::Result<std::vector<TypeRef>> parse_type_list(std::string_view text, DidFile& env);
// Same for exactly one type expression.
ic::Result<TypeRef> parse_type(std::string_view text, DidFile& env);

// A type in the file's vocabulary: composite types that have a definition print by name (below the top).
std::string print_type(const DidFile& env, TypeRef type);

// The file back as `.did` text: one `type N = …;` per definition, then `service : … ;` if any.
std::string print_did(const DidFile& f);

}  // namespace candid::text
