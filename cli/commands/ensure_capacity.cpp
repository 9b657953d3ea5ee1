// `hubctl ensure-capacity`: calls the hub's public ensure_capacity and reports the shard it created, or why not.
#include <iostream>

#include "agent/agent.h"
#include "commands/commands.h"
#include "hub/interfaces.h"

namespace cli {

void add_ensure_capacity_command(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("ensure-capacity", "Ask the hub to create a shard now if every Active shard is at the soft limit");
  cmd->footer(
      "ensure_capacity is public and idempotent (the hub creates at most one shard at a time, and only when\n"
      "needed); the hub also runs it on its own timer. Needs an identity (it is an update call).\n"
      "Examples:\n"
      "  hubctl ensure-capacity\n"
      "  hubctl --hub ID ensure-capacity --json");
  set_runner(cmd, [&ctx]() -> int {
    auto hub_id = ctx.hub_id();
    if (!hub_id) return ctx.fail(hub_id.error(), kUsage);
    auto arg = hub::encode_call_args("staking_hub", "ensure_capacity", "()");
    if (!arg) return ctx.fail(arg.error());
    auto agent = ctx.make_agent(true);
    if (!agent) return ctx.fail(agent.error());
    auto reply = (*agent)->call(*hub_id, "ensure_capacity", *arg, *hub_id);
    if (!reply) return ctx.fail(reply.error());
    if (reply->rejected) return ctx.fail(agent::reject_to_error(*reply, "ensure_capacity"), kCouldNotCheck, "reject");
    auto r = hub::decode_reply("staking_hub", "ensure_capacity", reply->arg);
    if (!r) return ctx.fail(r.error(), kCouldNotCheck);
    auto created = r->first().field("created");
    auto reason = r->first().field("reason");
    if (!created || !reason) return ctx.fail(ic::make_error(ic::Errc::decode, "unexpected ensure_capacity reply"), kCouldNotCheck);
    auto id = created->opt();
    std::string why = reason->text().value_or("");
    std::optional<std::string> id_text;
    if (id && *id)
      if (auto p = (*id)->principal()) id_text = p->to_text();
    if (ctx.json) {
      ctx.print_json({{"ok", true}, {"created", id_text ? nlohmann::json(*id_text) : nlohmann::json(nullptr)}, {"reason", why}});
    } else if (id_text) {
      std::cout << "created shard " << *id_text << (why.empty() ? "" : " (" + why + ")") << "\n";
    } else {
      std::cout << "no shard created: " << why << "\n";
    }
    return kOk;
  });
}

}  // namespace cli
