// Requests: the spec's request-id vectors through the content builders, ingress expiry rounding, and signed
// envelopes whose signature verifies under the sender's key for every key type.
#include <catch2/catch.hpp>

#include "agent/identity.h"
#include "agent/request.h"
#include "ic/crypto/keys.h"

using namespace agent;
using ic::Bytes;
using ic::Principal;

TEST_CASE("request ids of built contents match the spec vectors (ic-protocol.md §2)", "[request]") {
  // Interface spec worked example: an anonymous call.
  Principal canister = Principal::from_bytes(ic::from_hex("00000000000004D2").value()).value();
  Bytes arg = ic::to_bytes(std::string_view("DIDL\x00\xFD*", 7));
  auto c = call_content(RequestType::Call, Principal::anonymous(), canister, "hello", arg, 1685570400000000000ull);
  CHECK(ic::to_hex(ic::request_id(c).value()) == "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101");
  // The nonce is a field like any other: it changes the id.
  auto n = call_content(RequestType::Call, Principal::anonymous(), canister, "hello", arg, 1685570400000000000ull, Bytes{1});
  CHECK(ic::to_hex(ic::request_id(n).value()) != "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101");

  // agent-rs read_state vector: {sender: 0x00000000000004D2, paths: [[], [""], ["hello", "world"]]} plus the
  // fields our builder always sets; recompute the vector's map by removing them.
  std::vector<ic::Path> paths = {{}, {Bytes{}}, ic::make_path({"hello", "world"})};
  auto rs = read_state_content(canister, paths, 1);
  ic::cbor::Value trimmed = ic::cbor::Value::text_map({{"sender", *rs.get("sender")}, {"paths", *rs.get("paths")}});
  CHECK(ic::to_hex(ic::request_id(trimmed).value()) == "97d6f297aea699aec85d3377c7643ea66db810aba5c4372fbc2082c999f452dc");
  CHECK(rs.get("request_type")->as_text() == std::string_view("read_state"));
}

TEST_CASE("ingress expiry: whole minutes beyond 90 s, whole seconds below", "[request]") {
  const uint64_t s = kNanosPerSecond;
  uint64_t now = 1'700'000'000 * s + 12'345'678'901ull;  // 12.3 s past a minute boundary... plus change
  uint64_t e = ingress_expiry(now);
  CHECK(e % (60 * s) == 0);
  CHECK(e <= now + 3 * 60 * s);
  CHECK(e > now + 2 * 60 * s);
  uint64_t short_e = ingress_expiry(now, 60 * s);
  CHECK(short_e % s == 0);
  CHECK(short_e <= now + 60 * s);
  CHECK(short_e > now + 59 * s);
}

TEST_CASE("signed envelopes verify under the sender's key, for every key type", "[request]") {
  Principal canister = Principal::from_canister_index(7);
  for (auto type : {ic::crypto::KeyType::Ed25519, ic::crypto::KeyType::Secp256k1, ic::crypto::KeyType::P256}) {
    SECTION(ic::crypto::key_type_name(type)) {
      auto id = key_identity(ic::crypto::PrivateKey::generate(type).value());
      CHECK(id->kind() == ic::crypto::key_type_name(type));
      auto req = sign_request(*id, call_content(RequestType::Call, id->sender(), canister, "greet", Bytes{1, 2}, 42)).value();
      CHECK(req.body.size() > 3);
      CHECK(ic::to_hex(ic::ByteView(req.body).first(3)) == "d9d9f7");
      auto env = decode_envelope(req.body).value();
      REQUIRE(env.sender_pubkey);
      REQUIRE(env.sender_sig);
      CHECK(*env.sender_pubkey == *id->public_key_der());
      CHECK(Principal::self_authenticating(*env.sender_pubkey) == id->sender());
      CHECK(ic::request_id(env.content).value() == req.request_id);
      CHECK(ic::crypto::verify_signature(*env.sender_pubkey, ic::request_signing_payload(req.request_id), *env.sender_sig).ok());
      // The signature covers the id: another request's id does not verify.
      auto other = sign_request(*id, call_content(RequestType::Call, id->sender(), canister, "greet", Bytes{1, 3}, 42)).value();
      CHECK_FALSE(ic::crypto::verify_signature(*env.sender_pubkey, ic::request_signing_payload(other.request_id), *env.sender_sig).ok());
      // A content whose sender is someone else is refused before signing.
      CHECK_FALSE(sign_request(*id, call_content(RequestType::Call, Principal::anonymous(), canister, "greet", {}, 42)).ok());
    }
  }
  SECTION("anonymous: no key, no signature") {
    auto anon = anonymous_identity();
    auto req = sign_request(*anon, read_state_content(anon->sender(), {ic::make_path({"time"})}, 42)).value();
    auto env = decode_envelope(req.body).value();
    CHECK_FALSE(env.sender_pubkey);
    CHECK_FALSE(env.sender_sig);
    CHECK(env.content.get("sender")->as_bytes()->size() == 1);
  }
}
