// Entry points and System API wrappers shared by every canister.
#include "cdk/runtime.h"

#include <cstdarg>
#include <cstring>

#include "cdk/ic0.h"

#if CDK_NATIVE
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#else
#include <__verbose_abort>
#endif

namespace cdk {

namespace {
ic::Bytes read_blob(uint32_t (*size)(), void (*copy)(void*, uint32_t, uint32_t)) {
  ic::Bytes b(size());
  if (!b.empty()) copy(b.data(), 0, static_cast<uint32_t>(b.size()));
  return b;
}
ic::Principal to_principal(const ic::Bytes& b) {
  auto p = ic::Principal::from_bytes(b);
  if (!p.ok()) trap("the system API returned a principal longer than 29 bytes");
  return std::move(p).value();
}
}  // namespace

void trap(std::string_view message) { ic0::trap(message.data(), static_cast<uint32_t>(message.size())); }

void print(std::string_view message) { ic0::debug_print(message.data(), static_cast<uint32_t>(message.size())); }

ic::Bytes arg_data() { return read_blob(ic0::msg_arg_data_size, ic0::msg_arg_data_copy); }
ic::Principal caller() { return to_principal(read_blob(ic0::msg_caller_size, ic0::msg_caller_copy)); }
ic::Principal self() { return to_principal(read_blob(ic0::canister_self_size, ic0::canister_self_copy)); }

std::string method_name() {
  ic::Bytes b = read_blob(ic0::msg_method_name_size, ic0::msg_method_name_copy);
  return std::string(b.begin(), b.end());
}
void accept_message() { ic0::accept_message(); }

void reply(ic::ByteView data) {
  if (!data.empty()) ic0::msg_reply_data_append(data.data(), static_cast<uint32_t>(data.size()));
  ic0::msg_reply();
}

void reject(std::string_view message) { ic0::msg_reject(message.data(), static_cast<uint32_t>(message.size())); }

uint64_t time_ns() { return ic0::time(); }

bool is_controller(const ic::Principal& p) {
  return ic0::is_controller(p.bytes().data(), static_cast<uint32_t>(p.bytes().size())) == 1;
}
bool in_replicated_execution() { return ic0::in_replicated_execution() == 1; }
uint64_t performance_counter(uint32_t type) { return ic0::performance_counter(type); }

Cycles cycles_from_le(const uint8_t* p) {
  Cycles v = 0;
  for (int i = 15; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
Cycles cycle_balance() {
  uint8_t b[16];
  ic0::canister_cycle_balance128(b);
  return cycles_from_le(b);
}
Cycles msg_cycles_available() {
  uint8_t b[16];
  ic0::msg_cycles_available128(b);
  return cycles_from_le(b);
}
Cycles msg_cycles_refunded() {
  uint8_t b[16];
  ic0::msg_cycles_refunded128(b);
  return cycles_from_le(b);
}
Cycles msg_cycles_accept(Cycles max) {
  uint8_t b[16];
  ic0::msg_cycles_accept128(static_cast<uint64_t>(max >> 64), static_cast<uint64_t>(max), b);
  return cycles_from_le(b);
}

namespace detail {

// An empty Candid argument list: the reply of methods that return nothing.
void reply_empty() {
  static const uint8_t empty[] = {'D', 'I', 'D', 'L', 0, 0};
  reply(empty);
}

namespace {
StageHook* g_hooks = nullptr;  // constant-initialized: safe to use from other static constructors
}

StageHook::StageHook(Stage s, EntryFn f, bool k) : stage(s), kit(k), fn(f), next(g_hooks) { g_hooks = this; }

// Kit hooks first (e.g. stable structures and timers are ready when the canister's post_upgrade runs),
// then canister hooks, each group in registration order.
static void run_stage(Stage stage) {
  for (int pass = 0; pass < 2; ++pass) {
    StageHook* list[64];
    size_t n = 0;
    for (StageHook* h = g_hooks; h && n < 64; h = h->next)
      if (h->stage == stage && h->kit == (pass == 0)) list[n++] = h;
    while (n > 0) list[--n]->fn();  // g_hooks is newest-first
  }
}

#if CDK_NATIVE
namespace {
std::map<std::string, EntryFn, std::less<>>& exports() {
  static std::map<std::string, EntryFn, std::less<>> m;
  return m;
}
std::map<std::string, SignatureFn, std::less<>>& signatures() {
  static std::map<std::string, SignatureFn, std::less<>> m;
  return m;
}
HeapCell* g_cells = nullptr;
}  // namespace

std::vector<std::string> export_names() {
  std::vector<std::string> out;
  for (auto& [name, fn] : exports()) out.push_back(name);
  return out;
}
SignatureRegistrar::SignatureRegistrar(const char* name, SignatureFn fn) { signatures().emplace(name, fn); }
SignatureFn find_signature(std::string_view name) {
  auto it = signatures().find(name);
  return it == signatures().end() ? nullptr : it->second;
}

ExportRegistrar::ExportRegistrar(const char* name, EntryFn fn) {
  if (!exports().emplace(name, fn).second) {
    std::fprintf(stderr, "cdk: export \"%s\" is defined twice (one canister per test program)\n", name);
    std::abort();
  }
}
EntryFn find_export(std::string_view name) {
  auto it = exports().find(name);
  return it == exports().end() ? nullptr : it->second;
}
HeapCell::HeapCell() : next_cell(g_cells) { g_cells = this; }
HeapCell* heap_cells() { return g_cells; }
#endif

}  // namespace detail
}  // namespace cdk

// Lifecycle exports. On wasm the static constructors run first: the IC never calls _start, and after an
// upgrade the Wasm heap is new, so globals must be constructed again. Referencing __wasm_call_ctors also
// matters for the link: if nothing does, wasm-ld wraps every export in constructor + destructor calls, so
// globals would be re-created on every message. (Natively, the mock rebuilds cdk::Heap cells instead.)
#if !CDK_NATIVE
extern "C" void __wasm_call_ctors();
#define CDK_CALL_CTORS() __wasm_call_ctors()
#else
#define CDK_CALL_CTORS() ((void)0)
#endif

CDK_EXPORT("canister_init", cdk_canister_init) {
  CDK_CALL_CTORS();
  cdk::detail::run_stage(cdk::detail::Stage::Init);
}

CDK_EXPORT("canister_pre_upgrade", cdk_canister_pre_upgrade) {
  cdk::detail::run_stage(cdk::detail::Stage::PreUpgrade);
}

CDK_EXPORT("canister_post_upgrade", cdk_canister_post_upgrade) {
  CDK_CALL_CTORS();
  cdk::detail::run_stage(cdk::detail::Stage::PostUpgrade);
}

#if !CDK_NATIVE
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
#endif
