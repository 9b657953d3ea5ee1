// The signature scheme: KeyGen (EIP-2333 master-key vectors use the same HKDF_mod_r), keys and
// signatures against noble, verification outcomes, the key cache, DER keys, and the real mainnet
// certificates in tests/data/certificates (every signature verifies; any flipped leaf or signature bit fails).
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include "bls/bls.h"
#include "ic/cbor.h"
#include "ic/hash_tree.h"
#include "test_util.h"

using namespace bls;
using namespace blstest;

namespace {

// ic-protocol.md §3.4.
const char* kMainnetRootKeyDer =
    "308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100"
    "814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e4"
    "67db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae";

std::string sk_hex(const SecretKey& sk) { return hex(sk.to_bytes()); }

// ---- certificates (ic-protocol.md §4.1, §4.3)

struct Cert {
  ic::HashTree tree;
  ic::Bytes signature;
  ic::Bytes subnet_id;
  std::shared_ptr<Cert> delegation;
};

Cert parse_cert(ic::ByteView bytes) {
  auto v = ic::cbor::decode(bytes).value();
  const auto& m = v.untagged();
  Cert c{ic::HashTree::from_cbor(*m.get("tree")).value(), *m.get("signature")->as_bytes(), {}, nullptr};
  const auto* d = m.get("delegation");
  if (d && !d->is_null()) {
    c.subnet_id = *d->get("subnet_id")->as_bytes();
    c.delegation = std::make_shared<Cert>(parse_cert(*d->get("certificate")->as_bytes()));
  }
  return c;
}

Cert load_response(const std::string& name) {
  auto body = ic::cbor::decode(testdata::read("certificates/" + name)).value();
  return parse_cert(*body.untagged().get("certificate")->as_bytes());
}

ic::Bytes state_root_message(const ic::HashTree& tree) {
  ic::Bytes msg = ic::to_bytes("\x0Dic-state-root");
  ic::Hash256 root = tree.digest();
  msg.insert(msg.end(), root.begin(), root.end());
  return msg;
}

// verify_cert of §4.3 without the freshness and range checks (not BLS concerns).
bool verify_cert(const Cert& c, const PublicKey& root, PublicKeyCache& cache) {
  PublicKey key = root;
  if (c.delegation) {
    if (c.delegation->delegation) return false;
    if (!verify_cert(*c.delegation, root, cache)) return false;
    auto r = c.delegation->tree.lookup_path(ic::Path{ic::to_bytes("subnet"), c.subnet_id, ic::to_bytes("public_key")});
    if (!r.found()) return false;
    auto pk = cache.get_der(r.value);
    if (!pk) return false;
    key = *pk;
  }
  return verify(c.signature, state_root_message(c.tree), key);
}

size_t count_leaves(const ic::HashTree& t) {
  using K = ic::HashTree::Kind;
  switch (t.kind()) {
    case K::Leaf: return 1;
    case K::Fork: return count_leaves(t.left()) + count_leaves(t.right());
    case K::Labeled: return count_leaves(t.subtree());
    default: return 0;
  }
}

// The same tree with one bit flipped in the `target`-th leaf (an empty leaf gets one byte instead).
ic::HashTree flip_leaf(const ic::HashTree& t, size_t& index, size_t target) {
  using K = ic::HashTree::Kind;
  switch (t.kind()) {
    case K::Leaf: {
      ic::Bytes v = t.value();
      if (index++ == target) {
        if (v.empty()) v.push_back(1);
        else v[v.size() / 2] ^= 0x04;
      }
      return ic::HashTree::leaf(v);
    }
    case K::Fork: {
      ic::HashTree l = flip_leaf(t.left(), index, target);
      return ic::HashTree::fork(std::move(l), flip_leaf(t.right(), index, target));
    }
    case K::Labeled: return ic::HashTree::labeled(ic::ByteView(t.label()), flip_leaf(t.subtree(), index, target));
    case K::Pruned: {
      ic::Hash256 h;
      std::copy(t.pruned_hash().begin(), t.pruned_hash().end(), h.begin());
      return ic::HashTree::pruned(h);
    }
    default: return ic::HashTree::empty();
  }
}

const char* kCertFiles[] = {"ivg37_time.bin", "ivg37_time_pruned_ranges.bin", "ivg37_delegated_v2.bin",
                            "ivg37_delegated_v2_pruned_subnet.bin", "224od_subnet.bin"};

}  // namespace

TEST_CASE("KeyGen: EIP-2333 master keys (same HKDF_mod_r as draft-irtf-cfrg-bls-signature §2.3)") {
  struct V {
    const char* seed;
    const char* sk;  // the decimal EIP-2333 values, in hex
  } vectors[] = {
      {"c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04",
       "0d7359d57963ab8fbbde1852dcf553fedbc31f464d80ee7d40ae683122b45070"},
      {"3141592653589793238462643383279502884197169399375105820974944592",
       "41c9e07822b092a93fd6797396338c3ada4170cc81829fdfce6b5d34bd5e7ec7"},
      {"0099ff991111002299dd7744ee3355bbdd8844115566cc55663355668888cc00",
       "3cfa341ab3910a7d00d933d8f7c4fe87c91798a0397421d6b19fd5b815132e80"},
      {"d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3",
       "2a0e28ffa5fbbe2f8e7aad4ed94f745d6bf755c51182e119bb1694fe61d3afca"},
  };
  for (const auto& v : vectors) {
    auto sk = SecretKey::generate(unhex(v.seed));
    REQUIRE(sk.ok());
    CHECK(sk_hex(*sk) == v.sk);
  }
  // Too little keying material is refused.
  auto short_ikm = SecretKey::generate(ic::Bytes(31, 7));
  REQUIRE_FALSE(short_ikm.ok());
  CHECK(short_ikm.error().code == ic::Errc::invalid_input);
}

TEST_CASE("KeyGen with key_info, and public keys, match Node's HKDF and noble") {
  auto v = load_json("bls/noble_vectors.json");
  for (const auto& c : v["keygen"]) {
    auto sk = SecretKey::generate(unhex(c["ikm"]), unhex(c["key_info"]));
    REQUIRE(sk.ok());
    CHECK(sk_hex(*sk) == c["sk"]);
    CHECK(hex(public_key(*sk).bytes()) == c["pk"]);
  }
}

TEST_CASE("public keys and signatures equal noble's for fixed secrets and messages") {
  auto v = load_json("bls/noble_vectors.json");
  REQUIRE(v["dst"] == std::string(kSignatureDst));
  std::vector<ic::Bytes> messages;
  for (const auto& m : v["messages"]) messages.push_back(unhex(m));
  int n = 0;
  for (const auto& k : v["keys"]) {
    auto sk = SecretKey::from_bytes(unhex(k["sk"]));
    REQUIRE(sk.ok());
    CHECK(sk_hex(*sk) == k["sk"]);
    PublicKey pk = public_key(*sk);
    CHECK(hex(pk.bytes()) == k["pk"]);
    auto parsed = PublicKey::from_bytes(unhex(k["pk"]));
    REQUIRE(parsed.ok());
    for (size_t i = 0; i < messages.size(); ++i) {
      Signature sig = sign(*sk, messages[i]);
      CHECK(hex(sig) == k["signatures"][i]);  // BLS signatures are deterministic
      CHECK(verify(sig, messages[i], *parsed));
      ++n;
    }
  }
  CHECK(n == 32);
}

TEST_CASE("verification outcomes equal noble's (right and wrong message, key, signature)") {
  auto v = load_json("bls/noble_vectors.json");
  int valid = 0, invalid = 0;
  for (const auto& c : v["verify"]) {
    bool expected = c["valid"];
    CHECK(verify(unhex(c["sig"]), unhex(c["msg"]), unhex(c["pk"])) == expected);
    (expected ? valid : invalid)++;
  }
  CHECK(valid == 12);
  CHECK(invalid == 36);
}

TEST_CASE("sign/verify round trip; wrong message, key or signature fail with reasons") {
  auto sk = SecretKey::generate(ic::Bytes(32, 0x42)).value();
  auto other = SecretKey::generate(ic::Bytes(32, 0x43)).value();
  PublicKey pk = public_key(sk), pk2 = public_key(other);
  ic::Bytes msg = ic::to_bytes("\x0Dic-state-root0123456789abcdef0123456789abcdef");
  Signature sig = sign(sk, msg);
  CHECK(verify(sig, msg, pk));
  CHECK(verify(sig, msg, pk.bytes()));
  CHECK(check_signature(sig, msg, pk).ok());

  ic::Bytes wrong = msg;
  wrong.back() ^= 1;
  auto st = check_signature(sig, wrong, pk);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == ic::Errc::crypto);
  CHECK_FALSE(verify(sig, msg, pk2));
  CHECK_FALSE(verify(sign(other, msg), msg, pk));
  // Prefix/suffix changes and the empty message.
  CHECK_FALSE(verify(sig, ic::ByteView(msg.data(), msg.size() - 1), pk));
  CHECK(verify(sign(sk, {}), {}, pk));

  // Every single-bit change of the signature is refused (malformed or not verifying).
  for (size_t bit = 0; bit < 48 * 8; bit += 5) {
    Signature s = sig;
    s[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    REQUIRE_FALSE(verify(s, msg, pk));
  }
  // The identity is never a valid signature nor a valid key; lengths are checked.
  Signature inf{};
  inf[0] = 0xc0;
  auto st2 = check_signature(inf, msg, pk);
  REQUIRE_FALSE(st2.ok());
  CHECK(st2.error().code == ic::Errc::crypto);
  PublicKeyBytes inf_pk{};
  inf_pk[0] = 0xc0;
  auto bad_pk = PublicKey::from_bytes(inf_pk);
  REQUIRE_FALSE(bad_pk.ok());
  CHECK(bad_pk.error().code == ic::Errc::decode);
  CHECK_FALSE(verify(ic::ByteView(sig.data(), 47), msg, pk));
  auto st3 = check_signature(ic::ByteView(sig.data(), 47), msg, pk);
  REQUIRE_FALSE(st3.ok());
  CHECK(st3.error().code == ic::Errc::decode);
  CHECK_FALSE(verify(sig, msg, ic::ByteView(pk.bytes().data(), 95)));
}

TEST_CASE("secret keys: range checks and encoding") {
  CHECK_FALSE(SecretKey::from_bytes(ic::Bytes(32, 0)).ok());
  CHECK_FALSE(SecretKey::from_bytes(unhex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")).ok());
  CHECK_FALSE(SecretKey::from_bytes(ic::Bytes(31, 1)).ok());
  auto max = SecretKey::from_bytes(unhex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"));
  REQUIRE(max.ok());
  // sk = r - 1 gives -g2.
  CHECK(from_affine(public_key(*max).point()) == -g2_generator());
  auto one = SecretKey::from_bytes(unhex("0000000000000000000000000000000000000000000000000000000000000001")).value();
  CHECK(hex(public_key(one).bytes()) == hex(compress(to_affine(g2_generator()))));
}

TEST_CASE("DER public keys (ic-protocol.md §3.3, §3.4)") {
  ic::Bytes der = unhex(kMainnetRootKeyDer);
  auto pk = PublicKey::from_der(der);
  REQUIRE(pk.ok());
  CHECK(pk->to_der() == der);
  CHECK(hex(pk->bytes()) == std::string(kMainnetRootKeyDer).substr(74));
  auto raw = public_key_from_der(der);
  REQUIRE(raw.ok());
  CHECK(public_key_to_der(*raw) == der);

  ic::Bytes bad = der;
  bad[10] ^= 1;  // inside the algorithm OID
  CHECK_FALSE(public_key_from_der(bad).ok());
  CHECK_FALSE(public_key_from_der(ic::ByteView(der.data(), 132)).ok());
  ic::Bytes longer = der;
  longer.push_back(0);
  CHECK_FALSE(PublicKey::from_der(longer).ok());
  ic::Bytes bad_point = der;
  bad_point[60] ^= 1;  // valid prefix, x off the curve or outside G2
  auto r = PublicKey::from_der(bad_point);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ic::Errc::decode);
}

TEST_CASE("PublicKeyCache: hits, eviction, invalid keys, concurrent use") {
  auto v = load_json("bls/noble_vectors.json");
  std::vector<ic::Bytes> keys;
  for (const auto& k : v["keys"]) keys.push_back(unhex(k["pk"]));
  PublicKeyCache cache(3);
  auto a = cache.get(keys[0]);
  REQUIRE(a.ok());
  auto a2 = cache.get(keys[0]);
  REQUIRE(a2.ok());
  CHECK(&a->impl() == &a2->impl());  // the same validated object, not a re-parse
  CHECK(cache.size() == 1);
  for (int i = 1; i < 5; ++i) REQUIRE(cache.get(keys[i]).ok());
  CHECK(cache.size() == 3);
  for (const auto& c : v["invalid"])
    if (c["group"] == "g2") CHECK_FALSE(cache.get(unhex(c["encoding"])).ok());
  CHECK_FALSE(cache.get(ic::Bytes(96, 0)).ok());
  CHECK(cache.size() == 3);
  auto evicted_then_back = cache.get(keys[0]);
  REQUIRE(evicted_then_back.ok());
  CHECK(&evicted_then_back->impl() != &a->impl());  // keys[0] was evicted and validated again

  // Threads verifying through one cache.
  PublicKeyCache shared(4);
  ic::Bytes msg = unhex(v["messages"][1]);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3; ++i) {
        size_t k = static_cast<size_t>((t + i) % 6);
        auto pk = shared.get(keys[k]);
        if (pk && verify(unhex(v["keys"][k]["signatures"][1]), msg, *pk)) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 12);
  CHECK(shared.size() <= 4);
}

TEST_CASE("real mainnet certificates: every BLS signature verifies (delegations included)") {
  PublicKey root = PublicKey::from_der(unhex(kMainnetRootKeyDer)).value();
  PublicKeyCache cache;
  int delegated = 0;
  for (const char* name : kCertFiles) {
    INFO(name);
    Cert c = load_response(name);
    CHECK(c.signature.size() == 48);
    CHECK(verify_cert(c, root, cache));
    if (c.delegation) {
      ++delegated;
      // The delegation's own certificate is signed by the root key directly.
      CHECK(verify(c.delegation->signature, state_root_message(c.delegation->tree), root));
      // And the outer certificate is not signed by the root key.
      CHECK_FALSE(verify(c.signature, state_root_message(c.tree), root));
    }
  }
  CHECK(delegated == 5);
}

TEST_CASE("real mainnet certificates: a flipped bit in any leaf or in a signature fails") {
  PublicKey root = PublicKey::from_der(unhex(kMainnetRootKeyDer)).value();
  PublicKeyCache cache;
  size_t leaves_checked = 0;
  for (const char* name : kCertFiles) {
    INFO(name);
    const Cert original = load_response(name);
    REQUIRE(verify_cert(original, root, cache));
    // Outer tree leaves.
    size_t n = count_leaves(original.tree);
    for (size_t target = 0; target < n; ++target) {
      Cert c = original;
      size_t index = 0;
      c.tree = flip_leaf(original.tree, index, target);
      REQUIRE_FALSE(verify_cert(c, root, cache));
      ++leaves_checked;
    }
    // Delegation tree leaves (including its /subnet/<id>/public_key and canister ranges).
    if (original.delegation) {
      size_t nd = count_leaves(original.delegation->tree);
      for (size_t target = 0; target < nd; ++target) {
        Cert c = original;
        auto d = std::make_shared<Cert>(*original.delegation);
        size_t index = 0;
        d->tree = flip_leaf(original.delegation->tree, index, target);
        c.delegation = d;
        REQUIRE_FALSE(verify_cert(c, root, cache));
        ++leaves_checked;
      }
    }
    // Signature bits, outer and delegation.
    for (size_t bit = 0; bit < 48 * 8; bit += 7) {
      Cert c = original;
      c.signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      REQUIRE_FALSE(verify_cert(c, root, cache));
      if (original.delegation) {
        Cert c2 = original;
        auto d = std::make_shared<Cert>(*original.delegation);
        d->signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        c2.delegation = d;
        REQUIRE_FALSE(verify_cert(c2, root, cache));
      }
    }
  }
  CHECK(leaves_checked > 30);
}
