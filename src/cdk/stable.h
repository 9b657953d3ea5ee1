// Stable memory: raw stable64 access, a memory manager that lays out up to 255 growable virtual memories
// in it, encodings for storing values (cdk::Storable) and a single stable value (cdk::StableCell).
#pragma once

// Everything here writes through to stable memory at once, so nothing needs saving in pre_upgrade: an
// upgrade costs O(1) and the data is there again after it. The memory manager owns all of stable memory
// once any virtual memory is used; don't mix it with raw cdk::stable writes.
//
// Layout (version 1, all integers little-endian). Page 0 is the header:
//   [0,4) "HKMM"  [4] version = 1  [6,8) pages per bucket (128 = 8 MiB)  [8,10) buckets allocated
//   [16, 16 + 255*8) size of each memory in pages   [2056, 2056 + 32768) owner memory id of each bucket
// Buckets follow from page 1: bucket b is pages [1 + b*P, 1 + (b+1)*P). A memory's k-th bucket is the
// k-th bucket (in order) whose owner is that memory, so growing never moves data. At most 32768 buckets
// (256 GiB of 8 MiB buckets).
// Ids 0..239 are the canister's; 240..254 are reserved for the kit (timers use 254).

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>

#include "cdk/candid.h"
#include "ic/bytes.h"
#include "ic/principal.h"

namespace cdk {

constexpr uint64_t kWasmPageSize = 65536;

// Raw stable memory (64-bit API).
namespace stable {
uint64_t size_pages();
int64_t grow(uint64_t pages);  // old size in pages, or -1
void read(uint64_t offset, void* dst, uint64_t size);
void write(uint64_t offset, const void* src, uint64_t size);
}  // namespace stable

using MemoryId = uint8_t;
constexpr MemoryId kTimerMemory = 254;

// One virtual memory of the memory manager: a growable byte space addressed from 0. A value type (just the
// id): create them freely, e.g. `constexpr cdk::Memory kUsers{0};`.
class Memory {
 public:
  constexpr explicit Memory(MemoryId id) : id_(id) {}
  MemoryId id() const { return id_; }
  uint64_t size_pages() const;
  uint64_t size_bytes() const { return size_pages() * kWasmPageSize; }
  // Adds pages; returns the old size, or -1 if stable memory cannot grow (nothing changes then).
  int64_t grow(uint64_t pages) const;
  // Grows so that [0, bytes) is addressable, or traps naming the memory.
  void reserve(uint64_t bytes) const;
  // Both trap when the range is beyond size_bytes().
  void read(uint64_t offset, void* dst, uint64_t size) const;
  void write(uint64_t offset, const void* src, uint64_t size) const;
  uint64_t read_u64(uint64_t offset) const;
  void write_u64(uint64_t offset, uint64_t v) const;

 private:
  MemoryId id_;
};

// Stable memory pages in use by the memory manager (header + buckets), for statistics.
uint64_t stable_pages_used();

// How a value is stored: encode appends its bytes, decode reads them back. kMaxSize bounds the encoding
// (0 = unbounded: a container then takes the bound as a template argument); kFixed means every encoding
// has exactly kMaxSize bytes. Keys of ordered containers must encode order-preservingly: comparing the
// encodings bytewise (shorter first on a common prefix) must give the keys' order. The integer encodings
// below are big-endian for that reason.
template <class T>
struct Storable;

namespace detail {
template <class T>
struct BigEndianStorable {
  using U = std::make_unsigned_t<T>;
  static constexpr uint32_t kMaxSize = sizeof(T);
  static constexpr bool kFixed = true;
  static constexpr U kFlip = std::is_signed_v<T> ? U(U(1) << (sizeof(T) * 8 - 1)) : U(0);  // negatives first
  static void encode(const T& v, ic::Bytes& out) {
    U u = static_cast<U>(v) ^ kFlip;
    for (int i = sizeof(T) - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(u >> (8 * i)));
  }
  static T decode(ic::ByteView b) {
    U u = 0;
    for (size_t i = 0; i < sizeof(T) && i < b.size(); ++i) u = static_cast<U>((u << 8) | b[i]);
    return static_cast<T>(u ^ kFlip);
  }
};
}  // namespace detail

template <> struct Storable<uint8_t> : detail::BigEndianStorable<uint8_t> {};
template <> struct Storable<uint16_t> : detail::BigEndianStorable<uint16_t> {};
template <> struct Storable<uint32_t> : detail::BigEndianStorable<uint32_t> {};
template <> struct Storable<uint64_t> : detail::BigEndianStorable<uint64_t> {};
template <> struct Storable<int8_t> : detail::BigEndianStorable<int8_t> {};
template <> struct Storable<int16_t> : detail::BigEndianStorable<int16_t> {};
template <> struct Storable<int32_t> : detail::BigEndianStorable<int32_t> {};
template <> struct Storable<int64_t> : detail::BigEndianStorable<int64_t> {};

template <>
struct Storable<bool> {
  static constexpr uint32_t kMaxSize = 1;
  static constexpr bool kFixed = true;
  static void encode(bool v, ic::Bytes& out) { out.push_back(v ? 1 : 0); }
  static bool decode(ic::ByteView b) { return !b.empty() && b[0] != 0; }
};

template <size_t N>
struct Storable<std::array<uint8_t, N>> {
  static constexpr uint32_t kMaxSize = N;
  static constexpr bool kFixed = true;
  static void encode(const std::array<uint8_t, N>& v, ic::Bytes& out) { out.insert(out.end(), v.begin(), v.end()); }
  static std::array<uint8_t, N> decode(ic::ByteView b) {
    std::array<uint8_t, N> a{};
    std::memcpy(a.data(), b.data(), b.size() < N ? b.size() : N);
    return a;
  }
};

// Principals order by their bytes, like ic::Principal's operator<=>.
template <>
struct Storable<ic::Principal> {
  static constexpr uint32_t kMaxSize = ic::Principal::kMaxLength;
  static constexpr bool kFixed = false;
  static void encode(const ic::Principal& v, ic::Bytes& out) { out.insert(out.end(), v.bytes().begin(), v.bytes().end()); }
  static ic::Principal decode(ic::ByteView b) {
    auto p = ic::Principal::from_bytes(b);
    return p.ok() ? std::move(p).value() : ic::Principal();
  }
};

template <>
struct Storable<std::string> {
  static constexpr uint32_t kMaxSize = 0;
  static constexpr bool kFixed = false;
  static void encode(const std::string& v, ic::Bytes& out) { out.insert(out.end(), v.begin(), v.end()); }
  static std::string decode(ic::ByteView b) { return std::string(b.begin(), b.end()); }
};

template <>
struct Storable<ic::Bytes> {
  static constexpr uint32_t kMaxSize = 0;
  static constexpr bool kFixed = false;
  static void encode(const ic::Bytes& v, ic::Bytes& out) { out.insert(out.end(), v.begin(), v.end()); }
  static ic::Bytes decode(ic::ByteView b) { return ic::Bytes(b.begin(), b.end()); }
};

[[noreturn]] void trap(std::string_view message);

// Records and variants are stored as their Candid encoding, which stays readable when the type later gains
// opt fields (Candid subtyping). Not order-preserving: for values, not keys.
template <class T>
  requires(CandidRecord<T> || CandidVariant<T>)
struct Storable<T> {
  static constexpr uint32_t kMaxSize = 0;
  static constexpr bool kFixed = false;
  static void encode(const T& v, ic::Bytes& out) {
    ic::Bytes b = encode_args(v);
    out.insert(out.end(), b.begin(), b.end());
  }
  static T decode(ic::ByteView b) {
    std::tuple<T> t;
    std::string error;
    if (!decode_args(b, t, error)) trap("stored value does not decode as " + type_text<T>() + ": " + error);
    return std::move(std::get<0>(t));
  }
};

// One value in its own virtual memory, read and written through (so it survives upgrades):
//   cdk::StableCell<Config> config{cdk::Memory(1), Config{...}};   config.get();  config.set(c);
// Layout: "HKCL", u32 length, the encoded value.
template <class T>
class StableCell {
 public:
  explicit StableCell(Memory m, T initial = T{}) : memory_(m), initial_(std::move(initial)) {}

  // The stored value, or the initial one if the cell was never set.
  T get() const {
    if (memory_.size_pages() == 0) return initial_;
    uint8_t head[8];
    memory_.read(0, head, 8);
    if (std::memcmp(head, "HKCL", 4) != 0)
      trap("memory " + std::to_string(memory_.id()) + " does not hold a cdk::StableCell");
    uint32_t n;
    std::memcpy(&n, head + 4, 4);
    ic::Bytes b(n);
    if (n) memory_.read(8, b.data(), n);
    return Storable<T>::decode(b);
  }
  void set(const T& v) const {
    ic::Bytes b = {'H', 'K', 'C', 'L', 0, 0, 0, 0};
    Storable<T>::encode(v, b);
    uint32_t n = static_cast<uint32_t>(b.size() - 8);
    std::memcpy(b.data() + 4, &n, 4);
    memory_.reserve(b.size());
    memory_.write(0, b.data(), b.size());
  }

 private:
  Memory memory_;
  T initial_;
};

}  // namespace cdk
