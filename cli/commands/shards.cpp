// `hubctl shards [--watch [SECONDS]]`: the hub's shards (SPEC.md ShardInfo + each shard's certified stats) as a
// table with totals, read in parallel with bounded concurrency.
#include <chrono>
#include <iostream>
#include <thread>
#include <unistd.h>

#include "commands/commands.h"
#include "hub/source.h"
#include "hub/suite.h"
#include "table.h"

namespace cli {
namespace {

struct ShardsOptions {
  int watch = 0;
  bool watch_set = false;
  size_t concurrency = 16;
};

std::string num(const hub::audit::Numbers& n, const std::string& k) {
  auto it = n.find(k);
  return it == n.end() ? "" : it->second.to_decimal();
}

uint64_t u64(const hub::audit::Numbers& n, const std::string& k) {
  auto it = n.find(k);
  return it == n.end() ? 0 : it->second.to_u64().value_or(0);
}

std::string tcycles(const std::string& cycles) {
  if (cycles.empty()) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f T", std::stod(cycles) / 1e12);
  return buf;
}

int show_once(Context& ctx, const ShardsOptions& o) {
  auto hub_id = ctx.hub_id();
  if (!hub_id) return ctx.fail(hub_id.error(), kUsage);
  auto make_agent = ctx.agent_factory(false);
  hub::SourceFactory make = [make_agent]() -> ic::Result<std::unique_ptr<hub::Source>> {
    IC_TRY(auto a, make_agent());
    return hub::live_source(std::move(a), nullptr, 5 * 60 * 1'000'000'000ull);
  };
  auto src = make();
  if (!src) return ctx.fail(src.error());
  auto h = hub::read_hub(**src, *hub_id);
  if (!h) return ctx.fail(h.error());
  auto rows = hub::read_shard_list(**src, *hub_id);
  if (!rows) return ctx.fail(rows.error());
  hub::ShardReadOptions ro;
  ro.concurrency = o.concurrency;
  if (auto st = hub::read_shards(make, *rows, ro); !st.ok()) return ctx.fail(st.error());

  uint64_t hard = u64(h->constants, "shard_hard_limit"), soft = u64(h->constants, "shard_soft_limit");
  uint64_t now_s = h->certified_time_ns / 1'000'000'000ull;
  bool any_error = false;
  if (ctx.json) {
    nlohmann::json shards = nlohmann::json::array();
    for (auto& r : *rows) {
      nlohmann::json j{{"index", r.index}, {"id", r.id.to_text()}, {"status", r.status}};
      for (auto& [k, v] : r.info) j["hub"][k] = v.to_decimal();
      if (r.stats)
        for (auto& [k, v] : *r.stats) j["stats"][k] = v.to_decimal();
      if (r.last_sync_error) j["last_sync_error"] = *r.last_sync_error;
      if (!r.error.empty()) {
        j["error"] = r.error;
        any_error = true;
      }
      shards.push_back(j);
    }
    nlohmann::json totals;
    for (auto& [k, v] : h->stats) totals[k] = v.to_decimal();
    ctx.print_json({{"ok", !any_error},
                    {"hub", hub_id->to_text()},
                    {"certified_time_ns", std::to_string(h->certified_time_ns)},
                    {"shard_soft_limit", std::to_string(soft)},
                    {"shard_hard_limit", std::to_string(hard)},
                    {"shards", shards},
                    {"global_stats", totals}});
    return any_error ? kCouldNotCheck : kOk;
  }
  Table t({"#", "shard", "status", "users", "fill", "soft", "allowance", "cycles", "memory", "last sync", "last error"},
          {true, false, false, true, true, false, true, true, true, true, false});
  uint64_t users_total = 0;
  for (auto& r : *rows) {
    uint64_t users = u64(r.info, "user_count");
    users_total += users;
    std::string fill = hard ? std::to_string(users * 100 / hard) + "%" : "";
    std::string mark = soft && users >= soft ? "reached" : "";
    std::string allowance, cycles, memory, sync, err = r.error;
    if (r.stats) {
      allowance = e8s_to_tokens(num(*r.stats, "allowance_remaining"));
      cycles = tcycles(num(*r.stats, "cycles"));
      memory = human_bytes(double(u64(*r.stats, "heap_bytes") + u64(*r.stats, "stable_bytes")));
      uint64_t last = u64(*r.stats, "last_sync_time") / 1'000'000'000ull;
      sync = last == 0 ? "never" : human_duration(now_s > last ? now_s - last : 0) + " ago";
      if (err.empty() && r.last_sync_error) err = *r.last_sync_error;
    }
    if (!r.error.empty()) any_error = true;
    t.add({std::to_string(r.index), r.id.to_text(), r.status, group_thousands(std::to_string(users)), fill, mark,
           allowance, cycles, memory, sync, err});
  }
  t.add_separator();
  t.add({"", std::to_string(rows->size()) + " shards", "", group_thousands(std::to_string(users_total)), "", "",
         "", tcycles(num(h->stats, "cycles")) + " (hub)", "", "", ""});
  t.print(std::cout);
  std::cout << "allocated " << e8s_to_tokens(num(h->stats, "total_allocated")) << ", returned "
            << e8s_to_tokens(num(h->stats, "total_returned")) << ", withdrawn "
            << e8s_to_tokens(num(h->stats, "total_withdrawn")) << " of the hard cap "
            << e8s_to_tokens(num(h->stats, "hard_cap")) << " tokens; soft limit " << soft << ", hard limit " << hard
            << " users per shard\n";
  return any_error ? kCouldNotCheck : kOk;
}

}  // namespace

void add_shards_command(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ShardsOptions>();
  auto* cmd = app.add_subcommand("shards", "List the hub's shards with users, fill level, allowance, cycles and sync state");
  cmd->add_option("--watch", o->watch, "Refresh every SECONDS (default 5) until interrupted")
      ->expected(0, 1)
      ->default_str("5")
      ->each([o](const std::string&) { o->watch_set = true; });
  cmd->add_option("--concurrency", o->concurrency, "Shards read at once (default 16)")->check(CLI::Range(1, 256));
  cmd->footer(
      "Reads the hub's certified stats and list_shards, then every shard's certified get_shard_stats, in\n"
      "parallel. Works with the anonymous identity and --hub alone.\n"
      "Examples:\n"
      "  hubctl shards\n"
      "  hubctl --network ic --hub rrkah-fqaaa-aaaaa-aaaaq-cai shards --json\n"
      "  hubctl shards --watch 2");
  set_runner(cmd, [o, &ctx, cmd]() -> int {
    if (cmd->count("--watch") > 0) o->watch_set = true;
    if (!o->watch_set) return show_once(ctx, *o);
    int every = o->watch > 0 ? o->watch : 5;
    for (;;) {
      if (isatty(1)) std::cout << "\x1b[H\x1b[2J" << std::flush;
      show_once(ctx, *o);
      std::cout << std::flush;
      std::this_thread::sleep_for(std::chrono::seconds(every));
    }
  });
}

}  // namespace cli
