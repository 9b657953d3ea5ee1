// End to end on the real local network: `build/hubctl local start --port 0 --state-dir <tmp> --background`, the
// kit's test canister installed through src/agent, then hubctl's own commands (status, canister info, call,
// query, local status/stop/set-controllers), the v4 -> v3 -> v2 fallback with --api-versions, hostile HTTP input,
// and durability under kill -9 at random moments.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/agent.h"
#include "agent/identity.h"
#include "agent/management.h"
#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "ic/cbor.h"
#include "ic/sha2.h"
#include "support/process.h"

namespace {

namespace fs = std::filesystem;
using ic::Bytes;
using ic::Principal;
using nlohmann::json;

const std::string kWasm = std::string(HUBCTL_BUILD_DIR) + "/wasm/kit_test.wasm";
const std::string kDid = std::string(HUBCTL_SOURCE_DIR) + "/src/canisters/kit_test/kit_test.did";

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/hubctl-e2e-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

const candid::text::DidFile& kit_did() {
  static candid::text::DidFile d = candid::text::load_did(kDid).value();
  return d;
}

Bytes encode(const std::string& method, const std::string& text) {
  auto f = kit_did().method(method);
  REQUIRE(f.ok());
  auto a = candid::text::parse_args(text, kit_did(), &f->args);
  REQUIRE(a.ok());
  return candid::encode(*a).value();
}

uint64_t decode_nat64(const Bytes& reply) {
  auto a = candid::decode(reply);
  REQUIRE(a.ok());
  REQUIRE(a->values.size() == 1);
  return a->values[0].nat;
}

// One local network on an ephemeral port with a throwaway state directory and config.
struct LocalNet {
  TempDir dir;
  testproc::Options env;
  std::string url;
  long pid = 0;

  LocalNet() {
    env.env["XDG_CONFIG_HOME"] = (dir.path / "config").string();
    env.env["XDG_DATA_HOME"] = (dir.path / "data").string();
    env.env["DFX_CONFIG_ROOT"] = (dir.path / "dfx").string();
    env.env["HUBCTL_NETWORK"] = std::nullopt;
    env.env["HUBCTL_IDENTITY"] = std::nullopt;
    env.timeout = std::chrono::minutes(2);
  }
  ~LocalNet() { hubctl({"local", "stop", "--state-dir", state_dir()}); }
  std::string state_dir() const { return (dir.path / "node").string(); }
  std::string log() const {
    std::ifstream in(dir.path / "node" / "node.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  testproc::Result hubctl(std::vector<std::string> args) const { return testproc::hubctl(std::move(args), env); }
  json hubctl_json(std::vector<std::string> args, int expect_code = 0) const {
    args.push_back("--json");
    auto r = hubctl(args);
    INFO("hubctl " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.out << "\n" << r.err);
    REQUIRE(r.code == expect_code);
    return json::parse(r.out);
  }
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"local", "start", "--port", "0", "--state-dir", state_dir(), "--background"};
    args.insert(args.end(), extra.begin(), extra.end());
    json j = hubctl_json(args);
    url = j.at("url").get<std::string>();
    pid = j.at("pid").get<long>();
  }
  void stop() {
    auto r = hubctl({"local", "stop", "--state-dir", state_dir()});
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  std::unique_ptr<agent::Agent> agent(std::shared_ptr<agent::Identity> id = nullptr, int retries = 3) const {
    agent::AgentOptions o;
    o.url = url;
    o.identity = id ? id : agent::anonymous_identity();
    o.transport_options.max_retries = retries;
    o.transport_options.request_timeout = std::chrono::seconds(20);
    o.poll.initial = std::chrono::milliseconds(50);
    o.poll.max = std::chrono::milliseconds(200);
    o.poll.timeout = std::chrono::seconds(30);
    auto a = std::make_unique<agent::Agent>(o);
    auto k = a->fetch_root_key();
    INFO((k ? "" : k.error().to_string()));
    REQUIRE(k.ok());
    return a;
  }
  httplib::Result post(const std::string& path, const std::string& body, const std::string& ct = "application/cbor") const {
    auto colon = url.rfind(':');
    httplib::Client c("127.0.0.1", std::stoi(url.substr(colon + 1)));
    c.set_read_timeout(std::chrono::seconds(30));
    return c.Post(path.c_str(), body, ct.c_str());
  }
  bool serving() const {
    auto colon = url.rfind(':');
    httplib::Client c("127.0.0.1", std::stoi(url.substr(colon + 1)));
    auto r = c.Get("/api/v2/status");
    return r && r->status == 200;
  }
};

std::shared_ptr<agent::Identity> new_key(ic::crypto::KeyType t = ic::crypto::KeyType::Ed25519) {
  return agent::key_identity(ic::crypto::PrivateKey::generate(t).value());
}

Bytes kit_wasm() {
  std::ifstream in(kWasm, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), {});
}

// provisional_create_canister_with_cycles + install_code of kit_test, controlled by `a`'s identity.
Principal install_kit(agent::Agent& a) {
  auto id = agent::provisional_create_canister(a, ic::BigNat(10'000'000'000'000ull), {a.identity().sender()}, std::nullopt,
                                               Principal::from_canister_index(0));
  INFO((id ? "" : id.error().to_string()));
  REQUIRE(id.ok());
  auto f = kit_did();
  auto init = candid::text::parse_args("(record { owner = principal \"" + a.identity().sender().to_text() +
                                           "\"; greeting = \"Hello, \"; ledger = principal \"aaaaa-aa\" })",
                                       f, &f.init_args);
  REQUIRE(init.ok());
  auto st = agent::install_code(a, *id, kit_wasm(), candid::encode(*init).value(), agent::InstallMode::Install);
  INFO((st ? "" : st.error().to_string()));
  REQUIRE(st.ok());
  return *id;
}

bool have_wasm() {
  if (fs::exists(kWasm)) return true;
  WARN("kit_test.wasm was not built (HUBCTL_BUILD_WASM=OFF): skipping");
  return false;
}

}  // namespace

TEST_CASE("hubctl against its own local network: status, canister info, call, query, local status/stop") {
  if (!have_wasm()) return;
  LocalNet net;
  net.start({"--test-admin"});

  json ls = net.hubctl_json({"local", "status", "--state-dir", net.state_dir()});
  CHECK(ls.at("running") == true);
  CHECK(ls.at("url") == net.url);
  CHECK(ls.at("pid") == net.pid);
  CHECK(ls.at("replica_health_status") == "healthy");
  std::string root_key = ls.at("root_key");
  CHECK(root_key.size() == 266);

  json st = net.hubctl_json({"--network", net.url, "status"});
  CHECK(st.at("replica_health_status") == "healthy");
  CHECK(st.at("root_key_source") == "fetched");
  CHECK(st.at("root_key") == root_key);

  auto deployer = new_key();
  auto a = net.agent(deployer);
  Principal kit = install_kit(*a);
  ic::Hash256 wasm_hash = ic::sha256(kit_wasm());

  json info = net.hubctl_json({"--network", net.url, "canister", "info", kit.to_text()});
  CHECK(info.at("module_hash") == "0x" + ic::to_hex(wasm_hash));
  REQUIRE(info.at("controllers").size() == 1);
  CHECK(info.at("controllers")[0] == deployer->sender().to_text());

  json call = net.hubctl_json({"--network", net.url, "call", kit.to_text(), "increment", "(5 : nat64)", "--did", kDid});
  CHECK(call.at("certified") == true);
  CHECK(call.at("candid") == "(5 : nat64)");
  json query = net.hubctl_json({"--network", net.url, "query", kit.to_text(), "counter", "--did", kDid});
  CHECK(query.at("certified") == true);  // node-signed, verified
  CHECK(query.at("candid") == "(5 : nat64)");
  json greet = net.hubctl_json({"--network", net.url, "query", kit.to_text(), "greet", "(\"hubctl\")", "--did", kDid});
  CHECK(greet.at("candid") == "(\"Hello, hubctl!\")");

  // canister_inspect_message refuses `forbidden`: a non-replicated rejection, reported as such (exit 2).
  auto refused = net.hubctl({"--network", net.url, "call", kit.to_text(), "forbidden", "--did", kDid});
  CHECK(refused.code == 2);
  CHECK(refused.err.find("forbidden") != std::string::npos);

  // --test-admin: replace the controllers by fiat; the certified state shows it.
  Principal a1 = new_key()->sender(), a2 = new_key()->sender();
  auto sc = net.hubctl({"local", "set-controllers", kit.to_text(), a1.to_text(), a2.to_text(), "--state-dir", net.state_dir()});
  INFO(sc.err);
  REQUIRE(sc.code == 0);
  json info2 = net.hubctl_json({"--network", net.url, "canister", "info", kit.to_text()});
  std::vector<std::string> ctl = info2.at("controllers");
  std::vector<std::string> want = {a1.to_text(), a2.to_text()};
  std::sort(ctl.begin(), ctl.end());
  std::sort(want.begin(), want.end());
  CHECK(ctl == want);

  // A busy port is refused (no port sharing between two nodes), naming the log.
  {
    TempDir other;
    auto port = net.url.substr(net.url.rfind(':') + 1);
    auto busy = net.hubctl({"local", "start", "--port", port, "--state-dir", (other.path / "n").string(), "--background"});
    CHECK(busy.code == 2);
    CHECK(busy.err.find("node.log") != std::string::npos);
    std::ifstream log(other.path / "n" / "node.log");
    std::stringstream ss;
    ss << log.rdbuf();
    CHECK(ss.str().find("cannot listen on 127.0.0.1:" + port) != std::string::npos);
  }
  // A second start on the same state directory is refused while the node runs.
  auto again = net.hubctl({"local", "start", "--port", "0", "--state-dir", net.state_dir(), "--background"});
  CHECK(again.code == 3);
  CHECK(again.err.find("already running") != std::string::npos);

  // Clean stop: the run file goes, status says not running (exit 2); state survives a restart.
  net.stop();
  json down = net.hubctl_json({"local", "status", "--state-dir", net.state_dir()}, 2);
  CHECK(down.at("running") == false);
  CHECK_FALSE(fs::exists(fs::path(net.state_dir()) / "local.json"));
  net.start();
  CHECK(net.hubctl_json({"--network", net.url, "query", kit.to_text(), "counter", "--did", kDid}).at("candid") == "(5 : nat64)");
  // set-controllers without --test-admin is refused with the reason.
  auto no_admin = net.hubctl({"local", "set-controllers", kit.to_text(), a1.to_text(), "--state-dir", net.state_dir()});
  CHECK(no_admin.code == 3);
  CHECK(no_admin.err.find("--test-admin") != std::string::npos);

  // kill -9 leaves a stale run file: status explains it, start replaces it, nothing committed is lost.
  REQUIRE(kill(static_cast<pid_t>(net.pid), SIGKILL) == 0);
  for (int i = 0; i < 200 && net.hubctl({"local", "status", "--state-dir", net.state_dir()}).out.find("stale") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  json stale = net.hubctl_json({"local", "status", "--state-dir", net.state_dir()}, 2);
  CHECK(stale.at("stale") == true);
  CHECK(stale.at("message").get<std::string>().find("pid " + std::to_string(net.pid) + " is not running") != std::string::npos);
  auto restart = net.hubctl({"local", "start", "--port", "0", "--state-dir", net.state_dir(), "--background", "--json"});
  INFO(restart.err);
  REQUIRE(restart.code == 0);
  CHECK(restart.err.find("stale run file") != std::string::npos);
  net.url = json::parse(restart.out).at("url");
  CHECK(net.hubctl_json({"--network", net.url, "query", kit.to_text(), "counter", "--did", kDid}).at("candid") == "(5 : nat64)");
}

TEST_CASE("v4 -> v3 -> v2 fallback of hubctl's agent, exercised with --api-versions") {
  if (!have_wasm()) return;
  LocalNet net;
  net.start();
  auto a = net.agent(new_key());
  Principal kit = install_kit(*a);
  net.stop();
  uint64_t expect = 0;
  for (std::string versions : {"v2", "v2,v3", "v3,v4", "v2,v3,v4"}) {
    INFO("--api-versions " << versions);
    net.start({"--api-versions", versions});
    auto call = net.hubctl({"-v", "--network", net.url, "call", kit.to_text(), "increment", "(1 : nat64)", "--did", kDid, "--json"});
    INFO(call.out << "\n" << call.err);
    REQUIRE(call.code == 0);
    ++expect;
    CHECK(json::parse(call.out).at("candid") == "(" + std::to_string(expect) + " : nat64)");
    auto query = net.hubctl({"-v", "--network", net.url, "query", kit.to_text(), "counter", "--did", kDid, "--json"});
    INFO(query.err);
    REQUIRE(query.code == 0);
    CHECK(json::parse(query.out).at("candid") == "(" + std::to_string(expect) + " : nat64)");
    // The node answered 404 to the versions it does not serve, so the agent stepped down (or never had to).
    std::string log = net.log();
    bool v4_refused = log.find("API version v4 is disabled") != std::string::npos;
    bool v3_refused = log.find("API version v3 is disabled") != std::string::npos;
    if (versions == "v2") CHECK((v4_refused && v3_refused));
    if (versions == "v2,v3") CHECK(v4_refused);
    // Check the agent's own account on stderr too (-v logs each fallback).
    if (versions == "v2") CHECK(call.err.find("falling back to v2") != std::string::npos);
    net.stop();
    std::error_code ec;
    fs::remove(fs::path(net.state_dir()) / "node.log", ec);  // each round checks its own log
  }
}

TEST_CASE("instruction-limit switches reach the node: small limits make updates and queries fail") {
  if (!have_wasm()) return;
  LocalNet net;
  net.start({"--update-instructions", "2000", "--query-instructions", "2000"});
  auto a = net.agent(new_key());
  Principal kit = install_kit(*a);  // installs run under the (default) install limit
  auto r = a->call(kit, "increment", encode("increment", "(1 : nat64)"));
  REQUIRE(r.ok());
  CHECK(r->rejected);
  CHECK(r->reject_code == 5);
  INFO(r->error_code << ": " << r->reject_message);
  CHECK(r->error_code == "IC0522");
  auto q = a->query(kit, "counter", encode("counter", "()"));
  REQUIRE(q.ok());
  CHECK(q->rejected);
  CHECK(q->error_code == "IC0522");
  // The same canister under mainnet's limits: the state was untouched by the failed update.
  net.stop();
  net.start();
  auto b = net.agent();
  auto q2 = b->query(kit, "counter", encode("counter", "()"));
  REQUIRE(q2.ok());
  CHECK_FALSE(q2->rejected);
  CHECK(decode_nat64(q2->arg) == 0);
}

TEST_CASE("hostile input against the running node: 4xx with a clear text, and it keeps serving") {
  if (!have_wasm()) return;
  LocalNet net;
  net.start();
  auto me = new_key(ic::crypto::KeyType::Secp256k1);
  auto a = net.agent(me);
  Principal kit = install_kit(*a);
  std::string call = "/api/v3/canister/" + kit.to_text() + "/call";
  std::string query = "/api/v3/canister/" + kit.to_text() + "/query";
  auto now = [&] { return a->now_ns(); };
  auto body = [](const Bytes& b) { return std::string(b.begin(), b.end()); };
  auto signed_call = [&](uint64_t expiry, std::string type = "call") {
    auto c = agent::call_content(agent::RequestType::Call, me->sender(), kit, "increment", encode("increment", "(1 : nat64)"), expiry);
    c.set("request_type", ic::cbor::Value::text(type));
    return agent::sign_request(*me, c).value();
  };
  auto good = signed_call(now() + 60'000'000'000ull);
  auto env = ic::cbor::decode(good.body).value().untagged();
  Bytes sig = *env.get("sender_sig")->as_bytes();
  sig[7] ^= 0x10;
  env.set("sender_sig", ic::cbor::Value::bytes(sig));
  Bytes wrong_sig = ic::cbor::encode_self_describe(env);
  auto other = new_key();
  auto env2 = ic::cbor::decode(good.body).value().untagged();
  env2.set("sender_pubkey", ic::cbor::Value::bytes(*other->public_key_der()));
  Bytes wrong_key = ic::cbor::encode_self_describe(env2);

  struct Case {
    std::string name, path, body;
    int status;
    std::string needle;
    std::string content_type = "application/cbor";
  };
  std::vector<Case> cases = {
      {"malformed CBOR", call, "\xd9\xd9\xf7\xa3\x01\x02", 400, "malformed CBOR envelope"},
      {"not CBOR at all", query, "GET / HTTP/1.0", 400, "malformed CBOR envelope"},
      {"wrong signature", call, body(wrong_sig), 400, "Invalid signature"},
      {"another key than the sender's", call, body(wrong_key), 400, "is not the self-authenticating principal"},
      {"expired", call, body(signed_call(now() - 60'000'000'000ull).body), 400, "Invalid request expiry"},
      {"far future", call, body(signed_call(now() + 3'600'000'000'000ull).body), 400, "Invalid request expiry"},
      {"over the size limit", call, std::string((2u << 20) + (600u << 10), '\x41'), 413, "exceeds the limit"},
      {"deep nesting", call, std::string(10000, '\x81') + std::string(1, '\x00'), 400, "nesting deeper"},
      {"unknown request type", call, body(signed_call(now() + 60'000'000'000ull, "mint").body), 400, "unknown request_type \"mint\""},
      {"query sent to call", call, body(signed_call(now() + 60'000'000'000ull, "query").body), 400, "was sent to the call endpoint"},
      {"wrong content type", call, body(good.body), 400, "Content-Type must be application/cbor", "text/plain"},
      {"unknown endpoint", "/api/v9/canister/" + kit.to_text() + "/call", body(good.body), 404, "no such endpoint"},
  };
  for (const auto& k : cases) {
    INFO(k.name);
    auto r = net.post(k.path, k.body, k.content_type);
    REQUIRE(r);
    INFO(r->status << ": " << r->body);
    CHECK(r->status == k.status);
    CHECK(r->body.find(k.needle) != std::string::npos);
    CHECK(r->get_header_value("Content-Type").find("text/plain") == 0);
    CHECK(net.serving());
  }
  // Still fully working: a real call and query through hubctl's agent.
  auto r = a->call(kit, "increment", encode("increment", "(2 : nat64)"));
  REQUIRE(r.ok());
  CHECK(decode_nat64(r->arg) == 2);
  // The good request itself was never executed by the hostile variants (the counter went 0 -> 2, not more).
  auto q = a->query(kit, "counter", encode("counter", "()"));
  REQUIRE(q.ok());
  CHECK(decode_nat64(q->arg) == 2);
}

TEST_CASE("durability: updates streamed while the node is killed with -9 at random moments") {
  if (!have_wasm()) return;
  LocalNet net;
  net.start();
  auto deployer = new_key();
  Principal kit;
  {
    auto a = net.agent(deployer);
    kit = install_kit(*a);
  }
  std::mt19937 rng(std::random_device{}());
  uint64_t max_certified = 0;  // the highest counter value any certified reply returned
  size_t certified_total = 0;
  const int kKills = 20;
  for (int round = 0; round < kKills; ++round) {
    INFO("kill " << round);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> best{0};
    std::atomic<size_t> count{0};
    std::vector<std::thread> streams;
    for (int t = 0; t < 3; ++t) {
      streams.emplace_back([&, t] {
        agent::AgentOptions o;
        o.url = net.url;
        o.identity = new_key(t == 1 ? ic::crypto::KeyType::Secp256k1 : ic::crypto::KeyType::Ed25519);
        o.transport_options.max_retries = 0;
        o.transport_options.request_timeout = std::chrono::seconds(10);
        o.poll.initial = std::chrono::milliseconds(20);
        o.poll.max = std::chrono::milliseconds(50);
        o.poll.timeout = std::chrono::seconds(5);
        agent::Agent a(o);
        if (!a.fetch_root_key()) return;
        Bytes arg = encode("increment", "(1 : nat64)");
        while (!stop) {
          auto r = a.call(kit, "increment", arg);
          if (!r) return;  // the node is gone
          if (r->rejected || !r->certified) continue;
          auto args = candid::decode(r->arg);
          if (!args || args->values.empty()) continue;
          uint64_t v = args->values[0].nat;
          uint64_t prev = best.load();
          while (v > prev && !best.compare_exchange_weak(prev, v)) {
          }
          ++count;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 600)(rng)));
    REQUIRE(kill(static_cast<pid_t>(net.pid), SIGKILL) == 0);
    stop = true;
    for (auto& t : streams) t.join();
    max_certified = std::max<uint64_t>(max_certified, best.load());
    certified_total += count.load();

    // The state must load, and hold every update whose certified reply was returned.
    net.start();
    auto a = net.agent();
    auto q = a->query(kit, "counter", encode("counter", "()"));
    INFO((q ? "" : q.error().to_string()));
    REQUIRE(q.ok());
    uint64_t counter = decode_nat64(q->arg);
    INFO("counter " << counter << ", highest certified reply " << max_certified);
    CHECK(counter >= max_certified);
  }
  WARN(certified_total << " certified updates across " << kKills << " kills (highest counter value " << max_certified << ")");
  CHECK(certified_total > 0);
  // Module and controllers survived every restart.
  auto a = net.agent();
  auto info = agent::canister_info(*a, kit);
  REQUIRE(info.ok());
  REQUIRE(info->module_hash);
  CHECK(ic::to_hex(*info->module_hash) == ic::to_hex(ic::sha256(kit_wasm())));
}
