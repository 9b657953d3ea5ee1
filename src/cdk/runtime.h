// Canister runtime: message argument and reply helpers, trap with a message, and the init hooks.
// Linked into every canister (as objects, so its canister_init/canister_post_upgrade exports are kept).
#pragma once

#include <cstdint>
#include <string_view>

#include "ic/bytes.h"

namespace cdk {

// Traps (rolls back the message) with `message` as the reject text the caller sees.
[[noreturn]] void trap(std::string_view message);
// One line in the replica log (ic0.debug_print). printf/fprintf also end up here.
void print(std::string_view message);

// The raw argument bytes of the current message.
ic::Bytes arg_data();
// The caller's principal bytes.
ic::Bytes caller();
// Replies with `data`; call once per message.
void reply(ic::ByteView data);
// Rejects the message with a canister-chosen text (the state changes are kept, unlike trap).
void reject(std::string_view message);
// Block time in nanoseconds since the Unix epoch.
uint64_t time_ns();

// Hooks a canister may define; the defaults do nothing. They run after the C++ static constructors, which
// the runtime calls first in canister_init and canister_post_upgrade (the IC never calls _start, and after an
// upgrade the Wasm heap is new, so globals must be constructed again).
void on_init();
void on_post_upgrade();

}  // namespace cdk

// Exports a method. The IC calls methods by export name ("canister_query greet"); such names contain a
// space, so only the export_name attribute can produce them. Usage: CDK_QUERY(greet) { ... }
#define CDK_EXPORT_(kind, name) \
  extern "C" __attribute__((export_name("canister_" #kind " " #name))) void cdk_##kind##_##name()
#define CDK_QUERY(name) CDK_EXPORT_(query, name)
#define CDK_UPDATE(name) CDK_EXPORT_(update, name)
