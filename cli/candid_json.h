// Candid values as JSON for `--json` output (DESIGN.md: numbers of 64 bits and more as strings): records
// are objects by field name, variants {"Case": value}, opt null or its value, blobs hex, principals text.
#pragma once

#include <nlohmann/json.hpp>

#include "candid/value.h"

namespace cli {

nlohmann::json candid_to_json(const candid::TypeTable& table, candid::TypeRef type, const candid::Value& v);
// An argument list: an array with one element per value.
nlohmann::json candid_args_to_json(const candid::Args& args);

}  // namespace cli
