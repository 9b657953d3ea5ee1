// replica::exec internals shared by engine.cpp and system_api.cpp (C++20; never included by wabt code).
// Module::Impl, Instance::Impl (the System API host) and the ic0 function table.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "replica/exec/engine.h"
#include "replica/exec/vm.h"

namespace replica::exec {

namespace detail {

constexpr uint64_t kWasmPage = 65536;
constexpr uint64_t kPage = 4096;

// The ic0 table (system_api.cpp): signature lookup for validation, name -> dense id for dispatch.
const vm::Signature* ic0_signature(const std::string& name);
int ic0_id(const std::string& name);

// Stable memory: sparse 4 KiB pages (absent = zero) and its size in 64 KiB pages.
struct Stable {
  uint64_t pages64 = 0;
  std::unordered_map<uint64_t, ic::Bytes> pages;
};

}  // namespace detail

struct Module::Impl {
  ic::Hash256 hash{};
  uint64_t wasm_size = 0;
  std::set<std::string> updates, queries, composite, func_exports;
  std::map<std::string, ic::Bytes> public_meta, private_meta;
  std::vector<vm::ValType> global_types;
  std::shared_ptr<const vm::Code> code;
  std::vector<int> import_ids;  // ic0 function id per import index
};

struct Instance::Impl final : vm::Host {
  std::shared_ptr<const Module> module;
  std::unique_ptr<vm::Vm> vm;
  detail::Stable stable;
  std::set<uint64_t> heap_changed, stable_changed;  // committed since take_changes()

  // --- per-execution state (reset by begin()) ---
  const Invocation* inv = nullptr;
  ExecResult* res = nullptr;
  uint32_t ctx = 0;                 // context bit of §6.2 (system_api.cpp)
  const char* ctx_name = "";
  uint64_t limit = 0;
  // A System API call that ended the execution: why.
  std::optional<Outcome> host_outcome;
  std::string host_message;
  uint64_t host_charged = 0;
  // Replies.
  bool responded = false;
  ic::Bytes reply_buf;
  // Cycles.
  Cycles available = 0, accepted = 0, spent = 0;  // spent: attached to calls + burned
  // Calls.
  std::optional<OutgoingCall> pending;
  bool pending_timeout_set = false;
  // Stable memory journal.
  std::unordered_map<uint64_t, std::optional<ic::Bytes>> stable_undo;
  std::set<uint64_t> stable_dirty;
  uint64_t stable_pages_before = 0;
  uint64_t stable_accessed = 0;
  uint64_t timer = 0;

  ExecResult execute(const Invocation& inv);
  ExecResult run_start();
  bool call(uint32_t import_index, const uint64_t* args, uint64_t* results) override;

  // helpers (system_api.cpp)
  void begin(const Invocation* i, ExecResult* r, uint32_t context, const char* name);
  void finish(bool keep);
  bool fail(Outcome o, std::string msg);
  bool violation(const char* fn);
  bool charge(uint64_t n);
  bool heap_range(const char* fn, uint64_t off, uint64_t len);
  bool copy_out(const char* fn, uint64_t dst, uint64_t offset, uint64_t size, const uint8_t* src, uint64_t src_len);
  bool read_heap(const char* fn, uint64_t src, uint64_t len, ic::Bytes* out);
  bool write_heap(const char* fn, uint64_t dst, const uint8_t* data, uint64_t len);
  bool write_cycles(const char* fn, uint64_t dst, Cycles c);
  bool stable_access(uint64_t bytes);
  bool stable_put(uint64_t offset, const uint8_t* data, uint64_t len);
  void stable_get(uint64_t offset, uint8_t* out, uint64_t len) const;
  int64_t stable_extend(uint64_t pages, uint64_t max_pages);
};

}  // namespace replica::exec
