// replica::Server over real sockets in front of a real replica::Node (scripted runtime from tests/replica_node),
// driven by hubctl's own agent (certificates and query signatures verified) and by raw HTTP for hostile input.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <filesystem>

#include "../replica_node/fake_runtime.h"
#include "agent/agent.h"
#include "agent/management.h"
#include "ic/cbor.h"
#include "ic/crypto/keys.h"
#include "replica/http/server.h"
#include "replica/node/node.h"

namespace {

namespace fs = std::filesystem;
using ic::Bytes;
using ic::Principal;
using replica::exec::Invocation;

std::shared_ptr<fake::Runtime> make_runtime() {
  auto rt = std::make_shared<fake::Runtime>();
  fake::Program p;
  p.updates["inc"] = [](fake::State& s, const Invocation&) {
    s.heap["n"] = std::to_string(std::stoi(s.heap.count("n") ? s.heap["n"] : "0") + 1);
    return fake::reply(s.heap["n"]);
  };
  p.updates["fail"] = [](fake::State&, const Invocation&) { return fake::trap("boom"); };
  p.queries["get"] = [](fake::State& s, const Invocation&) { return fake::reply(s.heap.count("n") ? s.heap["n"] : "0"); };
  p.queries["caller"] = [](fake::State&, const Invocation& inv) { return fake::reply(inv.caller.to_text()); };
  p.public_metadata["candid:service"] = ic::to_bytes("service : {}");
  p.private_metadata["secret"] = ic::to_bytes("hidden");
  rt->programs["counter"] = p;
  return rt;
}

struct Net {
  fs::path dir;
  std::shared_ptr<fake::Runtime> rt = make_runtime();
  std::unique_ptr<replica::Node> node;
  std::unique_ptr<replica::Server> server;
  std::vector<std::string> log;
  std::mutex log_mu;

  explicit Net(replica::ServerOptions so = {}) {
    char tmpl[] = "/tmp/hubctl-http-test-XXXXXX";
    dir = mkdtemp(tmpl);
    replica::NodeConfig cfg;
    cfg.state_dir = dir;
    cfg.runtime = rt;
    cfg.fsync = false;
    cfg.test_admin = so.test_admin;
    cfg.idle_round_interval = std::chrono::milliseconds(20);
    auto n = replica::Node::open(cfg);
    INFO((n ? "" : n.error().to_string()));
    REQUIRE(n.ok());
    node = std::move(n).value();
    so.port = 0;
    so.log = [this](const std::string& l) {
      std::lock_guard<std::mutex> g(log_mu);
      log.push_back(l);
    };
    server = std::make_unique<replica::Server>(*node, so);
    auto st = server->start();
    INFO((st ? "" : st.error().to_string()));
    REQUIRE(st.ok());
  }
  ~Net() {
    server.reset();
    node.reset();
    fs::remove_all(dir);
  }
  std::unique_ptr<agent::Agent> agent(std::shared_ptr<agent::Identity> id = nullptr) {
    agent::AgentOptions o;
    o.url = server->url();
    o.identity = id ? id : agent::anonymous_identity();
    o.poll.initial = std::chrono::milliseconds(20);
    o.poll.max = std::chrono::milliseconds(50);
    auto a = std::make_unique<agent::Agent>(o);
    REQUIRE(a->fetch_root_key().ok());
    return a;
  }
  httplib::Result post(const std::string& path, const std::string& body, const std::string& ct = "application/cbor") {
    httplib::Client c("127.0.0.1", server->port());
    return c.Post(path.c_str(), body, ct.c_str());
  }
  bool serving() {
    httplib::Client c("127.0.0.1", server->port());
    auto r = c.Get("/api/v2/status");
    return r && r->status == 200;
  }
};

std::shared_ptr<agent::Identity> key(ic::crypto::KeyType t = ic::crypto::KeyType::Ed25519) {
  return agent::key_identity(ic::crypto::PrivateKey::generate(t).value());
}

// Creates a canister controlled by `a`'s identity and installs the scripted "counter" program.
Principal install_counter(agent::Agent& a) {
  auto id = agent::provisional_create_canister(a, ic::BigNat(1'000'000'000'000ull), {a.identity().sender()}, std::nullopt,
                                               Principal::from_canister_index(0));
  INFO((id ? "" : id.error().to_string()));
  REQUIRE(id.ok());
  auto st = agent::install_code(a, *id, ic::to_bytes("FAKE:counter"), {}, agent::InstallMode::Install);
  INFO((st ? "" : st.error().to_string()));
  REQUIRE(st.ok());
  return *id;
}

std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("hubctl's agent against the node: status, create, install, update, query, read_state") {
  Net net;
  for (auto t : {ic::crypto::KeyType::Ed25519, ic::crypto::KeyType::Secp256k1, ic::crypto::KeyType::P256}) {
    INFO(ic::crypto::key_type_name(t));
    auto me = key(t);
    auto a = net.agent(me);
    auto st = a->status();
    REQUIRE(st.ok());
    CHECK(st->replica_health_status == "healthy");
    REQUIRE(st->root_key);
    CHECK(*st->root_key == net.node->root_key_der());

    Principal c = install_counter(*a);
    auto r1 = a->call(c, "inc", {});
    INFO((r1 ? r1->reject_message : r1.error().to_string()));
    REQUIRE(r1.ok());
    CHECK_FALSE(r1->rejected);
    CHECK(r1->certified);
    CHECK(r1->api_version == 4);
    CHECK(text(r1->arg) == "1");
    REQUIRE(a->call(c, "inc", {}).ok());

    auto q = a->query(c, "get", {});  // node signature verified against /subnet/<sid>/node/<nid>/public_key
    INFO((q ? "" : q.error().to_string()));
    REQUIRE(q.ok());
    CHECK(q->certified);
    CHECK(text(q->arg) == "2");
    auto who = a->query(c, "caller", {});
    REQUIRE(who.ok());
    CHECK(text(who->arg) == me->sender().to_text());

    auto info = agent::canister_info(*a, c);
    REQUIRE(info.ok());
    REQUIRE(info->module_hash);
    ic::Hash256 want = ic::sha256(ic::to_bytes("FAKE:counter"));
    CHECK(*info->module_hash == ic::Bytes(want.begin(), want.end()));
    REQUIRE(info->controllers.size() == 1);
    CHECK(info->controllers[0] == me->sender());

    // A trap is a certified reject; a missing canister a non-replicated (uncertified) one.
    auto f = a->call(c, "fail", {});
    REQUIRE(f.ok());
    CHECK(f->rejected);
    CHECK(f->certified);
    CHECK(f->reject_code == 5);
    auto missing = a->call(Principal::from_canister_index(4000), "inc", {});
    REQUIRE(missing.ok());
    CHECK(missing->rejected);
    CHECK_FALSE(missing->certified);
    CHECK(missing->reject_code == 3);
  }
}

TEST_CASE("API versions can be switched off: the agent falls back v4 -> v3 -> v2") {
  for (auto [versions, call_v, query_v] : {std::tuple{std::set<int>{2}, 2, 2}, std::tuple{std::set<int>{2, 3}, 3, 3},
                                           std::tuple{std::set<int>{2, 3, 4}, 4, 3}}) {
    replica::ServerOptions so;
    so.api_versions = versions;
    Net net(so);
    auto a = net.agent(key());
    Principal c = install_counter(*a);
    auto r = a->call(c, "inc", {});
    INFO((r ? r->reject_message : r.error().to_string()));
    REQUIRE(r.ok());
    CHECK(text(r->arg) == "1");
    CHECK(r->certified);
    CHECK(r->api_version == call_v);
    auto q = a->query(c, "get", {});
    REQUIRE(q.ok());
    CHECK(q->api_version == query_v);
    CHECK(text(q->arg) == "1");
    // A non-replicated rejection in each version's shape (v2: the bare reject map; v3/v4: status field).
    auto missing = a->call(Principal::from_canister_index(4000), "inc", {});
    INFO((missing ? missing->reject_message : missing.error().to_string()));
    REQUIRE(missing.ok());
    CHECK(missing->rejected);
    CHECK(missing->reject_code == 3);
    CHECK_FALSE(missing->certified);
    if (!versions.count(4)) {
      auto raw = net.post("/api/v4/canister/" + c.to_text() + "/call", "x");
      REQUIRE(raw);
      CHECK(raw->status == 404);
      CHECK(raw->body.find("disabled") != std::string::npos);
    }
  }
}

TEST_CASE("hostile HTTP input: each gets a 4xx with a text body, and the node keeps serving") {
  Net net;
  auto a = net.agent(key());
  Principal c = install_counter(*a);
  std::string call = "/api/v3/canister/" + c.to_text() + "/call";
  struct Case {
    std::string name, path, body, content_type;
    int status;
    std::string needle;
  };
  std::string deep(5000, '\x81');
  std::vector<Case> cases = {
      {"malformed CBOR", call, "\xd9\xd9\xf7\xa1\x67""content", "application/cbor", 400, "malformed CBOR"},
      {"JSON body", call, "{\"content\":{}}", "application/cbor", 400, "malformed CBOR"},
      {"deep nesting", call, deep + std::string(1, '\0'), "application/cbor", 400, "nesting deeper"},
      {"wrong content type", call, "x", "application/json", 400, "Content-Type must be application/cbor"},
      {"unknown endpoint", "/api/v3/canister/" + c.to_text() + "/mint", "x", "application/cbor", 404, "no such endpoint"},
      {"bad principal in URL", "/api/v3/canister/zzzzz/call", "x", "application/cbor", 400, "not a valid principal"},
      {"oversize", call, std::string(3u << 20, 'A'), "application/cbor", 413, "exceeds the limit"},
  };
  for (auto& k : cases) {
    INFO(k.name);
    auto r = net.post(k.path, k.body, k.content_type);
    REQUIRE(r);
    CHECK(r->status == k.status);
    INFO(r->body);
    CHECK(r->body.find(k.needle) != std::string::npos);
    CHECK(net.serving());
  }
  // Signed but wrong: a tampered signature, an expired request, an unknown request type.
  auto me = key(ic::crypto::KeyType::Secp256k1);
  auto good = agent::sign_request(*me, agent::call_content(agent::RequestType::Call, me->sender(), c, "inc", {},
                                                          net.node->now_ns() + 60'000'000'000ull)).value();
  auto env = ic::cbor::decode(good.body).value().untagged();
  Bytes sig = *env.get("sender_sig")->as_bytes();
  sig[5] ^= 1;
  env.set("sender_sig", ic::cbor::Value::bytes(sig));
  Bytes tampered = ic::cbor::encode_self_describe(env);
  auto r = net.post(call, std::string(tampered.begin(), tampered.end()));
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("Invalid signature") != std::string::npos);
  auto expired = agent::sign_request(*me, agent::call_content(agent::RequestType::Call, me->sender(), c, "inc", {}, 1)).value();
  r = net.post(call, std::string(expired.body.begin(), expired.body.end()));
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("Invalid request expiry") != std::string::npos);
  auto odd = agent::call_content(agent::RequestType::Call, me->sender(), c, "inc", {}, net.node->now_ns() + 60'000'000'000ull);
  odd.set("request_type", ic::cbor::Value::text("upgrade_everything"));
  auto odd_signed = agent::sign_request(*me, odd).value();
  r = net.post(call, std::string(odd_signed.body.begin(), odd_signed.body.end()));
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK(r->body.find("unknown request_type") != std::string::npos);
  {
    std::lock_guard<std::mutex> g(net.log_mu);
    CHECK(net.log.size() >= 8);  // rejections are logged for the operator
  }
  // Still fully working afterwards.
  auto ok = a->call(c, "inc", {});
  REQUIRE(ok.ok());
  CHECK(text(ok->arg) == "1");
}

TEST_CASE("read_state access rules over HTTP: request status of another sender, private metadata") {
  Net net;
  auto alice = net.agent(key());
  Principal c = install_counter(*alice);
  auto signed_call = alice->sign_call(agent::RequestType::Call, c, "inc", {});
  REQUIRE(signed_call.ok());
  auto sub = alice->submit(c, *signed_call);
  REQUIRE(sub.ok());
  // Alice may read her request's status; Bob is refused (403); anonymous too.
  CHECK(alice->request_status(c, signed_call->request_id).ok());
  auto bob = net.agent(key());
  auto denied = bob->request_status(c, signed_call->request_id);
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().message.find("403") != std::string::npos);

  ic::Path secret{ic::to_bytes("canister"), c.bytes(), ic::to_bytes("metadata"), ic::to_bytes("secret")};
  ic::Path pub{ic::to_bytes("canister"), c.bytes(), ic::to_bytes("metadata"), ic::to_bytes("candid:service")};
  auto mine = alice->read_state(c, {secret});
  REQUIRE(mine.ok());
  auto found = mine->certificate.tree().lookup_path(secret);
  REQUIRE(found.found());
  CHECK(text(Bytes(found.value.begin(), found.value.end())) == "hidden");
  auto theirs = bob->read_state(c, {secret});
  REQUIRE_FALSE(theirs.ok());
  CHECK(theirs.error().message.find("only its controllers") != std::string::npos);
  auto pub_read = bob->read_state(c, {pub});
  REQUIRE(pub_read.ok());
  CHECK(pub_read->certificate.tree().lookup_path(pub).found());
}

TEST_CASE("subnet read_state (v3 and v2): public key, canister ranges, node keys; wrong subnet refused") {
  for (std::set<int> versions : {std::set<int>{2, 3}, std::set<int>{2}}) {
    replica::ServerOptions so;
    so.api_versions = versions;
    Net net(so);
    auto a = net.agent();
    Principal sid = net.node->subnet_id();
    ic::Path pk{ic::to_bytes("subnet"), sid.bytes(), ic::to_bytes("public_key")};
    ic::Path ranges{ic::to_bytes("canister_ranges"), sid.bytes()};
    auto st = a->read_subnet_state(sid, {pk, ranges});
    INFO((st ? "" : st.error().to_string()));
    REQUIRE(st.ok());
    auto key = st->certificate.tree().lookup_path(pk);
    REQUIRE(key.found());
    CHECK(Bytes(key.value.begin(), key.value.end()) == net.node->root_key_der());
    CHECK(st->certificate.tree().lookup_subtree(ranges).status == ic::LookupStatus::Found);
    auto keys = a->subnet_keys_for(Principal::from_canister_index(3));
    REQUIRE(keys.ok());
    CHECK(keys->subnet == sid);
    REQUIRE(keys->node_keys.count(net.node->node_id()));
    CHECK(keys->node_keys.at(net.node->node_id()) == net.node->node_public_key_der());
    Principal other = Principal::self_authenticating(ic::to_bytes("another subnet"));
    auto wrong = a->read_subnet_state(other, {ic::make_path({"time"})});
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().message.find("is not this node's subnet") != std::string::npos);
  }
}

TEST_CASE("--test-admin: set_controllers through the admin endpoint, refused without it") {
  replica::ServerOptions so;
  so.test_admin = true;
  Net net(so);
  auto a = net.agent(key());
  Principal c = install_counter(*a);
  Principal intruder = key()->sender();
  ic::cbor::Value body = ic::cbor::Value::text_map(
      {{"canister", ic::cbor::Value::bytes(c.bytes())}, {"controllers", ic::cbor::Value::array({ic::cbor::Value::bytes(intruder.bytes())})}});
  Bytes b = ic::cbor::encode(body);
  auto r = net.post(replica::Server::kAdminSetControllersPath, std::string(b.begin(), b.end()));
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == 200);
  auto info = agent::canister_info(*a, c);
  REQUIRE(info.ok());
  REQUIRE(info->controllers.size() == 1);
  CHECK(info->controllers[0] == intruder);

  Net plain;
  auto r2 = plain.post(replica::Server::kAdminSetControllersPath, std::string(b.begin(), b.end()));
  REQUIRE(r2);
  CHECK(r2->status == 404);
  CHECK(r2->body.find("--test-admin") != std::string::npos);
}

TEST_CASE("status endpoint: tagged CBOR with root key, health and height") {
  Net net;
  auto h = net.server->handle("GET", "/api/v2/status", "", {});
  CHECK(h.status == 200);
  CHECK(h.content_type == "application/cbor");
  REQUIRE(h.body.size() > 3);
  CHECK(h.body[0] == 0xd9);
  auto v = ic::cbor::decode(h.body).value();
  CHECK(v.tag_number() == std::optional<uint64_t>(55799));
  const auto& m = v.untagged();
  REQUIRE(m.get("root_key"));
  CHECK(*m.get("root_key")->as_bytes() == net.node->root_key_der());
  CHECK(m.get("replica_health_status")->as_text() == std::optional<std::string_view>("healthy"));
  CHECK(m.get("certified_height")->as_uint().has_value());
  CHECK(m.get("impl_version")->as_text().has_value());
  CHECK(net.server->handle("POST", "/api/v2/status", "", {}).status == 405);
}
