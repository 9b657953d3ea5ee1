// replica::exec — Module (upload checks, §6.1 exports, custom sections) and Instance (executions, rollback,
// stable memory, persistence deltas). The System API itself is in system_api.cpp; wabt is behind vm.h.
//
// How state is kept and rolled back (see vm.cpp for the heap mechanism):
//  * Heap: the interpreter's memory is live; vm::Vm keeps a committed shadow copy and a dirty-page map
//    filled by instrumented stores. After an execution, Ok (and not a query/inspect_message) commits the
//    dirty pages into the shadow, anything else copies them back. Pages committed since the last
//    take_changes() are remembered by index and read from the shadow.
//  * Globals: snapshotted by value after each commit and written back on rollback.
//  * Stable memory: owned here, sparse (4 KiB pages, absent = zero), so a large stable64_grow costs nothing
//    until written. The first write to a page in an execution saves its old content in an undo journal;
//    rollback replays it, commit drops it and adds the pages to the take_changes() set.
//
// Differences from mainnet (besides the interpreter's, listed in vm.cpp):
//  * The instruction count is an estimate made by the instrumentation: one unit per wasm instruction,
//    plus one per byte that System API calls copy. Mainnet weighs instructions and System API calls
//    differently, so counts are close to but not equal to mainnet's performance_counter.
//  * Cycles are only tracked inside one execution (accept, attach, burn); the node charges fees.
//  * Composite-query callbacks (CRy/CRt) are treated like ordinary reply/reject callbacks.
//  * Not implemented (valid imports that trap when called): cost_*, mint_cycles128, env_var_* lookups
//    (env_var_count returns 0), msg_caller_info_*.
//  * msg_deadline returns 0 (every call is a guaranteed-response call from the callee's view).

#include "replica/exec/engine.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "replica/exec/internal.h"
#include "replica/exec/vm.h"

namespace replica::exec {

const char* entry_kind_name(EntryKind k) {
  switch (k) {
    case EntryKind::Init: return "canister_init";
    case EntryKind::PreUpgrade: return "canister_pre_upgrade";
    case EntryKind::PostUpgrade: return "canister_post_upgrade";
    case EntryKind::Update: return "an update method";
    case EntryKind::ReplicatedQuery: return "a replicated query";
    case EntryKind::NonReplicatedQuery: return "a non-replicated query";
    case EntryKind::CompositeQuery: return "a composite query";
    case EntryKind::InspectMessage: return "canister_inspect_message";
    case EntryKind::Heartbeat: return "canister_heartbeat";
    case EntryKind::GlobalTimer: return "canister_global_timer";
    case EntryKind::OnLowWasmMemory: return "canister_on_low_wasm_memory";
    case EntryKind::ReplyCallback: return "a reply callback";
    case EntryKind::RejectCallback: return "a reject callback";
    case EntryKind::Cleanup: return "a cleanup callback";
  }
  return "?";
}

namespace {

constexpr const char* kSystemExports[] = {
    "canister_init",      "canister_pre_upgrade",  "canister_post_upgrade",       "canister_inspect_message",
    "canister_heartbeat", "canister_global_timer", "canister_on_low_wasm_memory",
};

ic::Error invalid(std::string msg, std::string hint = {}) {
  return ic::make_error(ic::Errc::invalid_input, std::move(msg), std::move(hint));
}

ic::Result<ic::Bytes> gunzip(ic::ByteView in, uint64_t max_out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return ic::make_error(ic::Errc::internal, "zlib init failed");
  ic::Bytes out;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  uint8_t buf[64 * 1024];
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return invalid("wasm module is gzip-compressed but does not decompress: " +
                     std::string(zs.msg ? zs.msg : "corrupt or truncated data"));
    }
    out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
    if (out.size() > max_out) {
      inflateEnd(&zs);
      return invalid("decompressed wasm module exceeds the limit of " + std::to_string(max_out) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return invalid("wasm module is gzip-compressed but the data is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

bool read_leb(ic::ByteView b, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= b.size()) return false;
    uint8_t c = b[pos++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Module

Module::Module(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Module::~Module() = default;

const ic::Hash256& Module::hash() const { return impl_->hash; }
uint64_t Module::wasm_size() const { return impl_->wasm_size; }
const std::set<std::string>& Module::update_methods() const { return impl_->updates; }
const std::set<std::string>& Module::query_methods() const { return impl_->queries; }
const std::set<std::string>& Module::composite_query_methods() const { return impl_->composite; }
bool Module::exports(const std::string& name) const { return impl_->func_exports.count(name) != 0; }
const std::map<std::string, ic::Bytes>& Module::public_metadata() const { return impl_->public_meta; }
const std::map<std::string, ic::Bytes>& Module::private_metadata() const { return impl_->private_meta; }

ic::Result<std::shared_ptr<const Module>> Module::compile(ic::ByteView wasm, const ModuleLimits& limits) {
  if (wasm.size() > limits.max_wasm_bytes)
    return invalid("wasm module is " + std::to_string(wasm.size()) + " bytes, more than the limit of " +
                   std::to_string(limits.max_wasm_bytes));
  auto impl = std::make_unique<Impl>();
  impl->hash = ic::sha256(wasm);
  impl->wasm_size = wasm.size();
  ic::Bytes unzipped;
  ic::ByteView raw = wasm;
  if (wasm.size() >= 3 && wasm[0] == 0x1f && wasm[1] == 0x8b && wasm[2] == 0x08) {
    IC_TRY(unzipped, gunzip(wasm, limits.max_wasm_bytes));
    raw = unzipped;
  }
  if (raw.size() < 8 || raw[0] != 0x00 || raw[1] != 0x61 || raw[2] != 0x73 || raw[3] != 0x6d)
    return invalid("not a wasm module: it starts with neither \\0asm nor a gzip header",
                   "upload the .wasm file (or its .wasm.gz)");

  // Section walk for what wabt's IR does not keep: custom sections and the code section's size.
  size_t pos = 8;
  uint64_t icp_bytes = 0;
  uint32_t icp_count = 0;
  while (pos < raw.size()) {
    uint8_t id = raw[pos++];
    uint64_t len = 0;
    if (!read_leb(raw, pos, len) || len > raw.size() - pos)
      return invalid("invalid wasm module: section " + std::to_string(id) + " is truncated");
    size_t end = pos + len;
    if (id == 10 && len > limits.max_code_section_bytes)
      return invalid("wasm module's code section is " + std::to_string(len) + " bytes, more than the limit of " +
                     std::to_string(limits.max_code_section_bytes));
    if (id == 0) {
      size_t p = pos;
      uint64_t nlen = 0;
      if (!read_leb(raw, p, nlen) || nlen > end - p) return invalid("invalid wasm module: malformed custom section name");
      std::string name(reinterpret_cast<const char*>(raw.data() + p), nlen);
      p += nlen;
      if (name.rfind("icp:", 0) == 0) {
        std::map<std::string, ic::Bytes>* dst = nullptr;
        std::string key;
        if (name.rfind("icp:public ", 0) == 0) {
          dst = &impl->public_meta;
          key = name.substr(11);
        } else if (name.rfind("icp:private ", 0) == 0) {
          dst = &impl->private_meta;
          key = name.substr(12);
        } else {
          return invalid("wasm module has custom section '" + name +
                         "': icp: sections must be named 'icp:public <name>' or 'icp:private <name>'");
        }
        if (impl->public_meta.count(key) || impl->private_meta.count(key))
          return invalid("wasm module has the custom section name '" + key + "' twice");
        if (++icp_count > limits.max_icp_sections)
          return invalid("wasm module has more than " + std::to_string(limits.max_icp_sections) +
                         " icp: custom sections");
        icp_bytes += (end - p) + key.size();
        if (icp_bytes > limits.max_custom_section_bytes)
          return invalid("wasm module's icp: custom sections exceed the limit of " +
                         std::to_string(limits.max_custom_section_bytes) + " bytes");
        (*dst)[key] = ic::Bytes(raw.begin() + p, raw.begin() + end);
      }
    }
    pos = end;
  }

  vm::CompileLimits cl;
  cl.max_functions = limits.max_functions;
  cl.max_globals = limits.max_globals;
  vm::ModuleFacts facts;
  std::string err = vm::compile(raw.data(), raw.size(), cl, &detail::ic0_signature, &impl->code, &facts);
  if (!err.empty()) return invalid(err);
  for (const auto& name : facts.imports) impl->import_ids.push_back(detail::ic0_id(name));

  // §6.1 exports.
  uint64_t name_bytes = 0;
  uint32_t methods = 0;
  std::set<std::string> all_methods;
  for (const auto& name : facts.func_exports) {
    impl->func_exports.insert(name);
    if (name.rfind("canister_", 0) != 0) continue;
    bool system = std::find(std::begin(kSystemExports), std::end(kSystemExports), name) != std::end(kSystemExports);
    if (system) continue;
    std::set<std::string>* set = nullptr;
    std::string method;
    for (auto [prefix, dst] : {std::pair<const char*, std::set<std::string>*>{"canister_update ", &impl->updates},
                               {"canister_query ", &impl->queries},
                               {"canister_composite_query ", &impl->composite}}) {
      if (name.rfind(prefix, 0) == 0) {
        set = dst;
        method = name.substr(std::strlen(prefix));
      }
    }
    if (!set)
      return invalid("wasm module exports '" + name +
                     "': the only canister_* exports allowed are the system entry points and "
                     "'canister_update <name>', 'canister_query <name>', 'canister_composite_query <name>'");
    if (!all_methods.insert(method).second)
      return invalid("wasm module exports the method '" + method + "' more than once (as update and query)");
    set->insert(method);
    ++methods;
    name_bytes += method.size();
  }
  for (const auto& name : facts.other_exports)
    if (name.rfind("canister_", 0) == 0)
      return invalid("wasm module exports '" + name + "', which is not a function");
  if (methods > limits.max_exported_methods)
    return invalid("wasm module exports " + std::to_string(methods) + " methods, more than the limit of " +
                   std::to_string(limits.max_exported_methods));
  if (name_bytes > limits.max_method_name_bytes)
    return invalid("wasm module's exported method names take " + std::to_string(name_bytes) +
                   " bytes, more than the limit of " + std::to_string(limits.max_method_name_bytes));
  impl->global_types = facts.global_types;
  return std::shared_ptr<const Module>(std::make_shared<Module>(std::move(impl)));
}

// ---------------------------------------------------------------------------------------------------------
// Instance

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Instance::~Instance() = default;

const Module& Instance::module() const { return *impl_->module; }
uint64_t Instance::heap_bytes() const { return impl_->vm->committed_heap_bytes(); }
uint64_t Instance::stable_bytes() const { return impl_->stable.pages64 * detail::kWasmPage; }

namespace {

ic::Status load_stable(detail::Stable& st, const Image& img) {
  if (img.stable_bytes % detail::kWasmPage != 0)
    return invalid("stable memory image of " + std::to_string(img.stable_bytes) + " bytes is not a whole number of 64 KiB pages");
  st.pages64 = img.stable_bytes / detail::kWasmPage;
  for (const auto& [idx, data] : img.stable_pages) {
    if (idx * Changes::kPageSize >= img.stable_bytes) continue;
    ic::Bytes page(Changes::kPageSize, 0);
    std::memcpy(page.data(), data.data(), std::min<size_t>(data.size(), page.size()));
    if (std::any_of(page.begin(), page.end(), [](uint8_t b) { return b != 0; })) st.pages[idx] = std::move(page);
  }
  return {};
}

}  // namespace

ic::Result<std::unique_ptr<Instance>> Instance::create(std::shared_ptr<const Module> module, const Image* stable_from) {
  auto impl = std::make_unique<Impl>();
  impl->module = module;
  std::string err;
  impl->vm = vm::Vm::instantiate(module->impl().code, impl.get(), &err);
  if (!impl->vm) return invalid(err);
  if (stable_from) IC_CHECK(load_stable(impl->stable, *stable_from));
  // The start function (if any) runs now, once, with every System API call forbidden (§6.2 "s").
  ExecResult r = impl->run_start();
  if (!r.ok()) return invalid("the module's start function failed: " + r.message);
  return std::unique_ptr<Instance>(new Instance(std::move(impl)));
}

ic::Result<std::unique_ptr<Instance>> Instance::restore(std::shared_ptr<const Module> module, const Image& image) {
  auto impl = std::make_unique<Impl>();
  impl->module = module;
  std::string err;
  impl->vm = vm::Vm::instantiate(module->impl().code, impl.get(), &err);
  if (!impl->vm) return invalid(err);
  std::vector<std::pair<uint64_t, const std::vector<uint8_t>*>> pages;
  for (const auto& [idx, data] : image.heap_pages) pages.emplace_back(idx, &data);
  if (!impl->vm->load_heap(image.heap_bytes, pages, &err)) return invalid("cannot restore the instance: " + err);
  if (!image.globals.empty()) impl->vm->set_globals(image.globals);
  IC_CHECK(load_stable(impl->stable, image));
  return std::unique_ptr<Instance>(new Instance(std::move(impl)));
}

ExecResult Instance::execute(const Invocation& inv) { return impl_->execute(inv); }

Changes Instance::take_changes() {
  Impl& s = *impl_;
  Changes c;
  c.heap_bytes = s.vm->committed_heap_bytes();
  c.stable_bytes = s.stable.pages64 * detail::kWasmPage;
  const uint8_t* heap = s.vm->committed_heap();
  for (uint64_t p : s.heap_changed) {
    if (p * Changes::kPageSize >= c.heap_bytes) continue;
    c.heap_pages[p] = ic::Bytes(heap + p * Changes::kPageSize, heap + (p + 1) * Changes::kPageSize);
  }
  for (uint64_t p : s.stable_changed) {
    if (p * Changes::kPageSize >= c.stable_bytes) continue;
    auto it = s.stable.pages.find(p);
    c.stable_pages[p] = it == s.stable.pages.end() ? ic::Bytes(Changes::kPageSize, 0) : it->second;
  }
  s.heap_changed.clear();
  s.stable_changed.clear();
  c.globals = s.vm->globals();
  return c;
}

Image Instance::image() const {
  const Impl& s = *impl_;
  Image img;
  img.heap_bytes = s.vm->committed_heap_bytes();
  const uint8_t* heap = s.vm->committed_heap();
  for (uint64_t p = 0; p * Changes::kPageSize < img.heap_bytes; ++p) {
    const uint8_t* b = heap + p * Changes::kPageSize;
    if (std::any_of(b, b + Changes::kPageSize, [](uint8_t x) { return x != 0; }))
      img.heap_pages[p] = ic::Bytes(b, b + Changes::kPageSize);
  }
  img.stable_bytes = s.stable.pages64 * detail::kWasmPage;
  for (const auto& [idx, data] : s.stable.pages)
    if (idx * Changes::kPageSize < img.stable_bytes) img.stable_pages[idx] = data;
  img.globals = s.vm->globals();
  return img;
}

}  // namespace replica::exec
