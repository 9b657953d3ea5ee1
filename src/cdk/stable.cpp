// Raw stable memory and the memory manager (layout in cdk/stable.h).
#include "cdk/stable.h"

#include <vector>

#include "cdk/ic0.h"
#include "cdk/runtime.h"

namespace cdk {

namespace stable {
uint64_t size_pages() { return ic0::stable64_size(); }
int64_t grow(uint64_t pages) { return ic0::stable64_grow(pages); }
void read(uint64_t offset, void* dst, uint64_t size) {
  if (size) ic0::stable64_read(reinterpret_cast<uintptr_t>(dst), offset, size);
}
void write(uint64_t offset, const void* src, uint64_t size) {
  if (size) ic0::stable64_write(offset, reinterpret_cast<uintptr_t>(src), size);
}
}  // namespace stable

namespace {

constexpr uint8_t kVersion = 1;
constexpr uint16_t kBucketPages = 128;  // 8 MiB buckets
constexpr uint64_t kSizesAt = 16;
constexpr uint64_t kOwnersAt = kSizesAt + 255 * 8;
constexpr uint32_t kMaxBuckets = 32768;
static_assert(kOwnersAt + kMaxBuckets <= kWasmPageSize, "the header fits in page 0");

// The header, cached in the heap (a Heap, so the mock rolls it back together with stable memory and
// rebuilds it after a simulated upgrade). Loaded lazily from stable memory.
struct Layout {
  bool loaded = false;
  bool initialized = false;  // a header exists in stable memory
  uint64_t bucket_pages = kBucketPages;
  uint32_t buckets_used = 0;
  std::vector<uint64_t> sizes;                 // pages per memory id
  std::vector<std::vector<uint16_t>> buckets;  // memory id -> its buckets, in order
};
Heap<Layout> g_layout;

Layout& layout() {
  Layout& l = *g_layout;
  if (l.loaded) return l;
  l.loaded = true;
  l.sizes.assign(255, 0);
  l.buckets.assign(255, {});
  if (stable::size_pages() == 0) return l;
  uint8_t head[16];
  stable::read(0, head, sizeof head);
  if (std::memcmp(head, "HKMM", 4) != 0)
    trap("stable memory does not start with the cdk memory manager header (\"HKMM\"): it was written by "
         "other code; reinstall the canister or migrate the data first");
  if (head[4] != kVersion) trap("stable memory layout version " + std::to_string(head[4]) + " is not supported");
  l.bucket_pages = head[6] | (head[7] << 8);
  l.buckets_used = head[8] | (head[9] << 8);
  if (l.bucket_pages == 0 || l.buckets_used > kMaxBuckets) trap("corrupt memory manager header");
  stable::read(kSizesAt, l.sizes.data(), 255 * 8);
  std::vector<uint8_t> owners(l.buckets_used);
  stable::read(kOwnersAt, owners.data(), owners.size());
  for (uint32_t b = 0; b < l.buckets_used; ++b)
    if (owners[b] < 255) l.buckets[owners[b]].push_back(static_cast<uint16_t>(b));
  l.initialized = true;
  return l;
}

[[noreturn]] void out_of_bounds(MemoryId id, uint64_t offset, uint64_t size, uint64_t have) {
  trap("stable memory " + std::to_string(id) + ": access to [" + std::to_string(offset) + ", +" +
       std::to_string(size) + ") beyond its " + std::to_string(have) + " bytes");
}

template <bool Write, class Ptr>
void access(MemoryId id, uint64_t offset, Ptr data, uint64_t size) {
  Layout& l = layout();
  uint64_t have = l.sizes[id] * kWasmPageSize;
  if (offset > have || size > have - offset) out_of_bounds(id, offset, size, have);
  const uint64_t bucket_bytes = l.bucket_pages * kWasmPageSize;
  const std::vector<uint16_t>& buckets = l.buckets[id];
  auto* p = static_cast<std::conditional_t<Write, const uint8_t*, uint8_t*>>(data);
  while (size > 0) {
    uint64_t within = offset % bucket_bytes;
    uint64_t chunk = std::min(size, bucket_bytes - within);
    uint64_t physical = (1 + buckets[offset / bucket_bytes] * l.bucket_pages) * kWasmPageSize + within;
    if constexpr (Write) {
      stable::write(physical, p, chunk);
    } else {
      stable::read(physical, p, chunk);
    }
    p += chunk;
    offset += chunk;
    size -= chunk;
  }
}

}  // namespace

uint64_t Memory::size_pages() const { return layout().sizes[id_]; }

int64_t Memory::grow(uint64_t pages) const {
  if (id_ == 255) trap("memory id 255 does not exist (ids are 0..254)");
  Layout& l = layout();
  uint64_t old = l.sizes[id_];
  if (pages == 0) return static_cast<int64_t>(old);
  if (pages > (uint64_t{1} << 40)) return -1;
  uint64_t want = old + pages;
  uint64_t need = (want + l.bucket_pages - 1) / l.bucket_pages;
  std::vector<uint16_t>& mine = l.buckets[id_];
  if (need > mine.size()) {
    uint64_t add = need - mine.size();
    if (l.buckets_used + add > kMaxBuckets) return -1;
    uint64_t physical = 1 + (l.buckets_used + add) * l.bucket_pages;
    uint64_t current = stable::size_pages();
    if (physical > current && stable::grow(physical - current) < 0) return -1;
    if (!l.initialized) {
      uint8_t head[16] = {'H', 'K', 'M', 'M', kVersion, 0, static_cast<uint8_t>(l.bucket_pages),
                          static_cast<uint8_t>(l.bucket_pages >> 8)};
      stable::write(0, head, sizeof head);
      l.initialized = true;
    }
    for (uint64_t i = 0; i < add; ++i) {
      uint16_t b = static_cast<uint16_t>(l.buckets_used++);
      stable::write(kOwnersAt + b, &id_, 1);
      mine.push_back(b);
    }
    uint8_t used[2] = {static_cast<uint8_t>(l.buckets_used), static_cast<uint8_t>(l.buckets_used >> 8)};
    stable::write(8, used, 2);
  }
  l.sizes[id_] = want;
  stable::write(kSizesAt + 8 * uint64_t{id_}, &want, 8);
  return static_cast<int64_t>(old);
}

void Memory::reserve(uint64_t bytes) const {
  uint64_t have = size_bytes();
  if (bytes <= have) return;
  uint64_t pages = (bytes - have + kWasmPageSize - 1) / kWasmPageSize;
  if (grow(pages) < 0)
    trap("stable memory " + std::to_string(id_) + " cannot grow to " + std::to_string(bytes) +
         " bytes (stable memory limit reached)");
}

void Memory::read(uint64_t offset, void* dst, uint64_t size) const { access<false>(id_, offset, dst, size); }
void Memory::write(uint64_t offset, const void* src, uint64_t size) const { access<true>(id_, offset, src, size); }

uint64_t Memory::read_u64(uint64_t offset) const {
  uint64_t v;
  read(offset, &v, 8);
  return v;
}
void Memory::write_u64(uint64_t offset, uint64_t v) const { write(offset, &v, 8); }

uint64_t stable_pages_used() {
  Layout& l = layout();
  return l.initialized ? 1 + uint64_t{l.buckets_used} * l.bucket_pages : 0;
}

}  // namespace cdk
