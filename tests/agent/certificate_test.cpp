// Certificate verification: the real mainnet certificates of tests/data/certificates get exactly the verdicts
// of their README; stale, out-of-range, pruned, nested and tampered certificates fail with their own check id.
#include <catch2/catch.hpp>
#include <functional>

#include "agent/certificate.h"
#include "agent/clock.h"
#include "agent/request.h"
#include "support.h"
#include "support/test_data.h"

using namespace agent;
using ic::Bytes;
using ic::Principal;

namespace {

Certificate load(const std::string& name) {
  auto c = Certificate::from_saved(testdata::read("certificates/" + name));
  INFO(name << ": " << (c.ok() ? "" : c.error().to_string()));
  REQUIRE(c.ok());
  return *c;
}

Principal P(const std::string& text) { return Principal::from_text(text).value(); }
Principal hexp(const std::string& hex) { return Principal::from_bytes(ic::from_hex(hex).value()).value(); }

CertificateCheck for_canister(const Certificate& c, const Principal& id, std::optional<uint64_t> now = std::nullopt) {
  VerifyOptions o;
  o.canister_id = id;
  o.now_ns = now;
  return check_certificate(c, o);
}

const Principal kIvg37 = Principal::from_text("ivg37-qiaaa-aaaab-aaaga-cai").value();

}  // namespace

TEST_CASE("mainnet certificates: the README verdicts", "[certificate][mainnet]") {
  SECTION("ivg37_time.bin: sharded ranges, valid for ivg37, not for ryjl3") {
    Certificate c = load("ivg37_time.bin");
    REQUIRE(c.delegated());
    auto ok = for_canister(c, kIvg37);
    INFO(ok.error.to_string());
    REQUIRE(ok.ok);
    CHECK(format_time(ok.info.time_ns) == "2025-11-22T07:34:56.688Z");
    CHECK(ok.info.subnet_id == c.delegation_subnet());
    auto bad = for_canister(c, P("ryjl3-tyaaa-aaaaa-aaaba-cai"));
    CHECK_FALSE(bad.ok);
    CHECK(bad.failed_check == "canister_range");
    CHECK(bad.error.message.find("ryjl3-tyaaa-aaaaa-aaaba-cai is outside the canister ranges") != std::string::npos);
  }
  SECTION("ivg37_time_pruned_ranges.bin: refused") {
    auto r = for_canister(load("ivg37_time_pruned_ranges.bin"), kIvg37);
    CHECK_FALSE(r.ok);
    CHECK(r.failed_check == "canister_ranges_pruned");
    CHECK(r.error.message.find("pruned") != std::string::npos);
  }
  SECTION("ivg37_delegated_v2.bin: flat ranges, a rejected request") {
    Certificate c = load("ivg37_delegated_v2.bin");
    auto ok = for_canister(c, kIvg37);
    INFO(ok.error.to_string());
    REQUIRE(ok.ok);
    CHECK(format_time(ok.info.time_ns) == "2022-02-23T07:38:00.652Z");
    ic::Hash256 rid{};
    Bytes rb = ic::from_hex("edad510eaaa08ed2acd4781324e6446269da6753ec17760f206bbe81c465ff52").value();
    std::copy(rb.begin(), rb.end(), rid.begin());
    auto st = lookup_request_status(c, rid).value();
    CHECK(st.status == "rejected");
    CHECK(st.reject_code == 3);
    CHECK(st.reject_message == "Canister ivg37-qiaaa-aaaab-aaaga-cai has no update method 'register'");
    for (const char* in : {"00000000002000000101", "00000000002abcde0101", "00000000002fffff0101"}) {
      INFO(in);
      CHECK(for_canister(c, hexp(in)).ok);
    }
    for (const char* out : {"00000000000000020101", "00000000003000020101"}) {
      INFO(out);
      auto r = for_canister(c, hexp(out));
      CHECK_FALSE(r.ok);
      CHECK(r.failed_check == "canister_range");
    }
  }
  SECTION("ivg37_delegated_v2_pruned_subnet.bin: refused") {
    auto r = for_canister(load("ivg37_delegated_v2_pruned_subnet.bin"), kIvg37);
    CHECK_FALSE(r.ok);
    CHECK(r.failed_check == "canister_ranges_pruned");
  }
  SECTION("224od_subnet.bin: valid, with the subnet's node keys") {
    Certificate c = load("224od_subnet.bin");
    auto ok = for_canister(c, P("224od-giaaa-aaaao-ae5vq-cai"));
    INFO(ok.error.to_string());
    REQUIRE(ok.ok);
    auto nodes = lookup_node_keys(c, ok.info.subnet_id).value();
    CHECK(nodes.size() >= 4);
    for (auto& [node, der] : nodes) {
      CHECK(der.size() == 44);
      CHECK(ic::to_hex(ic::ByteView(der).first(12)) == "302a300506032b6570032100");
    }
    // The subnet scope: right subnet passes, another fails.
    VerifyOptions o;
    o.subnet_id = ok.info.subnet_id;
    CHECK(check_certificate(c, o).ok);
    o.subnet_id = P("tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe");
    auto wrong = check_certificate(c, o);
    CHECK(wrong.failed_check == "subnet");
  }
}

TEST_CASE("mainnet certificates: freshness against a set clock", "[certificate][mainnet]") {
  Certificate c = load("ivg37_time.bin");
  uint64_t t = c.time().value();
  const uint64_t min = 60 * kNanosPerSecond;
  CHECK(for_canister(c, kIvg37, t + 4 * min).ok);
  CHECK(for_canister(c, kIvg37, t - 4 * min).ok);
  auto stale = for_canister(c, kIvg37, t + 6 * min);
  CHECK(stale.failed_check == "freshness");
  CHECK(stale.error.message.find("stale: 6 min old") != std::string::npos);
  CHECK(stale.error.message.find("2025-11-22T07:34:56.688Z") != std::string::npos);
  CHECK(stale.error.message.find(format_time(t + 6 * min)) != std::string::npos);
  CHECK(stale.error.hint.find("clock synchronized") != std::string::npos);
  auto ahead = for_canister(c, kIvg37, t - 6 * min);
  CHECK(ahead.failed_check == "freshness");
  CHECK(ahead.error.message.find("ahead of this machine's clock") != std::string::npos);
  // A longer window admits it.
  VerifyOptions o;
  o.canister_id = kIvg37;
  o.now_ns = t + 6 * min;
  o.max_age_ns = 10 * min;
  CHECK(check_certificate(c, o).ok);
}

TEST_CASE("mainnet certificates: tampering and a wrong root key", "[certificate][mainnet]") {
  Bytes raw = testdata::read("certificates/ivg37_time.bin");
  SECTION("a changed leaf in the tree breaks the signature") {
    Certificate c = load("ivg37_time.bin");
    // Change the /time leaf inside the real tree (one nanosecond later), keep signature and delegation.
    auto v = ic::cbor::decode(raw).value();
    Bytes cert_bytes = *v.untagged().get("certificate")->as_bytes();
    auto cv = ic::cbor::decode(cert_bytes).value();
    Bytes old_time = testnet::leb(c.time().value()), new_time = testnet::leb(c.time().value() + 1);
    int changed = 0;
    std::function<void(ic::cbor::Value&)> patch = [&](ic::cbor::Value& n) {
      auto* a = n.mutable_array();
      if (!a) return;
      if (a->size() == 2 && (*a)[0].as_uint() == 3u && (*a)[1].as_bytes() && *(*a)[1].as_bytes() == old_time) {
        (*a)[1] = ic::cbor::Value::bytes(new_time);
        ++changed;
      }
      for (auto& child : *a) patch(child);
    };
    ic::cbor::Value forged = cv.untagged();
    for (auto& [k, val] : *forged.mutable_map())
      if (k.as_text() == std::string_view("tree")) patch(val);
    REQUIRE(changed == 1);
    auto fc = Certificate::decode(ic::cbor::encode(forged)).value();
    auto r = for_canister(fc, kIvg37);
    CHECK(r.failed_check == "signature");
    CHECK(r.error.message.find("does not verify over its tree (root hash " + ic::to_hex(fc.root_hash())) != std::string::npos);
    CHECK(r.error.code == ic::Errc::crypto);
  }
  SECTION("another root key refuses the delegation") {
    VerifyOptions o;
    o.root_key = testnet::Net().root_der;
    auto r = check_certificate(load("ivg37_time.bin"), o);
    CHECK(r.failed_check == "delegation_signature");
  }
  SECTION("every single-bit flip of the response is refused") {
    // Covers the tree, the signature, the delegation's tree and signature and the CBOR framing.
    size_t refused = 0, decode_errors = 0;
    for (size_t bit = 0; bit < raw.size() * 8; ++bit) {
      Bytes b = raw;
      b[bit / 8] ^= uint8_t(1u << (bit % 8));
      auto c = Certificate::from_saved(b);
      if (!c) {
        ++decode_errors;
        continue;
      }
      auto r = for_canister(*c, kIvg37);
      if (r.ok) FAIL("bit " << bit << " flipped and the certificate still verified");
      ++refused;
    }
    CHECK(refused + decode_errors == raw.size() * 8);
    CHECK(refused > raw.size() * 4);  // most flips reach the signature checks
  }
}

TEST_CASE("synthetic certificates: ranges, scopes and structure", "[certificate]") {
  testnet::Net net;
  const uint64_t t = 1'760'000'000'000'000'000ull;
  VerifyOptions o;
  o.root_key = net.root_der;
  o.now_ns = t;
  Principal inside = Principal::from_canister_index(0x123456);
  Principal outside = Principal::from_canister_index(0x200000);

  for (bool sharded : {true, false}) {
    SECTION(sharded ? "sharded ranges" : "flat ranges") {
      net.sharded = sharded;
      auto c = Certificate::decode(net.cert(t)).value();
      o.canister_id = inside;
      auto ok = check_certificate(c, o);
      INFO(ok.error.to_string());
      CHECK(ok.ok);
      CHECK(ok.info.subnet_id == net.subnet);
      CHECK(ok.info.signing_key == net.subnet_der);
      o.canister_id = outside;
      auto bad = check_certificate(c, o);
      CHECK(bad.failed_check == "canister_range");
      CHECK(bad.error.message.find(outside.to_text()) != std::string::npos);
      CHECK(bad.error.message.find(net.subnet.to_text()) != std::string::npos);
      CHECK(bad.error.message.find(sharded ? "sharded" : "flat") != std::string::npos);
      o.canister_id = net.first;
      CHECK(check_certificate(c, o).ok);
      o.canister_id = net.last;
      CHECK(check_certificate(c, o).ok);
    }
  }

  SECTION("several shards: the floor shard decides") {
    Principal a = Principal::from_canister_index(0x10), b = Principal::from_canister_index(0x1f);
    Principal c1 = Principal::from_canister_index(0x40), d = Principal::from_canister_index(0x4f);
    std::vector<std::pair<ic::Path, Bytes>> entries = {
        {testnet::path({testnet::txt("subnet"), net.subnet.view(), testnet::txt("public_key")}), net.subnet_der},
        {testnet::path({testnet::txt("canister_ranges"), net.subnet.view(), a.view()}), testnet::ranges_cbor({{a, b}})},
        {testnet::path({testnet::txt("canister_ranges"), net.subnet.view(), c1.view()}), testnet::ranges_cbor({{c1, d}})}};
    Bytes deleg = testnet::certificate(ic::HashTree::build(entries).value(), net.root_sk);
    std::vector<std::pair<ic::Path, Bytes>> leaf = {{ic::make_path({"time"}), testnet::leb(t)}};
    auto cert = Certificate::decode(testnet::certificate(ic::HashTree::build(leaf).value(), net.subnet_sk,
                                                         std::make_pair(net.subnet, deleg)))
                    .value();
    for (uint64_t idx : {0x10u, 0x1fu, 0x40u, 0x4au}) {
      o.canister_id = Principal::from_canister_index(idx);
      CHECK(check_certificate(cert, o).ok);
    }
    for (uint64_t idx : {0x05u, 0x20u, 0x3fu, 0x50u}) {
      o.canister_id = Principal::from_canister_index(idx);
      CHECK(check_certificate(cert, o).failed_check == "canister_range");
    }
  }

  SECTION("stale, future, missing time") {
    auto c = Certificate::decode(net.cert(t - 10 * 60 * kNanosPerSecond)).value();
    o.canister_id = inside;
    auto r = check_certificate(c, o);
    CHECK(r.failed_check == "freshness");
    CHECK(r.error.message.find("10 min old") != std::string::npos);
    o.now_ns.reset();  // auditing a saved certificate: no freshness check
    CHECK(check_certificate(c, o).ok);
    std::vector<std::pair<ic::Path, Bytes>> no_time = {{ic::make_path({"x"}), Bytes{1}}};
    auto nt = Certificate::decode(testnet::certificate(ic::HashTree::build(no_time).value(), net.subnet_sk,
                                                       std::make_pair(net.subnet, net.delegation_cert())))
                  .value();
    CHECK(check_certificate(nt, o).failed_check == "time");
  }

  SECTION("the root signs directly: the root subnet, any canister") {
    std::vector<std::pair<ic::Path, Bytes>> e = {{ic::make_path({"time"}), testnet::leb(t)}};
    auto c = Certificate::decode(testnet::certificate(ic::HashTree::build(e).value(), net.root_sk)).value();
    o.canister_id = outside;
    auto r = check_certificate(c, o);
    CHECK(r.ok);
    CHECK(r.info.subnet_id == Principal::self_authenticating(net.root_der));
    CHECK_FALSE(r.info.delegated);
    o.canister_id.reset();
    o.subnet_id = net.subnet;
    CHECK(check_certificate(c, o).failed_check == "subnet");
    // Signed by the subnet key without a delegation: the root key does not verify it.
    auto forged = Certificate::decode(testnet::certificate(ic::HashTree::build(e).value(), net.subnet_sk)).value();
    o.subnet_id.reset();
    CHECK(check_certificate(forged, o).failed_check == "signature");
  }

  SECTION("a delegation inside a delegation, a delegation without the subnet key") {
    Bytes inner = net.cert(t);  // itself delegated
    std::vector<std::pair<ic::Path, Bytes>> e = {{ic::make_path({"time"}), testnet::leb(t)}};
    auto nested = Certificate::decode(testnet::certificate(ic::HashTree::build(e).value(), net.subnet_sk,
                                                           std::make_pair(net.subnet, inner)))
                      .value();
    auto r = check_certificate(nested, o);
    CHECK(r.failed_check == "delegation");
    CHECK(r.error.message.find("only one level") != std::string::npos);

    std::vector<std::pair<ic::Path, Bytes>> no_key = {{ic::make_path({"time"}), testnet::leb(t)}};
    Bytes deleg = testnet::certificate(ic::HashTree::build(no_key).value(), net.root_sk);
    auto c = Certificate::decode(testnet::certificate(ic::HashTree::build(e).value(), net.subnet_sk,
                                                      std::make_pair(net.subnet, deleg)))
                 .value();
    auto r2 = check_certificate(c, o);
    CHECK(r2.failed_check == "delegation");
    CHECK(r2.error.message.find("no public key for subnet") != std::string::npos);
  }
}

TEST_CASE("certified lookups", "[certificate]") {
  testnet::Net net;
  Principal cid = Principal::from_canister_index(0x123456);
  Principal c1 = Principal::from_text("aaaaa-aa").value(), c2 = Principal::anonymous();
  ic::cbor::Value ctl = ic::cbor::Value::array({ic::cbor::Value::bytes(c2.view()), ic::cbor::Value::bytes(c1.view())});
  Bytes hash(32, 0xab);
  auto base = [&](std::string_view leaf) { return testnet::path({testnet::txt("canister"), cid.view(), testnet::txt(leaf)}); };
  auto tree = ic::HashTree::build({{base("module_hash"), hash},
                                   {testnet::path({testnet::txt("canister"), cid.view(), testnet::txt("metadata"),
                                                   testnet::txt("candid:service")}),
                                    ic::to_bytes("service : {}")},
                                   {testnet::path({testnet::txt("subnet"), net.subnet.view(), testnet::txt("public_key")}),
                                    net.subnet_der},
                                   {base("controllers"), ic::cbor::encode_self_describe(ctl)},
                                   {ic::make_path({"time"}), testnet::leb(1)}})
                  .value();
  std::vector<ic::Path> keep = {base("controllers"), base("module_hash"), ic::make_path({"time"}), base("metadata"),
                                testnet::path({testnet::txt("subnet")})};
  auto full = Certificate::decode(testnet::certificate(tree.reveal(keep), net.subnet_sk)).value();
  CHECK(lookup_module_hash(full, cid).value() == std::optional<Bytes>(hash));
  auto ctls = lookup_controllers(full, cid).value();
  REQUIRE(ctls.size() == 2);
  CHECK(ctls[0] == c1);  // sorted bytewise: aaaaa-aa (empty) first
  CHECK(ctls[1] == c2);
  CHECK(lookup_metadata(full, cid, "candid:service").value() == std::optional<Bytes>(ic::to_bytes("service : {}")));
  CHECK(lookup_metadata(full, cid, "git_commit_id").value() == std::nullopt);  // provably absent
  CHECK(lookup_subnet_public_key(full, net.subnet).value() == net.subnet_der);
  ic::Hash256 rid{};
  CHECK(lookup_request_status(full, rid).value().status == "unknown");
  // Only controllers revealed: the module hash is unknown (pruned), which is not "absent".
  std::vector<ic::Path> only = {base("controllers")};
  auto part = Certificate::decode(testnet::certificate(tree.reveal(only), net.subnet_sk)).value();
  auto mh = lookup_module_hash(part, cid);
  REQUIRE_FALSE(mh.ok());
  CHECK(mh.error().message.find("does not cover") != std::string::npos);
  // Another canister is provably absent: no module, and no controllers (it does not exist).
  Principal other = Principal::from_canister_index(0x999999);
  std::vector<ic::Path> absent = {testnet::path({testnet::txt("canister"), other.view(), testnet::txt("module_hash")})};
  auto ab = Certificate::decode(testnet::certificate(tree.reveal(absent), net.subnet_sk)).value();
  CHECK(lookup_module_hash(ab, other).value() == std::nullopt);
  CHECK(lookup_controllers(ab, other).error().code == ic::Errc::not_found);

  // The rendering names paths with principals and decodes /time.
  std::string shown = render_tree(full.tree());
  CHECK(shown.find("/canister/" + cid.to_text() + "/module_hash = 0x" + ic::to_hex(hash)) != std::string::npos);
  CHECK(shown.find("/time = 1 (1970-01-01T00:00:00.000Z)") != std::string::npos);
}
