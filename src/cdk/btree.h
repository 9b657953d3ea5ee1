// cdk::StableBTreeMap: an ordered map that lives in a virtual stable memory, with bounded keys and values,
// so it survives upgrades without any pre_upgrade work and can hold far more than the Wasm heap.
#pragma once

// A B-tree of minimum degree 6 (nodes hold up to 11 entries), written through to stable memory on every
// change. Appending past the largest key splits the rightmost leaf 10 + 0 instead of 5 + 5, so ascending
// keys (sequence numbers, timestamps) fill leaves instead of leaving them half empty; deletion merges
// siblings whenever both are below the minimum degree, so it does not depend on a minimum fill. Keys compare by their Storable encoding (order-preserving for the provided key
// types). Leaves and inner nodes are fixed-size slots; freed nodes are reused.
// Layout (version 1): a 64-byte header at offset 0
//   "HKBT", version, flags (1 = fixed-size keys, 2 = fixed-size values), capacity (u16), key bound (u32),
//   value bound (u32), root, length, free leaves, free inner nodes, next free offset, aux (u64 each)
// then nodes: kind (1 leaf, 2 inner), count (u16 at 2), key slots, value slots, and for inner nodes the child
// offsets. A variable-size key slot is a u16 length and the bound's bytes; a value slot a u32 length and the
// bound's bytes; fixed-size slots have no length.
// The map object holds no state of its own (only the memory id and bounds): declare it anywhere.
// Iterators are invalidated by any change to the map.

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "cdk/stable.h"

namespace cdk {

namespace detail {

class BTreeCore {
 public:
  static constexpr uint32_t kMinDegree = 6;
  static constexpr uint32_t kCapacity = 2 * kMinDegree - 1;

  BTreeCore(Memory m, uint32_t key_max, bool key_fixed, uint32_t value_max, bool value_fixed);

  struct Node {
    uint64_t addr = 0;
    bool leaf = true;
    uint16_t count = 0;
    ic::Bytes keys;                  // kCapacity key slots
    ic::Bytes values;                // kCapacity value slots, when loaded
    bool values_loaded = false;
    std::vector<uint64_t> children;  // kCapacity + 1 (inner nodes)
  };

  // Iteration state: the path from the root; the top entry is the current one.
  class Cursor {
   public:
    bool valid() const { return !stack_.empty(); }
    ic::ByteView key() const;
    ic::Bytes value() const;
    void next();
    friend bool operator==(const Cursor& a, const Cursor& b);

   private:
    friend class BTreeCore;
    const BTreeCore* tree_ = nullptr;
    std::vector<std::pair<Node, uint16_t>> stack_;
    void settle();
  };

  bool get(ic::ByteView key, ic::Bytes* value) const;
  bool insert(ic::ByteView key, ic::ByteView value, ic::Bytes* old);  // true if the key existed
  bool remove(ic::ByteView key, ic::Bytes* old);                      // true if the key existed
  uint64_t size() const;
  Cursor lower_bound(ic::ByteView key) const;  // first entry with key >= `key`
  Cursor begin() const;
  bool last(ic::Bytes* key, ic::Bytes* value) const;
  uint64_t aux() const;
  void set_aux(uint64_t v) const;
  // Bytes of the memory in use (header + nodes, including freed ones awaiting reuse).
  uint64_t allocated_bytes() const;

  uint32_t key_max() const { return key_max_; }
  uint32_t value_max() const { return value_max_; }

 private:
  struct Header {
    uint64_t root = 0, length = 0, free_leaf = 0, free_inner = 0, next = 64, aux = 0;
  };
  bool read_header(Header& h) const;  // false: the memory holds no tree yet
  void write_header(const Header& h) const;

  uint32_t key_slot() const { return key_fixed_ ? key_max_ : key_max_ + 2; }
  uint32_t value_slot() const { return value_fixed_ ? value_max_ : value_max_ + 4; }
  uint64_t keys_at() const { return 8; }
  uint64_t values_at() const { return 8 + uint64_t{kCapacity} * key_slot(); }
  uint64_t children_at() const { return values_at() + uint64_t{kCapacity} * value_slot(); }
  uint64_t node_size(bool leaf) const { return leaf ? children_at() : children_at() + 8 * (kCapacity + 1); }

  Node load(uint64_t addr) const;
  void load_values(Node& n) const;
  void store(const Node& n) const;
  uint64_t allocate(Header& h, bool leaf) const;
  void release(Header& h, const Node& n) const;
  Node new_node(Header& h, bool leaf) const;

  ic::ByteView key_at(const Node& n, uint16_t i) const;
  ic::Bytes value_at(const Node& n, uint16_t i) const;
  void set_entry(Node& n, uint16_t i, ic::ByteView key, ic::ByteView value) const;
  void copy_entry(Node& dst, uint16_t di, const Node& src, uint16_t si) const;
  void insert_entry(Node& n, uint16_t i, ic::ByteView key, ic::ByteView value) const;  // shifts right
  void erase_entry(Node& n, uint16_t i) const;                                          // shifts left
  uint16_t lower(const Node& n, ic::ByteView key, bool& found) const;
  void split_child(Header& h, Node& parent, uint16_t i, Node& child, Node& right, uint16_t keep) const;
  void merge_children(Header& h, Node& parent, uint16_t i, Node& left, Node& right) const;

  Memory memory_;
  uint32_t key_max_, value_max_;
  bool key_fixed_, value_fixed_;
};

int compare_keys(ic::ByteView a, ic::ByteView b);

}  // namespace detail

template <class K, class V, uint32_t KeyMax = Storable<K>::kMaxSize, uint32_t ValueMax = Storable<V>::kMaxSize>
class StableBTreeMap {
  static_assert(KeyMax > 0, "unbounded key type: give the bound, e.g. StableBTreeMap<std::string, V, 64>");
  static_assert(ValueMax > 0, "unbounded value type: give the bound, e.g. StableBTreeMap<K, std::string, 64, 256>");
  static_assert(KeyMax < 65536, "keys are bounded by 65535 bytes");

 public:
  explicit StableBTreeMap(Memory m)
      : core_(m, KeyMax, Storable<K>::kFixed && Storable<K>::kMaxSize == KeyMax, ValueMax,
              Storable<V>::kFixed && Storable<V>::kMaxSize == ValueMax) {}

  std::optional<V> get(const K& key) const {
    ic::Bytes v;
    if (!core_.get(encode_key(key), &v)) return std::nullopt;
    return Storable<V>::decode(v);
  }
  bool contains(const K& key) const { return core_.get(encode_key(key), nullptr); }
  // Inserts or replaces; returns the previous value.
  std::optional<V> insert(const K& key, const V& value) {
    ic::Bytes old;
    if (!core_.insert(encode_key(key), encode_value(value), &old)) return std::nullopt;
    return Storable<V>::decode(old);
  }
  std::optional<V> remove(const K& key) {
    ic::Bytes old;
    if (!core_.remove(encode_key(key), &old)) return std::nullopt;
    return Storable<V>::decode(old);
  }
  uint64_t size() const { return core_.size(); }
  bool empty() const { return size() == 0; }

  class iterator {
   public:
    std::pair<K, V> operator*() const { return {Storable<K>::decode(c_.key()), Storable<V>::decode(c_.value())}; }
    K key() const { return Storable<K>::decode(c_.key()); }
    V value() const { return Storable<V>::decode(c_.value()); }
    iterator& operator++() {
      c_.next();
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.c_ == b.c_; }

   private:
    friend class StableBTreeMap;
    explicit iterator(detail::BTreeCore::Cursor c) : c_(std::move(c)) {}
    detail::BTreeCore::Cursor c_;
  };
  iterator begin() const { return iterator(core_.begin()); }
  iterator end() const { return iterator(detail::BTreeCore::Cursor()); }
  iterator lower_bound(const K& key) const { return iterator(core_.lower_bound(encode_key(key))); }

  // Entries with from <= key < to, at most `limit` of them (pagination: continue from the last key + 1).
  std::vector<std::pair<K, V>> range(const K& from, const K& to, size_t limit = SIZE_MAX) const {
    std::vector<std::pair<K, V>> out;
    ic::Bytes end_key = encode_key(to);
    for (auto c = core_.lower_bound(encode_key(from)); c.valid() && out.size() < limit; c.next()) {
      if (detail::compare_keys(c.key(), end_key) >= 0) break;
      out.emplace_back(Storable<K>::decode(c.key()), Storable<V>::decode(c.value()));
    }
    return out;
  }
  std::optional<std::pair<K, V>> first() const {
    auto c = core_.begin();
    if (!c.valid()) return std::nullopt;
    return std::make_pair(Storable<K>::decode(c.key()), Storable<V>::decode(c.value()));
  }
  std::optional<std::pair<K, V>> last() const {
    ic::Bytes k, v;
    if (!core_.last(&k, &v)) return std::nullopt;
    return std::make_pair(Storable<K>::decode(k), Storable<V>::decode(v));
  }
  // A spare u64 in the header for the owner's bookkeeping (e.g. a sequence number).
  uint64_t aux() const { return core_.aux(); }
  void set_aux(uint64_t v) const { core_.set_aux(v); }
  uint64_t allocated_bytes() const { return core_.allocated_bytes(); }

 private:
  static ic::Bytes encode_key(const K& k) {
    ic::Bytes b;
    Storable<K>::encode(k, b);
    if (b.size() > KeyMax) too_large("key", b.size(), KeyMax);
    return b;
  }
  static ic::Bytes encode_value(const V& v) {
    ic::Bytes b;
    Storable<V>::encode(v, b);
    if (b.size() > ValueMax) too_large("value", b.size(), ValueMax);
    return b;
  }
  [[noreturn]] static void too_large(const char* what, size_t n, uint32_t max) {
    trap(std::string("StableBTreeMap: ") + what + " of " + std::to_string(n) + " bytes exceeds the bound of " +
         std::to_string(max) + " bytes");
  }
  detail::BTreeCore core_;
};

}  // namespace cdk
