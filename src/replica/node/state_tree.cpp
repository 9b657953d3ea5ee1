// Incremental certified state tree (see state_tree.h). Hashing follows ic-protocol.md §4.1.
#include "replica/node/state_tree.h"

#include <algorithm>
#include <set>

namespace replica {
namespace {

// sep(s) = byte(len s) · s (§4.1 domain separators).
void sep(ic::Sha256& h, std::string_view s) {
  uint8_t n = static_cast<uint8_t>(s.size());
  h.update(ic::ByteView(&n, 1));
  h.update(s);
}

ic::Hash256 leaf_hash(ic::ByteView v) {
  ic::Sha256 h;
  sep(h, "ic-hashtree-leaf");
  h.update(v);
  return h.finish();
}
ic::Hash256 labeled_hash(ic::ByteView label, const ic::Hash256& sub) {
  ic::Sha256 h;
  sep(h, "ic-hashtree-labeled");
  h.update(label);
  h.update(sub);
  return h.finish();
}
ic::Hash256 fork_hash(const ic::Hash256& l, const ic::Hash256& r) {
  ic::Sha256 h;
  sep(h, "ic-hashtree-fork");
  h.update(l);
  h.update(r);
  return h.finish();
}
const ic::Hash256& empty_hash() {
  static const ic::Hash256 e = [] {
    ic::Sha256 h;
    sep(h, "ic-hashtree-empty");
    return h.finish();
  }();
  return e;
}

// Segment tree over [lo, hi): node's children are 2·node+1 (left half) and 2·node+2.
ic::Hash256 build_forks(std::vector<ic::Hash256>& forks, const std::vector<ic::Hash256>& labeled, size_t node,
                        size_t lo, size_t hi) {
  if (hi - lo == 1) return forks[node] = labeled[lo];
  size_t mid = lo + (hi - lo) / 2;
  ic::Hash256 l = build_forks(forks, labeled, 2 * node + 1, lo, mid);
  ic::Hash256 r = build_forks(forks, labeled, 2 * node + 2, mid, hi);
  return forks[node] = fork_hash(l, r);
}

}  // namespace

struct StateTree::Node {
  bool is_leaf = false;
  ic::Bytes value;
  std::map<ic::Bytes, std::unique_ptr<Node>> children;
  bool dirty = true;
  TreeSnapshot snap;
  // Cache of this node's labeled hash under its parent, valid for `labeled_for`.
  TreeSnapshot labeled_for;
  ic::Hash256 labeled{};
};

StateTree::StateTree() : root_(std::make_unique<Node>()) {}
StateTree::~StateTree() = default;

void StateTree::set(const ic::Path& path, ic::Bytes value) {
  Node* n = root_.get();
  for (const auto& label : path) {
    n->dirty = true;
    n->is_leaf = false;
    auto& c = n->children[label];
    if (!c) c = std::make_unique<Node>();
    n = c.get();
  }
  if (n->is_leaf && n->value == value && !n->dirty) return;
  n->dirty = true;
  n->is_leaf = true;
  n->value = std::move(value);
  n->children.clear();
}

void StateTree::erase(const ic::Path& path) {
  if (path.empty()) {
    root_ = std::make_unique<Node>();
    return;
  }
  std::vector<Node*> trail;
  Node* n = root_.get();
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    auto it = n->children.find(path[i]);
    if (it == n->children.end()) return;
    trail.push_back(n);
    n = it->second.get();
  }
  if (n->children.erase(path.back()) == 0) return;
  n->dirty = true;
  for (Node* t : trail) t->dirty = true;
}

void StateTree::clear(const ic::Path& prefix) {
  Node* n = root_.get();
  std::vector<Node*> trail{n};
  for (const auto& label : prefix) {
    auto it = n->children.find(label);
    if (it == n->children.end()) return;
    n = it->second.get();
    trail.push_back(n);
  }
  if (n->children.empty()) return;
  n->children.clear();
  for (Node* t : trail) t->dirty = true;
}

namespace {
TreeSnapshot freeze(StateTree::Node& n);
}

TreeSnapshot StateTree::snapshot() { return freeze(*root_); }

namespace {

TreeSnapshot freeze(StateTree::Node& n) {
  if (!n.dirty && n.snap) return n.snap;
  auto s = std::make_shared<TreeSnapshotNode>();
  if (n.is_leaf) {
    s->is_leaf = true;
    s->value = n.value;
    s->hash = leaf_hash(n.value);
  } else {
    s->labels.reserve(n.children.size());
    s->children.reserve(n.children.size());
    s->labeled_hashes.reserve(n.children.size());
    for (auto& [label, child] : n.children) {
      TreeSnapshot cs = freeze(*child);
      if (child->labeled_for != cs) {
        child->labeled = labeled_hash(label, cs->hash);
        child->labeled_for = cs;
      }
      s->labels.push_back(label);
      s->children.push_back(cs);
      s->labeled_hashes.push_back(child->labeled);
    }
    if (s->labels.empty()) {
      s->hash = empty_hash();
    } else {
      s->forks.resize(4 * s->labels.size());
      s->hash = build_forks(s->forks, s->labeled_hashes, 0, 0, s->labels.size());
    }
  }
  n.snap = s;
  n.dirty = false;
  return s;
}

struct WitnessBuilder {
  const TreeSnapshotNode& t;
  size_t depth;
  std::vector<size_t> needed;                        // sorted child indices to show
  std::map<size_t, std::vector<ic::Path>> exact;     // child index -> paths continuing into it

  ic::HashTree build(size_t node, size_t lo, size_t hi) const {
    auto it = std::lower_bound(needed.begin(), needed.end(), lo);
    if (it == needed.end() || *it >= hi) return ic::HashTree::pruned(t.forks[node]);
    if (hi - lo == 1) {
      auto e = exact.find(lo);
      if (e != exact.end())
        return ic::HashTree::labeled(ic::ByteView(t.labels[lo]), t.children[lo]->witness(e->second, depth + 1));
      return ic::HashTree::labeled(ic::ByteView(t.labels[lo]), ic::HashTree::pruned(t.children[lo]->hash));
    }
    size_t mid = lo + (hi - lo) / 2;
    return ic::HashTree::fork(build(2 * node + 1, lo, mid), build(2 * node + 2, mid, hi));
  }
};

ic::HashTree full_range(const TreeSnapshotNode& t, size_t lo, size_t hi) {
  if (hi - lo == 1) return ic::HashTree::labeled(ic::ByteView(t.labels[lo]), t.children[lo]->full());
  size_t mid = lo + (hi - lo) / 2;
  return ic::HashTree::fork(full_range(t, lo, mid), full_range(t, mid, hi));
}

}  // namespace

ic::HashTree TreeSnapshotNode::full() const {
  if (is_leaf) return ic::HashTree::leaf(ic::ByteView(value));
  if (labels.empty()) return ic::HashTree::empty();
  return full_range(*this, 0, labels.size());
}

ic::HashTree TreeSnapshotNode::witness(std::span<const ic::Path> paths, size_t depth) const {
  if (paths.empty()) return ic::HashTree::pruned(hash);
  for (const auto& p : paths)
    if (p.size() <= depth) return full();
  if (is_leaf) return ic::HashTree::leaf(ic::ByteView(value));
  if (labels.empty()) return ic::HashTree::empty();
  WitnessBuilder b{*this, depth, {}, {}};
  std::set<size_t> need;
  for (const auto& p : paths) {
    const ic::Bytes& l = p[depth];
    auto it = std::lower_bound(labels.begin(), labels.end(), l);
    size_t idx = static_cast<size_t>(it - labels.begin());
    if (it != labels.end() && *it == l) {
      b.exact[idx].push_back(p);
      need.insert(idx);
    } else {
      // Absence proof: the neighbouring labels on both sides (§4.2).
      if (idx > 0) need.insert(idx - 1);
      if (idx < labels.size()) need.insert(idx);
    }
  }
  b.needed.assign(need.begin(), need.end());
  return b.build(0, 0, labels.size());
}

}  // namespace replica
