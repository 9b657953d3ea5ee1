// The real engine behind WasmRuntime: replica::exec (libwabt), compiled only when replica_exec exists.
#include "replica/node/runtime.h"

#ifdef HUBCTL_HAVE_REPLICA_EXEC

namespace replica {
namespace {

constexpr const char* kSystemExports[] = {
    "canister_init",      "canister_pre_upgrade",  "canister_post_upgrade",       "canister_inspect_message",
    "canister_heartbeat", "canister_global_timer", "canister_on_low_wasm_memory",
};

class ExecInstance final : public WasmInstance {
 public:
  explicit ExecInstance(std::unique_ptr<exec::Instance> i) : inst_(std::move(i)) {}
  exec::ExecResult execute(const exec::Invocation& inv) override { return inst_->execute(inv); }
  exec::Changes take_changes() override { return inst_->take_changes(); }
  exec::Image image() const override { return inst_->image(); }
  uint64_t heap_bytes() const override { return inst_->heap_bytes(); }
  uint64_t stable_bytes() const override { return inst_->stable_bytes(); }

 private:
  std::unique_ptr<exec::Instance> inst_;
};

std::shared_ptr<const exec::Module> exec_module(const std::shared_ptr<const ModuleInfo>& m) {
  return std::static_pointer_cast<const exec::Module>(m->handle);
}

class ExecRuntime final : public WasmRuntime {
 public:
  ic::Result<std::shared_ptr<const ModuleInfo>> compile(ic::ByteView wasm) override {
    IC_TRY(std::shared_ptr<const exec::Module> m, exec::Module::compile(wasm));
    auto info = std::make_shared<ModuleInfo>();
    info->hash = m->hash();
    info->wasm_size = m->wasm_size();
    info->update_methods = m->update_methods();
    info->query_methods = m->query_methods();
    info->composite_query_methods = m->composite_query_methods();
    for (const char* e : kSystemExports)
      if (m->exports(e)) info->system_exports.insert(e);
    info->public_metadata = m->public_metadata();
    info->private_metadata = m->private_metadata();
    info->handle = m;
    return std::shared_ptr<const ModuleInfo>(std::move(info));
  }
  ic::Result<std::unique_ptr<WasmInstance>> create(const std::shared_ptr<const ModuleInfo>& module,
                                                   const exec::Image* stable_from) override {
    IC_TRY(auto inst, exec::Instance::create(exec_module(module), stable_from));
    return std::unique_ptr<WasmInstance>(new ExecInstance(std::move(inst)));
  }
  ic::Result<std::unique_ptr<WasmInstance>> restore(const std::shared_ptr<const ModuleInfo>& module,
                                                    const exec::Image& image) override {
    IC_TRY(auto inst, exec::Instance::restore(exec_module(module), image));
    return std::unique_ptr<WasmInstance>(new ExecInstance(std::move(inst)));
  }
};

}  // namespace

std::shared_ptr<WasmRuntime> exec_runtime() {
  static std::shared_ptr<WasmRuntime> rt = std::make_shared<ExecRuntime>();
  return rt;
}

}  // namespace replica

#else

namespace replica {
std::shared_ptr<WasmRuntime> exec_runtime() { return nullptr; }
}  // namespace replica

#endif
