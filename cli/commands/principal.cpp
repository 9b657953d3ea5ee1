// `hubctl principal`: a principal's textual and binary forms, its class, and the self-authenticating
// principal of a DER public key (IC interface spec "Principals").
#include <fstream>
#include <iostream>
#include <iterator>

#include "agent/identity.h"
#include "commands/commands.h"
#include "ic/bytes.h"
#include "ic/principal.h"

namespace cli {
namespace {

ic::Result<ic::Bytes> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return ic::make_error(ic::Errc::io, "cannot open " + path, "check the path and permissions");
  return ic::Bytes(std::istreambuf_iterator<char>(f), {});
}

int show(const Context& ctx, const ic::Principal& p) {
  std::string text = p.to_text(), hex = ic::to_hex(p.bytes());
  const char* kind = ic::principal_class_name(p);  // opaque, self-authenticating, …
  if (ctx.json) {
    nlohmann::json doc = {{"ok", true}, {"text", text}, {"hex", hex}, {"class", kind}};
    if (auto idx = p.canister_index()) doc["canister_index"] = std::to_string(*idx);
    ctx.print_json(doc);
    return kOk;
  }
  std::cout << text << "\n";
  if (ctx.verbosity >= 0) {
    std::cout << "hex:   " << (hex.empty() ? "(empty)" : hex) << "\n";
    std::cout << "class: " << kind << "\n";
    if (auto idx = p.canister_index()) std::cout << "canister index: " << *idx << "\n";
  }
  return kOk;
}

}  // namespace

void add_principal_command(CLI::App& app, Context& ctx) {
  static std::string id, der_hex, der_file;
  auto* cmd = app.add_subcommand(
      "principal", "Convert a principal between text and hex, or derive it from a DER public key");
  cmd->add_option("ID", id, "A principal as text (aaaaa-aa, 2vxsx-fae, …) or as hex bytes (0x optional)");
  auto* dh = cmd->add_option("--der", der_hex, "A DER-encoded public key in hex: print its self-authenticating principal");
  auto* df = cmd->add_option("--der-file", der_file, "The same, from a binary DER file")->check(CLI::ExistingFile);
  dh->excludes(df);
  cmd->footer(
      "Examples:\n"
      "  hubctl principal ryjl3-tyaaa-aaaaa-aaaba-cai      # hex and class of a text id\n"
      "  hubctl principal 0x00000000000000020101          # text of raw bytes\n"
      "  hubctl principal --der 302a300506032b6570032100…  # self-authenticating id of a key\n"
      "  hubctl principal --pem identity.pem               # the principal a PEM key signs as");
  set_runner(cmd, [&ctx]() -> int {
    // --pem is the global option (cli/context.h): the principal of the key in that file.
    if (!ctx.global.pem.empty()) {
      if (!id.empty() || !der_hex.empty() || !der_file.empty())
        return ctx.fail(ic::make_error(ic::Errc::invalid_input, "give one of ID, --der, --der-file or --pem"), kUsage);
      auto ident = ctx.identity(true);
      if (!ident) return ctx.fail(ident.error());
      return show(ctx, (*ident)->sender());
    }
    if (!der_hex.empty() || !der_file.empty()) {
      if (!id.empty())
        return ctx.fail(ic::make_error(ic::Errc::invalid_input, "give either ID or a DER key, not both"));
      auto der = der_file.empty() ? ic::from_hex(der_hex) : read_file_bytes(der_file);
      if (!der) return ctx.fail(der.error());
      // A DER SubjectPublicKeyInfo is one SEQUENCE covering the whole input; catch pasted garbage early.
      if (der->size() < 2 || (*der)[0] != 0x30)
        return ctx.fail(ic::make_error(ic::Errc::invalid_input,
                                       "the --der input is not a DER public key (it must start with 0x30, a SEQUENCE)",
                                       "pass the SubjectPublicKeyInfo bytes, e.g. 302a300506032b6570032100… for Ed25519"));
      return show(ctx, ic::Principal::self_authenticating(*der));
    }
    if (id.empty())
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, "no principal given",
                                     "pass a principal as text or hex, --der HEX for a public key, or --pem FILE"),
                      kUsage);
    // Text first: every valid text form has dashes, which hex never has.
    auto p = ic::Principal::from_text(id);
    if (!p) {
      auto raw = ic::from_hex(id);
      if (!raw || id.find('-') != std::string::npos) return ctx.fail(p.error());
      auto q = ic::Principal::from_bytes(*raw);
      if (!q) return ctx.fail(q.error());
      return show(ctx, *q);
    }
    return show(ctx, *p);
  });
}

}  // namespace cli
