// staking_hub's stable layout (state.h).
#include "canisters/staking_hub/state.h"

namespace staking_hub {

cdk::Heap<HeapState> heap;

Stable& stable() {
  static Stable s;
  return s;
}

std::array<uint8_t, 12> key12(uint64_t hi, uint32_t lo) {
  std::array<uint8_t, 12> k{};
  for (int i = 0; i < 8; ++i) k[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) k[8 + i] = static_cast<uint8_t>(lo >> (24 - 8 * i));
  return k;
}

uint32_t key12_low(const std::array<uint8_t, 12>& k) {
  uint32_t v = 0;
  for (int i = 8; i < 12; ++i) v = (v << 8) | k[i];
  return v;
}

void write_wasm(const Blob& wasm) {
  const cdk::Memory& m = stable().wasm;
  m.reserve(8 + wasm.size());
  m.write_u64(0, wasm.size());
  if (!wasm.empty()) m.write(8, wasm.data(), wasm.size());
}

Blob read_wasm() {
  const cdk::Memory& m = stable().wasm;
  if (m.size_pages() == 0) return {};
  Blob b(m.read_u64(0));
  if (!b.empty()) m.read(8, b.data(), b.size());
  return b;
}

void save_books() { stable().books.set(heap->books); }

ShardRecord load_shard(uint32_t index) {
  auto r = stable().shards.get(index);
  if (!r) cdk::trap("staking_hub: no shard #" + std::to_string(index));
  return *r;
}

void store_shard(const ShardRecord& before, const ShardRecord& after) {
  auto& fill = stable().fill;
  if (before.state == kActive) fill.remove(key12(before.user_count, before.index));
  if (after.state == kActive) fill.insert(key12(after.user_count, after.index), 1);
  stable().shards.insert(after.index, after);
}

}  // namespace staking_hub
