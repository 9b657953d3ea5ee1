// replica::node — the node's view of the wasm engine: compile a module, create/restore instances and run
// them. The real engine (replica_exec) sits behind it; unit tests plug in a fake with C++ "methods".
#pragma once

// Everything the node needs from exec is expressed with exec's plain structs (Invocation, ExecResult,
// Changes, Image), so the node never depends on the interpreter and tests can script executions.

#include <map>
#include <memory>
#include <set>
#include <string>

#include "ic/bytes.h"
#include "ic/result.h"
#include "ic/sha2.h"
#include "replica/exec/engine.h"

namespace replica {

// A validated module: what the node asks about it. Shared by every canister running the same bytes.
struct ModuleInfo {
  ic::Hash256 hash{};      // SHA-256 of the bytes as uploaded (certified module_hash)
  uint64_t wasm_size = 0;  // as uploaded
  std::set<std::string> update_methods, query_methods, composite_query_methods;
  std::set<std::string> system_exports;  // canister_init, canister_heartbeat, canister_global_timer, …
  std::map<std::string, ic::Bytes> public_metadata, private_metadata;
  std::shared_ptr<const void> handle;  // the runtime's own module object
  bool exports(const std::string& name) const { return system_exports.count(name) != 0; }
  uint64_t custom_sections_size() const {
    uint64_t n = 0;
    for (const auto* m : {&public_metadata, &private_metadata})
      for (const auto& [k, v] : *m) n += k.size() + v.size();
    return n;
  }
};

class WasmInstance {
 public:
  virtual ~WasmInstance() = default;
  // exec::Instance::execute semantics: on anything but Outcome::Ok the instance is unchanged.
  virtual exec::ExecResult execute(const exec::Invocation& inv) = 0;
  virtual exec::Changes take_changes() = 0;
  virtual exec::Image image() const = 0;
  virtual uint64_t heap_bytes() const = 0;
  virtual uint64_t stable_bytes() const = 0;
};

class WasmRuntime {
 public:
  virtual ~WasmRuntime() = default;
  // Errors (Errc::invalid_input) name what is wrong with the module; the node answers IC0505 with them.
  virtual ic::Result<std::shared_ptr<const ModuleInfo>> compile(ic::ByteView wasm) = 0;
  virtual ic::Result<std::unique_ptr<WasmInstance>> create(const std::shared_ptr<const ModuleInfo>& module,
                                                           const exec::Image* stable_from) = 0;
  virtual ic::Result<std::unique_ptr<WasmInstance>> restore(const std::shared_ptr<const ModuleInfo>& module,
                                                            const exec::Image& image) = 0;
};

// The libwabt engine of src/replica/exec; nullptr when hubctl was built without it.
std::shared_ptr<WasmRuntime> exec_runtime();

}  // namespace replica
