// Deploy plan and execution (deploy.h). Order (SPEC.md "Deploy"): every id first, then ledger (minting
// account = hub), learning_content (hub, curators, pass mark), staking_hub (ledger, content, user_profile wasm,
// overrides), then ensure_capacity so shard #1 exists at once.
#include "hub/deploy.h"

#include <fstream>

#include "agent/management.h"
#include "bundle/bundle.h"
#include "candid/binary.h"
#include "candid/text/text.h"
#include "hub/interfaces.h"

namespace hub {

using ic::Errc;
using ic::make_error;

namespace {

const char* kSuite[] = {"icrc1_ledger", "learning_content", "staking_hub"};  // install order

std::string ptext(const ic::Principal& p) { return "principal \"" + p.to_text() + "\""; }

bool hash_is(const std::optional<ic::Bytes>& h, ic::ByteView wasm) {
  if (!h) return false;
  auto s = ic::sha256(wasm);
  return h->size() == s.size() && std::equal(s.begin(), s.end(), h->begin());
}

}  // namespace

const char* step_kind_name(StepKind k) {
  switch (k) {
    case StepKind::Create: return "create";
    case StepKind::Install: return "install";
    case StepKind::Upgrade: return "upgrade";
    case StepKind::UpToDate: return "up to date";
    case StepKind::EnsureCapacity: return "ensure_capacity";
  }
  return "?";
}

ic::Result<WasmSet> bundled_suite_wasm() {
  WasmSet w;
  for (auto name : {"staking_hub", "learning_content", "icrc1_ledger", "user_profile"}) {
    auto* b = bundle::find_bundled_wasm(name);
    if (!b)
      return make_error(Errc::not_found, std::string("this hubctl was built without ") + name + ".wasm",
                        "build with the canisters (HUBCTL_BUILD_WASM=ON), or pass --wasm-dir DIR");
    w[name] = ic::Bytes(b->bytes.begin(), b->bytes.end());
  }
  return w;
}

ic::Result<WasmSet> suite_wasm_from_dir(const std::filesystem::path& dir) {
  WasmSet w;
  for (auto name : {"staking_hub", "learning_content", "icrc1_ledger", "user_profile"}) {
    // A fault-injection build is named <name>_faults.wasm; prefer it when present.
    auto faults = dir / (std::string(name) + "_faults.wasm");
    auto plain = dir / (std::string(name) + ".wasm");
    auto path = std::filesystem::exists(faults) ? faults : plain;
    IC_TRY(std::string bytes, read_file(path, 100ull << 20));
    w[name] = ic::Bytes(bytes.begin(), bytes.end());
  }
  return w;
}

ic::Result<ic::Bytes> ledger_init_arg(const ic::Principal& hub, const DeployConfig& cfg) {
  std::string text = "(record { minting_account = record { owner = " + ptext(hub) +
                     "; subaccount = null }; token_name = \"" + cfg.token_name + "\"; token_symbol = \"" +
                     cfg.token_symbol + "\"; decimals = 8; transfer_fee = " + cfg.transfer_fee.to_decimal() + " })";
  return encode_init_args("icrc1_ledger", text);
}

ic::Result<ic::Bytes> content_init_arg(const ic::Principal& hub, const DeployConfig& cfg) {
  ic::Principal curator = cfg.curator ? *cfg.curator : cfg.deployer;
  return encode_init_args("learning_content", "(record { hub = " + ptext(hub) + "; curators = vec { " + ptext(curator) +
                                                  " }; pass_mark = opt " + std::to_string(cfg.pass_mark) + " })");
}

ic::Result<ic::Bytes> hub_init_arg(const ic::Principal& ledger, const ic::Principal& content, ic::ByteView user_profile_wasm,
                                   const DeployConfig& cfg) {
  std::string overrides = "null";
  if (!cfg.overrides.empty()) {
    overrides = "opt record { ";
    for (auto& [k, v] : cfg.overrides) overrides += k + " = opt " + v + "; ";
    overrides += "}";
  }
  IC_TRY(const candid::text::DidFile* did, suite_interface("staking_hub"));
  std::string text = "(record { ledger = " + ptext(ledger) + "; learning_content = vec { record { prefix = \"\"; canister = " +
                     ptext(content) + " } }; user_profile_wasm = blob \"\"; overrides = " + overrides + " })";
  auto args = candid::text::parse_args(text, *did, &did->init_args);
  if (!args) return ic::Error(args.error()).context("hub init (check the --set NAME=VALUE overrides)");
  // The wasm goes in as bytes (printing 200 KB as Candid text and parsing it back would be silly).
  uint32_t id = candid::field_hash("user_profile_wasm");
  for (auto& f : args->values[0].fields)
    if (f.id == id) f.value.bytes.assign(user_profile_wasm.begin(), user_profile_wasm.end());
  return candid::encode(*args);
}

ic::Result<Plan> plan_deploy(agent::Agent* agent, const StateFile& state, const DeployConfig& cfg, const WasmSet& wasm,
                             bool upgrade) {
  Plan p;
  for (auto name : kSuite) {
    if (std::string(name) == "icrc1_ledger" && cfg.external_ledger) continue;
    bool known = state.canisters.count(name) || cfg.precreated.count(name);
    if (!known) {
      if (!cfg.provisional)
        return make_error(Errc::invalid_input, std::string("no canister id for ") + name,
                          "on mainnet create the canisters first (cycles ledger or NNS dapp) and pass --canister-id " +
                              std::string(name) + "=ID");
      ic::BigNat cycles = std::string(name) == "staking_hub" ? cfg.hub_cycles : cfg.canister_cycles;
      p.steps.push_back({name, StepKind::Create, "new canister with " + cycles.to_decimal() + " cycles", cycles});
      p.cycles_total += cycles;
    }
  }
  for (auto name : kSuite) {
    if (std::string(name) == "icrc1_ledger" && cfg.external_ledger) continue;
    auto wit = wasm.find(name);
    if (wit == wasm.end()) return make_error(Errc::not_found, std::string("no module for ") + name);
    auto id = state.canisters.count(name) ? std::optional(state.canisters.at(name))
              : cfg.precreated.count(name) ? std::optional(cfg.precreated.at(name))
                                           : std::nullopt;
    std::optional<ic::Bytes> current;
    bool known_empty = !id;
    if (id && agent) {
      IC_TRY(agent::CanisterInfo info, agent::canister_info(*agent, *id));
      current = info.module_hash;
      known_empty = !current;
    }
    std::string sha = ic::to_hex(ic::sha256(wit->second));
    if (known_empty) {
      p.steps.push_back({name, StepKind::Install, "install " + sha.substr(0, 16) + "… (" +
                                                      std::to_string(wit->second.size()) + " bytes)", {}});
    } else if (!agent) {
      p.steps.push_back({name, StepKind::Install, "install, or upgrade with --upgrade if the module differs (not checked: --dry-run)", {}});
    } else if (hash_is(current, wit->second)) {
      p.steps.push_back({name, StepKind::UpToDate, "module " + sha.substr(0, 16) + "… is deployed", {}});
    } else if (!upgrade) {
      p.refusals.push_back(std::string(name) + " runs module " + ic::to_hex(*current).substr(0, 16) +
                           "…, not the bundled " + sha.substr(0, 16) + "…: pass --upgrade to upgrade it");
    } else {
      p.steps.push_back({name, StepKind::Upgrade, "stop, upgrade to " + sha.substr(0, 16) + "…, start", {}});
    }
  }
  if (upgrade && agent && state.canisters.count("staking_hub")) {
    // The hub embeds the shard wasm in its immutable init: a different user_profile cannot reach the shards.
    auto hub = state.canisters.at("staking_hub");
    auto cfg_reply = agent->query(hub, "get_config", encode_call_args("staking_hub", "get_config", "()").value(), hub);
    if (cfg_reply && !cfg_reply->rejected) {
      if (auto r = decode_reply("staking_hub", "get_config", cfg_reply->arg))
        if (auto sha = r->first().field("wasm_sha256"))
          if (auto embedded = sha->blob(); embedded && !hash_is(*embedded, wasm.at("user_profile")))
            p.refusals.push_back("the bundled user_profile (" + ic::to_hex(ic::sha256(wasm.at("user_profile"))).substr(0, 16) +
                                 "…) differs from the wasm embedded in the hub (" + ic::to_hex(*embedded).substr(0, 16) +
                                 "…): the hub and its shards are immutable by design, so upgrading cannot change the "
                                 "shards; deploy a new suite instead");
    }
  }
  p.steps.push_back({"staking_hub", StepKind::EnsureCapacity, "ensure_capacity (shard #1 exists at once)", {}});
  return p;
}

ic::Result<std::string> execute_plan(agent::Agent& agent, const Plan& plan, StateFile& state, const DeployConfig& cfg,
                                     const WasmSet& wasm, const DeployEvents& ev) {
  if (!plan.refusals.empty()) return make_error(Errc::invalid_input, plan.refusals.front());
  auto say = [&](const std::string& s) {
    if (ev.progress) ev.progress(s);
  };
  auto save = [&]() -> ic::Status { return ev.save ? ev.save(state) : ic::Status{}; };
  for (auto& [name, id] : cfg.precreated)
    if (!state.canisters.count(name)) state.canisters[name] = id;
  if (cfg.external_ledger) {
    state.canisters["icrc1_ledger"] = *cfg.external_ledger;
    state.notes["external_ledger"] = "true";
  }
  IC_CHECK(save());
  // 1. Every id first.
  ic::Principal route = ic::Principal::from_text("rwlgt-iiaaa-aaaaa-aaaaa-cai").value();
  for (auto& s : plan.steps) {
    if (s.kind != StepKind::Create) continue;
    say("creating " + s.canister + " (" + s.cycles.to_decimal() + " cycles)");
    IC_TRY(ic::Principal id, agent::provisional_create_canister(agent, s.cycles, {cfg.deployer}, std::nullopt, route));
    state.canisters[s.canister] = id;
    IC_CHECK(save());
    say("  " + s.canister + " = " + id.to_text());
  }
  ic::Principal hub = state.canisters.at("staking_hub");
  ic::Principal ledger = state.canisters.at("icrc1_ledger");
  ic::Principal content = state.canisters.at("learning_content");
  // 2. Install or upgrade in order.
  for (auto& s : plan.steps) {
    if (s.kind != StepKind::Install && s.kind != StepKind::Upgrade) continue;
    ic::Principal id = state.canisters.at(s.canister);
    ic::Bytes arg;
    if (s.canister == "icrc1_ledger") {
      IC_TRY(arg, ledger_init_arg(hub, cfg));
    } else if (s.canister == "learning_content") {
      IC_TRY(arg, content_init_arg(hub, cfg));
    } else {
      IC_TRY(arg, hub_init_arg(ledger, content, wasm.at("user_profile"), cfg));
    }
    auto mode = s.kind == StepKind::Upgrade ? agent::InstallMode::Upgrade : agent::InstallMode::Install;
    if (mode == agent::InstallMode::Upgrade) {
      say("stopping " + s.canister);
      IC_CHECK(agent::stop_canister(agent, id));
    }
    say(std::string(mode == agent::InstallMode::Upgrade ? "upgrading " : "installing ") + s.canister + " (" +
        std::to_string(wasm.at(s.canister).size()) + " bytes)");
    auto st = agent::install_code(agent, id, wasm.at(s.canister), mode == agent::InstallMode::Upgrade ? ic::Bytes{} : arg,
                                  mode, [&](const std::string& line) { say("  " + line); });
    if (mode == agent::InstallMode::Upgrade) {
      say("starting " + s.canister);
      auto started = agent::start_canister(agent, id);
      if (st.ok() && !started.ok()) return started.error();
    }
    IC_CHECK(st);
    state.notes["installed_" + s.canister] = ic::to_hex(ic::sha256(wasm.at(s.canister)));
    IC_CHECK(save());
  }
  // 3. Shard #1 now, not at the first timer tick.
  say("calling ensure_capacity");
  IC_TRY(ic::Bytes ec, encode_call_args("staking_hub", "ensure_capacity", "()"));
  IC_TRY(agent::Reply r, agent.call(hub, "ensure_capacity", ec, hub));
  if (r.rejected) return agent::reject_to_error(r, "ensure_capacity");
  IC_TRY(Reply d, decode_reply("staking_hub", "ensure_capacity", r.arg));
  std::string reason;
  if (auto why = d.first().field("reason")) reason = why->text().value_or("");
  if (auto created = d.first().field("created"))
    if (auto o = created->opt(); o && *o)
      if (auto p = (*o)->principal()) reason = "created shard " + p->to_text() + (reason.empty() ? "" : " (" + reason + ")");
  return reason;
}

ic::Status finalize(agent::Agent& agent, const StateFile& state, const std::function<void(const std::string&)>& progress) {
  for (auto name : {"staking_hub", "learning_content", "icrc1_ledger"}) {
    if (std::string(name) == "icrc1_ledger" && state.notes.count("external_ledger")) continue;
    auto it = state.canisters.find(name);
    if (it == state.canisters.end()) return make_error(Errc::not_found, std::string("no ") + name + " in the state file");
    if (progress) progress(std::string("removing every controller of ") + name + " " + it->second.to_text());
    agent::CanisterSettings s;
    s.controllers = std::vector<ic::Principal>{};
    IC_CHECK(agent::update_settings(agent, it->second, s));
  }
  return {};
}

}  // namespace hub
