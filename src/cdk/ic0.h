// The IC System API imports (module "ic0") that our canisters use, declared once for every canister.
// Interface spec "System API imports": on wasm32 every pointer and size is an i32; time is an i64.
#pragma once

#include <cstdint>

// C++ declarations in namespace ic0: the wasm import name comes from the attributes, so a native mock
// (cdk/mock, later) can define the same functions for tests.
#if defined(__wasm32__)
#define IC0_IMPORT(name) __attribute__((import_module("ic0"), import_name(#name)))
#else
#define IC0_IMPORT(name)
#endif

namespace ic0 {

IC0_IMPORT(msg_arg_data_size) uint32_t msg_arg_data_size();
IC0_IMPORT(msg_arg_data_copy) void msg_arg_data_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(msg_caller_size) uint32_t msg_caller_size();
IC0_IMPORT(msg_caller_copy) void msg_caller_copy(void* dst, uint32_t offset, uint32_t size);
IC0_IMPORT(msg_reply_data_append) void msg_reply_data_append(const void* src, uint32_t size);
IC0_IMPORT(msg_reply) void msg_reply();
IC0_IMPORT(msg_reject) void msg_reject(const void* src, uint32_t size);
IC0_IMPORT(debug_print) void debug_print(const void* src, uint32_t size);
// [[noreturn]] has to precede the import attribute.
[[noreturn]] IC0_IMPORT(trap) void trap(const void* src, uint32_t size);
IC0_IMPORT(time) uint64_t time();  // nanoseconds since 1970-01-01 (block time)

}  // namespace ic0
