// `hubctl canister info ID`: module hash and controllers from the certified state tree (no controller rights
// needed), like `dfx canister info` but verified against the root key.
#include <iostream>

#include "agent/management.h"
#include "commands/commands.h"

namespace cli {

void add_canister_commands(CLI::App& app, Context& ctx) {
  auto* canister = app.add_subcommand("canister", "Inspect canisters");
  canister->require_subcommand(1);
  static std::string id;
  auto* info = canister->add_subcommand("info", "Certified module hash and controllers of a canister");
  info->add_option("ID", id, "Canister id (e.g. ryjl3-tyaaa-aaaaa-aaaba-cai) or a name from the state file (staking_hub, …)")->required();
  info->footer(
      "Prints the controllers (sorted) and the module hash (0x… or None for an empty canister), read from\n"
      "the subnet's certified state and verified against the root key.\n"
      "Examples:\n"
      "  hubctl --network ic canister info ryjl3-tyaaa-aaaaa-aaaba-cai\n"
      "  hubctl canister info bkyz2-fmaaa-aaaaa-qaaaq-cai --json");
  set_runner(info, [&ctx]() -> int {
    auto p = ctx.resolve_canister(id);
    if (!p) return ctx.fail(p.error(), kUsage);
    Network net;
    auto agent = ctx.make_agent(false, &net);
    if (!agent) return ctx.fail(agent.error());
    auto ci = agent::canister_info(**agent, *p);
    if (!ci) return ctx.fail(ci.error());
    std::string hash = ci->module_hash ? "0x" + ic::to_hex(*ci->module_hash) : "";
    if (ctx.json) {
      auto ctl = nlohmann::json::array();
      for (auto& c : ci->controllers) ctl.push_back(c.to_text());
      ctx.print_json({{"ok", true},
                      {"canister", p->to_text()},
                      {"controllers", ctl},
                      {"module_hash", ci->module_hash ? nlohmann::json(hash) : nlohmann::json(nullptr)},
                      {"certified_time", agent::format_time(ci->time_ns)},
                      {"subnet", ci->subnet.to_text()},
                      {"root_key_source", net.root_key_source}});
      return kOk;
    }
    std::cout << "Controllers: ";
    for (size_t i = 0; i < ci->controllers.size(); ++i) std::cout << (i ? " " : "") << ci->controllers[i].to_text();
    std::cout << "\nModule hash: " << (hash.empty() ? "None" : hash) << "\n";
    if (ctx.verbosity >= 0)
      std::cout << "Certified:   " << agent::format_time(ci->time_ns) << " by subnet " << ci->subnet.to_text() << "\n";
    return kOk;
  });
}

}  // namespace cli
