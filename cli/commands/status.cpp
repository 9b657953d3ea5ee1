// `hubctl status`: the replica's /api/v2/status (health, version, root key) and how hubctl trusts that network.
#include <iostream>

#include "agent/agent.h"
#include "commands/commands.h"

namespace cli {

void add_status_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("status", "Show the network's status: health, version, root key");
  cmd->footer(
      "Examples:\n"
      "  hubctl status                       # the local network\n"
      "  hubctl --network ic status --json   # mainnet (https://icp-api.io)");
  set_runner(cmd, [&ctx]() -> int {
    Network net;
    auto agent = ctx.make_agent(false, &net);
    if (!agent) return ctx.fail(agent.error());
    auto st = (*agent)->status();
    if (!st) return ctx.fail(st.error());
    std::string health = st->replica_health_status.empty() ? "unknown" : st->replica_health_status;
    // A published root key is shown, and compared with the one trusted (they differ on mainnet: it publishes none).
    std::string published = st->root_key ? ic::to_hex(*st->root_key) : "";
    bool matches = st->root_key && *st->root_key == (*agent)->root_key();
    if (ctx.json) {
      nlohmann::json doc = {{"ok", true},
                            {"network", net.name},
                            {"url", net.url},
                            {"replica_health_status", health},
                            {"impl_version", st->impl_version},
                            {"root_key", ic::to_hex((*agent)->root_key())},
                            {"root_key_source", net.root_key_source}};
      if (st->certified_height) doc["certified_height"] = std::to_string(*st->certified_height);
      if (!published.empty()) doc["published_root_key"] = published;
      ctx.print_json(doc);
    } else {
      std::cout << "network:          " << net.name << " (" << net.url << ")\n"
                << "health:           " << health << "\n";
      if (!st->impl_version.empty()) std::cout << "version:          " << st->impl_version << "\n";
      if (st->certified_height) std::cout << "certified height: " << *st->certified_height << "\n";
      std::cout << "root key:         " << ic::to_hex((*agent)->root_key()) << " (" << net.root_key_source << ")\n";
      if (!published.empty() && !matches)
        std::cout << "published key:    " << published << " (NOT the trusted key)\n";
    }
    if (!published.empty() && !matches)
      ctx.warn("the network publishes a root key different from the one trusted: certificates from it will fail");
    return health == "healthy" ? kOk : kCouldNotCheck;
  });
}

}  // namespace cli
