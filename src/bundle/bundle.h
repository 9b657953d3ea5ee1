// The canister modules built with hubctl (build/wasm/*.wasm), embedded in the binary so one file deploys the
// suite; each comes with its SHA-256, which is what the IC reports as the module hash of an installed canister.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace bundle {

struct BundledWasm {
  std::string_view name;          // canister name, e.g. "hello" (from src/canisters/hello)
  std::span<const uint8_t> bytes;  // the module, byte-identical to build/wasm/<name>.wasm
  std::string_view sha256_hex;     // lower-case hex SHA-256 of bytes
};

// Every embedded module, sorted by name; empty when built with HUBCTL_BUILD_WASM=OFF.
std::span<const BundledWasm> bundled_wasms();
// nullptr if there is no module of that name.
const BundledWasm* find_bundled_wasm(std::string_view name);

}  // namespace bundle
