// Candid at the message boundary: decode a method's argument at its declared types, reply with encoded
// values. Any failure traps with a message that names the method, which the caller sees as the reject text.
#pragma once

#include <string_view>
#include <vector>

#include "candid/types.h"
#include "candid/value.h"

namespace cdk {

// Decodes the message argument at (table, types) with the spec's subtyping rules, or traps with
// "<method>: invalid argument: <reason>".
candid::Args candid_args(std::string_view method, const candid::TypeTable& table,
                         const std::vector<candid::TypeRef>& types);

// Encodes `values` at (table, types) and replies. A value that doesn't fit its type is a canister bug: traps.
void reply_candid(const candid::TypeTable& table, const std::vector<candid::TypeRef>& types,
                  const std::vector<candid::Value>& values);

}  // namespace cdk
