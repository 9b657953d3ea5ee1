// `hubctl verify`: deployed module hashes and controllers (certified) against the wasm bundled in hubctl and the
// hub's embedded wasm, non-default constants and the hard cap. One line per check; exit 1 on a mismatch, 2 when a
// check could not be made.
#include <iostream>

#include "bundle/bundle.h"
#include "commands/commands.h"
#include "hub/verify.h"

namespace cli {
namespace {

struct VerifyOptions {
  std::string expect_cap;
  bool require_admin_less = false;
  size_t concurrency = 16;
};

int run_verify(Context& ctx, const VerifyOptions& o) {
  auto hub_id = ctx.hub_id();
  if (!hub_id) return ctx.fail(hub_id.error(), kUsage);
  hub::VerifyInput in;
  in.require_admin_less = o.require_admin_less;
  in.concurrency = o.concurrency;
  if (!o.expect_cap.empty()) {
    auto cap = ic::BigNat::from_decimal(o.expect_cap);
    if (!cap) return ctx.fail(cap.error(), kUsage);
    in.expect_cap = *cap;
  }
  for (auto name : {"staking_hub", "learning_content", "icrc1_ledger", "user_profile"})
    if (auto* b = bundle::find_bundled_wasm(name))
      if (auto h = ic::from_hex(b->sha256_hex)) in.bundled_sha256[name] = *h;
  if (auto path = ctx.state_path())
    if (auto st = hub::load_state_file(*path); st && *st)
      in.external_ledger = (*st)->notes.count("external_ledger") && (*st)->notes.at("external_ledger") == "true";
  auto make_agent = ctx.agent_factory(false);
  hub::SourceFactory make = [make_agent]() -> ic::Result<std::unique_ptr<hub::Source>> {
    IC_TRY(auto a, make_agent());
    return hub::live_source(std::move(a), nullptr, 5 * 60 * 1'000'000'000ull);
  };
  auto checks = hub::verify_suite(make, *hub_id, in);
  if (!checks) return ctx.fail(checks.error(), kCouldNotCheck);
  bool fail = false, unknown = false;
  for (auto& c : *checks) {
    fail |= c.status == hub::audit::Status::Fail;
    unknown |= c.status == hub::audit::Status::Unknown;
  }
  int code = fail ? kCheckFailed : unknown ? kCouldNotCheck : kOk;
  if (ctx.json) {
    nlohmann::json arr = nlohmann::json::array();
    std::vector<std::string> failed;
    for (auto& c : *checks) {
      arr.push_back({{"id", c.id}, {"status", hub::audit::status_name(c.status)}, {"subject", c.subject}, {"message", c.message}});
      if (c.status == hub::audit::Status::Fail) failed.push_back(c.id);
    }
    ctx.print_json({{"schema_version", 1}, {"ok", code == 0}, {"exit_code", code}, {"hub", hub_id->to_text()},
                    {"checks", arr}, {"failed_checks", failed}});
  } else {
    for (auto& c : *checks) {
      std::string s = c.status == hub::audit::Status::Pass      ? "OK"
                      : c.status == hub::audit::Status::Fail    ? "MISMATCH"
                      : c.status == hub::audit::Status::Unknown ? "UNKNOWN"
                                                                : "INFO";
      std::cout << s << std::string(9 - s.size(), ' ') << c.subject << ": " << c.message << "\n";
    }
    std::cout << (code == 0 ? "verified" : code == 1 ? "verification FAILED" : "verification incomplete") << "\n";
  }
  return code;
}

}  // namespace

void add_verify_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<VerifyOptions>();
  auto* cmd = app.add_subcommand("verify", "Prove what is deployed: certified module hashes and controllers vs the bundled wasm");
  cmd->add_option("--expect-cap", o->expect_cap, "Expected hard cap in e8s (default 420000000000000000 = 4.2 B tokens)");
  cmd->add_flag("--require-admin-less", o->require_admin_less,
                "Fail (instead of reporting) when hub, content or ledger still has a controller");
  cmd->add_option("--concurrency", o->concurrency, "Shards read at once (default 16)")->check(CLI::Range(1, 256));
  cmd->footer(
      "Checks: each canister's certified module hash against the wasm bundled in this hubctl, the hub's embedded\n"
      "user_profile against the bundled one, every shard's module hash against the hub's embedded wasm and its\n"
      "controllers (the hub alone), constants that differ from SPEC.md's defaults, and the hard cap.\n"
      "Exit status: 0 verified, 1 a mismatch, 2 a check could not be made (e.g. a path the certificate does not cover).\n"
      "Examples:\n"
      "  hubctl verify\n"
      "  hubctl --network ic --hub ID verify --require-admin-less --json");
  set_runner(cmd, [o, &ctx]() { return run_verify(ctx, *o); });
}

}  // namespace cli
