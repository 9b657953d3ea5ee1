// staking_hub's pure rules (no System API): constants from init overrides, the grant a sync may receive under
// the cap, the withdrawal memo, and how a ledger answer is classified. Tested natively without the mock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "canisters/staking_hub/types.h"

namespace staking_hub {

// The defaults with the overrides applied, or the reason they are inconsistent.
struct ConstantsOrError {
  Constants constants;
  std::string error;  // empty when consistent
};
ConstantsOrError apply_overrides(const std::optional<Overrides>& o);
suite::ShardConstants shard_constants(const Constants& c);

// SPEC.md I1: what may still be granted, hard_cap - (total_allocated - total_returned).
uint64_t cap_room(uint64_t hard_cap, uint64_t total_allocated, uint64_t total_returned);
// The grant for a request: at most `max_request` (allowance_high) and never past the cap.
uint64_t grant_for(uint64_t request, uint64_t max_request, uint64_t room);

// memo = SHA-256(shard id bytes ‖ op_id as 8 big-endian bytes): the same op gives the same memo, so the ledger
// deduplicates a retried mint (with the same created_at_time).
Blob withdraw_memo(const Principal& shard, uint64_t op_id);

// What a ledger answer means for a pending mint.
enum class MintOutcome { Minted, Definite, Ambiguous };
MintOutcome classify(const icrc1::TransferResult& r, bool retried, u128& block, std::string& message);

// A module the IC can install: "\0asm" or gzip.
bool looks_like_wasm(const Blob& b);

}  // namespace staking_hub
