// The byte-level B-tree behind cdk::StableBTreeMap (layout in cdk/btree.h). Insertion splits full nodes
// and deletion fills thin ones on the way down (CLRS, "B-Trees"), so each operation is one root-to-leaf pass.
#include "cdk/btree.h"

#include <cstring>

#include "cdk/runtime.h"

namespace cdk::detail {

namespace {
constexpr uint8_t kVersion = 1;
constexpr uint8_t kLeaf = 1, kInner = 2;
constexpr uint16_t kT = BTreeCore::kMinDegree;
constexpr uint16_t kCap = BTreeCore::kCapacity;

uint64_t get_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
void put_u64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, 8); }
uint32_t get_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void put_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }
}  // namespace

int compare_keys(ic::ByteView a, ic::ByteView b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

BTreeCore::BTreeCore(Memory m, uint32_t key_max, bool key_fixed, uint32_t value_max, bool value_fixed)
    : memory_(m), key_max_(key_max), value_max_(value_max), key_fixed_(key_fixed), value_fixed_(value_fixed) {}

bool BTreeCore::read_header(Header& h) const {
  if (memory_.size_bytes() < 64) return false;
  uint8_t b[64];
  memory_.read(0, b, sizeof b);
  if (std::memcmp(b, "HKBT", 4) != 0) {
    for (uint8_t x : b)
      if (x) trap("stable memory " + std::to_string(memory_.id()) + " does not hold a StableBTreeMap");
    return false;
  }
  uint8_t flags = (key_fixed_ ? 1 : 0) | (value_fixed_ ? 2 : 0);
  uint32_t capacity = b[6] | (b[7] << 8);
  if (b[4] != kVersion || b[5] != flags || capacity != kCap || get_u32(b + 8) != key_max_ ||
      get_u32(b + 12) != value_max_)
    trap("stable memory " + std::to_string(memory_.id()) + " holds a StableBTreeMap with key bound " +
         std::to_string(get_u32(b + 8)) + " and value bound " + std::to_string(get_u32(b + 12)) +
         " (version " + std::to_string(b[4]) + ", flags " + std::to_string(b[5]) + "); this code declares " +
         std::to_string(key_max_) + " and " + std::to_string(value_max_) + ": the layout cannot change in place");
  h.root = get_u64(b + 16);
  h.length = get_u64(b + 24);
  h.free_leaf = get_u64(b + 32);
  h.free_inner = get_u64(b + 40);
  h.next = get_u64(b + 48);
  h.aux = get_u64(b + 56);
  return true;
}

void BTreeCore::write_header(const Header& h) const {
  uint8_t b[64] = {'H', 'K', 'B', 'T', kVersion, static_cast<uint8_t>((key_fixed_ ? 1 : 0) | (value_fixed_ ? 2 : 0)),
                   static_cast<uint8_t>(kCap), 0};
  put_u32(b + 8, key_max_);
  put_u32(b + 12, value_max_);
  put_u64(b + 16, h.root);
  put_u64(b + 24, h.length);
  put_u64(b + 32, h.free_leaf);
  put_u64(b + 40, h.free_inner);
  put_u64(b + 48, h.next);
  put_u64(b + 56, h.aux);
  memory_.reserve(64);
  memory_.write(0, b, sizeof b);
}

BTreeCore::Node BTreeCore::load(uint64_t addr) const {
  Node n;
  n.addr = addr;
  n.keys.resize(values_at());  // the 8-byte node header and the key slots, in one read
  memory_.read(addr, n.keys.data(), n.keys.size());
  uint8_t kind = n.keys[0];
  n.count = static_cast<uint16_t>(n.keys[2] | (n.keys[3] << 8));
  if ((kind != kLeaf && kind != kInner) || n.count > kCap)
    trap("StableBTreeMap in stable memory " + std::to_string(memory_.id()) + ": corrupt node at offset " +
         std::to_string(addr));
  n.leaf = kind == kLeaf;
  if (!n.leaf) {
    n.children.resize(kCap + 1);
    memory_.read(addr + children_at(), n.children.data(), 8 * (n.count + 1));
  }
  return n;
}

void BTreeCore::load_values(Node& n) const {
  if (n.values_loaded) return;
  n.values.assign(uint64_t{kCap} * value_slot(), 0);
  if (n.count) memory_.read(n.addr + values_at(), n.values.data(), uint64_t{n.count} * value_slot());
  n.values_loaded = true;
}

void BTreeCore::store(const Node& n) const {
  auto& head = const_cast<ic::Bytes&>(n.keys);
  head[0] = n.leaf ? kLeaf : kInner;
  head[1] = 0;
  head[2] = static_cast<uint8_t>(n.count);
  head[3] = static_cast<uint8_t>(n.count >> 8);
  memory_.write(n.addr, head.data(), head.size());
  if (n.values_loaded && n.count)
    memory_.write(n.addr + values_at(), n.values.data(), uint64_t{n.count} * value_slot());
  if (!n.leaf) memory_.write(n.addr + children_at(), n.children.data(), 8 * (n.count + 1));
}

uint64_t BTreeCore::allocate(Header& h, bool leaf) const {
  uint64_t& free = leaf ? h.free_leaf : h.free_inner;
  if (free) {
    uint64_t addr = free;
    free = memory_.read_u64(addr + 8);
    return addr;
  }
  uint64_t addr = h.next;
  h.next += node_size(leaf);
  memory_.reserve(h.next);
  return addr;
}

void BTreeCore::release(Header& h, const Node& n) const {
  uint64_t& free = n.leaf ? h.free_leaf : h.free_inner;
  uint8_t b[16] = {};
  put_u64(b + 8, free);
  memory_.write(n.addr, b, sizeof b);
  free = n.addr;
}

BTreeCore::Node BTreeCore::new_node(Header& h, bool leaf) const {
  Node n;
  n.addr = allocate(h, leaf);
  n.leaf = leaf;
  n.keys.assign(values_at(), 0);
  n.values.assign(uint64_t{kCap} * value_slot(), 0);
  n.values_loaded = true;
  if (!leaf) n.children.assign(kCap + 1, 0);
  return n;
}

ic::ByteView BTreeCore::key_at(const Node& n, uint16_t i) const {
  const uint8_t* p = n.keys.data() + keys_at() + uint64_t{i} * key_slot();
  if (key_fixed_) return ic::ByteView(p, key_max_);
  return ic::ByteView(p + 2, p[0] | (p[1] << 8));
}

namespace {
ic::ByteView value_in_slot(const uint8_t* p, bool fixed, uint32_t max) {
  if (fixed) return ic::ByteView(p, max);
  return ic::ByteView(p + 4, get_u32(p));
}
}  // namespace

ic::Bytes BTreeCore::value_at(const Node& n, uint16_t i) const {
  if (n.values_loaded) {
    ic::ByteView v = value_in_slot(n.values.data() + uint64_t{i} * value_slot(), value_fixed_, value_max_);
    return ic::Bytes(v.begin(), v.end());
  }
  uint64_t at = n.addr + values_at() + uint64_t{i} * value_slot();
  if (value_fixed_) {
    ic::Bytes v(value_max_);
    memory_.read(at, v.data(), v.size());
    return v;
  }
  uint8_t len[4];
  memory_.read(at, len, 4);
  ic::Bytes v(get_u32(len));
  if (v.size() > value_max_) trap("StableBTreeMap: corrupt value length");
  memory_.read(at + 4, v.data(), v.size());
  return v;
}

void BTreeCore::set_entry(Node& n, uint16_t i, ic::ByteView key, ic::ByteView value) const {
  uint8_t* k = n.keys.data() + keys_at() + uint64_t{i} * key_slot();
  if (key_fixed_) {
    std::memcpy(k, key.data(), key_max_);
  } else {
    k[0] = static_cast<uint8_t>(key.size());
    k[1] = static_cast<uint8_t>(key.size() >> 8);
    if (!key.empty()) std::memcpy(k + 2, key.data(), key.size());
  }
  uint8_t* v = n.values.data() + uint64_t{i} * value_slot();
  if (value_fixed_) {
    std::memcpy(v, value.data(), value_max_);
  } else {
    put_u32(v, static_cast<uint32_t>(value.size()));
    if (!value.empty()) std::memcpy(v + 4, value.data(), value.size());
  }
}

void BTreeCore::copy_entry(Node& dst, uint16_t di, const Node& src, uint16_t si) const {
  std::memcpy(dst.keys.data() + keys_at() + uint64_t{di} * key_slot(),
              src.keys.data() + keys_at() + uint64_t{si} * key_slot(), key_slot());
  std::memcpy(dst.values.data() + uint64_t{di} * value_slot(), src.values.data() + uint64_t{si} * value_slot(),
              value_slot());
}

void BTreeCore::insert_entry(Node& n, uint16_t i, ic::ByteView key, ic::ByteView value) const {
  uint8_t* k = n.keys.data() + keys_at();
  std::memmove(k + (i + 1) * key_slot(), k + i * key_slot(), uint64_t(n.count - i) * key_slot());
  std::memmove(n.values.data() + (i + 1) * value_slot(), n.values.data() + i * value_slot(),
               uint64_t(n.count - i) * value_slot());
  ++n.count;
  set_entry(n, i, key, value);
}

void BTreeCore::erase_entry(Node& n, uint16_t i) const {
  uint8_t* k = n.keys.data() + keys_at();
  std::memmove(k + i * key_slot(), k + (i + 1) * key_slot(), uint64_t(n.count - i - 1) * key_slot());
  std::memmove(n.values.data() + i * value_slot(), n.values.data() + (i + 1) * value_slot(),
               uint64_t(n.count - i - 1) * value_slot());
  --n.count;
}

uint16_t BTreeCore::lower(const Node& n, ic::ByteView key, bool& found) const {
  uint16_t lo = 0, hi = n.count;
  while (lo < hi) {
    uint16_t mid = static_cast<uint16_t>((lo + hi) / 2);
    if (compare_keys(key_at(n, mid), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  found = lo < n.count && compare_keys(key_at(n, lo), key) == 0;
  return lo;
}

// child (full, = parent.children[i]) keeps its lower `keep` entries, entry `keep` moves up into parent at i,
// and `right` gets the rest: keep = kT-1 is the textbook halving; kCap-1 (leaves only) leaves `right` empty.
void BTreeCore::split_child(Header& h, Node& parent, uint16_t i, Node& child, Node& right, uint16_t keep) const {
  load_values(child);
  load_values(parent);
  right = new_node(h, child.leaf);
  uint16_t moved = static_cast<uint16_t>(kCap - 1 - keep);
  for (uint16_t j = 0; j < moved; ++j) copy_entry(right, j, child, static_cast<uint16_t>(j + keep + 1));
  right.count = moved;
  if (!child.leaf)
    for (uint16_t j = 0; j <= moved; ++j) right.children[j] = child.children[j + keep + 1];
  for (uint16_t j = parent.count + 1; j > i + 1; --j) parent.children[j] = parent.children[j - 1];
  parent.children[i + 1] = right.addr;
  ic::ByteView mv = value_in_slot(child.values.data() + uint64_t{keep} * value_slot(), value_fixed_, value_max_);
  insert_entry(parent, i, key_at(child, keep), mv);
  child.count = keep;
  store(child);
  store(right);
  store(parent);
}

// left = parent.children[i], right = parent.children[i+1], both with kT-1 entries: left takes the separator
// and everything of right; right is freed.
void BTreeCore::merge_children(Header& h, Node& parent, uint16_t i, Node& left, Node& right) const {
  load_values(parent);
  load_values(left);
  load_values(right);
  uint16_t n = left.count;
  ic::ByteView sv = value_in_slot(parent.values.data() + uint64_t{i} * value_slot(), value_fixed_, value_max_);
  insert_entry(left, n, key_at(parent, i), sv);
  for (uint16_t j = 0; j < right.count; ++j) copy_entry(left, static_cast<uint16_t>(n + 1 + j), right, j);
  if (!left.leaf)
    for (uint16_t j = 0; j <= right.count; ++j) left.children[n + 1 + j] = right.children[j];
  left.count = static_cast<uint16_t>(n + 1 + right.count);
  erase_entry(parent, i);
  for (uint16_t j = i + 1; j <= parent.count; ++j) parent.children[j] = parent.children[j + 1];
  release(h, right);
  store(left);
  store(parent);
}

bool BTreeCore::get(ic::ByteView key, ic::Bytes* value) const {
  Header h;
  if (!read_header(h) || h.root == 0) return false;
  Node n = load(h.root);
  for (;;) {
    bool found;
    uint16_t i = lower(n, key, found);
    if (found) {
      if (value) *value = value_at(n, i);
      return true;
    }
    if (n.leaf) return false;
    n = load(n.children[i]);
  }
}

bool BTreeCore::insert(ic::ByteView key, ic::ByteView value, ic::Bytes* old) {
  Header h;
  if (!read_header(h)) h = Header{};
  if (h.root == 0) {
    Node r = new_node(h, true);
    insert_entry(r, 0, key, value);
    store(r);
    h.root = r.addr;
    h.length = 1;
    write_header(h);
    return false;
  }
  // A full leaf on the right edge that the key would extend: split it 10 + 0 (see btree.h).
  auto keep_for = [&](const Node& child, bool rightmost) {
    bool append = child.leaf && rightmost && compare_keys(key, key_at(child, kCap - 1)) > 0;
    return static_cast<uint16_t>(append ? kCap - 1 : kT - 1);
  };
  Node x = load(h.root);
  if (x.count == kCap) {  // the tree grows at the root
    Node s = new_node(h, false);
    s.children[0] = x.addr;
    h.root = s.addr;
    Node right;
    split_child(h, s, 0, x, right, keep_for(x, true));
    x = std::move(s);
  }
  for (;;) {
    bool found;
    uint16_t i = lower(x, key, found);
    if (found) {
      load_values(x);
      if (old) *old = value_at(x, i);
      set_entry(x, i, key, value);
      store(x);
      write_header(h);
      return true;
    }
    if (x.leaf) {
      load_values(x);
      insert_entry(x, i, key, value);
      store(x);
      ++h.length;
      write_header(h);
      return false;
    }
    Node c = load(x.children[i]);
    if (c.count == kCap) {
      Node right;
      split_child(h, x, i, c, right, keep_for(c, i == x.count));
      int cmp = compare_keys(key, key_at(x, i));
      if (cmp == 0) continue;  // the median that moved up is the key: replace it in x
      if (cmp > 0) c = std::move(right);
    }
    x = std::move(c);
  }
}

bool BTreeCore::remove(ic::ByteView key, ic::Bytes* old) {
  Header h;
  if (!read_header(h) || h.root == 0) return false;
  Node x = load(h.root);
  ic::Bytes target(key.begin(), key.end());  // becomes the predecessor/successor after a replacement
  bool removed = false;
  for (;;) {
    bool found;
    uint16_t i = lower(x, target, found);
    if (x.leaf) {
      if (found) {
        load_values(x);
        if (!removed && old) *old = value_at(x, i);
        removed = true;
        erase_entry(x, i);
        if (x.addr == h.root && x.count == 0) {
          release(h, x);
          h.root = 0;
        } else {
          store(x);
        }
        --h.length;
      }
      write_header(h);  // merges on the way down may have changed the root or the free lists
      return removed;
    }
    if (found) {
      load_values(x);
      if (!removed && old) *old = value_at(x, i);
      removed = true;
      Node y = load(x.children[i]);
      if (y.count >= kT) {  // replace by the predecessor, then delete that from y
        Node p = y;
        while (!p.leaf) p = load(p.children[p.count]);
        load_values(p);
        target.assign(key_at(p, p.count - 1).begin(), key_at(p, p.count - 1).end());
        ic::Bytes pv = value_at(p, p.count - 1);
        set_entry(x, i, target, pv);
        store(x);
        x = std::move(y);
        continue;
      }
      Node z = load(x.children[i + 1]);
      if (z.count >= kT) {  // replace by the successor, then delete that from z
        Node s = z;
        while (!s.leaf) s = load(s.children[0]);
        load_values(s);
        target.assign(key_at(s, 0).begin(), key_at(s, 0).end());
        ic::Bytes sv = value_at(s, 0);
        set_entry(x, i, target, sv);
        store(x);
        x = std::move(z);
        continue;
      }
      merge_children(h, x, i, y, z);  // the key moves down into y
      if (x.addr == h.root && x.count == 0) {
        release(h, x);
        h.root = y.addr;
      }
      x = std::move(y);
      continue;
    }
    // The key is below child i: make sure that child has at least kT entries before descending.
    Node c = load(x.children[i]);
    if (c.count < kT) {
      Node ls, rs;
      bool left = i > 0, right = i < x.count;
      if (left) ls = load(x.children[i - 1]);
      if (left && ls.count >= kT) {  // borrow through the parent from the left sibling
        load_values(c);
        load_values(x);
        load_values(ls);
        if (!c.leaf)
          for (uint16_t j = c.count + 1; j > 0; --j) c.children[j] = c.children[j - 1];
        insert_entry(c, 0, key_at(x, i - 1),
                     value_in_slot(x.values.data() + uint64_t(i - 1) * value_slot(), value_fixed_, value_max_));
        if (!c.leaf) c.children[0] = ls.children[ls.count];
        set_entry(x, static_cast<uint16_t>(i - 1), key_at(ls, ls.count - 1),
                  value_in_slot(ls.values.data() + uint64_t(ls.count - 1) * value_slot(), value_fixed_, value_max_));
        erase_entry(ls, static_cast<uint16_t>(ls.count - 1));
        store(c);
        store(ls);
        store(x);
      } else {
        if (right) rs = load(x.children[i + 1]);
        if (right && rs.count >= kT) {  // borrow through the parent from the right sibling
          load_values(c);
          load_values(x);
          load_values(rs);
          insert_entry(c, c.count, key_at(x, i),
                       value_in_slot(x.values.data() + uint64_t{i} * value_slot(), value_fixed_, value_max_));
          if (!c.leaf) c.children[c.count] = rs.children[0];
          set_entry(x, i, key_at(rs, 0), value_in_slot(rs.values.data(), value_fixed_, value_max_));
          erase_entry(rs, 0);
          if (!rs.leaf)
            for (uint16_t j = 0; j <= rs.count; ++j) rs.children[j] = rs.children[j + 1];
          store(c);
          store(rs);
          store(x);
        } else if (right) {
          merge_children(h, x, i, c, rs);
        } else {
          merge_children(h, x, static_cast<uint16_t>(i - 1), ls, c);
          c = std::move(ls);
        }
        if (x.addr == h.root && x.count == 0) {
          release(h, x);
          h.root = c.addr;
        }
      }
    }
    x = std::move(c);
  }
}

uint64_t BTreeCore::size() const {
  Header h;
  return read_header(h) ? h.length : 0;
}

uint64_t BTreeCore::aux() const {
  Header h;
  return read_header(h) ? h.aux : 0;
}

void BTreeCore::set_aux(uint64_t v) const {
  Header h;
  if (!read_header(h)) h = Header{};
  h.aux = v;
  write_header(h);
}

uint64_t BTreeCore::allocated_bytes() const {
  Header h;
  return read_header(h) ? h.next : 0;
}

bool BTreeCore::last(ic::Bytes* key, ic::Bytes* value) const {
  Header h;
  if (!read_header(h) || h.root == 0) return false;
  Node n = load(h.root);
  while (!n.leaf) n = load(n.children[n.count]);
  ic::ByteView k = key_at(n, static_cast<uint16_t>(n.count - 1));
  key->assign(k.begin(), k.end());
  *value = value_at(n, static_cast<uint16_t>(n.count - 1));
  return true;
}

BTreeCore::Cursor BTreeCore::lower_bound(ic::ByteView key) const {
  Cursor c;
  c.tree_ = this;
  Header h;
  if (!read_header(h) || h.root == 0) return c;
  Node n = load(h.root);
  for (;;) {
    bool found;
    uint16_t i = lower(n, key, found);
    bool leaf = n.leaf;
    uint64_t child = leaf ? 0 : n.children[i];
    c.stack_.emplace_back(std::move(n), i);
    if (found || leaf) break;
    n = load(child);
  }
  c.settle();
  return c;
}

BTreeCore::Cursor BTreeCore::begin() const { return lower_bound(ic::ByteView()); }

void BTreeCore::Cursor::settle() {
  while (!stack_.empty() && stack_.back().second >= stack_.back().first.count) stack_.pop_back();
}

void BTreeCore::Cursor::next() {
  auto& top = stack_.back();
  ++top.second;
  if (!top.first.leaf) {  // continue with the leftmost entry of the subtree right of the entry just visited
    uint64_t child = top.first.children[top.second];
    for (;;) {
      Node m = tree_->load(child);
      bool leaf = m.leaf;
      uint64_t first = leaf ? 0 : m.children[0];
      stack_.emplace_back(std::move(m), 0);
      if (leaf) break;
      child = first;
    }
  }
  settle();
}

ic::ByteView BTreeCore::Cursor::key() const { return tree_->key_at(stack_.back().first, stack_.back().second); }
ic::Bytes BTreeCore::Cursor::value() const { return tree_->value_at(stack_.back().first, stack_.back().second); }

bool operator==(const BTreeCore::Cursor& a, const BTreeCore::Cursor& b) {
  if (a.stack_.empty() || b.stack_.empty()) return a.stack_.empty() == b.stack_.empty();
  return a.stack_.back().first.addr == b.stack_.back().first.addr && a.stack_.back().second == b.stack_.back().second;
}

}  // namespace cdk::detail
