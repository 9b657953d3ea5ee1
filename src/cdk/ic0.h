// The IC System API imports (module "ic0") that our canisters use, declared once for every canister.
// Interface spec "System API imports" (ic-protocol.md §6.2): on wasm32 every pointer and size is an i32.
#pragma once

#include <cstdint>

// C++ declarations in namespace ic0: the wasm import name comes from the attributes, so the native mock
// (src/cdk/mock) defines the same functions for tests. Pointers that the spec passes as i64 (stable64_*)
// and callback table indices/environments are integers here; the kit converts.
#if defined(__wasm32__)
#define IC0_IMPORT(name) __attribute__((import_module("ic0"), import_name(#name)))
#else
#define IC0_IMPORT(name)
#endif

namespace ic0 {

// Message argument and caller (blob convention: *_size, then *_copy(dst, offset, size)).
IC0_IMPORT(msg_arg_data_size) uint32_t msg_arg_data_size();
IC0_IMPORT(msg_arg_data_copy) void msg_arg_data_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(msg_caller_size) uint32_t msg_caller_size();
IC0_IMPORT(msg_caller_copy) void msg_caller_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(msg_method_name_size) uint32_t msg_method_name_size();  // inspect_message only
IC0_IMPORT(msg_method_name_copy) void msg_method_name_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(accept_message) void accept_message();

// Replies and rejects; in a reject callback, the reject being delivered.
IC0_IMPORT(msg_reply_data_append) void msg_reply_data_append(const void* src, uint32_t size);
IC0_IMPORT(msg_reply) void msg_reply();
IC0_IMPORT(msg_reject) void msg_reject(const void* src, uint32_t size);
IC0_IMPORT(msg_reject_code) uint32_t msg_reject_code();
IC0_IMPORT(msg_reject_msg_size) uint32_t msg_reject_msg_size();
IC0_IMPORT(msg_reject_msg_copy) void msg_reject_msg_copy(void* dst, uint32_t offset, uint32_t size);

// Cycles: 128-bit amounts are written to dst as 16 little-endian bytes.
IC0_IMPORT(msg_cycles_available128) void msg_cycles_available128(void* dst);
IC0_IMPORT(msg_cycles_refunded128) void msg_cycles_refunded128(void* dst);
IC0_IMPORT(msg_cycles_accept128) void msg_cycles_accept128(uint64_t max_high, uint64_t max_low, void* dst);
IC0_IMPORT(canister_cycle_balance128) void canister_cycle_balance128(void* dst);

// Identity and status.
IC0_IMPORT(canister_self_size) uint32_t canister_self_size();
IC0_IMPORT(canister_self_copy) void canister_self_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(is_controller) uint32_t is_controller(const void* src, uint32_t size);
IC0_IMPORT(in_replicated_execution) uint32_t in_replicated_execution();

// Inter-canister calls. reply_fun/reject_fun/cleanup fun are table indices of functions (env: i32) -> ().
IC0_IMPORT(call_new)
void call_new(const void* callee, uint32_t callee_size, const void* name, uint32_t name_size, uintptr_t reply_fun,
              uintptr_t reply_env, uintptr_t reject_fun, uintptr_t reject_env);
IC0_IMPORT(call_on_cleanup) void call_on_cleanup(uintptr_t fun, uintptr_t env);
IC0_IMPORT(call_data_append) void call_data_append(const void* src, uint32_t size);
IC0_IMPORT(call_cycles_add128) void call_cycles_add128(uint64_t high, uint64_t low);
IC0_IMPORT(call_perform) uint32_t call_perform();  // 0 = enqueued; otherwise no callback will ever run

// Stable memory in 64 KiB pages. Note the argument orders: read(dst, offset, size), write(offset, src, size).
IC0_IMPORT(stable64_size) uint64_t stable64_size();
IC0_IMPORT(stable64_grow) int64_t stable64_grow(uint64_t new_pages);  // old size, or -1
IC0_IMPORT(stable64_write) void stable64_write(uint64_t offset, uint64_t src, uint64_t size);
IC0_IMPORT(stable64_read) void stable64_read(uint64_t dst, uint64_t offset, uint64_t size);

// Certification.
IC0_IMPORT(certified_data_set) void certified_data_set(const void* src, uint32_t size);
IC0_IMPORT(data_certificate_present) uint32_t data_certificate_present();
IC0_IMPORT(data_certificate_size) uint32_t data_certificate_size();
IC0_IMPORT(data_certificate_copy) void data_certificate_copy(void* dst, uint32_t offset, uint32_t size);

// Time and the global timer (nanoseconds since 1970-01-01; timer 0 = off; returns the previous setting).
IC0_IMPORT(time) uint64_t time();
IC0_IMPORT(global_timer_set) uint64_t global_timer_set(uint64_t timestamp);
IC0_IMPORT(performance_counter) uint64_t performance_counter(uint32_t type);

IC0_IMPORT(debug_print) void debug_print(const void* src, uint32_t size);
// [[noreturn]] has to precede the import attribute.
[[noreturn]] IC0_IMPORT(trap) void trap(const void* src, uint32_t size);

}  // namespace ic0
