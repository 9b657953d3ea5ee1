#include "cdk/candid_io.h"

#include <string>

#include "candid/binary.h"
#include "cdk/runtime.h"

namespace cdk {

candid::Args candid_args(std::string_view method, const candid::TypeTable& table,
                         const std::vector<candid::TypeRef>& types) {
  ic::Bytes arg = arg_data();
  auto decoded = candid::decode(arg, &table, &types);
  if (!decoded.ok()) trap(std::string(method) + ": invalid argument: " + decoded.error().to_string());
  return std::move(decoded).value();
}

void reply_candid(const candid::TypeTable& table, const std::vector<candid::TypeRef>& types,
                  const std::vector<candid::Value>& values) {
  auto bytes = candid::encode(table, types, values);
  if (!bytes.ok()) trap("reply does not fit its Candid type: " + bytes.error().to_string());
  reply(*bytes);
}

}  // namespace cdk
