// `hubctl certificate verify FILE (--canister ID | --subnet ID)`: an auditor's offline check of a saved
// certificate (or read_state response) against the root key; prints the verified tree, exit 0 valid / 1 not.
#include <iostream>

#include "agent/certificate.h"
#include "agent/clock.h"
#include "agent/identity.h"
#include "commands/commands.h"

namespace cli {
namespace {

struct VerifyArgs {
  std::string file, canister, subnet, at, max_age = "5m";
};

// The file as bytes: binary CBOR as saved, or the same in hex (a pasted certificate).
ic::Result<ic::Bytes> read_certificate_file(const std::string& path) {
  IC_TRY(std::string data, path == "-" ? read_arg_or_stdin("-", "the certificate") : agent::read_text_file(path));
  if (!data.empty() && static_cast<unsigned char>(data[0]) != 0xd9 && static_cast<unsigned char>(data[0]) >= 0x20) {
    auto hex = ic::from_hex(data);
    if (hex) return std::move(*hex);
  }
  return ic::Bytes(data.begin(), data.end());
}

}  // namespace

void add_certificate_commands(CLI::App& app, Context& ctx) {
  auto* cert = app.add_subcommand("certificate", "Check certificates");
  cert->require_subcommand(1);
  static VerifyArgs a;
  auto* verify = cert->add_subcommand("verify", "Verify a saved certificate offline and print its tree");
  verify->add_option("FILE", a.file, "A certificate or a read_state response body (CBOR, or hex); - reads stdin")
      ->required();
  auto* c = verify->add_option("--canister", a.canister, "The canister it must be valid for (delegation ranges)");
  auto* s = verify->add_option("--subnet", a.subnet, "The subnet it must come from");
  c->excludes(s);
  verify->add_option("--at", a.at, "Check freshness as of this time (RFC 3339 or ns since the epoch)");
  verify->add_option("--max-age", a.max_age, "With --at: the oldest acceptable certificate (default 5m)");
  verify->footer(
      "The root key is --root-key ic (default) or --root-key HEX. Without --at no freshness check is made:\n"
      "saved certificates are old by nature. Exit status 0: valid; 1: not valid (the failed check is named:\n"
      "signature, delegation, delegation_signature, canister_range, canister_ranges_pruned, subnet, time,\n"
      "freshness, decode).\n"
      "Examples:\n"
      "  hubctl certificate verify response.cbor --canister ivg37-qiaaa-aaaab-aaaga-cai\n"
      "  hubctl certificate verify cert.hex --subnet o3ow2-… --at 2025-12-08T10:00:00Z --max-age 10m --json");
  set_runner(verify, [&ctx]() -> int {
    if (a.canister.empty() == a.subnet.empty())
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, "say what the certificate is for: --canister ID or --subnet ID"),
                      kUsage);
    agent::VerifyOptions o;
    auto key = ctx.offline_root_key();
    if (!key) return ctx.fail(key.error(), kUsage);
    o.root_key = *key;
    auto id = ic::Principal::from_text(a.canister.empty() ? a.subnet : a.canister);
    if (!id) return ctx.fail(id.error(), kUsage);
    (a.canister.empty() ? o.subnet_id : o.canister_id) = *id;
    if (!a.at.empty()) {
      auto at = agent::parse_time(a.at);
      if (!at) return ctx.fail(at.error(), kUsage);
      auto age = agent::parse_duration(a.max_age);
      if (!age) return ctx.fail(age.error(), kUsage);
      o.now_ns = *at;
      o.max_age_ns = *age;
    }
    auto bytes = read_certificate_file(a.file);
    if (!bytes) return ctx.fail(bytes.error());
    auto certificate = agent::Certificate::from_saved(*bytes);
    if (!certificate) return ctx.fail(certificate.error(), kCheckFailed, "decode");
    auto check = agent::check_certificate(*certificate, o);
    std::string scope = (a.canister.empty() ? "subnet " : "canister ") + id->to_text();
    if (!check.ok) {
      // Only a real finding is exit 1; "could not check" (e.g. no BLS in this build) stays 2.
      int code = check.error.code == ic::Errc::crypto || check.failed_check == "freshness" ? kCheckFailed : kCouldNotCheck;
      if (!ctx.json) std::cout << "INVALID (" << check.failed_check << ") for " << scope << "\n";
      return ctx.fail(ic::make_error(check.error.code, "certificate check `" + check.failed_check + "` failed: " + check.error.message,
                                     check.error.hint),
                      code, check.failed_check);
    }
    std::string tree = agent::render_tree(certificate->tree());
    std::string signer = check.info.delegated ? "subnet " + check.info.subnet_id.to_text() + " (delegated by the root)"
                                              : "the root subnet " + check.info.subnet_id.to_text();
    if (ctx.json) {
      auto lines = nlohmann::json::array();
      for (size_t p = 0, e; p < tree.size(); p = e + 1) {
        e = tree.find('\n', p);
        lines.push_back(tree.substr(p, e - p));
      }
      ctx.print_json({{"ok", true},
                      {"valid", true},
                      {"scope", scope},
                      {"signed_by", check.info.subnet_id.to_text()},
                      {"delegated", check.info.delegated},
                      {"time", agent::format_time(check.info.time_ns)},
                      {"time_ns", std::to_string(check.info.time_ns)},
                      {"freshness_checked", o.now_ns.has_value()},
                      {"root_hash", ic::to_hex(certificate->root_hash())},
                      {"tree", lines}});
      return kOk;
    }
    if (ctx.verbosity >= 0) std::cout << tree;
    std::cout << "VALID for " << scope << ": signed by " << signer << ", certified at "
              << agent::format_time(check.info.time_ns)
              << (o.now_ns ? " (fresh as of " + agent::format_time(*o.now_ns) + ")" : " (freshness not checked)") << "\n";
    return kOk;
  });
}

}  // namespace cli
