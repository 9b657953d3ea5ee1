// Typed helpers for the management canister aaaaa-aa (ic-protocol.md §5: canister_status, install_code with
// chunked upload for large modules, update_settings, start/stop) and certified canister info from the state tree.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "candid/value.h"
#include "ic/bignum.h"
#include "ic/principal.h"

namespace agent {

// Module hash and controllers as the subnet certifies them (read_state, no controller rights needed):
// what `dfx canister info` shows, but verified.
struct CanisterInfo {
  ic::Principal canister;
  std::optional<ic::Bytes> module_hash;  // nullopt: provably no module (empty canister)
  std::vector<ic::Principal> controllers;  // sorted
  uint64_t time_ns = 0;                     // certificate time
  ic::Principal subnet;                     // the certifying subnet
};
ic::Result<CanisterInfo> canister_info(Agent& agent, const ic::Principal& canister);

struct CanisterStatus {
  std::string status;  // running, stopping, stopped
  std::optional<ic::Bytes> module_hash;
  std::vector<ic::Principal> controllers;
  ic::BigNat memory_size, cycles;
  std::optional<ic::BigNat> freezing_threshold, idle_cycles_burned_per_day, reserved_cycles, compute_allocation,
      memory_allocation, wasm_memory_limit;
  candid::Args reply;  // the whole decoded reply, for display
};
// Callable by controllers (or per status_visibility). Older replicas' replies with fewer fields decode too.
ic::Result<CanisterStatus> canister_status(Agent& agent, const ic::Principal& canister);

enum class InstallMode { Install, Reinstall, Upgrade };
const char* install_mode_name(InstallMode m);

// Modules whose install_code message would exceed the 2 MiB ingress limit go through the chunk store:
// clear_chunk_store, upload_chunk × n (1 MiB each), install_chunked_code (checked against SHA-256 of the
// module), clear_chunk_store.
constexpr size_t kMaxIngressBytes = 2 * 1024 * 1024;
constexpr size_t kChunkBytes = 1024 * 1024;
constexpr size_t kEnvelopeReserve = 16 * 1024;  // envelope, keys, signature, Candid framing
ic::Status install_code(Agent& agent, const ic::Principal& canister, ic::ByteView wasm, ic::ByteView arg,
                        InstallMode mode, const std::function<void(const std::string&)>& progress = {});

// Fields left unset are unchanged (update_settings semantics).
struct CanisterSettings {
  std::optional<std::vector<ic::Principal>> controllers;
  std::optional<ic::BigNat> compute_allocation, memory_allocation, freezing_threshold, reserved_cycles_limit,
      wasm_memory_limit, wasm_memory_threshold;
  std::optional<std::string> log_visibility;  // "controllers" or "public"
};
ic::Status update_settings(Agent& agent, const ic::Principal& canister, const CanisterSettings& settings);

// Development networks only (mainnet refuses it; there canisters come from the cycles ledger or CMC and are
// given to hubctl with --canister-id): a new canister with `cycles` and these controllers. `effective_canister`
// routes the call (ic-protocol.md §5.1: any id inside the subnet's ranges).
ic::Result<ic::Principal> provisional_create_canister(Agent& agent, const ic::BigNat& cycles,
                                                      const std::vector<ic::Principal>& controllers,
                                                      const std::optional<ic::Principal>& specified_id,
                                                      const ic::Principal& effective_canister);
ic::Status provisional_top_up(Agent& agent, const ic::Principal& canister, const ic::BigNat& cycles);
ic::Status start_canister(Agent& agent, const ic::Principal& canister);
ic::Status stop_canister(Agent& agent, const ic::Principal& canister);

// The encoded argument of a management method (types from the interface spec's ic.did); exposed for tests.
ic::Result<ic::Bytes> encode_management_arg(const std::string& method, const std::string& candid_text);

}  // namespace agent
