// hubctl's agent commands as a user runs them: `certificate verify` gives every file in tests/data/certificates
// its README verdict (exit 0/1, the failed check named), `principal --pem`, `identity …` on a throwaway dfx
// directory, and `status`, `canister info`, `call`, `query` against a scripted replica on 127.0.0.1.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/certificate.h"
#include "agent/clock.h"
#include "fake_replica.h"
#include "support/process.h"
#include "support/test_data.h"

namespace fs = std::filesystem;
using ic::Bytes;
using ic::Principal;

namespace {

struct Run {
  int code;
  std::string out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

Run hubctl(std::vector<std::string> args) {
  auto r = testproc::hubctl(std::move(args));
  REQUIRE(r.code >= 0);
  return {r.code, r.out, r.err};
}

std::string cert(const std::string& name) { return testdata::path("certificates/" + name); }
const std::string kIvg37 = "ivg37-qiaaa-aaaab-aaaga-cai";

// A dfx config root of its own for the whole test program.
struct Env {
  fs::path dir;
  Env() {
    char tmpl[] = "/tmp/hubctl-cli-XXXXXX";
    dir = mkdtemp(tmpl);
    setenv("DFX_CONFIG_ROOT", dir.c_str(), 1);
    unsetenv("HUBCTL_IDENTITY");
    unsetenv("HUBCTL_NETWORK");
  }
  ~Env() { fs::remove_all(dir); }
};
Env& env() {
  static Env e;
  return e;
}

}  // namespace

TEST_CASE("certificate verify: every file in tests/data/certificates gets its README verdict", "[cli][certificate]") {
  env();
  auto ok = hubctl({"certificate", "verify", cert("ivg37_time.bin"), "--canister", kIvg37});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("/time = 1763796896688941908 (2025-11-22T07:34:56.688Z)") != std::string::npos);
  CHECK(ok.out.find("VALID for canister " + kIvg37) != std::string::npos);

  auto out = hubctl({"--json", "certificate", "verify", cert("ivg37_time.bin"), "--canister", "ryjl3-tyaaa-aaaaa-aaaba-cai"});
  CHECK(out.code == 1);
  CHECK(out.json()["failed_check"] == "canister_range");
  CHECK(out.err.find("outside the canister ranges") != std::string::npos);

  auto pruned = hubctl({"certificate", "verify", cert("ivg37_time_pruned_ranges.bin"), "--canister", kIvg37});
  CHECK(pruned.code == 1);
  CHECK(pruned.out.find("INVALID (canister_ranges_pruned)") != std::string::npos);

  auto v2 = hubctl({"certificate", "verify", cert("ivg37_delegated_v2.bin"), "--canister", kIvg37});
  CHECK(v2.code == 0);
  CHECK(v2.out.find("reject_message = \"Canister ivg37-qiaaa-aaaab-aaaga-cai has no update method 'register'\"") !=
        std::string::npos);
  CHECK(v2.out.find("reject_code = 3") != std::string::npos);
  for (const char* in : {"00000000002000000101", "00000000002abcde0101", "00000000002fffff0101"}) {
    std::string id = Principal::from_bytes(ic::from_hex(in).value()).value().to_text();
    CHECK(hubctl({"certificate", "verify", cert("ivg37_delegated_v2.bin"), "--canister", id}).code == 0);
  }
  for (const char* outside : {"00000000000000020101", "00000000003000020101"}) {
    std::string id = Principal::from_bytes(ic::from_hex(outside).value()).value().to_text();
    auto r = hubctl({"--json", "certificate", "verify", cert("ivg37_delegated_v2.bin"), "--canister", id});
    CHECK(r.code == 1);
    CHECK(r.json()["failed_check"] == "canister_range");
  }
  auto v2p = hubctl({"--json", "certificate", "verify", cert("ivg37_delegated_v2_pruned_subnet.bin"), "--canister", kIvg37});
  CHECK(v2p.code == 1);
  CHECK(v2p.json()["failed_check"] == "canister_ranges_pruned");

  auto sub = hubctl({"--json", "certificate", "verify", cert("224od_subnet.bin"), "--canister", "224od-giaaa-aaaao-ae5vq-cai"});
  REQUIRE(sub.code == 0);
  auto doc = sub.json();
  CHECK(doc["valid"] == true);
  std::string subnet = doc["signed_by"];
  CHECK(subnet.rfind("o3ow2-", 0) == 0);
  CHECK(hubctl({"certificate", "verify", cert("224od_subnet.bin"), "--subnet", subnet}).code == 0);
  auto wrong = hubctl({"--json", "certificate", "verify", cert("224od_subnet.bin"), "--subnet", "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"});
  CHECK(wrong.code == 1);
  CHECK(wrong.json()["failed_check"] == "subnet");
}

TEST_CASE("certificate verify: stale, tampered, wrong root key, input forms, usage", "[cli][certificate]") {
  env();
  std::string f = cert("ivg37_time.bin");
  // --at: fresh within --max-age, stale beyond it (exit 1, `freshness`, both times printed).
  CHECK(hubctl({"certificate", "verify", f, "--canister", kIvg37, "--at", "2025-11-22T07:38:00Z"}).code == 0);
  auto stale = hubctl({"--json", "certificate", "verify", f, "--canister", kIvg37, "--at", "2025-11-22T07:45:00Z"});
  CHECK(stale.code == 1);
  CHECK(stale.json()["failed_check"] == "freshness");
  CHECK(stale.err.find("2025-11-22T07:34:56.688Z") != std::string::npos);
  CHECK(stale.err.find("2025-11-22T07:45:00.000Z") != std::string::npos);
  CHECK(hubctl({"certificate", "verify", f, "--canister", kIvg37, "--at", "2025-11-22T07:45:00Z", "--max-age", "15m"}).code == 0);

  // A flipped bit in the certificate's signature (the last bytes of the outer signature).
  Bytes raw = testdata::read("certificates/ivg37_time.bin");
  auto body = ic::cbor::decode(raw).value();
  Bytes c = *body.untagged().get("certificate")->as_bytes();
  auto cv = ic::cbor::decode(c).value();
  Bytes sig = *cv.untagged().get("signature")->as_bytes();
  auto pos = std::search(c.begin(), c.end(), sig.begin(), sig.end());
  REQUIRE(pos != c.end());
  *(pos + 20) ^= 0x04;
  fs::path tampered = env().dir / "tampered.cbor";
  std::ofstream(tampered, std::ios::binary).write(reinterpret_cast<const char*>(c.data()), std::streamsize(c.size()));
  auto t = hubctl({"--json", "certificate", "verify", tampered.string(), "--canister", kIvg37});
  INFO(t.out << t.err);
  CHECK(t.code == 1);
  CHECK(t.json()["failed_check"] == "signature");

  // The bare certificate, in hex, from stdin.
  fs::path hexfile = env().dir / "cert.hex";
  *(pos + 20) ^= 0x04;
  std::ofstream(hexfile) << ic::to_hex(c) << "\n";
  CHECK(hubctl({"certificate", "verify", hexfile.string(), "--canister", kIvg37, "-q"}).code == 0);

  // Another root key: the delegation does not verify.
  testnet::Net net;
  auto rk = hubctl({"--json", "--root-key", ic::to_hex(net.root_der), "certificate", "verify", f, "--canister", kIvg37});
  CHECK(rk.code == 1);
  CHECK(rk.json()["failed_check"] == "delegation_signature");
  CHECK(hubctl({"--root-key", ic::to_hex(agent::mainnet_root_key()), "certificate", "verify", f, "--canister", kIvg37}).code == 0);

  CHECK(hubctl({"certificate", "verify", f}).code == 3);                                        // no scope
  CHECK(hubctl({"--root-key", "fetch", "certificate", "verify", f, "--canister", kIvg37}).code == 3);  // offline
  CHECK(hubctl({"certificate", "verify", f, "--canister", kIvg37, "--at", "yesterday"}).code == 3);
  CHECK(hubctl({"certificate", "verify", "/nonexistent", "--canister", kIvg37}).code == 2);
}

TEST_CASE("principal --pem and identity commands on dfx's layout", "[cli][identity]") {
  Env& e = env();
  fs::path pem = e.dir / "p256.pem";
  REQUIRE(std::system((std::string(OPENSSL_BIN) + " genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                       pem.string()).c_str()) == 0);
  REQUIRE(std::system((std::string(OPENSSL_BIN) + " pkey -in " + pem.string() + " -pubout -outform DER -out " +
                       (e.dir / "p256.der").string()).c_str()) == 0);
  std::ifstream df(e.dir / "p256.der", std::ios::binary);
  std::string der((std::istreambuf_iterator<char>(df)), {});
  std::string expect = Principal::self_authenticating(ic::Bytes(der.begin(), der.end())).to_text();
  auto p = hubctl({"--json", "principal", "--pem", pem.string()});
  REQUIRE(p.code == 0);
  CHECK(p.json()["text"] == expect);
  CHECK(p.json()["class"] == "self-authenticating");

  auto created = hubctl({"--json", "identity", "new", "ops", "--key-type", "ed25519"});
  REQUIRE(created.code == 0);
  CHECK(fs::exists(e.dir / ".config/dfx/identity/ops/identity.pem"));
  CHECK(created.err.find("unencrypted") != std::string::npos);
  auto imported = hubctl({"--json", "identity", "import", "auditor", pem.string()});
  REQUIRE(imported.code == 0);
  CHECK(imported.json()["principal"] == expect);
  CHECK(hubctl({"identity", "use", "auditor"}).code == 0);
  auto who = hubctl({"--json", "identity", "whoami"});
  CHECK(who.json()["name"] == "auditor");
  CHECK(who.json()["principal"] == expect);
  auto list = hubctl({"identity", "list"});
  CHECK(list.out.find("auditor *") != std::string::npos);
  CHECK(list.out.find("ops") != std::string::npos);
  CHECK(hubctl({"identity", "use", "nobody"}).code == 2);
  CHECK(hubctl({"identity", "new", "ops"}).code == 3);  // exists
  CHECK(hubctl({"--identity", "ops", "identity", "whoami", "-q"}).out == "ops");
}

TEST_CASE("status, canister info, call and query against a local replica", "[cli][live]") {
  Env& e = env();
  testnet::FakeReplica replica;
  replica.time_ns = agent::system_clock_ns();  // hubctl checks freshness with the real clock
  Principal canister = Principal::from_canister_index(0x123456);
  Principal ctl1 = Principal::anonymous(), ctl2 = Principal::from_canister_index(0x100001);
  replica.canisters[canister] = {Bytes(32, 0xab), {ctl2, ctl1}};
  Principal empty = Principal::from_canister_index(0x123457);
  replica.canisters[empty] = {std::nullopt, {ctl1}};
  testnet::Server server([&](const httplib::Request& rq, httplib::Response& rs) { replica.handle(rq, rs); });
  std::string url = server.url();

  auto st = hubctl({"--json", "--network", url, "status"});
  REQUIRE(st.code == 0);
  CHECK(st.json()["replica_health_status"] == "healthy");
  CHECK(st.json()["root_key_source"] == "fetched");  // implicit for a loopback URL
  CHECK(st.json()["root_key"] == ic::to_hex(replica.net.root_der));

  auto info = hubctl({"--network", url, "canister", "info", canister.to_text()});
  REQUIRE(info.code == 0);
  // Controllers sorted bytewise (the anonymous principal 04 sorts after the canister id 00…).
  CHECK(info.out.find("Controllers: " + ctl2.to_text() + " " + ctl1.to_text()) != std::string::npos);
  CHECK(info.out.find("Module hash: 0x" + ic::to_hex(Bytes(32, 0xab))) != std::string::npos);
  auto none = hubctl({"--json", "--network", url, "canister", "info", empty.to_text()});
  REQUIRE(none.code == 0);
  CHECK(none.json()["module_hash"].is_null());
  auto missing = hubctl({"--network", url, "canister", "info", Principal::from_canister_index(0x123458).to_text()});
  CHECK(missing.code == 2);
  CHECK(missing.err.find("does not exist") != std::string::npos);
  // The wrong root key: certificates fail (exit 1).
  testnet::Net other;
  other.root_sk = testnet::secret_key(9);
  other.root_der = bls::public_key(other.root_sk).to_der();
  CHECK(hubctl({"--network", url, "--root-key", ic::to_hex(other.root_der), "canister", "info", canister.to_text()}).code == 1);

  // call: no identity yet, so a plaintext `default` one is created (as dfx does) and said so.
  fs::remove_all(e.dir / ".config/dfx/identity/default");
  fs::remove(e.dir / ".config/dfx/identity.json");
  auto call = hubctl({"--network", url, "call", canister.to_text(), "greet", "(\"Ada\", 42 : nat)"});
  REQUIRE(call.code == 0);
  CHECK(call.out == "(\"Ada\", 42 : nat)");
  CHECK(call.err.find("created a new plaintext identity `default`") != std::string::npos);
  CHECK(fs::exists(e.dir / ".config/dfx/identity/default/identity.pem"));
  CHECK(replica.bad_envelopes == 0);

  // With --did the reply's fields have names; without, their numeric ids (as didc prints them).
  fs::path rec = e.dir / "rec.did";
  std::ofstream(rec) << "type R = record { n : nat64; t : text };\nservice : { greet : (R) -> (R) }\n";
  auto js = hubctl({"--json", "--network", url, "call", canister.to_text(), "greet", "(record { n = 7; t = \"x\" })",
                    "--did", rec.string()});
  REQUIRE(js.code == 0);
  auto doc = js.json();
  INFO(js.out);
  CHECK(doc["certified"] == true);
  CHECK(doc["reply"][0]["n"] == "7");  // 64-bit numbers as strings
  CHECK(doc["reply"][0]["t"] == "x");
  auto ids = hubctl({"--json", "--network", url, "call", canister.to_text(), "greet", "(record { n = 7 : nat64 })"});
  CHECK(ids.json()["reply"][0]["110"] == "7");

  fs::path did = e.dir / "greet.did";
  std::ofstream(did) << "service : { greet : (text) -> (text) query }\n";
  auto q = hubctl({"--network", url, "query", canister.to_text(), "greet", "(\"hi\")", "--did", did.string()});
  REQUIRE(q.code == 0);
  CHECK(q.out == "(\"hi\")");
  auto qh = hubctl({"--network", url, "query", canister.to_text(), "greet", "(\"hi\")", "--output", "hex"});
  CHECK(qh.code == 0);
  CHECK(qh.out == "4449444c000171026869");  // ("hi") as the canister's bytes

  auto rej = hubctl({"--json", "--network", url, "call", canister.to_text(), "fail"});
  CHECK(rej.code == 2);
  CHECK(rej.json()["failed_check"] == "reject");
  CHECK(rej.err.find("reject code 5 (CANISTER_ERROR), IC0503: trapped") != std::string::npos);

  // A URL that is not loopback needs an explicit root key (DESIGN.md), and mainnet refuses `fetch`.
  CHECK(hubctl({"--network", "https://example.org", "status"}).code == 3);
  CHECK(hubctl({"--network", "ic", "--root-key", "fetch", "status"}).code == 3);
}
