// staking_hub's pure rules (logic.h).
#include "canisters/staking_hub/logic.h"

#include "ic/sha2.h"

namespace staking_hub {

namespace {
std::string u128_text(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return s;
}
}  // namespace

ConstantsOrError apply_overrides(const std::optional<Overrides>& o) {
  ConstantsOrError out;
  Constants& c = out.constants;
  if (o) {
    if (o->hard_cap) c.hard_cap = *o->hard_cap;
    if (o->shard_soft_limit) c.shard_soft_limit = *o->shard_soft_limit;
    if (o->shard_hard_limit) c.shard_hard_limit = *o->shard_hard_limit;
    if (o->auto_scale_interval) c.auto_scale_interval = *o->auto_scale_interval;
    if (o->shard_cycles) c.shard_cycles = *o->shard_cycles;
    if (o->shard_topup_below) c.shard_topup_below = *o->shard_topup_below;
    if (o->reward_per_pass) c.reward_per_pass = *o->reward_per_pass;
    if (o->daily_attempts) c.daily_attempts = *o->daily_attempts;
    if (o->allowance_low) c.allowance_low = *o->allowance_low;
    if (o->allowance_chunk) c.allowance_chunk = *o->allowance_chunk;
    if (o->allowance_high) c.allowance_high = *o->allowance_high;
    if (o->sync_interval) c.sync_interval = *o->sync_interval;
    if (o->min_unstake) c.min_unstake = *o->min_unstake;
  }
  if (c.hard_cap == 0) out.error = "hard_cap must be positive";
  else if (c.shard_soft_limit == 0 || c.shard_soft_limit > c.shard_hard_limit)
    out.error = "need 0 < shard_soft_limit <= shard_hard_limit";
  else if (c.auto_scale_interval == 0 || c.sync_interval == 0) out.error = "intervals must be positive";
  else if (c.shard_cycles == 0 || c.shard_topup_below >= c.shard_cycles)
    out.error = "need 0 <= shard_topup_below < shard_cycles";
  else if (c.reward_per_pass == 0 || c.daily_attempts == 0) out.error = "reward_per_pass and daily_attempts must be positive";
  else if (c.allowance_low > c.allowance_high || c.allowance_chunk < c.reward_per_pass ||
           c.allowance_chunk > c.allowance_high)
    out.error = "need allowance_low <= allowance_high and reward_per_pass <= allowance_chunk <= allowance_high";
  else if (c.min_unstake == 0) out.error = "min_unstake must be positive";
  return out;
}

suite::ShardConstants shard_constants(const Constants& c) {
  suite::ShardConstants s;
  s.shard_hard_limit = c.shard_hard_limit;
  s.reward_per_pass = c.reward_per_pass;
  s.daily_attempts = c.daily_attempts;
  s.allowance_low = c.allowance_low;
  s.allowance_chunk = c.allowance_chunk;
  s.allowance_high = c.allowance_high;
  s.sync_interval = c.sync_interval;
  s.min_unstake = c.min_unstake;
  return s;
}

uint64_t cap_room(uint64_t hard_cap, uint64_t total_allocated, uint64_t total_returned) {
  uint64_t net = suite::sub(total_allocated, total_returned, "net allocation");
  return net >= hard_cap ? 0 : hard_cap - net;
}

uint64_t grant_for(uint64_t request, uint64_t max_request, uint64_t room) {
  uint64_t g = request < max_request ? request : max_request;
  return g < room ? g : room;
}

Blob withdraw_memo(const Principal& shard, uint64_t op_id) {
  ic::Sha256 h;
  h.update(shard.view());
  uint8_t be[8];
  for (int i = 0; i < 8; ++i) be[i] = static_cast<uint8_t>(op_id >> (56 - 8 * i));
  h.update(ic::ByteView(be, 8));
  auto d = h.finish();
  return Blob(d.begin(), d.end());
}

MintOutcome classify(const icrc1::TransferResult& r, bool retried, u128& block, std::string& message) {
  if (r.is_ok()) {
    block = r.value();
    return MintOutcome::Minted;
  }
  const icrc1::TransferError& e = r.error();
  // ICRC-1: a Duplicate means the same transfer (same memo and created_at_time) already happened.
  if (e.is<"Duplicate">()) {
    block = e.get<"Duplicate">().duplicate_of;
    return MintOutcome::Minted;
  }
  if (e.is<"TemporarilyUnavailable">()) {
    message = "the ledger is temporarily unavailable";
    return MintOutcome::Ambiguous;
  }
  if (e.is<"CreatedInFuture">()) {
    message = "the ledger's clock is behind created_at_time";
    return MintOutcome::Ambiguous;
  }
  if (e.is<"TooOld">()) {
    // On a retry, an earlier attempt may have landed outside the deduplication window: never assume it did not.
    message = "created_at_time is older than the ledger's deduplication window";
    return retried ? MintOutcome::Ambiguous : MintOutcome::Definite;
  }
  if (e.is<"BadFee">()) message = "BadFee: expected fee " + u128_text(e.get<"BadFee">().expected_fee);
  else if (e.is<"BadBurn">()) message = "BadBurn";
  else if (e.is<"InsufficientFunds">()) message = "InsufficientFunds";
  else message = "GenericError " + u128_text(e.get<"GenericError">().error_code) + ": " + e.get<"GenericError">().message;
  return MintOutcome::Definite;
}

bool looks_like_wasm(const Blob& b) {
  if (b.size() >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm') return true;
  return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b;
}

}  // namespace staking_hub
