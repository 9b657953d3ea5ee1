// replica::exec — runs canister wasm for the local network: module validation against what mainnet
// accepts, instruction-counting instrumentation, Debian's libwabt interpreter, the System API, rollback.
#pragma once

// This header is the only one the rest of the replica includes: it never includes wabt (whose headers
// need C++17 under g++ 12), so node code stays C++20. Implementation TUs behind it are C++17.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ic/bytes.h"
#include "ic/principal.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace replica::exec {

using Cycles = unsigned __int128;

// ic-protocol.md §6.1 / §6.3 (mainnet values; configurable for tests).
struct ModuleLimits {
  uint64_t max_wasm_bytes = 100ull << 20;         // as uploaded (before gunzip)
  uint64_t max_code_section_bytes = 10ull << 20;
  uint32_t max_functions = 50'000;
  uint32_t max_globals = 1'000;
  uint32_t max_exported_methods = 1'000;
  uint64_t max_method_name_bytes = 20'000;
  uint32_t max_icp_sections = 16;
  uint64_t max_custom_section_bytes = 1ull << 20;
};

// A validated, instrumented module, immutable and shared by every instance of it.
class Module {
 public:
  // `wasm` raw (00 61 73 6d) or gzip (1f 8b 08). Refuses: bad binary; imports other than the ic0
  // functions of §6.2 with their exact signatures; features mainnet refuses (threads, exceptions,
  // tail calls, GC, memory64 for now); more than one memory; non-`canister_*`-conforming exports
  // (§6.1: only the listed names, exactly one space, unique); limits above. Errors name the problem
  // (Errc::invalid_input, message like "wasm module imports env.foo: only ic0 functions are allowed").
  static ic::Result<std::shared_ptr<const Module>> compile(ic::ByteView wasm, const ModuleLimits& limits = {});

  const ic::Hash256& hash() const;  // SHA-256 of the bytes as uploaded (the certified module_hash)
  uint64_t wasm_size() const;       // as uploaded
  const std::set<std::string>& update_methods() const;
  const std::set<std::string>& query_methods() const;
  const std::set<std::string>& composite_query_methods() const;
  bool exports(const std::string& export_name) const;  // e.g. "canister_init", "canister_global_timer"
  // Custom sections `icp:public <name>` / `icp:private <name>`, by <name>.
  const std::map<std::string, ic::Bytes>& public_metadata() const;
  const std::map<std::string, ic::Bytes>& private_metadata() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }
  explicit Module(std::unique_ptr<Impl> impl);
  ~Module();

 private:
  std::unique_ptr<Impl> impl_;
};

// What starts an execution (the System API availability of §6.2 follows from it).
enum class EntryKind {
  Init, PreUpgrade, PostUpgrade,
  Update, ReplicatedQuery, NonReplicatedQuery, CompositeQuery, InspectMessage,
  Heartbeat, GlobalTimer, OnLowWasmMemory,
  ReplyCallback, RejectCallback, Cleanup,
};
const char* entry_kind_name(EntryKind k);

// A wasm callback: table index of a `(env : i32) -> ()` function and its env.
struct Callback {
  uint32_t fun = 0;
  uint64_t env = 0;
};

// Everything the system tells one execution (read-only for the engine).
struct Invocation {
  EntryKind kind = EntryKind::Update;
  std::string method;                       // Update/queries/inspect: the method name (without prefix)
  Callback callback;                        // ReplyCallback/RejectCallback/Cleanup
  ic::Bytes arg;                            // msg_arg_data (reply callback: the reply)
  ic::Principal caller;                     // msg_caller (heartbeat/timer: the management canister)
  ic::Principal self;
  ic::Principal subnet;
  uint64_t time_ns = 0;                     // ic0.time, constant within the execution
  Cycles balance = 0;                       // canister_cycle_balance before the execution
  Cycles liquid_balance = 0;                // balance minus the freezing reserve (what calls may attach)
  Cycles cycles_available = 0;              // attached to the incoming call, not yet accepted
  Cycles cycles_refunded = 0;               // reply/reject callbacks
  uint32_t reject_code = 0;                 // RejectCallback
  std::string reject_message;               // RejectCallback
  std::vector<ic::Principal> controllers;   // is_controller
  uint32_t canister_status = 1;             // 1 running, 2 stopping, 3 stopped
  uint64_t canister_version = 0;
  uint64_t global_timer = 0;                // current setting (global_timer_set returns it)
  ic::Bytes root_key;                       // root_key_copy (replicated executions)
  std::optional<ic::Bytes> data_certificate;  // NonReplicatedQuery/CompositeQuery only
  uint64_t instruction_limit = 40'000'000'000ull;
  uint64_t stable_access_limit = 2ull << 30;  // bytes read+written via stable64_* per message
  uint64_t max_reply_bytes = 2ull << 20;
  uint64_t max_call_arg_bytes = 10ull << 20;
  uint64_t wasm_memory_limit = 0;           // 0: none (4 GiB for wasm32)
};

struct OutgoingCall {
  ic::Principal callee;
  std::string method;
  ic::Bytes arg;
  Cycles cycles = 0;
  Callback on_reply, on_reject;
  std::optional<Callback> on_cleanup;
  std::optional<uint32_t> timeout_seconds;  // call_with_best_effort_response
};

enum class Outcome {
  Ok,                    // ran to the end (with or without a reply)
  Trapped,               // explicit ic0.trap, wasm trap, or a System API misuse (message says which)
  InstructionLimit,      // IC0522
  OutOfMemory,           // IC0507: memory.grow refused above wasm_memory_limit is *not* this (it returns -1)
  ContractViolation,     // IC0504: System API called where §6.2 forbids it
};

struct ExecResult {
  Outcome outcome = Outcome::Ok;
  std::string message;                    // trap/violation text, e.g. "canister called ic0.trap: boom"
  uint64_t instructions = 0;              // executed (counted by instrumentation)
  // The effects, only when outcome == Ok (a failed execution has no effect but its instructions):
  std::optional<ic::Bytes> reply;         // msg_reply
  std::optional<std::string> reject;      // msg_reject (code CANISTER_REJECT)
  std::vector<OutgoingCall> calls;        // call_perform'ed, in order
  Cycles cycles_accepted = 0;
  Cycles cycles_burned = 0;               // cycles_burn128
  std::optional<ic::Bytes> certified_data;  // certified_data_set
  std::optional<uint64_t> global_timer;     // global_timer_set (0 = off)
  bool message_accepted = false;          // accept_message (InspectMessage)
  std::vector<std::string> debug_prints;  // ic0.debug_print, also kept on failure
  bool ok() const { return outcome == Outcome::Ok; }
};

// Pages changed since the last take_changes(), for persistence (group commit once per round).
struct Changes {
  static constexpr uint64_t kPageSize = 4096;
  uint64_t heap_bytes = 0;                          // current wasm memory size
  uint64_t stable_bytes = 0;                        // current stable memory size
  std::map<uint64_t, ic::Bytes> heap_pages;         // page index -> kPageSize bytes (the last may be short)
  std::map<uint64_t, ic::Bytes> stable_pages;
  std::vector<uint64_t> globals;                    // every global's raw bits, in module order (always complete)
};

// A full image of an instance (what is on disk), to restore it after a restart.
struct Image {
  uint64_t heap_bytes = 0, stable_bytes = 0;
  std::map<uint64_t, ic::Bytes> heap_pages;     // absent pages are zero
  std::map<uint64_t, ic::Bytes> stable_pages;
  std::vector<uint64_t> globals;
};

// One canister's live wasm state: the interpreter instance (memory, globals, table) and its stable
// memory. Not thread-safe: the node runs one execution at a time per instance.
class Instance {
 public:
  // A fresh instance (install, reinstall, and the new module of an upgrade): data segments applied,
  // start function run. `stable` carries stable memory over an upgrade (empty otherwise).
  static ic::Result<std::unique_ptr<Instance>> create(std::shared_ptr<const Module> module,
                                                      const Image* stable_from = nullptr);
  // Rebuilt from a persisted image (heap, globals, stable), without running the start function.
  static ic::Result<std::unique_ptr<Instance>> restore(std::shared_ptr<const Module> module, const Image& image);

  const Module& module() const;

  // Runs one entry point / callback. On anything but Outcome::Ok every change to heap, globals and
  // stable memory made by this execution is rolled back (changed pages only, never a whole-memory copy).
  // Queries (Replicated/NonReplicated/Composite) and InspectMessage always roll back.
  // Exports that the module does not have: Outcome::Trapped with "canister has no update method 'x'"
  // (the node checks existence first to pick the right reject code).
  ExecResult execute(const Invocation& inv);

  // Pages written by successful executions since the previous call (and the current sizes/globals).
  Changes take_changes();
  // The whole state, for snapshots/compaction and for carrying stable memory over an upgrade.
  Image image() const;

  uint64_t heap_bytes() const;
  uint64_t stable_bytes() const;

  struct Impl;
  ~Instance();

 private:
  explicit Instance(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace replica::exec
