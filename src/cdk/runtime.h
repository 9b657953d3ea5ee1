// Canister runtime: the System API as C++ (message data, caller, time, cycles, trap), raw entry-point
// exports, lifecycle hooks and heap state (cdk::Heap). Linked into every canister, natively into the mock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ic/bytes.h"
#include "ic/principal.h"

// The native build (cdk/mock) runs canister code in a test process; the wasm32 build is the canister.
#if defined(__wasm32__)
#define CDK_NATIVE 0
#else
#define CDK_NATIVE 1
#endif

namespace cdk {

// Cycle amounts are 128-bit on the IC (ic0.*128 functions).
using Cycles = unsigned __int128;

// Traps (rolls back the current message execution) with `message` as the reject text the caller sees.
[[noreturn]] void trap(std::string_view message);
// One line in the replica log (ic0.debug_print). printf/fprintf also end up here.
void print(std::string_view message);

// The raw argument bytes of the current message (in a reply callback: the reply).
ic::Bytes arg_data();
// The principal that sent the current message; in callbacks, the caller of the original call.
ic::Principal caller();
// This canister's id.
ic::Principal self();
// Replies with raw bytes (usually Candid); once per call context.
void reply(ic::ByteView data);
// Rejects the call with a canister-chosen text (reject code CANISTER_REJECT). Unlike trap, the state
// changes of the message are kept.
void reject(std::string_view message);
// Block time in nanoseconds since the Unix epoch: constant within one message execution.
uint64_t time_ns();
// In canister_inspect_message: the method the ingress message calls, and accepting it.
std::string method_name();
void accept_message();
bool is_controller(const ic::Principal& p);
// False in a query executed by one replica only (non-replicated); data_certificate is available there.
bool in_replicated_execution();
// Instructions executed in this message execution (0) or in the whole call context (1).
uint64_t performance_counter(uint32_t type = 0);

Cycles cycle_balance();
// Cycles attached to the current message, and accepting up to `max` of them; returns the amount taken.
Cycles msg_cycles_available();
Cycles msg_cycles_accept(Cycles max);
// In a reply/reject callback: cycles the callee sent back.
Cycles msg_cycles_refunded();

// 16 little-endian bytes (the ic0 *128 layout) <-> Cycles.
Cycles cycles_from_le(const uint8_t* p);

namespace detail {

using EntryFn = void (*)();

// Kit modules (timers, ...) and canister hooks (CDK_INIT, ...) run in canister_init, canister_pre_upgrade and
// canister_post_upgrade after the static constructors, kit hooks first. Registered by static objects.
enum class Stage : uint8_t { Init, PreUpgrade, PostUpgrade };
struct StageHook {
  StageHook(Stage stage, EntryFn fn, bool kit);
  Stage stage;
  bool kit;
  EntryFn fn;
  StageHook* next;
};

#if CDK_NATIVE
// The native build has no export section: exports register themselves under their export name and the
// mock looks them up ("canister_update inc", "canister_init", ...).
struct ExportRegistrar {
  ExportRegistrar(const char* export_name, EntryFn fn);
};
EntryFn find_export(std::string_view export_name);
std::vector<std::string> export_names();
// Typed methods also record their Candid signature, "(nat64, text) -> (opt text)", so tests can compare the
// canister's .did file with the code.
using SignatureFn = std::string (*)();
struct SignatureRegistrar {
  SignatureRegistrar(const char* export_name, SignatureFn fn);
};
SignatureFn find_signature(std::string_view export_name);

// Heap state the mock snapshots before each message (restored on a trap) and rebuilds on a simulated
// upgrade (the IC discards the Wasm heap). Every cdk::Heap registers one.
struct HeapCell {
  HeapCell();
  virtual void reset() = 0;    // construct afresh (upgrade)
  virtual void save() = 0;     // before a message execution
  virtual void restore() = 0;  // after a trap
  virtual void drop() = 0;     // after a successful execution
  HeapCell* next_cell;
 protected:
  ~HeapCell() = default;
};
HeapCell* heap_cells();
#endif

}  // namespace detail

// Canister state that lives in the Wasm heap: on the IC a plain global (lost on upgrade unless saved to
// stable memory); in the native mock it is rolled back when a message traps (if T is copyable) and rebuilt
// by a simulated upgrade, so tests see the IC's semantics. Declare at namespace scope:
//   cdk::Heap<State> state;   ...   state->count += 1;
template <class T>
class Heap
#if CDK_NATIVE
    : detail::HeapCell
#endif
{
 public:
  Heap() = default;
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;
  T& operator*() { return value_; }
  T* operator->() { return &value_; }
  T& get() { return value_; }

 private:
  T value_{};
#if CDK_NATIVE
  T* saved_ = nullptr;
  void reset() override { value_ = T{}; }
  void save() override {
    if constexpr (std::is_copy_constructible_v<T>) saved_ = new T(value_);
  }
  void restore() override {
    if constexpr (std::is_copy_constructible_v<T>) {
      if (saved_) value_ = std::move(*saved_);
    }
    drop();
  }
  void drop() override {
    delete saved_;
    saved_ = nullptr;
  }
#endif
};

}  // namespace cdk

// Raw exports: the IC calls entry points by export name ("canister_query greet"); names with a space can
// only come from the export_name attribute. CDK_QUERY(greet) { ... } defines the body, which reads the
// argument and replies itself (cdk/method.h has the typed, Candid-decoding forms).
#if CDK_NATIVE
#define CDK_EXPORT(name, symbol)                                                       \
  extern "C" void symbol();                                                            \
  [[maybe_unused]] static ::cdk::detail::ExportRegistrar symbol##_registrar(name, &symbol); \
  extern "C" void symbol()
#else
#define CDK_EXPORT(name, symbol) extern "C" __attribute__((export_name(name))) void symbol()
#endif
#define CDK_EXPORT_(kind, name) CDK_EXPORT("canister_" #kind " " #name, cdk_##kind##_##name)
#define CDK_QUERY(name) CDK_EXPORT_(query, name)
#define CDK_UPDATE(name) CDK_EXPORT_(update, name)
