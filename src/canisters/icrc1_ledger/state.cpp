// icrc1_ledger's stable layout (state.h).
#include "canisters/icrc1_ledger/state.h"

#include <algorithm>

namespace cdk {

namespace {
void put_u64(ic::Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_u128(ic::Bytes& out, unsigned __int128 v) {
  for (int i = 0; i < 16; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_u64(ic::ByteView b, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}
unsigned __int128 get_u128(ic::ByteView b, size_t at) {
  unsigned __int128 v = 0;
  for (int i = 0; i < 16; ++i) v |= static_cast<unsigned __int128>(b[at + i]) << (8 * i);
  return v;
}
}  // namespace

void Storable<icrc1_ledger::Books>::encode(const icrc1_ledger::Books& v, ic::Bytes& out) {
  put_u64(out, v.block_count);
  put_u128(out, v.total_supply);
  put_u128(out, v.minted);
  put_u128(out, v.burned);
  put_u128(out, v.fees);
  out.insert(out.end(), v.last_hash.begin(), v.last_hash.end());
}

icrc1_ledger::Books Storable<icrc1_ledger::Books>::decode(ic::ByteView b) {
  icrc1_ledger::Books v;
  if (b.size() < kMaxSize) trap("icrc1_ledger: stored books are truncated");
  v.block_count = get_u64(b, 0);
  v.total_supply = get_u128(b, 8);
  v.minted = get_u128(b, 24);
  v.burned = get_u128(b, 40);
  v.fees = get_u128(b, 56);
  std::copy(b.begin() + 72, b.begin() + 104, v.last_hash.begin());
  return v;
}

}  // namespace cdk

namespace icrc1_ledger {

cdk::Heap<HeapState> heap;

Stable& stable() {
  static Stable s;
  return s;
}

ExpiryKey expiry_key(uint64_t created_at_time, uint64_t block) {
  ExpiryKey k{};
  for (int i = 0; i < 8; ++i) {
    k[i] = static_cast<uint8_t>(created_at_time >> (56 - 8 * i));
    k[8 + i] = static_cast<uint8_t>(block >> (56 - 8 * i));
  }
  return k;
}

uint64_t expiry_time(const ExpiryKey& k) {
  uint64_t t = 0;
  for (int i = 0; i < 8; ++i) t = (t << 8) | k[i];
  return t;
}

}  // namespace icrc1_ledger
