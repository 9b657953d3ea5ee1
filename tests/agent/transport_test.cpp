// The agent over real HTTP against a scripted replica on 127.0.0.1: API-version fallbacks on 404, retries on
// 503/429 only, polling with backoff, synchronous calls with certificates, node-signed queries, the clock-skew
// error, status/root key, and the management helpers (chunked install).
#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <set>

#include "agent/agent.h"
#include "agent/management.h"
#include "candid/binary.h"
#include "candid/text/text.h"
#include "fake_replica.h"

using namespace agent;
using ic::Bytes;
using ic::Principal;
using ic::cbor::Value;
using testnet::Outcome;

namespace {

struct Rig {
  testnet::FakeReplica replica;
  testnet::Server server{[this](const httplib::Request& rq, httplib::Response& rs) { replica.handle(rq, rs); }};
  int64_t skew_ns = 0;  // this machine's clock minus the replica's
  std::vector<long> polls_ms, retries_ms;
  std::vector<std::string> logs;

  std::shared_ptr<Identity> identity = key_identity(ic::crypto::PrivateKey::generate(ic::crypto::KeyType::Secp256k1).value());

  Agent agent() {
    AgentOptions o;
    o.url = server.url();
    o.identity = identity;
    o.root_key = replica.net.root_der;
    o.clock = [this] { return uint64_t(int64_t(replica.time_ns) + skew_ns); };
    o.sleep = [this](std::chrono::milliseconds d) { polls_ms.push_back(long(d.count())); };
    o.transport_options.sleep = [this](std::chrono::milliseconds d) { retries_ms.push_back(long(d.count())); };
    o.log = [this](const std::string& l) { logs.push_back(l); };
    return Agent(o);
  }
};

const Principal kCanister = Principal::from_canister_index(0x123456);
const Bytes kArg = {0x44, 0x49, 0x44, 0x4c, 0x00, 0x00};

}  // namespace

TEST_CASE("call: v4 → v3 → v2 on 404, then polling with agent-rs's backoff", "[transport]") {
  Rig rig;
  rig.replica.call_versions = {2};
  rig.replica.read_versions = {2};
  rig.replica.processing_polls = 2;
  Agent a = rig.agent();
  auto r = a.call(kCanister, "greet", kArg);
  INFO((r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  CHECK_FALSE(r->rejected);
  CHECK(r->arg == kArg);
  CHECK(r->certified);
  CHECK(r->api_version == 2);
  std::string base = "/canister/" + kCanister.to_text();
  auto hits = rig.server.hits();
  REQUIRE(hits.size() >= 6);
  CHECK(hits[0] == "POST /api/v4" + base + "/call");
  CHECK(hits[1] == "POST /api/v3" + base + "/call");
  CHECK(hits[2] == "POST /api/v2" + base + "/call");
  CHECK(hits[3] == "POST /api/v3" + base + "/read_state");
  CHECK(hits[4] == "POST /api/v2" + base + "/read_state");
  CHECK(rig.server.count("read_state") == 1 + 3);  // one 404, two "processing", one "replied"
  // Two waits: 0.5 s, then 0.7 s (×1.4), each with ±20 % jitter.
  REQUIRE(rig.polls_ms.size() == 2);
  CHECK(rig.polls_ms[0] >= 400);
  CHECK(rig.polls_ms[0] <= 600);
  CHECK(rig.polls_ms[1] >= 560);
  CHECK(rig.polls_ms[1] <= 840);
  CHECK(rig.replica.bad_envelopes == 0);
  // The versions that worked are remembered: the next call goes straight to v2.
  size_t before = rig.server.hits().size();
  REQUIRE(a.call(kCanister, "greet", kArg).ok());
  CHECK(rig.server.hits()[before] == "POST /api/v2" + base + "/call");
}

TEST_CASE("call: synchronous v4 with a certificate; rejects certified and not", "[transport]") {
  Rig rig;
  Agent a = rig.agent();
  auto r = a.call(kCanister, "greet", kArg).value();
  CHECK(r.api_version == 4);
  CHECK(r.certified);
  CHECK(r.arg == kArg);
  CHECK(rig.server.hits().size() == 1);  // no polling
  CHECK(rig.polls_ms.empty());

  auto rej = a.call(kCanister, "fail", kArg).value();
  CHECK(rej.rejected);
  CHECK(rej.certified);
  CHECK(rej.reject_code == 5);
  CHECK(rej.error_code == "IC0503");
  ic::Error e = reject_to_error(rej, "greet");
  CHECK(e.code == ic::Errc::rejected);
  CHECK(e.message == "greet was rejected: reject code 5 (CANISTER_ERROR), IC0503: trapped");

  rig.replica.non_replicated = true;
  auto nr = a.call(kCanister, "greet", kArg).value();
  CHECK(nr.rejected);
  CHECK_FALSE(nr.certified);
  CHECK(nr.reject_code == 4);
  CHECK(nr.error_code == "IC0406");

  // A subnet that may not certify this canister: refused, naming the check.
  rig.replica.non_replicated = false;
  rig.replica.ranges = std::vector<std::pair<Principal, Principal>>{
      {Principal::from_canister_index(0x500000), Principal::from_canister_index(0x5fffff)}};
  auto out = a.call(kCanister, "greet", kArg);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == ic::Errc::crypto);
  CHECK(out.error().message.find("(canister_range)") != std::string::npos);
  CHECK(rig.replica.bad_envelopes == 0);
}

TEST_CASE("transport: retries on 503 and 429 with backoff, never on 400", "[transport]") {
  Rig rig;
  Agent a = rig.agent();
  rig.replica.fail_with = {503, 429};
  REQUIRE(a.call(kCanister, "greet", kArg).ok());
  CHECK(rig.server.count("/call") == 3);
  CHECK(rig.retries_ms == std::vector<long>{250, 500});
  CHECK(rig.logs.size() >= 2);

  rig.retries_ms.clear();
  rig.replica.fail_with = {400};
  auto bad = a.call(kCanister, "greet", kArg);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ic::Errc::rejected);
  CHECK(bad.error().message.find("HTTP 400: try later") != std::string::npos);
  CHECK(rig.retries_ms.empty());

  rig.replica.fail_with = {500, 502, 503, 504, 503};
  auto down = a.status();
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code == ic::Errc::network);
  CHECK(down.error().message.find("HTTP 504") != std::string::npos);  // the 4th answer: 1 try + 3 retries
  CHECK(rig.retries_ms == std::vector<long>{250, 500, 1000});
  rig.replica.fail_with.clear();
}

TEST_CASE("transport: connection errors are retried, then reported", "[transport]") {
  std::string url;
  {
    testnet::Server gone([](const httplib::Request&, httplib::Response&) {});
    url = gone.url();
  }
  std::vector<long> waits;
  TransportOptions o;
  o.sleep = [&](std::chrono::milliseconds d) { waits.push_back(long(d.count())); };
  o.connect_timeout = std::chrono::milliseconds(2000);
  auto t = make_http_transport(url, o);
  auto r = t->get("/api/v2/status");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ic::Errc::network);
  CHECK(r.error().message.find("after 4 attempts") != std::string::npos);
  CHECK(waits.size() == 3);
  CHECK(is_loopback_url(url));
  CHECK_FALSE(is_loopback_url("https://icp-api.io"));
  CHECK(is_loopback_url("http://[::1]:4943"));
  CHECK(is_loopback_url("http://localhost:8000/"));
}

TEST_CASE("query: v3 → v2 on 404, node signatures verified against the subnet's keys", "[transport]") {
  Rig rig;
  rig.replica.query_versions = {2};
  Agent a = rig.agent();
  auto r = a.query(kCanister, "greet", kArg);
  INFO((r.ok() ? "" : r.error().to_string()));
  REQUIRE(r.ok());
  CHECK(r->certified);
  CHECK(r->arg == kArg);
  CHECK(r->api_version == 2);
  CHECK(rig.server.count("/api/v3/canister/" + kCanister.to_text() + "/query") == 1);
  CHECK(rig.server.count("read_state") == 1);  // /subnet, once: node keys are cached
  REQUIRE(a.query(kCanister, "greet", kArg).ok());
  CHECK(rig.server.count("read_state") == 1);

  rig.replica.tamper_query = true;
  auto t = a.query(kCanister, "greet", kArg);
  REQUIRE_FALSE(t.ok());
  CHECK(t.error().code == ic::Errc::crypto);
  CHECK(t.error().message.find("does not verify") != std::string::npos);
  rig.replica.tamper_query = false;
  rig.replica.unknown_node = true;
  auto u = a.query(kCanister, "greet", kArg);
  REQUIRE_FALSE(u.ok());
  CHECK(u.error().message.find("not a node of subnet " + rig.replica.net.subnet.to_text()) != std::string::npos);
  rig.replica.unknown_node = false;
  rig.replica.no_signatures = true;
  CHECK(a.query(kCanister, "greet", kArg).error().message.find("no node signatures") != std::string::npos);
}

TEST_CASE("clock skew: the error prints both clocks", "[transport]") {
  Rig rig;
  rig.skew_ns = 7 * 60 * int64_t(kNanosPerSecond) + 3 * int64_t(kNanosPerSecond);
  rig.replica.call_error =
      "Invalid request expiry: Specified ingress_expiry not within expected range: Minimum allowed expiry: x";
  Agent a = rig.agent();
  auto r = a.call(kCanister, "greet", kArg);
  REQUIRE_FALSE(r.ok());
  std::string m = r.error().message;
  INFO(m);
  CHECK(m.find("refused the request's ingress expiry") != std::string::npos);
  CHECK(m.find("this machine's clock: " + format_time(rig.replica.time_ns + uint64_t(rig.skew_ns))) != std::string::npos);
  CHECK(m.find("replica's clock (certified /time): " + format_time(rig.replica.time_ns)) != std::string::npos);
  CHECK(m.find("this machine is 7 min 3 s ahead") != std::string::npos);
  CHECK(r.error().hint.find("synchronize") != std::string::npos);

  // A certificate older than allowed: stale, with both clocks, even when the call itself was accepted.
  rig.replica.call_error.clear();
  rig.skew_ns = 10 * 60 * int64_t(kNanosPerSecond);
  auto stale = a.call(kCanister, "greet", kArg);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.error().message.find("(freshness)") != std::string::npos);
  CHECK(stale.error().message.find("10 min old") != std::string::npos);
}

TEST_CASE("status and root key", "[transport]") {
  Rig rig;
  AgentOptions o;
  o.url = rig.server.url();
  Agent a(o);
  auto s = a.status().value();
  CHECK(s.replica_health_status == "healthy");
  CHECK(s.impl_version == "test");
  CHECK(a.fetch_root_key().value() == rig.replica.net.root_der);
  CHECK(a.root_key() == rig.replica.net.root_der);
}

TEST_CASE("management helpers: canister_status decoding and chunked install", "[transport][management]") {
  Rig rig;
  std::vector<std::pair<std::string, Principal>> seen;
  std::map<std::string, candid::Args> args;
  rig.replica.app = [&](const std::string& m, const Bytes& arg, const Principal& ecid) {
    seen.push_back({m, ecid});
    args[m] = candid::decode(arg).value();
    Outcome o;
    std::string text = "()";
    if (m == "canister_status")
      text = "(record { status = variant { stopped }; settings = record { controllers = vec { principal \"aaaaa-aa\" }; "
             "freezing_threshold = 2_592_000 : nat; compute_allocation = 0 : nat }; module_hash = opt blob \"\\ab\\cd\"; "
             "memory_size = 1_234 : nat; cycles = 5_000_000_000_000 : nat; idle_cycles_burned_per_day = 7 : nat; "
             "query_stats = record { num_calls_total = 0 : nat } })";
    if (m == "upload_chunk") {
      const candid::Value* chunk = args[m].values[0].field(candid::field_hash("chunk"));
      ic::Hash256 h = ic::sha256(chunk->bytes);
      text = "(record { hash = blob \"";
      for (uint8_t b : h) text += "\\" + ic::to_hex(Bytes{b});
      text += "\" })";
    }
    o.reply = candid::encode(candid::text::parse_args(text).value()).value();
    return o;
  };
  Agent a = rig.agent();
  auto st = canister_status(a, kCanister);
  INFO((st.ok() ? "" : st.error().to_string()));
  REQUIRE(st.ok());
  CHECK(st->status == "stopped");
  CHECK(st->module_hash == std::optional<Bytes>(Bytes{0xab, 0xcd}));
  CHECK(st->cycles.to_decimal() == "5000000000000");
  CHECK(st->memory_size.to_decimal() == "1234");
  CHECK(st->freezing_threshold->to_decimal() == "2592000");
  CHECK_FALSE(st->reserved_cycles.has_value());  // an older replica without the field
  REQUIRE(st->controllers.size() == 1);
  CHECK(st->controllers[0].is_management());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].second == kCanister);  // effective canister id = the canister_id argument (§5.1)

  seen.clear();
  Bytes small(1000, 7);
  REQUIRE(install_code(a, kCanister, small, Bytes{1}, InstallMode::Install).ok());
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].first == "install_code");
  CHECK(args["install_code"].values[0].field(candid::field_hash("wasm_module"))->bytes == small);

  seen.clear();
  Bytes big(2 * 1024 * 1024 + 512 * 1024);
  for (size_t i = 0; i < big.size(); ++i) big[i] = uint8_t(i * 31 + i / 4096);
  std::vector<std::string> progress;
  auto inst = install_code(a, kCanister, big, Bytes{}, InstallMode::Upgrade, [&](const std::string& s) { progress.push_back(s); });
  INFO((inst.ok() ? "" : inst.error().to_string()));
  REQUIRE(inst.ok());
  std::vector<std::string> methods;
  for (auto& [m, ecid] : seen) {
    methods.push_back(m);
    CHECK(ecid == kCanister);
  }
  CHECK(methods == std::vector<std::string>{"clear_chunk_store", "upload_chunk", "upload_chunk", "upload_chunk",
                                            "install_chunked_code", "clear_chunk_store"});
  const candid::Value& icc = args["install_chunked_code"].values[0];
  ic::Hash256 whole = ic::sha256(big);
  CHECK(icc.field(candid::field_hash("wasm_module_hash"))->bytes == Bytes(whole.begin(), whole.end()));
  CHECK(icc.field(candid::field_hash("chunk_hashes_list"))->items.size() == 3);
  CHECK(progress.size() == 4);

  seen.clear();
  CanisterSettings s;
  s.controllers = std::vector<Principal>{Principal::anonymous()};
  s.freezing_threshold = ic::BigNat(100);
  REQUIRE(update_settings(a, kCanister, s).ok());
  REQUIRE(stop_canister(a, kCanister).ok());
  REQUIRE(start_canister(a, kCanister).ok());
  CHECK(seen.size() == 3);
  CHECK(rig.replica.bad_envelopes == 0);
}
