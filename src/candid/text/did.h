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
  std::optional<TypeRef> service;         // the actor's service node (op Service), if any
  std::vector<TypeRef> init_args;         // `service : (A, B) -> …` class arguments
  bool has_init = false;

  // The method's func type, or not_found naming the available methods.
  ic::Result<FuncType> method(std::string_view name) const;
};

// Parses a whole file. `import` is reported as unsupported with the file name.
ic::Result<DidFile> parse_did(std::string_view source);
ic::Result<DidFile> load_did(const std::string& path);

// Parses type definitions and one type expression in their scope, e.g. "(nat, opt text)" (a tuple
// type list) used by the conformance format and `--type` options; names resolve against `env`.
ic::Result<std::vector<TypeRef>> parse_type_list(std::string_view text, DidFile& env);
ic::Result<TypeRef> parse_type(std::string_view text, DidFile& env);

}  // namespace candid::text
