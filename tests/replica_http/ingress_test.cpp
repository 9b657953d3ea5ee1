// replica::ingress: envelopes built and signed here (src/agent for plain ones, by hand for delegations and
// hostile shapes) go through the validator; every failure must be a 4xx whose text says what is wrong.
#include <catch2/catch.hpp>

#include "agent/identity.h"
#include "agent/management.h"
#include "agent/request.h"
#include "candid/types.h"
#include "ic/cbor.h"
#include "ic/crypto/keys.h"
#include "ic/request_id.h"
#include "replica/http/ingress.h"

namespace {

using namespace replica::ingress;
using ic::Bytes;
using ic::Principal;
namespace cbor = ic::cbor;
using V = cbor::Value;

constexpr uint64_t kNow = 1'760'000'000'000'000'000ull;
constexpr uint64_t kSec = 1'000'000'000ull;

const Principal kCanister = Principal::from_canister_index(5);
const Bytes kEmptyArgs{'D', 'I', 'D', 'L', 0, 0};  // Candid ()
const Principal kOutside = Principal::from_canister_index(0x100000);  // beyond the node's range

NodeFacts facts() {
  NodeFacts f;
  f.now_ns = kNow;
  f.subnet_id = Principal::self_authenticating(ic::to_bytes("subnet key"));
  f.ranges = {{Principal::from_canister_index(0), Principal::from_canister_index(0xFFFFF)}};
  return f;
}

Route route(const std::string& path) {
  auto r = parse_route(path);
  INFO(path << ": " << r.problem().message);
  REQUIRE(r.ok());
  return *r;
}
Route call_route(const Principal& ecid = kCanister, int v = 3) {
  return route("/api/v" + std::to_string(v) + "/canister/" + ecid.to_text() + "/call");
}
Route query_route(const Principal& ecid = kCanister) { return route("/api/v3/canister/" + ecid.to_text() + "/query"); }
Route read_route(const Principal& ecid = kCanister) { return route("/api/v3/canister/" + ecid.to_text() + "/read_state"); }

std::shared_ptr<agent::Identity> identity(ic::crypto::KeyType t) {
  return agent::key_identity(ic::crypto::PrivateKey::generate(t).value());
}

V content(agent::RequestType type, const agent::Identity& id, const Principal& canister = kCanister,
          std::string method = "increment", Bytes arg = kEmptyArgs, uint64_t expiry = kNow + 120 * kSec) {
  return agent::call_content(type, id.sender(), canister, method, arg, expiry);
}

Bytes signed_body(const agent::Identity& id, V c) {
  auto s = agent::sign_request(id, std::move(c));
  REQUIRE(s.ok());
  return s->body;
}

// A body built from parts (for shapes src/agent would never produce).
Bytes envelope(V c, std::optional<Bytes> pk, std::optional<Bytes> sig, std::optional<V> delegations = std::nullopt) {
  V e = V::text_map({{"content", std::move(c)}});
  if (pk) e.set("sender_pubkey", V::bytes(*pk));
  if (sig) e.set("sender_sig", V::bytes(*sig));
  if (delegations) e.set("sender_delegation", *delegations);
  return cbor::encode_self_describe(e);
}

Checked<Request> run(const Bytes& body, const Route& r) { return validate(body, r, facts()); }

// Asserts a failure with this status whose message contains `needle`.
void expect_problem(const Checked<Request>& res, int status, const std::string& needle) {
  INFO("expected " << status << " containing \"" << needle << "\"");
  REQUIRE_FALSE(res.ok());
  INFO("got " << res.problem().status << ": " << res.problem().message);
  CHECK(res.problem().status == status);
  CHECK(res.problem().message.find(needle) != std::string::npos);
}

struct Chain {
  ic::crypto::PrivateKey root = ic::crypto::PrivateKey::generate(ic::crypto::KeyType::Ed25519).value();
  std::vector<ic::crypto::PrivateKey> keys;  // delegated-to keys, in order
  V delegations = V::array();

  void add(ic::crypto::KeyType t, uint64_t expiration, std::optional<std::vector<Principal>> targets = std::nullopt,
           std::optional<std::string> permissions = std::nullopt, bool corrupt = false,
           std::optional<ic::crypto::PrivateKey> to = std::nullopt) {
    ic::crypto::PrivateKey next = to ? *to : ic::crypto::PrivateKey::generate(t).value();
    const ic::crypto::PrivateKey& signer = keys.empty() ? root : keys.back();
    V d = V::text_map({{"pubkey", V::bytes(next.public_key_der())}, {"expiration", V::uint(expiration)}});
    if (targets) {
      V arr = V::array();
      for (auto& p : *targets) arr.push(V::bytes(p.bytes()));
      d.set("targets", arr);
    }
    if (permissions) d.set("permissions", V::text(*permissions));
    Bytes sig = signer.sign(ic::domain_separated("ic-request-auth-delegation", ic::hash_of_map(d).value())).value();
    if (corrupt) sig[3] ^= 1;
    delegations.push(V::text_map({{"delegation", d}, {"signature", V::bytes(sig)}}));
    keys.push_back(next);
  }
  Principal sender() const { return Principal::self_authenticating(root.public_key_der()); }
  Bytes body(agent::RequestType type, const Principal& canister = kCanister, std::string method = "increment",
             Bytes arg = kEmptyArgs) const {
    V c = agent::call_content(type, sender(), canister, method, arg, kNow + 60 * kSec);
    auto rid = ic::request_id(c).value();
    Bytes sig = keys.back().sign(ic::request_signing_payload(rid)).value();
    return envelope(c, root.public_key_der(), sig, delegations);
  }
};

}  // namespace

TEST_CASE("routes: served endpoints parse, the rest is 404, bad ids 400") {
  auto r = route("/api/v4/canister/" + kCanister.to_text() + "/call");
  CHECK(r.version == 4);
  CHECK(r.kind == Kind::Call);
  CHECK_FALSE(r.subnet);
  CHECK(r.target == kCanister);
  CHECK(route("/api/v2/canister/aaaaa-aa/query").kind == Kind::Query);
  auto s = route("/api/v3/subnet/" + facts().subnet_id.to_text() + "/read_state");
  CHECK(s.subnet);
  CHECK(s.kind == Kind::ReadState);
  for (std::string bad : {"/api/v4/canister/aaaaa-aa/query", "/api/v4/canister/aaaaa-aa/read_state", "/api/v1/canister/aaaaa-aa/call",
                          "/api/v3/subnet/aaaaa-aa/call", "/api/v3/canister/aaaaa-aa/nothing", "/", "/api/v3/canister/aaaaa-aa",
                          "/api/v3/canister/aaaaa-aa/call/extra"}) {
    INFO(bad);
    auto p = parse_route(bad);
    REQUIRE_FALSE(p.ok());
    CHECK(p.problem().status == 404);
  }
  auto p = parse_route("/api/v3/canister/not-a-principal/call");
  REQUIRE_FALSE(p.ok());
  CHECK(p.problem().status == 400);
  CHECK(p.problem().message.find("effective canister id in the URL") != std::string::npos);
}

TEST_CASE("valid requests from every key type and from anonymous pass, with the agent's request id") {
  for (auto t : {ic::crypto::KeyType::Ed25519, ic::crypto::KeyType::Secp256k1, ic::crypto::KeyType::P256}) {
    INFO(ic::crypto::key_type_name(t));
    auto id = identity(t);
    auto s = agent::sign_request(*id, content(agent::RequestType::Call, *id));
    REQUIRE(s.ok());
    auto res = run(s->body, call_route());
    INFO(res.problem().message);
    REQUIRE(res.ok());
    CHECK(res->request_id == s->request_id);
    CHECK(res->sender == id->sender());
    CHECK(res->method == "increment");
    CHECK(res->canister_id == kCanister);
    auto q = run(signed_body(*id, content(agent::RequestType::Query, *id)), query_route());
    CHECK(q.ok());
  }
  auto anon = agent::anonymous_identity();
  CHECK(run(signed_body(*anon, content(agent::RequestType::Call, *anon)), call_route()).ok());
  auto rs = agent::read_state_content(anon->sender(), {ic::make_path({"time"})}, kNow + 60 * kSec);
  auto res = run(signed_body(*anon, rs), read_route());
  REQUIRE(res.ok());
  REQUIRE(res->paths.size() == 1);
  // An untagged envelope is accepted as well (§1.3 "accept both").
  V e = V::text_map({{"content", content(agent::RequestType::Query, *anon)}});
  CHECK(run(cbor::encode(e), query_route()).ok());
}

TEST_CASE("signatures: tampered signature, tampered content, wrong sender, unsupported key") {
  auto id = identity(ic::crypto::KeyType::Secp256k1);
  auto s = agent::sign_request(*id, content(agent::RequestType::Call, *id)).value();
  auto env = cbor::decode(s.body).value().untagged();
  Bytes pk = *env.get("sender_pubkey")->as_bytes();
  Bytes sig = *env.get("sender_sig")->as_bytes();

  Bytes bad_sig = sig;
  bad_sig[10] ^= 0x40;
  expect_problem(run(envelope(s.content, pk, bad_sig), call_route()), 400, "Invalid signature");

  V changed = s.content;
  changed.set("method_name", V::text("withdraw"));  // signature was over another request id
  expect_problem(run(envelope(changed, pk, sig), call_route()), 400, "sender_sig does not verify");

  auto other = identity(ic::crypto::KeyType::Ed25519);
  // Content says `other` sent it, but it is signed (validly) with id's key.
  V c = content(agent::RequestType::Call, *other);
  auto rid = ic::request_id(c).value();
  Bytes s2 = id->sign(ic::request_signing_payload(rid)).value();
  expect_problem(run(envelope(c, pk, s2), call_route()), 400, "is not the self-authenticating principal of sender_pubkey");

  Bytes junk_key = ic::to_bytes("this is not a DER key");
  V c3 = agent::call_content(agent::RequestType::Call, Principal::self_authenticating(junk_key), kCanister, "m", {}, kNow + kSec);
  expect_problem(run(envelope(c3, junk_key, Bytes(64, 1)), call_route()), 400, "not an Ed25519, ECDSA secp256k1 or ECDSA P-256");

  // Signature of the wrong length for the scheme.
  expect_problem(run(envelope(s.content, pk, Bytes(sig.begin(), sig.begin() + 20)), call_route()), 400, "Invalid signature");
}

TEST_CASE("presence rules of sender_pubkey, sender_sig and sender_delegation") {
  auto id = identity(ic::crypto::KeyType::Ed25519);
  V c = content(agent::RequestType::Call, *id);
  Bytes pk = *id->public_key_der();
  Bytes sig = id->sign(ic::request_signing_payload(ic::request_id(c).value())).value();
  expect_problem(run(envelope(c, pk, std::nullopt), call_route()), 400, "sender_pubkey but no sender_sig");
  expect_problem(run(envelope(c, std::nullopt, sig), call_route()), 400, "sender_sig but no sender_pubkey");
  expect_problem(run(envelope(c, std::nullopt, std::nullopt), call_route()), 400, "only the anonymous principal");
  expect_problem(run(envelope(c, std::nullopt, std::nullopt, V::array()), call_route()), 400,
                 "sender_delegation but no sender_pubkey");
  auto anon = agent::anonymous_identity();
  V ac = content(agent::RequestType::Call, *anon);
  expect_problem(run(envelope(ac, pk, sig), call_route()), 400, "anonymous principal 2vxsx-fae cannot sign");
}

TEST_CASE("ingress expiry window: expired and far-future calls are refused with both times") {
  auto id = identity(ic::crypto::KeyType::P256);
  auto expired = run(signed_body(*id, content(agent::RequestType::Call, *id, kCanister, "m", {}, kNow - kSec)), call_route());
  expect_problem(expired, 400, "Invalid request expiry");
  CHECK(expired.problem().message.find("Provided expiry: " + format_time_ns(kNow - kSec)) != std::string::npos);
  CHECK(expired.problem().message.find("Local replica time: " + format_time_ns(kNow)) != std::string::npos);
  CHECK(expired.problem().message.find("has expired") != std::string::npos);
  auto future = run(signed_body(*id, content(agent::RequestType::Call, *id, kCanister, "m", {}, kNow + 10 * 60 * kSec)), call_route());
  expect_problem(future, 400, "Invalid request expiry");
  CHECK(future.problem().message.find("too far in the future") != std::string::npos);
  // The edges: now + 5 min + 30 s is still fine, one ns later is not.
  CHECK(run(signed_body(*id, content(agent::RequestType::Call, *id, kCanister, "m", {}, kNow + 330 * kSec)), call_route()).ok());
  CHECK_FALSE(run(signed_body(*id, content(agent::RequestType::Call, *id, kCanister, "m", {}, kNow + 330 * kSec + 1)), call_route()).ok());
  // Signed queries obey the window; anonymous queries and read_state may carry any expiry (spec 0.29), anonymous calls may not.
  CHECK_FALSE(run(signed_body(*id, content(agent::RequestType::Query, *id, kCanister, "m", {}, 1)), query_route()).ok());
  auto anon = agent::anonymous_identity();
  CHECK(run(signed_body(*anon, content(agent::RequestType::Query, *anon, kCanister, "m", {}, 1)), query_route()).ok());
  CHECK(run(signed_body(*anon, agent::read_state_content(anon->sender(), {ic::make_path({"time"})}, 0)), read_route()).ok());
  expect_problem(run(signed_body(*anon, content(agent::RequestType::Call, *anon, kCanister, "m", {}, 1)), call_route()), 400,
                 "Invalid request expiry");
}

TEST_CASE("delegation chains: valid chains of every key type, then each defect") {
  SECTION("valid: two hops, mixed schemes, targets and permissions") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Secp256k1, kNow + 3600 * kSec, std::vector<Principal>{kCanister, kOutside});
    ch.add(ic::crypto::KeyType::P256, kNow + 3600 * kSec, std::nullopt, "all");
    auto res = run(ch.body(agent::RequestType::Call), call_route());
    INFO(res.problem().message);
    REQUIRE(res.ok());
    REQUIRE(res->delegation_targets);
    CHECK(res->delegation_targets->size() == 2);
    CHECK(res->sender == ch.sender());
  }
  SECTION("expired") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow - kSec);
    expect_problem(run(ch.body(agent::RequestType::Call), call_route()), 400, "expired at");
  }
  SECTION("a signature in the chain is wrong") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::nullopt, std::nullopt, true);
    expect_problem(run(ch.body(agent::RequestType::Call), call_route()), 400, "sender_delegation[1] (of 2): invalid signature");
  }
  SECTION("targets exclude the canister") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::vector<Principal>{kOutside});
    expect_problem(run(ch.body(agent::RequestType::Call), call_route()), 403, "not among the delegation targets");
  }
  SECTION("targets of two hops intersect to nothing") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::vector<Principal>{kCanister});
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::vector<Principal>{kOutside});
    expect_problem(run(ch.body(agent::RequestType::Query), query_route()), 403, "not among the delegation targets");
  }
  SECTION("permissions") {
    Chain q;
    q.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::nullopt, "queries");
    CHECK(run(q.body(agent::RequestType::Query), query_route()).ok());
    expect_problem(run(q.body(agent::RequestType::Call), call_route()), 403, "permits only queries");
    Chain bad;
    bad.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::nullopt, "everything");
    expect_problem(run(bad.body(agent::RequestType::Call), call_route()), 400, "permissions \"everything\" is not valid");
  }
  SECTION("more than 20 delegations") {
    Chain ch;
    for (int i = 0; i < 21; ++i) ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    expect_problem(run(ch.body(agent::RequestType::Call), call_route()), 400, "at most 20 are allowed");
    Chain ok;
    for (int i = 0; i < 20; ++i) ok.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    CHECK(run(ok.body(agent::RequestType::Call), call_route()).ok());
  }
  SECTION("a cycle back to the sender's key") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60, std::nullopt, std::nullopt, false, ch.root);
    expect_problem(run(ch.body(agent::RequestType::Call), call_route()), 400, "a cycle");
  }
  SECTION("sender_sig by the root key instead of the last delegated key") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    V c = agent::call_content(agent::RequestType::Call, ch.sender(), kCanister, "m", {}, kNow + 60 * kSec);
    Bytes sig = ch.root.sign(ic::request_signing_payload(ic::request_id(c).value())).value();
    expect_problem(run(envelope(c, ch.root.public_key_der(), sig, ch.delegations), call_route()), 400,
                   "under the last delegation's key");
  }
  SECTION("malformed delegation entries") {
    Chain ch;
    ch.add(ic::crypto::KeyType::Ed25519, kNow + kSec * 60);
    V c = agent::call_content(agent::RequestType::Call, ch.sender(), kCanister, "m", {}, kNow + 60 * kSec);
    expect_problem(run(envelope(c, ch.root.public_key_der(), Bytes(64), V::array({V::text("x")})), call_route()), 400,
                   "sender_delegation[0] (of 1) must be a map");
    V no_exp = V::array({V::text_map({{"delegation", V::text_map({{"pubkey", V::bytes(Bytes(3))}})}, {"signature", V::bytes(Bytes(64))}})});
    expect_problem(run(envelope(c, ch.root.public_key_der(), Bytes(64), no_exp), call_route()), 400,
                   "missing required field `expiration`");
  }
}

TEST_CASE("content: request types, required fields, types and sizes") {
  auto id = identity(ic::crypto::KeyType::Ed25519);
  V c = content(agent::RequestType::Call, *id);
  c.set("request_type", V::text("mint_cycles"));
  expect_problem(run(signed_body(*id, c), call_route()), 400, "unknown request_type \"mint_cycles\"");
  expect_problem(run(signed_body(*id, content(agent::RequestType::Query, *id)), call_route()), 400,
                 "request_type \"query\" was sent to the call endpoint");
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id)), read_route()), 400,
                 "was sent to the read_state endpoint");

  V no_method = content(agent::RequestType::Call, *id);
  no_method.mutable_map()->erase(std::remove_if(no_method.mutable_map()->begin(), no_method.mutable_map()->end(),
                                                [](auto& kv) { return *kv.first.as_text() == "method_name"; }),
                                 no_method.mutable_map()->end());
  expect_problem(run(signed_body(*id, no_method), call_route()), 400, "missing required field `method_name`");

  V text_expiry = content(agent::RequestType::Call, *id);
  text_expiry.set("ingress_expiry", V::text("tomorrow"));
  expect_problem(run(signed_body(*id, text_expiry), call_route()), 400, "field `ingress_expiry` must be an unsigned integer");

  V int_arg = content(agent::RequestType::Call, *id);
  int_arg.set("arg", V::uint(7));
  expect_problem(run(signed_body(*id, int_arg), call_route()), 400, "field `arg` must be a byte string");

  V long_nonce = content(agent::RequestType::Call, *id);
  long_nonce.set("nonce", V::bytes(Bytes(33, 7)));
  expect_problem(run(signed_body(*id, long_nonce), call_route()), 400, "nonce has 33 bytes, at most 32");
  V ok_nonce = content(agent::RequestType::Call, *id);
  ok_nonce.set("nonce", V::bytes(Bytes(32, 7)));
  CHECK(run(signed_body(*id, ok_nonce), call_route()).ok());

  V sender_info = content(agent::RequestType::Call, *id);
  sender_info.set("sender_info", V::text_map({{"info", V::bytes(Bytes{})}}));
  expect_problem(run(signed_body(*id, sender_info), call_route()), 400, "sender_info");

  // Envelope-level shapes.
  expect_problem(run(cbor::encode_self_describe(V::array()), call_route()), 400, "envelope must be a CBOR map");
  expect_problem(run(cbor::encode_self_describe(V::text_map({{"content", V::text("x")}})), call_route()), 400,
                 "field `content` must be a map");
  expect_problem(run(cbor::encode_self_describe(V::text_map({{"sender_sig", V::bytes(Bytes{})}})), call_route()), 400,
                 "missing required field `content`");
  expect_problem(run(cbor::encode(V::tag(42, V::map())), call_route()), 400, "unexpected CBOR tag 42");
}

TEST_CASE("hostile bytes: malformed CBOR, deep nesting, oversize bodies and arguments") {
  expect_problem(run(Bytes{}, call_route()), 400, "empty request body");
  expect_problem(run(ic::to_bytes("{\"content\": 1}"), call_route()), 400, "malformed CBOR envelope");
  Bytes truncated = signed_body(*agent::anonymous_identity(), content(agent::RequestType::Call, *agent::anonymous_identity()));
  truncated.resize(truncated.size() / 2);
  expect_problem(run(truncated, call_route()), 400, "malformed CBOR envelope");

  Bytes deep(100000, 0x81);  // [[[[…
  deep.push_back(0x00);
  expect_problem(run(deep, call_route()), 400, "nesting deeper than 16");

  // Within the body limit but with too many data items: [0, 0, 0, …] with 400,000 elements.
  Bytes wide{0x9a, 0x00, 0x06, 0x1a, 0x80};
  wide.resize(wide.size() + 400000, 0x00);
  expect_problem(run(wide, call_route()), 400, "more than 300000 data items");

  Limits lim;
  Bytes huge(lim.max_body_bytes() + 1, 0x00);
  expect_problem(run(huge, call_route()), 413, "exceeds the limit of");

  // A well-formed, signed call whose argument alone exceeds the 2 MiB ingress limit (but fits the body).
  auto id = identity(ic::crypto::KeyType::Ed25519);
  auto big = run(signed_body(*id, content(agent::RequestType::Call, *id, kCanister, "m", Bytes((2u << 20) + 1, 1))), call_route());
  expect_problem(big, 413, "more than the ingress limit");

  // Many items (each within depth): 1001 paths.
  auto anon = agent::anonymous_identity();
  std::vector<ic::Path> paths(1001, ic::make_path({"time"}));
  expect_problem(run(signed_body(*anon, agent::read_state_content(anon->sender(), paths, kNow)), read_route()), 400,
                 "1001 paths requested, at most 1000");
  ic::Path long_path(128, ic::to_bytes("x"));
  expect_problem(run(signed_body(*anon, agent::read_state_content(anon->sender(), {long_path}, kNow)), read_route()), 400,
                 "128 labels, at most 127");
}

TEST_CASE("effective canister id: canister calls, management calls by argument, ranges") {
  CHECK(candid::field_hash("canister_id") == 0x4e4c6233u);
  CHECK(candid::field_hash("target_canister") == 0xa7573415u);
  auto id = identity(ic::crypto::KeyType::Ed25519);
  Principal other = Principal::from_canister_index(6);
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id)), call_route(other)), 400,
                 "does not match effective canister id in URL");
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, kOutside)), call_route(kOutside)), 400,
                 "not in this subnet's canister ranges");

  Principal mgmt = Principal::management();
  Bytes status_arg = agent::encode_management_arg("canister_status", "(record { canister_id = principal \"" + kCanister.to_text() + "\" })").value();
  auto st = run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "canister_status", status_arg)), call_route(kCanister));
  INFO(st.problem().message);
  CHECK(st.ok());
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "canister_status", status_arg)), call_route(other)),
                 400, "must be the canister named in the argument");
  // As a query too (canister_status may be queried since 0.51).
  CHECK(run(signed_body(*id, content(agent::RequestType::Query, *id, mgmt, "canister_status", status_arg)), query_route()).ok());

  Bytes chunked = agent::encode_management_arg(
      "install_chunked_code",
      "(record { mode = variant { install }; target_canister = principal \"" + other.to_text() +
          "\"; chunk_hashes_list = vec {}; wasm_module_hash = blob \"\"; arg = blob \"\" })").value();
  CHECK(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "install_chunked_code", chunked)), call_route(other)).ok());
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "install_chunked_code", chunked)), call_route()),
                 400, "must be the canister named");

  Bytes create = agent::encode_management_arg("provisional_create_canister_with_cycles", "(record { })").value();
  CHECK(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "provisional_create_canister_with_cycles", create)),
            call_route(Principal::from_canister_index(77))).ok());
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "provisional_create_canister_with_cycles", create)),
                     call_route(kOutside)),
                 400, "not in this subnet's canister ranges");

  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "raw_rand", kEmptyArgs)),
                     call_route()),
                 400, "must take a record");
  expect_problem(run(signed_body(*id, content(agent::RequestType::Call, *id, mgmt, "start_canister", ic::to_bytes("garbage"))),
                     call_route()),
                 400, "not valid Candid");
}

TEST_CASE("read_state paths: access rules of §4.5") {
  auto alice = identity(ic::crypto::KeyType::Ed25519);
  auto bob = identity(ic::crypto::KeyType::Ed25519);
  ic::Hash256 rid{};
  rid[0] = 1;
  StateAccess access;
  access.subnet_id = facts().subnet_id;
  access.request_origin = [&](const ic::Hash256& r) -> std::optional<std::pair<Principal, Principal>> {
    if (r == rid) return std::make_pair(alice->sender(), kCanister);
    return std::nullopt;
  };
  access.controllers = [&](const Principal&) { return std::optional<std::vector<Principal>>({alice->sender()}); };
  access.is_private_metadata = [](const Principal&, const std::string& n) { return n == "secret"; };

  auto check = [&](const agent::Identity& who, std::vector<ic::Path> paths, const Route& r) {
    auto req = run(signed_body(who, agent::read_state_content(who.sender(), paths, kNow + 60 * kSec)), r);
    REQUIRE(req.ok());
    return check_read_state_paths(*req, r, access);
  };
  auto expect = [](const Check& c, int status, const std::string& needle) {
    REQUIRE_FALSE(c.ok());
    INFO(c.problem().message);
    CHECK(c.problem().status == status);
    CHECK(c.problem().message.find(needle) != std::string::npos);
  };
  Bytes rid_b(rid.begin(), rid.end());
  auto rs = [&](const Bytes& r, std::string leaf = "") {
    ic::Path p{ic::to_bytes("request_status"), r};
    if (!leaf.empty()) p.push_back(ic::to_bytes(leaf));
    return p;
  };
  auto cp = [&](const Principal& c, std::vector<std::string> rest) {
    ic::Path p{ic::to_bytes("canister"), c.bytes()};
    for (auto& s : rest) p.push_back(ic::to_bytes(s));
    return p;
  };

  CHECK(check(*alice, {ic::make_path({"time"}), rs(rid_b, "status"), rs(rid_b, "reply")}, read_route()).ok());
  expect(check(*bob, {rs(rid_b)}, read_route()), 403, "may only be read by its sender");
  expect(check(*alice, {rs(rid_b)}, read_route(Principal::from_canister_index(9))), 403, "was sent to effective canister");
  Bytes other_rid(32, 9);
  CHECK(check(*bob, {rs(other_rid)}, read_route()).ok());  // unknown request: its absence may be proven
  expect(check(*alice, {rs(rid_b), rs(other_rid)}, read_route()), 400, "must name the same request id");
  expect(check(*alice, {rs(Bytes(5, 1))}, read_route()), 400, "a request id has 32 bytes");

  CHECK(check(*bob, {cp(kCanister, {"module_hash"}), cp(kCanister, {"controllers"}), cp(kCanister, {"metadata", "candid:service"})},
              read_route()).ok());
  expect(check(*bob, {cp(Principal::from_canister_index(9), {"module_hash"})}, read_route()), 400,
         "does not match requested principal id");
  expect(check(*bob, {cp(kCanister, {"metadata", "secret"})}, read_route()), 403, "only its controllers");
  CHECK(check(*alice, {cp(kCanister, {"metadata", "secret"})}, read_route()).ok());
  expect(check(*bob, {cp(kCanister, {"certified_data"})}, read_route()), 404, "Invalid path requested");
  expect(check(*bob, {cp(kCanister, {})}, read_route()), 404, "Invalid path requested");

  Principal sid = facts().subnet_id;
  Route subnet = route("/api/v3/subnet/" + sid.to_text() + "/read_state");
  CHECK(check(*bob, {ic::make_path({"subnet"})}, read_route()).ok());
  ic::Path metrics{ic::to_bytes("subnet"), sid.bytes(), ic::to_bytes("metrics")};
  expect(check(*bob, {metrics}, read_route()), 404, "only be read at the subnet read_state endpoint");
  CHECK(check(*bob, {metrics, ic::Path{ic::to_bytes("canister_ranges"), sid.bytes()}}, subnet).ok());
  expect(check(*bob, {ic::Path{ic::to_bytes("canister_ranges"), sid.bytes()}}, read_route()), 404, "subnet read_state endpoint");
  expect(check(*bob, {rs(rid_b)}, subnet), 404, "request_status may not be read");
  expect(check(*bob, {ic::make_path({"nonsense"})}, read_route()), 404, "Invalid path requested: /nonsense");
  expect(check(*bob, {ic::Path{}}, read_route()), 400, "whole state tree");

  // Subnet endpoint for another subnet.
  auto anon = agent::anonymous_identity();
  Route wrong = route("/api/v3/subnet/" + Principal::self_authenticating(ic::to_bytes("x")).to_text() + "/read_state");
  expect_problem(run(signed_body(*anon, agent::read_state_content(anon->sender(), {ic::make_path({"time"})}, kNow)), wrong), 404,
                 "is not this node's subnet");
}
