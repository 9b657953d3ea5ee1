#include <catch2/catch.hpp>

#include "ic/hash_tree.h"
#include "ic/leb128.h"
#include "ic/principal.h"
#include "support/test_data.h"

using namespace ic;
using S = LookupStatus;

namespace {
Bytes hex(std::string_view h) { return from_hex(h).value(); }

// ic-protocol.md §4.1, from the spec's "Example" in the certification chapter.
constexpr const char* kSpecTree =
    "8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f6483018302416381"
    "00830241648203476d6f726e696e67";
constexpr const char* kSpecPruned =
    "83018301830241618301820458201b4feff9bef8131788b0c9dc6dbad6e81e524249c879e9f10f71ce3749f5a63883024179820345776f72"
    "6c6483024162820458207b32ac0c6ba8ce35ac82c255fc7906f7fc130dab2a090f80fe12f9c2cae83ba6830182045820ec8324b8a1f1ac16"
    "bd2e806edba78006479c9877fed4eb464a25485465af601d830241648203476d6f726e696e67";
constexpr const char* kSpecRoot = "eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0";

std::string text(const LookupResult& r) { return std::string(r.value.begin(), r.value.end()); }

struct Cert {
  HashTree tree;
  std::optional<HashTree> delegation_tree;
};
Cert load_cert(const std::string& name) {
  auto body = cbor::decode(testdata::read("certificates/" + name)).value();
  auto cert = cbor::decode(*body.untagged().get("certificate")->as_bytes()).value();
  Cert c{HashTree::from_cbor(*cert.untagged().get("tree")).value(), std::nullopt};
  if (auto* d = cert.untagged().get("delegation")) {
    auto inner = cbor::decode(*d->get("certificate")->as_bytes()).value();
    c.delegation_tree = HashTree::from_cbor(*inner.untagged().get("tree")).value();
  }
  return c;
}
}  // namespace

TEST_CASE("spec example tree and its pruned form share the root hash", "[hash_tree]") {
  auto full = HashTree::decode(hex(kSpecTree)).value();
  auto pruned = HashTree::decode(hex(kSpecPruned)).value();
  CHECK(to_hex(full.digest()) == kSpecRoot);
  CHECK(to_hex(pruned.digest()) == kSpecRoot);
  CHECK(to_hex(full.encode()) == kSpecTree);
  CHECK(to_hex(pruned.encode()) == kSpecPruned);
  CHECK(to_hex(cbor::encode(full.to_cbor())) == kSpecTree);
  CHECK(full.check_well_formed().ok());
  CHECK(pruned.check_well_formed().ok());

  // Full tree lookups.
  CHECK(text(full.lookup({"a", "x"})) == "hello");
  CHECK(text(full.lookup({"a", "y"})) == "world");
  CHECK(text(full.lookup({"b"})) == "good");
  CHECK(full.lookup({"c"}).status == S::Absent);  // c -> Empty
  CHECK(full.lookup({"a"}).status == S::Error);   // inner node
  CHECK(full.lookup({}).status == S::Error);
  CHECK(full.lookup({"b", "x"}).status == S::Absent);  // below a leaf
  CHECK(full.lookup({"a", "z"}).status == S::Absent);
}

TEST_CASE("spec lookups in the pruned tree (ic-protocol.md §4.2)", "[hash_tree]") {
  auto t = HashTree::decode(hex(kSpecPruned)).value();
  CHECK(t.lookup({"a", "a"}).status == S::Unknown);
  auto ay = t.lookup({"a", "y"});
  CHECK(ay.status == S::Found);
  CHECK(text(ay) == "world");
  CHECK(t.lookup({"aa"}).status == S::Absent);
  CHECK(t.lookup({"ax"}).status == S::Absent);
  CHECK(t.lookup({"b"}).status == S::Unknown);
  CHECK(t.lookup({"bb"}).status == S::Unknown);
  auto d = t.lookup({"d"});
  CHECK(d.status == S::Found);
  CHECK(text(d) == "morning");
  CHECK(t.lookup({"e"}).status == S::Absent);
  CHECK(t.lookup({""}).status == S::Absent);  // before the first label

  auto listing = t.list({});
  CHECK(listing.status == S::Found);
  CHECK(listing.nodes.size() == 4);  // a, b, pruned(c), d
  CHECK_FALSE(listing.complete());
  auto all = t.collect({});
  CHECK_FALSE(all.complete);
  REQUIRE(all.leaves.size() == 2);
  CHECK(std::string(all.leaves[1].second.begin(), all.leaves[1].second.end()) == "morning");
  auto full = HashTree::decode(hex(kSpecTree)).value();
  auto fa = full.collect(make_path({"a"}));
  CHECK(fa.complete);
  REQUIRE(fa.leaves.size() == 2);
  CHECK(to_hex(fa.leaves[0].first[0]) == "78");  // "x"
  CHECK(text({S::Found, fa.leaves[0].second}) == "hello");
}

TEST_CASE("reveal reproduces the spec's pruned tree", "[hash_tree]") {
  auto full = HashTree::decode(hex(kSpecTree)).value();
  std::vector<Path> paths = {make_path({"a", "y"}), make_path({"ax"}), make_path({"d"})};
  auto pruned = full.reveal(paths);
  CHECK(to_hex(pruned.encode()) == kSpecPruned);
  CHECK(to_hex(pruned.digest()) == kSpecRoot);
  // Revealing nothing prunes everything; revealing the root keeps everything.
  CHECK(full.reveal({}).kind() == HashTree::Kind::Pruned);
  std::vector<Path> root = {Path{}};
  CHECK(full.reveal(root).encode() == full.encode());
  // Absence proofs before the first and after the last label.
  std::vector<Path> edges = {make_path({"0"}), make_path({"z"}), make_path({"b", "q"})};
  auto e = full.reveal(edges);
  CHECK(e.digest() == full.digest());
  CHECK(e.lookup({"0"}).status == S::Absent);
  CHECK(e.lookup({"z"}).status == S::Absent);
  CHECK(e.lookup({"b", "q"}).status == S::Absent);
  CHECK(e.lookup({"a", "x"}).status == S::Unknown);
}

TEST_CASE("build makes well-formed trees that reveal and look up correctly", "[hash_tree]") {
  std::vector<std::pair<Path, Bytes>> entries;
  for (int i = 0; i < 50; ++i) {
    std::string k = "key" + std::to_string(i);
    entries.push_back({make_path({"canister", k, "value"}), to_bytes("v" + std::to_string(i))});
  }
  Bytes time;
  write_uleb(time, 1700000000000000000ull);
  entries.push_back({make_path({"time"}), time});
  auto tree = HashTree::build(entries).value();
  CHECK(tree.check_well_formed().ok());
  CHECK(text(tree.lookup({"canister", "key7", "value"})) == "v7");
  CHECK(tree.lookup({"canister", "key7", "other"}).status == S::Absent);
  CHECK(tree.lookup({"canister", "nokey"}).status == S::Absent);
  CHECK(tree.lookup({"canister"}).status == S::Error);
  auto canisters = tree.list(make_path({"canister"}));
  CHECK(canisters.nodes.size() == 50);
  CHECK(canisters.complete());
  CHECK(tree.collect(make_path({"canister"})).leaves.size() == 50);

  std::vector<Path> want = {make_path({"time"}), make_path({"canister", "key3"}), make_path({"canister", "key35x"})};
  auto pruned = tree.reveal(want);
  CHECK(pruned.digest() == tree.digest());
  CHECK(pruned.encode().size() < tree.encode().size());
  size_t pos = 0;
  auto t = pruned.lookup({"time"});
  REQUIRE(t.found());
  CHECK(read_uleb64(t.value, pos).value() == 1700000000000000000ull);
  CHECK(text(pruned.lookup({"canister", "key3", "value"})) == "v3");
  CHECK(pruned.lookup({"canister", "key35x"}).status == S::Absent);
  CHECK(pruned.lookup({"canister", "key4", "value"}).status == S::Unknown);

  // Builder refusals and edge cases.
  CHECK(HashTree::build({}).value().kind() == HashTree::Kind::Empty);
  auto dup = HashTree::build({{make_path({"a"}), {}}, {make_path({"a"}), {}}});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message.find("duplicate path /a") != std::string::npos);
  auto pre = HashTree::build({{make_path({"a", "b"}), {}}, {make_path({"a"}), {}}});
  REQUIRE_FALSE(pre.ok());
  CHECK(pre.error().message.find("prefix") != std::string::npos);
  // Equivalent to a hand-built tree for two entries.
  auto two = HashTree::build({{make_path({"b"}), to_bytes("2")}, {make_path({"a"}), to_bytes("1")}}).value();
  auto hand = HashTree::fork(HashTree::labeled("a", HashTree::leaf("1")), HashTree::labeled("b", HashTree::leaf("2")));
  CHECK(two.encode() == hand.encode());
}

TEST_CASE("floor_label picks the greatest label <= target, or says why not", "[hash_tree]") {
  auto tree = HashTree::build({{make_path({"r", "b"}), to_bytes("B")},
                               {make_path({"r", "d"}), to_bytes("D")},
                               {make_path({"r", "f"}), to_bytes("F")}})
                  .value();
  auto f = tree.floor_label(make_path({"r"}), as_view("e"));
  REQUIRE(f.status == S::Found);
  CHECK(to_hex(f.tree->label()) == "64");
  CHECK(tree.floor_label(make_path({"r"}), as_view("d")).tree->label() == to_bytes("d"));
  CHECK(tree.floor_label(make_path({"r"}), as_view("z")).tree->label() == to_bytes("f"));
  CHECK(tree.floor_label(make_path({"r"}), as_view("a")).status == S::Absent);
  CHECK(tree.floor_label(make_path({"x"}), as_view("a")).status == S::Absent);
  // With "d" pruned away, "e" (and "c") cannot be decided; an exact label and one past the last still can.
  std::vector<Path> keep = {make_path({"r", "b"}), make_path({"r", "f"})};
  auto pruned = tree.reveal(keep);
  CHECK(pruned.floor_label(make_path({"r"}), as_view("e")).status == S::Unknown);
  CHECK(pruned.floor_label(make_path({"r"}), as_view("c")).status == S::Unknown);
  CHECK(pruned.floor_label(make_path({"r"}), as_view("b")).status == S::Found);
  CHECK(pruned.floor_label(make_path({"r"}), as_view("g")).tree->label() == to_bytes("f"));
}

TEST_CASE("hash tree parsing refuses malformed nodes", "[hash_tree]") {
  auto bad = [](const char* h) {
    auto r = HashTree::decode(hex(h));
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(bad("80").find("non-empty array") != std::string::npos);
  CHECK(bad("8105").find("unknown node type") != std::string::npos);
  CHECK(bad("820100").find("node type 1 has 2 elements") != std::string::npos);
  CHECK(bad("83020000").find("label is not a byte string") != std::string::npos);
  CHECK(bad("82044100").find("pruned hash has 1 bytes") != std::string::npos);
  CHECK(bad("820360").find("leaf value") != std::string::npos);
  // Deep forks: limited (the CBOR decoder stops it first at 128 levels).
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "830181";
  deep += "00";
  for (int i = 0; i < 200; ++i) deep += "8100";
  CHECK_FALSE(HashTree::decode(hex(deep)).ok());
  cbor::Value v = HashTree().to_cbor();
  for (int i = 0; i < 20; ++i) v = HashTree::fork(HashTree::from_cbor(v).value(), HashTree()).to_cbor();
  CHECK(HashTree::from_cbor(v, 10).error().code == Errc::limit);
  CHECK(HashTree::from_cbor(v, 20).ok());
  // Malformed order is detected.
  auto unordered = HashTree::fork(HashTree::labeled("b", HashTree::leaf("1")), HashTree::labeled("a", HashTree::leaf("2")));
  CHECK_FALSE(unordered.check_well_formed().ok());
  auto mixed = HashTree::fork(HashTree::leaf("1"), HashTree::labeled("a", HashTree::leaf("2")));
  CHECK_FALSE(mixed.check_well_formed().ok());
}

TEST_CASE("lookups in real mainnet certificates", "[hash_tree]") {
  // ivg37_time.bin: v3 read_state of /time, 2025-11-22T07:34:56.688Z (ic-protocol.md §4.6).
  auto c = load_cert("ivg37_time.bin");
  CHECK(to_hex(c.tree.digest()).substr(0, 8) == "d3b2c4dd");
  CHECK(to_hex(c.tree.digest()).substr(60) == "d0b7");
  auto time = c.tree.lookup({"time"});
  REQUIRE(time.found());
  size_t pos = 0;
  uint64_t ns = read_uleb64(time.value, pos).value();
  CHECK(pos == time.value.size());
  CHECK(ns / 1000000 == 1763796896688ull);  // 2025-11-22T07:34:56.688Z in ms
  CHECK(c.tree.lookup({"request_status"}).status != S::Found);
  CHECK(c.tree.check_well_formed().ok());
  REQUIRE(c.delegation_tree);
  // Sharded canister ranges in the delegation (ic-protocol.md §4.3): qxesv-… holds ivg37.
  // The delegation reveals exactly one subnet's public key: qxesv-…-cae.
  auto subnets = c.delegation_tree->list(make_path({"subnet"}));
  REQUIRE(subnets.status == S::Found);
  const HashTree* sid = nullptr;
  for (auto* n : subnets.nodes)
    if (n->kind() == HashTree::Kind::Labeled) sid = n;
  REQUIRE(sid);
  Path key_path{to_bytes("subnet"), sid->label(), to_bytes("public_key")};
  auto key = c.delegation_tree->lookup_path(key_path);
  REQUIRE(key.found());
  CHECK(key.value.size() == 133);  // DER BLS key (ic-protocol.md §3.3)
  CHECK(Principal::from_bytes(sid->label()).value().to_text() ==
        "qxesv-zoxpm-vc64m-zxguk-5sj74-35vrb-tbgwg-pcird-5gr26-62oxl-cae");
  auto ecid = Principal::from_text("ivg37-qiaaa-aaaab-aaaga-cai").value();
  auto shard = c.delegation_tree->floor_label(Path{to_bytes("canister_ranges"), sid->label()}, ecid.view());
  REQUIRE(shard.status == S::Found);
  auto ranges = cbor::decode(shard.tree->subtree().value()).value();
  const auto* arr = ranges.untagged().as_array();
  REQUIRE(arr);
  bool inside = false;
  for (auto& r : *arr) {
    auto lo = Principal::from_bytes(*(*r.as_array())[0].as_bytes()).value();
    auto hi = Principal::from_bytes(*(*r.as_array())[1].as_bytes()).value();
    if (lo <= ecid && ecid <= hi) inside = true;
  }
  CHECK(inside);

  // The same certificate with the ranges pruned cannot prove the shard.
  auto p = load_cert("ivg37_time_pruned_ranges.bin");
  auto pshard = p.delegation_tree->floor_label(Path{to_bytes("canister_ranges"), sid->label()}, ecid.view());
  CHECK(pshard.status != S::Found);
  CHECK(p.tree.lookup({"time"}).found());
}

TEST_CASE("lookups in the 2022 v2 certificate", "[hash_tree]") {
  // ivg37_delegated_v2.bin: request_status edad510e…ff52 = rejected, code 3 (ic-protocol.md §4.6).
  auto c = load_cert("ivg37_delegated_v2.bin");
  Path base{to_bytes("request_status"), hex("edad510eaaa08ed2acd4781324e6446269da6753ec17760f206bbe81c465ff52")};
  auto status_path = base;
  status_path.push_back(to_bytes("status"));
  CHECK(text(c.tree.lookup_path(status_path)) == "rejected");
  auto code_path = base;
  code_path.push_back(to_bytes("reject_code"));
  auto code = c.tree.lookup_path(code_path);
  REQUIRE(code.found());
  size_t pos = 0;
  CHECK(read_uleb64(code.value, pos).value() == 3);
  auto msg_path = base;
  msg_path.push_back(to_bytes("reject_message"));
  CHECK(text(c.tree.lookup_path(msg_path)) == "Canister ivg37-qiaaa-aaaab-aaaga-cai has no update method 'register'");
  auto reply_path = base;
  reply_path.push_back(to_bytes("reply"));
  CHECK(c.tree.lookup_path(reply_path).status == S::Absent);
  CHECK(c.tree.lookup({"time"}).found());
  // Flat ranges in the delegation; pruned in the _pruned_subnet variant.
  auto subnets = c.delegation_tree->list(make_path({"subnet"}));
  const HashTree* s = nullptr;
  for (auto* n : subnets.nodes)
    if (n->kind() == HashTree::Kind::Labeled) s = n;
  REQUIRE(s);
  CHECK(Principal::from_bytes(s->label()).value().to_text().substr(0, 6) == "qxesv-");
  CHECK(c.delegation_tree->lookup_path(Path{to_bytes("subnet"), s->label(), to_bytes("canister_ranges")}).found());
  auto pr = load_cert("ivg37_delegated_v2_pruned_subnet.bin");
  CHECK(pr.delegation_tree->lookup_path(Path{to_bytes("subnet"), s->label(), to_bytes("canister_ranges")}).status ==
        S::Unknown);
}

TEST_CASE("the 224od /subnet certificate lists node keys", "[hash_tree]") {
  auto c = load_cert("224od_subnet.bin");
  CHECK(c.tree.check_well_formed().ok());
  auto all = c.tree.collect(make_path({"subnet"}));
  size_t node_keys = 0;
  for (auto& [path, value] : all.leaves)
    if (path.size() == 4 && std::string(path[1].begin(), path[1].end()) == "node" &&
        std::string(path[3].begin(), path[3].end()) == "public_key") {
      ++node_keys;
      CHECK(to_hex(value.first(12)) == "302a300506032b6570032100");  // Ed25519 DER (ic-protocol.md §1.6)
    }
  CHECK(node_keys >= 4);
  // Re-encoding and re-revealing keep the root hash.
  CHECK(HashTree::decode(c.tree.encode()).value().digest() == c.tree.digest());
  std::vector<Path> t = {make_path({"time"})};
  auto only_time = c.tree.reveal(t);
  CHECK(only_time.digest() == c.tree.digest());
  CHECK(only_time.lookup({"time"}).found());
  CHECK(only_time.collect(make_path({"subnet"})).leaves.empty());
}
