// hub::deploy — `hubctl deploy` as a library: the plan (canisters to create, modules to install or upgrade, the
// cycles it spends), then its execution in SPEC.md's order; re-running detects what is already done.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "hub/files.h"
#include "ic/bignum.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace hub {

// The suite's modules by canister name: staking_hub, learning_content, icrc1_ledger, user_profile.
using WasmSet = std::map<std::string, ic::Bytes>;
ic::Result<WasmSet> bundled_suite_wasm();
// From DIR/<name>.wasm (tests deploy the fault-injection builds this way; operators a reproducible build).
ic::Result<WasmSet> suite_wasm_from_dir(const std::filesystem::path& dir);

struct DeployConfig {
  ic::Principal deployer;                       // the identity deploying (default curator)
  std::optional<ic::Principal> curator;
  ic::BigNat hub_cycles = ic::BigNat(50'000'000'000'000ull);      // 50 T: shards are paid from it
  ic::BigNat canister_cycles = ic::BigNat(5'000'000'000'000ull);  // content and ledger
  std::vector<std::pair<std::string, std::string>> overrides;     // hub constant = value (Candid nat text)
  std::optional<ic::Principal> external_ledger;                   // --ledger ID
  std::map<std::string, ic::Principal> precreated;                // --canister-id NAME=ID
  std::string token_name = "Learning Token", token_symbol = "LEARN";
  ic::BigNat transfer_fee = ic::BigNat(10'000);
  uint32_t pass_mark = 60;
  bool provisional = true;  // create missing ids with provisional_create_canister_with_cycles (local networks)
};

enum class StepKind { Create, Install, Upgrade, UpToDate, EnsureCapacity };
const char* step_kind_name(StepKind k);

struct Step {
  std::string canister;  // staking_hub, learning_content, icrc1_ledger (or "suite" for ensure_capacity)
  StepKind kind = StepKind::Create;
  std::string detail;
  ic::BigNat cycles;     // spent by this step
};

struct Plan {
  std::vector<Step> steps;
  ic::BigNat cycles_total;
  std::vector<std::string> refusals;  // why the plan cannot run (e.g. the hub's immutability)
};

// What the deployment would do. `agent` null (--dry-run): planned from the state file alone, no connection.
ic::Result<Plan> plan_deploy(agent::Agent* agent, const StateFile& state, const DeployConfig& cfg, const WasmSet& wasm,
                             bool upgrade);

struct DeployEvents {
  std::function<void(const std::string&)> progress;  // one line per action
  std::function<ic::Status(const StateFile&)> save;   // called after every id is created or module installed
};
// Runs the plan; the state file is updated (through events.save) as soon as each id exists, so a failed
// run resumes where it stopped. Returns the ensure_capacity reason.
ic::Result<std::string> execute_plan(agent::Agent& agent, const Plan& plan, StateFile& state, const DeployConfig& cfg,
                                     const WasmSet& wasm, const DeployEvents& events);

// Removes every controller of hub, content and ledger ("admin-less"); irreversible.
ic::Status finalize(agent::Agent& agent, const StateFile& state, const std::function<void(const std::string&)>& progress);

// The init arguments (Candid bytes) deploy passes; exposed for tests and the e2e harness.
ic::Result<ic::Bytes> ledger_init_arg(const ic::Principal& hub, const DeployConfig& cfg);
ic::Result<ic::Bytes> content_init_arg(const ic::Principal& hub, const DeployConfig& cfg);
ic::Result<ic::Bytes> hub_init_arg(const ic::Principal& ledger, const ic::Principal& content, ic::ByteView user_profile_wasm,
                                   const DeployConfig& cfg);

}  // namespace hub
