// Entry points and message helpers shared by every canister.
#include "cdk/runtime.h"

#include <__verbose_abort>
#include <cstdarg>

#include "cdk/ic0.h"

namespace cdk {

void trap(std::string_view message) { ic0::trap(message.data(), static_cast<uint32_t>(message.size())); }

void print(std::string_view message) { ic0::debug_print(message.data(), static_cast<uint32_t>(message.size())); }

ic::Bytes arg_data() {
  ic::Bytes b(ic0::msg_arg_data_size());
  if (!b.empty()) ic0::msg_arg_data_copy(b.data(), 0, static_cast<uint32_t>(b.size()));
  return b;
}

ic::Bytes caller() {
  ic::Bytes b(ic0::msg_caller_size());
  if (!b.empty()) ic0::msg_caller_copy(b.data(), 0, static_cast<uint32_t>(b.size()));
  return b;
}

void reply(ic::ByteView data) {
  if (!data.empty()) ic0::msg_reply_data_append(data.data(), static_cast<uint32_t>(data.size()));
  ic0::msg_reply();
}

void reject(std::string_view message) { ic0::msg_reject(message.data(), static_cast<uint32_t>(message.size())); }

uint64_t time_ns() { return ic0::time(); }

__attribute__((weak)) void on_init() {}
__attribute__((weak)) void on_post_upgrade() {}

}  // namespace cdk

// Referencing __wasm_call_ctors also matters for the link: if nothing does, wasm-ld wraps every export in
// constructor + destructor calls, so globals would be re-created on every message.
extern "C" void __wasm_call_ctors();

extern "C" __attribute__((export_name("canister_init"))) void hubctl_canister_init() {
  __wasm_call_ctors();
  cdk::on_init();
}

extern "C" __attribute__((export_name("canister_post_upgrade"))) void hubctl_canister_post_upgrade() {
  __wasm_call_ctors();
  cdk::on_post_upgrade();
}

// Fatal-error reports from the C++ runtime become traps with their text. Only %s is substituted (the only
// conversion libc++ 19's headers use); after any other conversion the rest of the format is copied verbatim.
// Doing this here keeps printf out of every module: the library versions format with vfprintf.
namespace {
[[noreturn]] void trap_formatted(const char* format, va_list ap) {
  char buf[256];
  size_t n = 0;
  auto put = [&](char c) {
    if (n < sizeof buf) buf[n++] = c;
  };
  bool args_in_sync = true;
  for (const char* p = format; *p; ++p) {
    if (p[0] == '%' && p[1] == 's' && args_in_sync) {
      for (const char* s = va_arg(ap, const char*); s && *s; ++s) put(*s);
      ++p;
    } else {
      if (p[0] == '%') args_in_sync = false;
      put(*p);
    }
  }
  while (n > 0 && buf[n - 1] == '\n') --n;
  cdk::trap(std::string_view(buf, n));
}
}  // namespace

// libc++ calls this for a would-be exception when exceptions are disabled (vector::at out of range,
// length_error, ...) and for failed hardening assertions. The default would abort anonymously (`unreachable`).
_LIBCPP_BEGIN_NAMESPACE_STD
void __libcpp_verbose_abort(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  trap_formatted(format, ap);
}
_LIBCPP_END_NAMESPACE_STD

// libc++abi's fatal-error reporter (operator new failure, pure virtual call, std::terminate). Defined here,
// the library's copy (abort_message.cpp) is never extracted from libc++.a.
extern "C" [[noreturn]] void abort_message(const char* format, ...) {
  va_list ap;
  va_start(ap, format);
  trap_formatted(format, ap);
}
