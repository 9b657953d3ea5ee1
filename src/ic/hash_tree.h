// Certificate hash trees (interface spec "Certification", ic-protocol.md §4.1/4.2): parse/encode,
// root hash, the spec's lookup semantics, and building/pruning trees for the local network.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ic/bytes.h"
#include "ic/cbor.h"
#include "ic/result.h"
#include "ic/sha2.h"

namespace ic {

using Path = std::vector<Bytes>;
// Path from text labels, e.g. make_path({"canister", as_text_of_bytes, "module_hash"}).
Path make_path(std::initializer_list<std::string_view> labels);

enum class LookupStatus { Found, Absent, Unknown, Error };
const char* lookup_status_name(LookupStatus s);

class HashTree;

// Found: `value` views the leaf inside the tree (valid while the tree lives).
struct LookupResult {
  LookupStatus status = LookupStatus::Absent;
  ByteView value;
  bool found() const { return status == LookupStatus::Found; }
};

struct SubtreeResult {
  LookupStatus status = LookupStatus::Absent;
  const HashTree* tree = nullptr;  // set when Found
};

class HashTree {
 public:
  enum class Kind : uint8_t { Empty = 0, Fork = 1, Labeled = 2, Leaf = 3, Pruned = 4 };  // CBOR node tags

  HashTree() = default;  // Empty
  static HashTree empty() { return HashTree(); }
  static HashTree fork(HashTree left, HashTree right);
  static HashTree labeled(ByteView label, HashTree subtree);
  static HashTree labeled(std::string_view label, HashTree subtree) { return labeled(as_view(label), std::move(subtree)); }
  static HashTree leaf(ByteView value);
  static HashTree leaf(std::string_view value) { return leaf(as_view(value)); }
  static HashTree pruned(const Hash256& hash);

  Kind kind() const { return kind_; }
  const Bytes& label() const { return data_; }        // Labeled
  const Bytes& value() const { return data_; }        // Leaf
  const Bytes& pruned_hash() const { return data_; }  // Pruned (32 bytes)
  const HashTree& left() const { return children_[0]; }     // Fork
  const HashTree& right() const { return children_[1]; }    // Fork
  const HashTree& subtree() const { return children_[0]; }  // Labeled

  // reconstruct(tree) of §4.1: the root hash that the certificate signs.
  Hash256 digest() const;

  // Node = [0] | [1, l, r] | [2, label, t] | [3, value] | [4, hash32]. Depth beyond max_depth is refused.
  static Result<HashTree> from_cbor(const cbor::Value& v, size_t max_depth = 128);
  static Result<HashTree> decode(ByteView cbor_bytes);
  cbor::Value to_cbor() const;
  Bytes encode() const;

  // §4.2 lookup_path: Found (leaf value), Absent (provably not there), Unknown (pruned away), or Error
  // (the path ends at an inner node).
  LookupResult lookup_path(std::span<const ByteView> path) const;
  LookupResult lookup_path(const Path& path) const;
  LookupResult lookup(std::initializer_list<std::string_view> path) const;
  // Like lookup_path but Found for any node at the path (a subtree), e.g. /canister_ranges/<sid>.
  SubtreeResult lookup_subtree(const Path& path) const;

  // The children of the node at `prefix` with forks flattened, in order: Labeled nodes, plus Pruned
  // nodes standing for unknown siblings (and a Leaf if the tree is malformed). Empty when not Found.
  struct Listing {
    LookupStatus status = LookupStatus::Absent;
    std::vector<const HashTree*> nodes;
    bool complete() const;  // no Pruned sibling: the labels listed are all there are
  };
  Listing list(const Path& prefix) const;

  // The Labeled child of `prefix` with the greatest label <= `label` (sharded /canister_ranges/<sid>,
  // ic-protocol.md §4.3). Found: `tree` is that Labeled node. Absent: provably none. Unknown: a pruned
  // sibling could hide it.
  SubtreeResult floor_label(const Path& prefix, ByteView label) const;

  // lookup*(prefix): every leaf whose path starts with `prefix`, in tree order, with the labels after
  // the prefix. `complete` is false when some part under the prefix is pruned (or the prefix is Unknown).
  struct Collected {
    std::vector<std::pair<std::vector<ByteView>, ByteView>> leaves;
    bool complete = true;
  };
  Collected collect(const Path& prefix) const;

  // Spec well_formed(): labels strictly increasing among flattened siblings, no leaf mixed with them.
  Status check_well_formed() const;

  // A well-formed labeled tree (balanced forks) holding exactly these path -> leaf entries, in any
  // order. Refuses duplicate paths and a path that is a prefix of another (a node cannot be both).
  static Result<HashTree> build(std::vector<std::pair<Path, Bytes>> entries);

  // The same tree with everything pruned except what proves each path: the whole subtree at a path
  // that exists, or the neighbouring labels that prove a missing one absent (what read_state returns).
  HashTree reveal(std::span<const Path> paths) const;

 private:
  Kind kind_ = Kind::Empty;
  Bytes data_;
  std::vector<HashTree> children_;
};

}  // namespace ic
