// hub::audit — SPEC.md's invariants I1–I6 over what was read from the hub, every shard and the ledger.
// Evaluation is a pure function of an Observation, so `--verify-evidence` re-runs it offline on saved data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ic/bignum.h"
#include "ic/bytes.h"
#include "ic/principal.h"

namespace hub::audit {

// Numeric fields of a Candid record by name; nested records are flattened with dots
// ("pending_withdrawals.amount"), so the audit does not depend on nat vs nat64 choices.
using Numbers = std::map<std::string, ic::BigNat>;

struct CanisterFacts {  // certified (read_state) facts about a canister
  std::optional<ic::Bytes> module_hash;             // nullopt: no module (Absent)
  std::optional<std::vector<ic::Principal>> controllers;
  bool certified = false;                           // false: could not be read (see error)
  std::string error;
};

struct ShardObservation {
  ic::Principal id;
  uint64_t index = 0;
  std::string status;            // hub's view: "Active" or "Full"
  Numbers hub_info;              // ShardInfo from the hub's list_shards
  std::optional<Numbers> stats;  // the shard's get_shard_stats (certified when stats_certified)
  bool stats_certified = false;
  std::optional<ic::BigNat> balances_sum;  // Σ audit_balances pages
  uint64_t balances_count = 0;
  CanisterFacts facts;
  std::string error;             // why stats or balances are missing
};

struct LedgerObservation {
  ic::Principal id;
  std::optional<ic::Principal> minting_owner;       // icrc1_minting_account
  bool minting_subaccount_default = true;
  bool chain_verified = false;                      // blocks re-hashed along phash up to the certified tip
  std::string chain_error;
  uint64_t chain_length = 0;
  ic::BigNat minted, burned;                        // Σ over mint / burn blocks
  std::optional<ic::BigNat> total_supply;
  CanisterFacts facts;
  bool present = false;
};

struct HubObservation {
  ic::Principal id;
  Numbers global_stats;          // get_global_stats (certified when certified)
  bool certified = false;
  Numbers constants;             // get_config constants
  std::optional<ic::Bytes> embedded_wasm_sha256;
  uint64_t last_ensure_capacity_time_ns = 0;
  CanisterFacts facts;
};

struct Observation {
  uint64_t time_ns = 0;          // when it was read (the newest certificate's time)
  HubObservation hub;
  std::vector<ShardObservation> shards;
  bool shards_complete = true;   // every page of list_shards was read
  LedgerObservation ledger;
  std::optional<CanisterFacts> content;
  std::optional<ic::Bytes> bundled_user_profile_sha256;  // what this hubctl bundles
};

struct Expectations {
  ic::BigNat hard_cap = ic::BigNat(420'000'000'000'000'000ull);  // 4.2 B tokens in e8s
  bool require_admin_less = false;
  ic::BigNat min_cycles = ic::BigNat(100'000'000'000ull);       // 0.1 T: margin above freezing (I6)
};

enum class Status { Pass, Fail, Unknown, Info };
const char* status_name(Status s);

struct Check {
  std::string id;       // e.g. "I1.cap", "I3.balances"
  Status status = Status::Pass;
  std::string subject;  // "hub", "shard 3 (id)", "ledger"
  std::string message;  // what was compared, with the numbers
};

struct Report {
  std::vector<Check> checks;
  std::optional<ic::BigNat> headroom;  // hard_cap − (total_allocated − total_returned), when known
  // 0 all pass; 1 any Fail; 2 any Unknown (and no Fail).
  int exit_code() const;
};

Report evaluate(const Observation& obs, const Expectations& expect);

}  // namespace hub::audit
