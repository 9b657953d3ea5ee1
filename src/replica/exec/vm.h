// replica::exec::vm — the narrow, wabt-free and C++17-clean seam between the engine (C++20, engine.cpp) and
// the libwabt code (C++17, vm.cpp): module parsing, validation, instrumentation and the interpreter instance.
#pragma once

// Only standard headers here: vm.cpp is compiled as C++17 (wabt's headers do not build as C++20 under
// g++ 12), engine.cpp as C++20; both see exactly these declarations. No ic/ header (they need <span>).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace replica::exec::vm {

enum class ValType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef, Other };

struct Signature {
  std::vector<ValType> params, results;
};

// Looks up the expected signature of an `ic0` import; nullptr when the name is not part of the System API.
using ImportLookup = const Signature* (*)(const std::string& name);

struct CompileLimits {
  uint32_t max_functions = 50'000;
  uint32_t max_globals = 1'000;
};

// What the engine needs to know about a module (after validation, before instrumentation).
struct ModuleFacts {
  std::vector<std::string> imports;       // ic0 function names, in import (= function index) order
  std::vector<std::string> func_exports;  // exported function names
  std::vector<std::string> other_exports; // exported memories/tables/globals (names only)
  std::vector<ValType> global_types;      // the module's own globals, in order
  uint32_t memories = 0;
  uint64_t initial_heap_pages = 0;        // 64 KiB wasm pages
};

class Code;  // a validated, instrumented module ready to instantiate (immutable, shareable across threads)

// Parses and validates `wasm` (raw bytes) against the feature set mainnet accepts, checks imports against
// `lookup`, instruments it. Returns an error text (empty on success).
std::string compile(const uint8_t* wasm, size_t size, const CompileLimits& limits, ImportLookup lookup,
                    std::shared_ptr<const Code>* out, ModuleFacts* facts);

// Size of the instrumented binary (for the benchmark's overhead figures).
size_t instrumented_size(const Code& code);

// The System API side: called for every ic0 import. Returns false to trap (the host remembers why).
class Host {
 public:
  virtual ~Host() = default;
  virtual bool call(uint32_t import_index, const uint64_t* args, uint64_t* results) = 0;
};

enum class Status { Ok, Trap, HostTrap, InstructionLimit };
struct CallResult {
  Status status = Status::Ok;
  std::string message;  // wabt's trap text for Status::Trap
};

// One live instance: wabt store + instance, the committed shadow of the heap and the dirty-page map.
class Vm {
 public:
  static constexpr uint64_t kPage = 4096;

  // `run_start`: run the module's start function (fresh instances); restore() passes false.
  static std::unique_ptr<Vm> instantiate(std::shared_ptr<const Code> code, Host* host, std::string* error);
  ~Vm();

  // The instruction budget: remaining instructions (may go negative by one segment before the trap).
  void set_budget(int64_t remaining);
  int64_t budget() const;
  void set_memory_limit_pages(uint64_t pages);  // memory.grow beyond this returns -1

  CallResult run_start();                                   // no-op when the module has none
  bool has_export(const std::string& name) const;
  CallResult call_export(const std::string& name);          // a `() -> ()` export
  CallResult call_table(uint32_t index, uint32_t env);      // a `(i32) -> ()` table entry

  // Heap access for the host (re-read after any wasm call: memory.grow reallocates).
  uint8_t* heap();
  uint64_t heap_bytes() const;
  bool in_bounds(uint64_t offset, uint64_t len) const { return offset + len >= offset && offset + len <= heap_bytes(); }
  void mark_dirty(uint64_t offset, uint64_t len);  // host writes

  // Globals of the module (the instrumentation's own are hidden), as raw bits; v128 takes two slots.
  std::vector<uint64_t> globals() const;
  void set_globals(const std::vector<uint64_t>& bits);

  // Ends an execution. commit(): the dirty pages become the committed state; their indices are appended
  // to `changed` (unsorted, may repeat). rollback(): heap, size and globals return to the committed state.
  void commit(std::vector<uint64_t>* changed);
  void rollback();
  uint64_t committed_heap_bytes() const;
  const uint8_t* committed_heap() const;  // the shadow (== heap() right after commit/rollback)

  // Replaces the whole heap (restore from an image): grows to `bytes`, copies, commits.
  bool load_heap(uint64_t bytes, const std::vector<std::pair<uint64_t, const std::vector<uint8_t>*>>& pages,
                 std::string* error);

  struct Impl;

 private:
  explicit Vm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// For the benchmark: runs export `name` (a `() -> ()` function) of `wasm` loaded as is, without
// instrumentation (the module must not import anything); `seconds` is the time spent in the call.
std::string run_uninstrumented(const std::vector<uint8_t>& wasm, const std::string& name, double* seconds);

// For tests and tools: WebAssembly text to binary (features: everything mainnet accepts plus what `extra`
// names, e.g. "threads", so tests can build modules that must be refused).
std::string wat_to_wasm(const std::string& wat, std::vector<uint8_t>* out, const std::vector<std::string>& extra = {});

}  // namespace replica::exec::vm
