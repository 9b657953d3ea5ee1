// `hubctl deploy`: prints the plan and the cycles it spends, then creates every id, installs ledger, content and
// hub in SPEC.md's order (chunked when needed), calls ensure_capacity and records the ids in the state file.
// Re-running is safe; --upgrade upgrades what changed; --finalize removes the deployer's control.
#include <unistd.h>

#include <iostream>

#include "commands/commands.h"
#include "hub/deploy.h"
#include "hub/files.h"
#include "table.h"

namespace cli {
namespace {

struct DeployOptions {
  bool dry_run = false, upgrade = false, finalize = false, yes = false;
  std::string curator, hub_cycles, ledger, wasm_dir, token_name, token_symbol;
  std::vector<std::string> set, canister_ids;
  int pass_mark = 60;
};

bool confirm(Context& ctx, const std::string& question, bool yes) {
  if (yes) return true;
  if (!isatty(0) || !isatty(2)) return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

int run_deploy(Context& ctx, const DeployOptions& o) {
  auto id = ctx.identity(true);
  if (!id) return ctx.fail(id.error());
  hub::DeployConfig cfg;
  cfg.deployer = (*id)->sender();
  if (!o.curator.empty()) {
    auto p = ic::Principal::from_text(o.curator);
    if (!p) return ctx.fail(ic::Error(p.error()).context("--curator"), kUsage);
    cfg.curator = *p;
  }
  if (!o.hub_cycles.empty()) {
    auto c = ic::BigNat::from_decimal(o.hub_cycles);
    if (!c) return ctx.fail(ic::Error(c.error()).context("--hub-cycles"), kUsage);
    cfg.hub_cycles = *c;
  }
  if (!o.ledger.empty()) {
    auto p = ic::Principal::from_text(o.ledger);
    if (!p) return ctx.fail(ic::Error(p.error()).context("--ledger"), kUsage);
    cfg.external_ledger = *p;
  }
  for (auto& kv : o.set) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, "--set " + kv + ": expected NAME=VALUE",
                                     "e.g. --set shard_soft_limit=50 --set auto_scale_interval=2"),
                      kUsage);
    cfg.overrides.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (auto& kv : o.canister_ids) {
    auto eq = kv.find('=');
    auto p = eq == std::string::npos ? ic::Result<ic::Principal>(ic::make_error(ic::Errc::invalid_input, "no '='"))
                                     : ic::Principal::from_text(kv.substr(eq + 1));
    if (!p) return ctx.fail(ic::Error(p.error()).context("--canister-id " + kv + " (expected NAME=ID)"), kUsage);
    cfg.precreated[kv.substr(0, eq)] = *p;
  }
  if (!o.token_name.empty()) cfg.token_name = o.token_name;
  if (!o.token_symbol.empty()) cfg.token_symbol = o.token_symbol;
  cfg.pass_mark = static_cast<uint32_t>(o.pass_mark);
  auto net = ctx.network();
  if (!net) return ctx.fail(net.error(), kUsage);
  cfg.provisional = !net->mainnet;

  auto wasm = o.wasm_dir.empty() ? hub::bundled_suite_wasm() : hub::suite_wasm_from_dir(o.wasm_dir);
  if (!wasm) return ctx.fail(wasm.error(), kUsage);
  auto state_path = ctx.state_path();
  if (!state_path) return ctx.fail(state_path.error(), kUsage);
  auto loaded = hub::load_state_file(*state_path);
  if (!loaded) return ctx.fail(loaded.error(), kUsage);
  hub::StateFile state = loaded->value_or(hub::StateFile{});
  state.network = net->name;
  state.url = net->url;

  std::unique_ptr<agent::Agent> agent;
  if (!o.dry_run) {
    auto a = ctx.make_agent(true);
    if (!a) return ctx.fail(a.error());
    agent = std::move(*a);
  }
  if (o.finalize) {
    if (o.dry_run) {
      std::cout << "would remove every controller of staking_hub, learning_content and icrc1_ledger (irreversible)\n";
      return kOk;
    }
    if (!confirm(ctx, "Remove every controller of hub, content and ledger? Nobody can upgrade them afterwards.", o.yes))
      return ctx.fail(ic::make_error(ic::Errc::invalid_input, "--finalize needs confirmation",
                                     "answer y on a terminal, or pass --yes"),
                      kUsage);
    auto st = hub::finalize(*agent, state, [&](const std::string& l) { ctx.note(l); });
    if (!st.ok()) return ctx.fail(st.error());
    if (ctx.json) ctx.print_json({{"ok", true}, {"finalized", true}});
    else std::cout << "finalized: hub, content and ledger are admin-less\n";
    return kOk;
  }

  auto plan = hub::plan_deploy(agent.get(), state, cfg, *wasm, o.upgrade);
  if (!plan) return ctx.fail(plan.error());
  if (ctx.json && o.dry_run) {
    nlohmann::json steps = nlohmann::json::array();
    for (auto& s : plan->steps)
      steps.push_back({{"canister", s.canister}, {"action", hub::step_kind_name(s.kind)}, {"detail", s.detail},
                       {"cycles", s.cycles.to_decimal()}});
    ctx.print_json({{"ok", plan->refusals.empty()}, {"dry_run", true}, {"steps", steps},
                    {"cycles_total", plan->cycles_total.to_decimal()}, {"refusals", plan->refusals}});
    return plan->refusals.empty() ? kOk : kCheckFailed;
  }
  if (!ctx.json) {
    std::cerr << "plan (" << net->name << ", " << net->url << "):\n";
    Table t({"canister", "action", "detail"});
    for (auto& s : plan->steps) t.add({s.canister, hub::step_kind_name(s.kind), s.detail});
    t.print(std::cerr);
    std::cerr << "cycles: " << group_thousands(plan->cycles_total.to_decimal()) << " for new canisters"
              << (cfg.provisional ? " (provisional: free on a local network)" : "") << "\n";
  }
  for (auto& r : plan->refusals) ctx.warn(r);
  if (!plan->refusals.empty())
    return ctx.fail(ic::make_error(ic::Errc::invalid_input, "the deployment cannot proceed: " + plan->refusals.front()), kUsage);
  if (o.dry_run) return kOk;
  bool upgrades = false;
  for (auto& s : plan->steps) upgrades |= s.kind == hub::StepKind::Upgrade;
  if (upgrades && !confirm(ctx, "Stop, upgrade and restart the canisters marked `upgrade`?", o.yes))
    return ctx.fail(ic::make_error(ic::Errc::invalid_input, "--upgrade needs confirmation", "answer y on a terminal, or pass --yes"),
                    kUsage);
  hub::DeployEvents ev;
  ev.progress = [&](const std::string& l) { ctx.note(l); };
  std::string path = *state_path;
  ev.save = [path](const hub::StateFile& s) { return hub::save_state_file(path, s); };
  auto reason = hub::execute_plan(*agent, *plan, state, cfg, *wasm, ev);
  if (!reason) return ctx.fail(reason.error());
  if (ctx.json) {
    nlohmann::json ids;
    for (auto& [n, p] : state.canisters) ids[n] = p.to_text();
    ctx.print_json({{"ok", true}, {"canisters", ids}, {"state_file", path}, {"ensure_capacity", *reason}});
  } else {
    for (auto& [n, p] : state.canisters) std::cout << n << " " << p.to_text() << "\n";
    std::cout << "ensure_capacity: " << *reason << "\nids recorded in " << path << "\n";
  }
  return kOk;
}

}  // namespace

void add_deploy_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<DeployOptions>();
  auto* cmd = app.add_subcommand("deploy", "Deploy the suite (ledger, learning_content, staking_hub) and record the ids");
  cmd->add_flag("--dry-run", o->dry_run, "Print the plan and the cycles it would spend; open no connection");
  cmd->add_option("--curator", o->curator, "Principal allowed to edit content (default: the deploying identity)");
  cmd->add_option("--hub-cycles", o->hub_cycles, "Cycles for the hub, which pays for shards (default 50 T)");
  cmd->add_option("--set", o->set, "Hub constant override NAME=VALUE (immutable after deploy), e.g. shard_soft_limit=50");
  cmd->add_option("--ledger", o->ledger, "Use an existing ICRC-1/ICRC-3 ledger whose minting account is the hub");
  cmd->add_option("--canister-id", o->canister_ids, "Pre-created canister NAME=ID (mainnet)");
  cmd->add_option("--wasm-dir", o->wasm_dir, "Take the modules from DIR/<name>.wasm instead of the bundled ones");
  cmd->add_option("--pass-mark", o->pass_mark, "learning_content pass mark in percent (default 60)")->check(CLI::Range(1, 100));
  cmd->add_option("--token-name", o->token_name, "Ledger token name (default \"Learning Token\")");
  cmd->add_option("--token-symbol", o->token_symbol, "Ledger token symbol (default LEARN)");
  cmd->add_flag("--upgrade", o->upgrade, "Stop, upgrade and restart canisters whose module differs from the bundled one");
  cmd->add_flag("--finalize", o->finalize, "Remove the deployer from the controllers of hub, content and ledger");
  cmd->add_flag("-y,--yes", o->yes, "Do not ask for confirmation (needed off a terminal for --upgrade/--finalize)");
  cmd->footer(
      "Examples:\n"
      "  hubctl deploy --dry-run\n"
      "  hubctl deploy --set shard_soft_limit=50 --set auto_scale_interval=2\n"
      "  hubctl --network ic deploy --canister-id staking_hub=ID --canister-id learning_content=ID --ledger ID\n"
      "  hubctl deploy --upgrade --yes && hubctl deploy --finalize");
  set_runner(cmd, [o, &ctx]() { return run_deploy(ctx, *o); });
}

}  // namespace cli
