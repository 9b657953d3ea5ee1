// A scripted WasmRuntime for node tests: "modules" are the bytes "FAKE:<program>", whose methods are C++
// functions over a key/value heap and stable memory; rollback, images and page changes like exec's.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ic/cbor.h"
#include "replica/node/runtime.h"

namespace fake {

using replica::exec::ExecResult;
using replica::exec::Invocation;

struct State {
  std::map<std::string, std::string> heap, stable;
};

using Fn = std::function<ExecResult(State&, const Invocation&)>;

struct Program {
  std::map<std::string, Fn> updates, queries;
  std::map<std::string, Fn> system;          // canister_init, canister_heartbeat, …
  std::map<uint32_t, Fn> callbacks;          // table index -> callback
  std::map<std::string, ic::Bytes> public_metadata, private_metadata;
};

inline ExecResult reply(std::string s) {
  ExecResult r;
  r.reply = ic::to_bytes(s);
  return r;
}
inline ExecResult trap(std::string msg) {
  ExecResult r;
  r.outcome = replica::exec::Outcome::Trapped;
  r.message = "canister called ic0.trap: " + msg;
  return r;
}
inline std::string text(const ic::Bytes& b) { return std::string(b.begin(), b.end()); }

class Runtime : public replica::WasmRuntime {
 public:
  std::map<std::string, Program> programs;

  ic::Result<std::shared_ptr<const replica::ModuleInfo>> compile(ic::ByteView wasm) override {
    std::string s(wasm.begin(), wasm.end());
    if (s.rfind("FAKE:", 0) != 0) return ic::make_error(ic::Errc::invalid_input, "not a fake module");
    auto it = programs.find(s.substr(5));
    if (it == programs.end()) return ic::make_error(ic::Errc::invalid_input, "unknown fake program " + s.substr(5));
    auto m = std::make_shared<replica::ModuleInfo>();
    m->hash = ic::sha256(wasm);
    m->wasm_size = wasm.size();
    for (auto& [k, f] : it->second.updates) m->update_methods.insert(k);
    for (auto& [k, f] : it->second.queries) m->query_methods.insert(k);
    for (auto& [k, f] : it->second.system) m->system_exports.insert(k);
    m->public_metadata = it->second.public_metadata;
    m->private_metadata = it->second.private_metadata;
    m->handle = std::shared_ptr<const void>(&it->second, [](const void*) {});
    return std::shared_ptr<const replica::ModuleInfo>(m);
  }

  class Instance : public replica::WasmInstance {
   public:
    const Program* prog;
    State st;
    bool changed = true;
    ExecResult execute(const Invocation& inv) override {
      using K = replica::exec::EntryKind;
      const Fn* f = nullptr;
      switch (inv.kind) {
        case K::Update: f = find(prog->updates, inv.method); break;
        case K::ReplicatedQuery: case K::NonReplicatedQuery: case K::CompositeQuery: f = find(prog->queries, inv.method); break;
        case K::Init: f = find(prog->system, "canister_init"); break;
        case K::PreUpgrade: f = find(prog->system, "canister_pre_upgrade"); break;
        case K::PostUpgrade: f = find(prog->system, "canister_post_upgrade"); break;
        case K::Heartbeat: f = find(prog->system, "canister_heartbeat"); break;
        case K::GlobalTimer: f = find(prog->system, "canister_global_timer"); break;
        case K::InspectMessage: f = find(prog->system, "canister_inspect_message"); break;
        case K::ReplyCallback: case K::RejectCallback: case K::Cleanup: {
          auto it = prog->callbacks.find(inv.callback.fun);
          f = it == prog->callbacks.end() ? nullptr : &it->second;
          break;
        }
        default: break;
      }
      if (!f) return trap("no such export");
      State before = st;
      ExecResult r = (*f)(st, inv);
      r.instructions += 1000;
      bool rollback = !r.ok() || inv.kind == K::ReplicatedQuery || inv.kind == K::NonReplicatedQuery ||
                      inv.kind == K::CompositeQuery || inv.kind == K::InspectMessage;
      if (rollback) st = std::move(before);
      else changed = true;
      return r;
    }
    static ic::Bytes encode(const std::map<std::string, std::string>& m) {
      ic::cbor::Value v = ic::cbor::Value::map();
      for (auto& [k, x] : m) v.set(k, ic::cbor::Value::text(x));
      return ic::cbor::encode(v);
    }
    static std::map<std::string, std::string> decode(const std::map<uint64_t, ic::Bytes>& pages, uint64_t size) {
      ic::Bytes all;
      for (auto& [i, p] : pages) all.insert(all.end(), p.begin(), p.end());
      all.resize(size);
      std::map<std::string, std::string> m;
      auto v = ic::cbor::decode(all);
      if (v && v->as_map())
        for (auto& [k, x] : *v->as_map()) m[std::string(*k.as_text())] = std::string(*x.as_text());
      return m;
    }
    static void paginate(const ic::Bytes& b, std::map<uint64_t, ic::Bytes>& pages) {
      for (size_t off = 0, i = 0; off < b.size(); off += 4096, ++i)
        pages[i] = ic::Bytes(b.begin() + off, b.begin() + std::min(b.size(), off + 4096));
    }
    replica::exec::Changes take_changes() override {
      replica::exec::Changes c;
      ic::Bytes h = encode(st.heap), s = encode(st.stable);
      c.heap_bytes = h.size();
      c.stable_bytes = s.size();
      if (changed) {
        paginate(h, c.heap_pages);
        paginate(s, c.stable_pages);
      }
      c.globals = {42};
      changed = false;
      return c;
    }
    replica::exec::Image image() const override {
      replica::exec::Image img;
      ic::Bytes h = encode(st.heap), s = encode(st.stable);
      img.heap_bytes = h.size();
      img.stable_bytes = s.size();
      paginate(h, img.heap_pages);
      paginate(s, img.stable_pages);
      img.globals = {42};
      return img;
    }
    uint64_t heap_bytes() const override { return encode(st.heap).size(); }
    uint64_t stable_bytes() const override { return encode(st.stable).size(); }

   private:
    static const Fn* find(const std::map<std::string, Fn>& m, const std::string& k) {
      auto it = m.find(k);
      return it == m.end() ? nullptr : &it->second;
    }
  };

  ic::Result<std::unique_ptr<replica::WasmInstance>> create(const std::shared_ptr<const replica::ModuleInfo>& module,
                                                            const replica::exec::Image* stable_from) override {
    auto inst = std::make_unique<Instance>();
    inst->prog = static_cast<const Program*>(module->handle.get());
    if (stable_from) inst->st.stable = Instance::decode(stable_from->stable_pages, stable_from->stable_bytes);
    return std::unique_ptr<replica::WasmInstance>(std::move(inst));
  }
  ic::Result<std::unique_ptr<replica::WasmInstance>> restore(const std::shared_ptr<const replica::ModuleInfo>& module,
                                                             const replica::exec::Image& image) override {
    auto inst = std::make_unique<Instance>();
    inst->prog = static_cast<const Program*>(module->handle.get());
    inst->st.heap = Instance::decode(image.heap_pages, image.heap_bytes);
    inst->st.stable = Instance::decode(image.stable_pages, image.stable_bytes);
    inst->changed = false;
    return std::unique_ptr<replica::WasmInstance>(std::move(inst));
  }
};

}  // namespace fake
