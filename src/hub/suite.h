// hub::suite — reading the deployed suite: the hub's certified config and stats, the shard list, every
// shard's certified stats, balances and module facts (in parallel), and the ledger's ICRC-3 block log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/audit.h"
#include "hub/source.h"
#include "ic/hash_tree.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace hub {

// Runs task(source, i) for i in [0, n) on up to `concurrency` threads, each with its own Source.
ic::Status parallel_for(size_t n, size_t concurrency, const SourceFactory& make,
                        const std::function<void(Source&, size_t)>& task);

// A get_certified_state reply checked end to end: the certificate verifies (root key, canister, age),
// and its /canister/<id>/certified_data is the root of the returned tree.
struct CertifiedTree {
  ic::HashTree tree;
  uint64_t time_ns = 0;
};
ic::Result<CertifiedTree> read_certified_tree(Source& src, const ic::Principal& canister);

// Certified module hash and controllers (read_state).
audit::CanisterFacts read_canister_facts(Source& src, const ic::Principal& canister);

struct HubState {
  ic::Principal id;
  ic::Principal ledger;
  std::vector<std::pair<std::string, ic::Principal>> content;  // prefix -> canister
  ic::Bytes wasm_sha256;
  audit::Numbers constants;   // as the hub reports them (intervals in seconds)
  audit::Numbers stats;       // GlobalStats, flattened
  std::string last_ensure_result;
  uint64_t last_ensure_time_ns = 0;
  uint64_t certified_time_ns = 0;
};
// From the hub's certified tree (config/<field>, stats/<field>).
ic::Result<HubState> read_hub(Source& src, const ic::Principal& hub);

struct ShardRow {
  uint64_t index = 0;
  ic::Principal id;
  std::string status;          // Active | Full
  audit::Numbers info;         // ShardInfo from list_shards
  std::optional<audit::Numbers> stats;  // certified get_shard_stats fields (stats/<field>)
  std::optional<std::string> last_sync_error;
  std::optional<ic::BigNat> balances_sum;
  uint64_t balances_count = 0;
  audit::CanisterFacts facts;
  std::string error;           // why stats/balances are missing
};
// Every page of list_shards.
ic::Result<std::vector<ShardRow>> read_shard_list(Source& src, const ic::Principal& hub);

struct ShardReadOptions {
  size_t concurrency = 16;
  bool balances = false;  // page through audit_balances (audit)
  bool facts = false;     // certified module hash and controllers (verify, audit)
};
// Fills stats (and balances/facts) of each row, in parallel; per-row failures go to row.error.
ic::Status read_shards(const SourceFactory& make, std::vector<ShardRow>& rows, const ShardReadOptions& opts);

// The ledger as the audit needs it (invariant I4): minting account, supply, the block log re-hashed along
// phash up to the certified tip.
audit::LedgerObservation read_ledger(Source& src, const ic::Principal& ledger);

struct ObserveOptions {
  size_t concurrency = 16;
  std::optional<ic::Bytes> bundled_user_profile_sha256;
};
// Everything evaluate() needs. Errors only when the hub itself cannot be read.
ic::Result<audit::Observation> observe(const SourceFactory& make, const ic::Principal& hub, const ObserveOptions& opts);

}  // namespace hub
