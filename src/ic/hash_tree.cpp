#include "ic/hash_tree.h"

#include <algorithm>
#include <cstring>

namespace ic {

namespace {

int cmp_label(ByteView a, ByteView b) {
  size_t n = std::min(a.size(), b.size());
  if (n) {
    if (int c = std::memcmp(a.data(), b.data(), n)) return c < 0 ? -1 : 1;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// §4.1 domain separators: byte(len) · tag.
constexpr std::string_view kSepEmpty = "\x11ic-hashtree-empty";
constexpr std::string_view kSepFork = "\x10ic-hashtree-fork";
constexpr std::string_view kSepLabeled = "\x13ic-hashtree-labeled";
constexpr std::string_view kSepLeaf = "\x10ic-hashtree-leaf";

Hash256 fork_hash(const Hash256& l, const Hash256& r) {
  Sha256 h;
  h.update(kSepFork);
  h.update(l);
  h.update(r);
  return h.finish();
}

void flatten(const HashTree& t, std::vector<const HashTree*>& out) {
  if (t.kind() == HashTree::Kind::Empty) return;
  if (t.kind() == HashTree::Kind::Fork) {
    flatten(t.left(), out);
    flatten(t.right(), out);
    return;
  }
  out.push_back(&t);
}

bool is_labeled(const HashTree* t) { return t->kind() == HashTree::Kind::Labeled; }

// §4.2 find_label over the flattened siblings.
SubtreeResult find_label(ByteView l, const std::vector<const HashTree*>& list) {
  for (auto* t : list)
    if (is_labeled(t) && cmp_label(t->label(), l) == 0) return {LookupStatus::Found, &t->subtree()};
  for (size_t i = 0; i + 1 < list.size(); ++i)
    if (is_labeled(list[i]) && is_labeled(list[i + 1]) && cmp_label(list[i]->label(), l) < 0 &&
        cmp_label(l, list[i + 1]->label()) < 0)
      return {LookupStatus::Absent, nullptr};
  if (list.empty()) return {LookupStatus::Absent, nullptr};
  if (is_labeled(list.front()) && cmp_label(l, list.front()->label()) < 0) return {LookupStatus::Absent, nullptr};
  if (is_labeled(list.back()) && cmp_label(list.back()->label(), l) < 0) return {LookupStatus::Absent, nullptr};
  if (list.size() == 1 && list[0]->kind() == HashTree::Kind::Leaf) return {LookupStatus::Absent, nullptr};
  return {LookupStatus::Unknown, nullptr};
}

SubtreeResult walk(const HashTree& root, std::span<const ByteView> path) {
  const HashTree* t = &root;
  std::vector<const HashTree*> list;
  for (ByteView l : path) {
    list.clear();
    flatten(*t, list);
    SubtreeResult r = find_label(l, list);
    if (r.status != LookupStatus::Found) return r;
    t = r.tree;
  }
  return {LookupStatus::Found, t};
}

std::vector<ByteView> views(const Path& p) { return std::vector<ByteView>(p.begin(), p.end()); }

Error tree_error(size_t depth, const std::string& what) {
  return make_error(Errc::decode, "hash tree: " + what + " (node at depth " + std::to_string(depth) + ")",
                    "the certificate or tree is malformed");
}

}  // namespace

Path make_path(std::initializer_list<std::string_view> labels) {
  Path p;
  for (auto l : labels) p.push_back(to_bytes(l));
  return p;
}

const char* lookup_status_name(LookupStatus s) {
  switch (s) {
    case LookupStatus::Found: return "found";
    case LookupStatus::Absent: return "absent";
    case LookupStatus::Unknown: return "unknown (not covered by the certificate)";
    case LookupStatus::Error: return "error (path ends at an inner node)";
  }
  return "?";
}

HashTree HashTree::fork(HashTree left, HashTree right) {
  HashTree t;
  t.kind_ = Kind::Fork;
  t.children_.reserve(2);
  t.children_.push_back(std::move(left));
  t.children_.push_back(std::move(right));
  return t;
}
HashTree HashTree::labeled(ByteView label, HashTree subtree) {
  HashTree t;
  t.kind_ = Kind::Labeled;
  t.data_.assign(label.begin(), label.end());
  t.children_.push_back(std::move(subtree));
  return t;
}
HashTree HashTree::leaf(ByteView value) {
  HashTree t;
  t.kind_ = Kind::Leaf;
  t.data_.assign(value.begin(), value.end());
  return t;
}
HashTree HashTree::pruned(const Hash256& hash) {
  HashTree t;
  t.kind_ = Kind::Pruned;
  t.data_.assign(hash.begin(), hash.end());
  return t;
}

Hash256 HashTree::digest() const {
  Sha256 h;
  switch (kind_) {
    case Kind::Empty: h.update(kSepEmpty); break;
    case Kind::Fork: return fork_hash(left().digest(), right().digest());
    case Kind::Labeled:
      h.update(kSepLabeled);
      h.update(data_);
      h.update(subtree().digest());
      break;
    case Kind::Leaf:
      h.update(kSepLeaf);
      h.update(data_);
      break;
    case Kind::Pruned: {
      Hash256 r;
      std::copy(data_.begin(), data_.end(), r.begin());
      return r;
    }
  }
  return h.finish();
}

Result<HashTree> HashTree::from_cbor(const cbor::Value& v, size_t max_depth) {
  struct Parser {
    size_t max_depth;
    Result<HashTree> node(const cbor::Value& v, size_t depth) {
      if (depth > max_depth) return make_error(Errc::limit, "hash tree: nested deeper than " + std::to_string(max_depth));
      const cbor::Array* a = v.as_array();
      if (!a || a->empty()) return tree_error(depth, "expected a non-empty array, found " + cbor::diagnostic(v, 40));
      auto tag = (*a)[0].as_uint();
      if (!tag || *tag > 4) return tree_error(depth, "unknown node type " + cbor::diagnostic((*a)[0], 20));
      static constexpr size_t kArity[] = {1, 3, 3, 2, 2};
      if (a->size() != kArity[*tag])
        return tree_error(depth, "node type " + std::to_string(*tag) + " has " + std::to_string(a->size()) +
                                     " elements, expected " + std::to_string(kArity[*tag]));
      auto blob = [&](size_t i, const char* what) -> Result<ByteView> {
        const Bytes* b = (*a)[i].as_bytes();
        if (!b) return tree_error(depth, std::string(what) + " is not a byte string");
        return ByteView(*b);
      };
      switch (static_cast<Kind>(*tag)) {
        case Kind::Empty: return HashTree();
        case Kind::Fork: {
          IC_TRY(HashTree l, node((*a)[1], depth + 1));
          IC_TRY(HashTree r, node((*a)[2], depth + 1));
          return fork(std::move(l), std::move(r));
        }
        case Kind::Labeled: {
          IC_TRY(ByteView label, blob(1, "label"));
          IC_TRY(HashTree t, node((*a)[2], depth + 1));
          return labeled(label, std::move(t));
        }
        case Kind::Leaf: {
          IC_TRY(ByteView value, blob(1, "leaf value"));
          return leaf(value);
        }
        case Kind::Pruned: {
          IC_TRY(ByteView h, blob(1, "pruned hash"));
          if (h.size() != 32) return tree_error(depth, "pruned hash has " + std::to_string(h.size()) + " bytes, expected 32");
          Hash256 hash;
          std::copy(h.begin(), h.end(), hash.begin());
          return pruned(hash);
        }
      }
      return tree_error(depth, "unreachable");
    }
  };
  return Parser{max_depth}.node(v.untagged(), 0);
}

Result<HashTree> HashTree::decode(ByteView cbor_bytes) {
  IC_TRY(cbor::Value v, cbor::decode(cbor_bytes));
  return from_cbor(v);
}

cbor::Value HashTree::to_cbor() const {
  cbor::Array a{cbor::Value::uint(static_cast<uint64_t>(kind_))};
  switch (kind_) {
    case Kind::Empty: break;
    case Kind::Fork:
      a.push_back(left().to_cbor());
      a.push_back(right().to_cbor());
      break;
    case Kind::Labeled:
      a.push_back(cbor::Value::bytes(data_));
      a.push_back(subtree().to_cbor());
      break;
    case Kind::Leaf:
    case Kind::Pruned: a.push_back(cbor::Value::bytes(data_)); break;
  }
  return cbor::Value::array(std::move(a));
}

namespace {
void encode_node(Bytes& out, const HashTree& t) {
  using K = HashTree::Kind;
  static constexpr uint8_t kArity[] = {1, 3, 3, 2, 2};
  cbor::write_head(out, 4, kArity[static_cast<int>(t.kind())]);
  out.push_back(static_cast<uint8_t>(t.kind()));  // 0..4 encode as themselves
  switch (t.kind()) {
    case K::Empty: return;
    case K::Fork:
      encode_node(out, t.left());
      encode_node(out, t.right());
      return;
    case K::Labeled:
      cbor::write_head(out, 2, t.label().size());
      out.insert(out.end(), t.label().begin(), t.label().end());
      encode_node(out, t.subtree());
      return;
    case K::Leaf:
    case K::Pruned:
      cbor::write_head(out, 2, t.value().size());
      out.insert(out.end(), t.value().begin(), t.value().end());
      return;
  }
}
}  // namespace

Bytes HashTree::encode() const {
  Bytes out;
  encode_node(out, *this);
  return out;
}

LookupResult HashTree::lookup_path(std::span<const ByteView> path) const {
  SubtreeResult r = walk(*this, path);
  if (r.status != LookupStatus::Found) return {r.status, {}};
  switch (r.tree->kind()) {
    case Kind::Empty: return {LookupStatus::Absent, {}};
    case Kind::Leaf: return {LookupStatus::Found, r.tree->value()};
    case Kind::Pruned: return {LookupStatus::Unknown, {}};
    default: return {LookupStatus::Error, {}};
  }
}

LookupResult HashTree::lookup_path(const Path& path) const {
  auto v = views(path);
  return lookup_path(std::span<const ByteView>(v));
}

LookupResult HashTree::lookup(std::initializer_list<std::string_view> path) const {
  std::vector<ByteView> v;
  for (auto s : path) v.push_back(as_view(s));
  return lookup_path(std::span<const ByteView>(v));
}

SubtreeResult HashTree::lookup_subtree(const Path& path) const {
  auto v = views(path);
  return walk(*this, v);
}

bool HashTree::Listing::complete() const {
  return std::none_of(nodes.begin(), nodes.end(), [](const HashTree* t) { return t->kind() == Kind::Pruned; });
}

HashTree::Listing HashTree::list(const Path& prefix) const {
  Listing out;
  SubtreeResult r = lookup_subtree(prefix);
  out.status = r.status;
  if (r.status == LookupStatus::Found) flatten(*r.tree, out.nodes);
  return out;
}

SubtreeResult HashTree::floor_label(const Path& prefix, ByteView label) const {
  Listing l = list(prefix);
  if (l.status != LookupStatus::Found) return {l.status, nullptr};
  const HashTree* best = nullptr;
  bool hidden = false;  // a pruned sibling after `best` and before the first label > `label`
  for (const HashTree* t : l.nodes) {
    if (t->kind() == Kind::Pruned) {
      hidden = true;
    } else if (t->kind() == Kind::Labeled) {
      int c = cmp_label(t->label(), label);
      if (c > 0) break;
      if (c == 0) return {LookupStatus::Found, t};  // exact: nothing pruned can beat it
      best = t;
      hidden = false;
    } else {
      return {LookupStatus::Error, nullptr};  // a leaf among labeled siblings: malformed
    }
  }
  if (hidden) return {LookupStatus::Unknown, nullptr};
  if (!best) return {LookupStatus::Absent, nullptr};
  return {LookupStatus::Found, best};
}

HashTree::Collected HashTree::collect(const Path& prefix) const {
  Collected out;
  SubtreeResult r = lookup_subtree(prefix);
  if (r.status == LookupStatus::Unknown) out.complete = false;
  if (r.status != LookupStatus::Found) return out;
  std::vector<ByteView> path;
  struct Visitor {
    Collected& out;
    std::vector<ByteView>& path;
    void visit(const HashTree& t) {
      switch (t.kind()) {
        case Kind::Empty: return;
        case Kind::Fork:
          visit(t.left());
          visit(t.right());
          return;
        case Kind::Labeled:
          path.push_back(t.label());
          visit(t.subtree());
          path.pop_back();
          return;
        case Kind::Leaf: out.leaves.emplace_back(path, t.value()); return;
        case Kind::Pruned: out.complete = false; return;
      }
    }
  };
  Visitor{out, path}.visit(*r.tree);
  return out;
}

Status HashTree::check_well_formed() const {
  if (kind_ == Kind::Leaf) return {};
  std::vector<const HashTree*> list;
  flatten(*this, list);
  const HashTree* prev = nullptr;
  for (const HashTree* t : list) {
    if (t->kind() == Kind::Leaf)
      return make_error(Errc::decode, "hash tree is not well formed: a leaf is mixed with other nodes");
    if (t->kind() != Kind::Labeled) continue;
    if (prev && cmp_label(prev->label(), t->label()) >= 0)
      return make_error(Errc::decode, "hash tree is not well formed: label '" + to_hex(t->label()) +
                                          "' (hex) does not follow '" + to_hex(prev->label()) + "' in increasing order");
    prev = t;
    if (auto st = t->subtree().check_well_formed(); !st.ok())
      return std::move(st).take_error().context("under label '" + to_hex(t->label()) + "' (hex)");
  }
  return {};
}

namespace {
HashTree balanced(std::vector<HashTree>& nodes, size_t b, size_t e) {
  if (b == e) return HashTree();
  if (e - b == 1) return std::move(nodes[b]);
  size_t mid = b + (e - b + 1) / 2;
  HashTree l = balanced(nodes, b, mid);
  HashTree r = balanced(nodes, mid, e);
  return HashTree::fork(std::move(l), std::move(r));
}

HashTree build_level(std::vector<std::pair<Path, Bytes>>& entries, size_t b, size_t e, size_t depth) {
  if (e - b == 1 && entries[b].first.size() == depth) return HashTree::leaf(entries[b].second);
  std::vector<HashTree> nodes;
  for (size_t i = b; i < e;) {
    size_t j = i + 1;
    while (j < e && entries[j].first[depth] == entries[i].first[depth]) ++j;
    nodes.push_back(HashTree::labeled(entries[i].first[depth], build_level(entries, i, j, depth + 1)));
    i = j;
  }
  return balanced(nodes, 0, nodes.size());
}
}  // namespace

Result<HashTree> HashTree::build(std::vector<std::pair<Path, Bytes>> entries) {
  std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (size_t i = 0; i + 1 < entries.size(); ++i) {
    const Path& p = entries[i].first;
    const Path& q = entries[i + 1].first;
    if (p.size() <= q.size() && std::equal(p.begin(), p.end(), q.begin())) {
      std::string shown;
      for (auto& l : p) shown += "/" + std::string(l.begin(), l.end());
      return make_error(Errc::invalid_input,
                        p.size() == q.size() ? "hash tree: duplicate path " + shown
                                             : "hash tree: path " + shown + " is both a leaf and a prefix of another path");
    }
  }
  if (entries.empty()) return HashTree();
  return build_level(entries, 0, entries.size(), 0);
}

namespace {

using Suffix = std::span<const Bytes>;

HashTree reveal_node(const HashTree& t, const std::vector<Suffix>& paths);

struct Mark {
  bool full = false;        // reveal the labeled child, recursing with `subs`
  bool label_only = false;  // keep the label (an absence proof needs it), prune below
  std::vector<Suffix> subs;
};

struct Rebuilt {
  HashTree tree;
  bool needed;
  Hash256 hash;  // valid when !needed
};

Rebuilt rebuild(const HashTree& t, std::vector<Mark>& marks, size_t& counter) {
  using K = HashTree::Kind;
  if (t.kind() == K::Empty) return {HashTree(), false, t.digest()};
  if (t.kind() == K::Fork) {
    Rebuilt l = rebuild(t.left(), marks, counter);
    Rebuilt r = rebuild(t.right(), marks, counter);
    if (!l.needed && !r.needed) {
      Hash256 h = fork_hash(l.hash, r.hash);
      return {HashTree::pruned(h), false, h};
    }
    return {HashTree::fork(std::move(l.tree), std::move(r.tree)), true, {}};
  }
  Mark& m = marks[counter++];  // same order as flatten()
  if (m.full) {
    if (t.kind() == K::Labeled) return {HashTree::labeled(t.label(), reveal_node(t.subtree(), m.subs)), true, {}};
    return {t, true, {}};
  }
  if (m.label_only) return {HashTree::labeled(t.label(), HashTree::pruned(t.subtree().digest())), true, {}};
  Hash256 h = t.digest();
  return {HashTree::pruned(h), false, h};
}

HashTree reveal_node(const HashTree& t, const std::vector<Suffix>& paths) {
  using K = HashTree::Kind;
  if (paths.empty()) return HashTree::pruned(t.digest());
  for (auto& p : paths)
    if (p.empty()) return t;  // the whole subtree at a requested path
  if (t.kind() != K::Fork && t.kind() != K::Labeled) return t;  // Leaf/Empty/Pruned prove themselves
  std::vector<const HashTree*> list;
  flatten(t, list);
  std::vector<Mark> marks(list.size());
  for (const Suffix& p : paths) {
    ByteView l = p[0];
    bool found = false;
    long before = -1, after = -1;  // adjacent labeled neighbours proving absence
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i]->kind() == K::Leaf && list.size() == 1) marks[i].full = true;
      if (list[i]->kind() != K::Labeled) continue;
      int c = cmp_label(list[i]->label(), l);
      if (c == 0) {
        marks[i].full = true;
        marks[i].subs.push_back(p.subspan(1));
        found = true;
        break;
      }
      if (c < 0) before = static_cast<long>(i);
      if (c > 0) {
        after = static_cast<long>(i);
        break;
      }
    }
    if (!found) {
      if (before >= 0) marks[static_cast<size_t>(before)].label_only = true;
      if (after >= 0) marks[static_cast<size_t>(after)].label_only = true;
    }
  }
  size_t counter = 0;
  return rebuild(t, marks, counter).tree;
}

}  // namespace

HashTree HashTree::reveal(std::span<const Path> paths) const {
  std::vector<Suffix> suffixes(paths.begin(), paths.end());
  return reveal_node(*this, suffixes);
}

}  // namespace ic
