#include "bundle/bundle.h"

namespace bundle {

const BundledWasm* find_bundled_wasm(std::string_view name) {
  for (const BundledWasm& w : bundled_wasms())
    if (w.name == name) return &w;
  return nullptr;
}

}  // namespace bundle
