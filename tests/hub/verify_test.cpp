// hub::verify_suite against a scripted Source whose certificates are really signed (a test BLS key stands in
// for a subnet): a matching deployment passes, a changed module is a mismatch, and a certificate that does
// not cover a path makes the check Unknown (hubctl verify exits 2), never Pass.
#include <catch2/catch.hpp>
#include <map>

#include "bls/bls.h"
#include "candid/binary.h"
#include "candid/text/text.h"
#include "hub/interfaces.h"
#include "hub/verify.h"
#include "ic/cbor.h"
#include "ic/leb128.h"
#include "ic/request_id.h"

namespace {

ic::Principal canister(uint64_t i) {
  ic::Bytes b(10, 0);
  for (int k = 0; k < 8; ++k) b[7 - k] = static_cast<uint8_t>(i >> (8 * k));
  b[8] = b[9] = 1;
  return ic::Principal::from_bytes(b).value();
}
std::string label(const ic::Principal& p) { return std::string(p.bytes().begin(), p.bytes().end()); }

constexpr uint64_t kNow = 1'800'000'000'000'000'000ull;

struct Subnet {
  bls::SecretKey sk = bls::SecretKey::generate(ic::Bytes(32, 7)).value();
  ic::Bytes root_key = bls::public_key_to_der(bls::public_key(sk).bytes());
  // A certificate whose tree holds /time and `entries`, pruned to `reveal` (+ /time) when given.
  ic::Bytes certificate(std::vector<std::pair<ic::Path, ic::Bytes>> entries, const std::vector<ic::Path>* reveal = nullptr) {
    ic::Bytes t;
    ic::write_uleb(t, kNow);
    entries.push_back({ic::make_path({"time"}), t});
    auto tree = ic::HashTree::build(entries).value();
    if (reveal) {
      std::vector<ic::Path> r = *reveal;
      r.push_back(ic::make_path({"time"}));
      tree = tree.reveal(r);
    }
    auto root = tree.digest();
    auto sig = bls::sign(sk, ic::domain_separated("ic-state-root", root));
    auto m = ic::cbor::Value::text_map({{"tree", tree.to_cbor()}, {"signature", ic::cbor::Value::bytes(ic::ByteView(sig))}});
    return ic::cbor::encode_self_describe(m);
  }
};

ic::Bytes leaf(std::string_view did_name, std::string_view type_name, std::string_view field, const std::string& text) {
  auto did = hub::suite_interface(did_name).value();
  auto node = did->table.node(did->names.at(std::string(type_name)));
  for (auto& f : node.fields)
    if (f.name == field) {
      std::vector<candid::TypeRef> types{f.type};
      return candid::encode(candid::text::parse_args(text, *did, &types).value()).value();
    }
  FAIL("no field " << field);
  return {};
}

struct Suite {
  Subnet subnet;
  ic::Principal hub = canister(1), content = canister(2), ledger = canister(3);
  ic::Bytes profile_sha = ic::Bytes(32, 0xa1);
  std::map<std::string, ic::Bytes> modules = {{"staking_hub", ic::Bytes(32, 0xb1)},
                                              {"learning_content", ic::Bytes(32, 0xb2)},
                                              {"icrc1_ledger", ic::Bytes(32, 0xb3)}};
  bool prune_content_controllers = false;

  ic::Bytes hub_state_reply() {
    std::vector<std::pair<ic::Path, ic::Bytes>> tree_entries;
    auto cfg = [&](const char* f, const std::string& text) {
      tree_entries.push_back({ic::make_path({"config", f}), leaf("staking_hub", "Config", f, text)});
    };
    auto con = [&](const char* f, const std::string& text) {
      tree_entries.push_back({ic::make_path({"config", f}), leaf("staking_hub", "Constants", f, text)});
    };
    cfg("ledger", "(principal \"" + ledger.to_text() + "\")");
    cfg("learning_content", "(vec { record { prefix = \"\"; canister = principal \"" + content.to_text() + "\" } })");
    cfg("wasm_sha256", "(blob \"" + std::string(32, 'x') + "\")");
    for (auto& [k, v] : hub::default_constants()) con(k.c_str(), "(" + v.to_decimal() + ")");
    auto tree = ic::HashTree::build(tree_entries).value();
    auto root = tree.digest();
    ic::Bytes cert = subnet.certificate({{ic::make_path({"canister", label(hub), "certified_data"}), ic::Bytes(root.begin(), root.end())}});
    candid::TypeTable t;
    auto rec = t.record({candid::field("certificate", t.blob()), candid::field("tree", t.blob())});
    candid::Value v = candid::Value::of_record({{candid::field_hash("certificate"), candid::Value::of_blob(cert)},
                                                {candid::field_hash("tree"), candid::Value::of_blob(tree.encode())}});
    return candid::encode(t, {rec}, {v}).value();
  }

  ic::Bytes facts(const ic::Principal& id, const ic::Bytes& module, bool prune_controllers) {
    ic::Bytes ctl = ic::cbor::encode_self_describe(ic::cbor::Value::array({}));
    auto mh = ic::make_path({"canister", label(id), "module_hash"});
    auto cp = ic::make_path({"canister", label(id), "controllers"});
    std::vector<ic::Path> only_hash{mh};
    return subnet.certificate({{mh, module}, {cp, ctl}}, prune_controllers ? &only_hash : nullptr);
  }
};

class FakeSource : public hub::Source {
 public:
  explicit FakeSource(Suite& s) : s_(s) {}
  ic::Result<ic::Bytes> query(const ic::Principal& c, const std::string& method, ic::ByteView) override {
    if (c == s_.hub && method == "get_certified_state") return s_.hub_state_reply();
    if (c == s_.hub && method == "list_shards") {
      // No shard yet: (vec {}, null) at list_shards' result types.
      auto did = hub::suite_interface("staking_hub").value();
      auto f = did->method("list_shards").value();
      return candid::encode(candid::text::parse_args("(vec {}, null)", *did, &f.results).value());
    }
    return ic::make_error(ic::Errc::not_found, "no scripted reply for " + method);
  }
  ic::Result<ic::Bytes> canister_certificate(const ic::Principal& c) override {
    if (c == s_.hub) return s_.facts(c, s_.modules["staking_hub"], false);
    if (c == s_.content) return s_.facts(c, s_.modules["learning_content"], s_.prune_content_controllers);
    return s_.facts(c, s_.modules["icrc1_ledger"], false);
  }
  agent::VerifyOptions verify_options(const ic::Principal& c) const override {
    agent::VerifyOptions o;
    o.root_key = s_.subnet.root_key;
    o.canister_id = c;
    o.now_ns = kNow;
    return o;
  }

 private:
  Suite& s_;
};

hub::VerifyInput input(Suite& s) {
  hub::VerifyInput in;
  in.bundled_sha256 = s.modules;
  in.bundled_sha256["user_profile"] = ic::Bytes(32, 'x');
  in.concurrency = 1;
  return in;
}

hub::audit::Status worst(const std::vector<hub::audit::Check>& checks) {
  bool unknown = false;
  for (auto& c : checks) {
    if (c.status == hub::audit::Status::Fail) return hub::audit::Status::Fail;
    unknown |= c.status == hub::audit::Status::Unknown;
  }
  return unknown ? hub::audit::Status::Unknown : hub::audit::Status::Pass;
}

}  // namespace

TEST_CASE("verify: matching deployment, mismatch, uncovered path") {
  Suite s;
  hub::SourceFactory make = [&]() -> ic::Result<std::unique_ptr<hub::Source>> { return std::make_unique<FakeSource>(s); };
  auto ok = hub::verify_suite(make, s.hub, input(s));
  REQUIRE(ok.ok());
  for (auto& c : *ok) INFO(c.id << " " << c.subject << ": " << c.message);
  CHECK(worst(*ok) == hub::audit::Status::Pass);

  auto in = input(s);
  in.bundled_sha256["learning_content"] = ic::Bytes(32, 0xcc);  // this hubctl bundles other content
  auto bad = hub::verify_suite(make, s.hub, in);
  REQUIRE(bad.ok());
  CHECK(worst(*bad) == hub::audit::Status::Fail);

  s.prune_content_controllers = true;
  auto uncovered = hub::verify_suite(make, s.hub, input(s));
  REQUIRE(uncovered.ok());
  CHECK(worst(*uncovered) == hub::audit::Status::Unknown);
  bool named = false;
  for (auto& c : *uncovered)
    if (c.status == hub::audit::Status::Unknown && c.message.find("controllers") != std::string::npos) named = true;
  CHECK(named);

  in = input(s);
  s.prune_content_controllers = false;
  in.expect_cap = ic::BigNat(1);  // the deployed cap is the default 4.2 B tokens
  auto cap = hub::verify_suite(make, s.hub, in);
  REQUIRE(cap.ok());
  CHECK(worst(*cap) == hub::audit::Status::Fail);
}
