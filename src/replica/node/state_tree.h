// replica::node — the certified state tree (ic-protocol.md §4.5) kept incrementally: a mutable labeled
// tree that the round thread edits, frozen once per round into an immutable, shareable snapshot.
#pragma once

// Snapshots share every unchanged subtree with the previous one and cache every hash (leaf, labeled
// child, and the forks of each level's balanced fork tree), so a round re-hashes only the levels it
// touched and a witness for a few paths costs O(depth · log width), not a walk of the whole tree.

#include <map>
#include <memory>
#include <span>
#include <vector>

#include "ic/bytes.h"
#include "ic/hash_tree.h"
#include "ic/sha2.h"

namespace replica {

struct TreeSnapshotNode;
using TreeSnapshot = std::shared_ptr<const TreeSnapshotNode>;

// One level: either a leaf, or labeled children in increasing label order with a balanced fork tree.
struct TreeSnapshotNode {
  bool is_leaf = false;
  ic::Bytes value;                                  // leaf
  std::vector<ic::Bytes> labels;                    // children, sorted bytewise
  std::vector<TreeSnapshot> children;
  std::vector<ic::Hash256> labeled_hashes;          // H(labeled(label_i, child_i))
  std::vector<ic::Hash256> forks;                   // segment tree over labeled_hashes, node 0 = root
  ic::Hash256 hash{};                               // digest of this node as an ic::HashTree

  // The pruned witness revealing `paths` (each relative to this node); empty-path = whole subtree.
  ic::HashTree witness(std::span<const ic::Path> paths, size_t depth = 0) const;
  ic::HashTree full() const;
};

class StateTree {
 public:
  StateTree();
  ~StateTree();
  // Sets the leaf at `path` (creating inner levels). A path must not end inside another leaf's path.
  void set(const ic::Path& path, ic::Bytes value);
  // Removes the node at `path` (leaf or whole subtree); levels left empty stay (they hash as Empty).
  void erase(const ic::Path& path);
  // Removes every child of the node at `prefix` (keeps the node).
  void clear(const ic::Path& prefix);
  // An immutable snapshot of the current contents (re-hashing only what changed since the last one).
  TreeSnapshot snapshot();

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

}  // namespace replica
