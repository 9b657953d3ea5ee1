// `hubctl identity list|new|use|whoami|import`: dfx's identity directory (~/.config/dfx, DFX_CONFIG_ROOT),
// so identities made here work in dfx and the other way round.
#include <iostream>

#include "agent/identity_store.h"
#include "commands/commands.h"

namespace cli {
namespace {

ic::Result<agent::IdentityStore> store() { return agent::IdentityStore::from_environment(); }

}  // namespace

void add_identity_commands(CLI::App& app, Context& ctx) {
  auto* identity = app.add_subcommand("identity", "Manage signing identities (dfx's identity directory)");
  identity->require_subcommand(1);
  identity->footer("Identities live in ~/.config/dfx/identity/<name>/identity.pem ($DFX_CONFIG_ROOT/.config/dfx if set).");

  auto* list = identity->add_subcommand("list", "List identities; * marks the default");
  list->footer("Example:\n  hubctl identity list --json");
  set_runner(list, [&ctx]() -> int {
    auto s = store();
    if (!s) return ctx.fail(s.error());
    auto all = s->list();
    if (!all) return ctx.fail(all.error());
    auto def = s->default_name();
    if (!def) return ctx.fail(def.error());
    if (ctx.json) {
      auto arr = nlohmann::json::array();
      for (auto& e : *all) arr.push_back({{"name", e.name}, {"storage", e.storage}, {"default", e.name == *def}});
      ctx.print_json({{"ok", true}, {"identities", arr}, {"default", *def}, {"directory", s->root().string()}});
      return kOk;
    }
    for (auto& e : *all)
      std::cout << e.name << (e.name == *def ? " *" : "")
                << (ctx.verbosity > 0 || (e.storage != "plaintext" && e.storage != "anonymous") ? "  (" + e.storage + ")" : "")
                << "\n";
    return kOk;
  });

  static std::string new_name, key_type = "secp256k1", storage_mode = "plaintext";
  auto* create = identity->add_subcommand("new", "Create a plaintext identity (a new key)");
  create->footer("Example:\n  hubctl identity new ops --key-type ed25519");
  create->add_option("NAME", new_name, "Name of the identity")->required();
  create->add_option("--key-type", key_type, "secp256k1 (default, as dfx), ed25519 or p256");
  create->add_option("--storage-mode", storage_mode, "plaintext (the only mode hubctl writes)");
  set_runner(create, [&ctx]() -> int {
    if (storage_mode != "plaintext")
      return ctx.fail(ic::make_error(ic::Errc::unsupported, "hubctl writes plaintext identities only",
                                     "use dfx for keyring or password-protected storage; hubctl reads PEM files "
                                     "encrypted as PKCS#8 through --pem and --password-file"),
                      kUsage);
    auto type = ic::crypto::key_type_from_name(key_type);
    if (!type) return ctx.fail(type.error(), kUsage);
    auto s = store();
    if (!s) return ctx.fail(s.error());
    if (auto st = s->create(new_name, *type); !st) return ctx.fail(st.error());
    auto id = s->load(new_name);
    if (!id) return ctx.fail(id.error());
    ctx.warn("the key of `" + new_name + "` is stored unencrypted in " + s->pem_path(new_name).string());
    if (ctx.json)
      ctx.print_json({{"ok", true}, {"name", new_name}, {"principal", (*id)->sender().to_text()},
                      {"key_type", (*id)->kind()}, {"pem", s->pem_path(new_name).string()}});
    else
      std::cout << (*id)->sender().to_text() << "\n";
    return kOk;
  });

  static std::string use_name;
  auto* use = identity->add_subcommand("use", "Make an identity the default (identity.json)");
  use->footer("Example:\n  hubctl identity use ops");
  use->add_option("NAME", use_name, "Name of the identity")->required();
  set_runner(use, [&ctx]() -> int {
    auto s = store();
    if (!s) return ctx.fail(s.error());
    if (auto st = s->set_default(use_name); !st) return ctx.fail(st.error());
    if (ctx.json) ctx.print_json({{"ok", true}, {"default", use_name}});
    else ctx.note("using identity \"" + use_name + "\"");
    return kOk;
  });

  auto* whoami = identity->add_subcommand("whoami", "The identity commands sign with, and its principal");
  whoami->footer("Example:\n  hubctl identity whoami --json");
  set_runner(whoami, [&ctx]() -> int {
    std::string name = !ctx.global.pem.empty() ? ctx.global.pem : ctx.global.identity;
    std::string source = !ctx.global.pem.empty() ? "pem" : !ctx.global.identity.empty() ? "option" : "default";
    if (name.empty()) {
      auto s = store();
      if (!s) return ctx.fail(s.error());
      auto def = s->default_name();
      if (!def) return ctx.fail(def.error());
      name = *def;
      if (name != "anonymous" && !s->exists(name)) {
        if (ctx.json)
          ctx.print_json({{"ok", true}, {"name", name}, {"principal", nullptr}, {"source", source}, {"exists", false}});
        else
          std::cout << name << "\n"
                    << "(does not exist yet: the first command that needs a key creates it)\n";
        return kOk;
      }
    }
    Context c = ctx;
    if (ctx.global.pem.empty()) c.global.identity = name;
    auto id = c.identity(true);
    if (!id) return ctx.fail(id.error());
    if (ctx.json) {
      ctx.print_json({{"ok", true}, {"name", name}, {"principal", (*id)->sender().to_text()},
                      {"key_type", (*id)->kind()}, {"source", source}});
      return kOk;
    }
    std::cout << name << "\n";
    if (ctx.verbosity >= 0) std::cout << "principal: " << (*id)->sender().to_text() << "\n";
    return kOk;
  });

  static std::string import_name, import_file;
  auto* import = identity->add_subcommand("import", "Import a PEM key file as a new plaintext identity");
  import->add_option("NAME", import_name, "Name of the new identity")->required();
  import->add_option("PEM_FILE", import_file, "The key: PKCS#8, SEC1 or encrypted PKCS#8 (asks for the password)")
      ->required()
      ->check(CLI::ExistingFile);
  import->footer("Example:\n  dfx identity export ops > ops.pem && hubctl identity import ops ops.pem");
  set_runner(import, [&ctx]() -> int {
    auto s = store();
    if (!s) return ctx.fail(s.error());
    auto pem = agent::read_text_file(import_file);
    if (!pem) return ctx.fail(pem.error());
    std::string file = import_file;
    auto st = s->import(import_name, *pem, [&ctx, file] { return ctx.password(file); });
    std::fill(pem->begin(), pem->end(), '\0');
    if (!st) return ctx.fail(st.error());
    auto id = s->load(import_name);
    if (!id) return ctx.fail(id.error());
    if (ctx.json)
      ctx.print_json({{"ok", true}, {"name", import_name}, {"principal", (*id)->sender().to_text()},
                      {"key_type", (*id)->kind()}});
    else
      std::cout << (*id)->sender().to_text() << "\n";
    return kOk;
  });
}

}  // namespace cli
