// Shared helpers for the Candid codec tests: hex input, decoding at hand-built expected types.
// The text parser is not used here, so these tests pin the binary codec on its own.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "candid/binary.h"

namespace candid_test {

inline ic::Bytes hex(std::string_view h) {
  auto r = ic::from_hex(h);
  REQUIRE(r.ok());
  return *r;
}

// "DIDL" followed by the given hex.
inline ic::Bytes didl(std::string_view h) {
  ic::Bytes b = {'D', 'I', 'D', 'L'};
  ic::Bytes rest = hex(h);
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

inline ic::Result<candid::Args> decode_at(const ic::Bytes& msg, const candid::TypeTable& t,
                                          std::vector<candid::TypeRef> types,
                                          const candid::DecodeOptions& o = {}) {
  return candid::decode(msg, &t, &types, o);
}

inline ic::Result<candid::Args> decode_at(const ic::Bytes& msg, candid::TypeRef type) {
  static const candid::TypeTable none;
  return decode_at(msg, none, {type});
}

inline candid::Value nat(uint64_t v) { return candid::Value::of_nat(ic::BigNat(v)); }
inline candid::Value integer(int64_t v) { return candid::Value::of_int(ic::BigInt(v)); }
inline candid::Value text(std::string s) { return candid::Value::of_text(std::move(s)); }

}  // namespace candid_test
