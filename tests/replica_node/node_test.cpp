// replica::Node with a scripted runtime (fake_runtime.h): management canister, messaging, rollback,
// cycles, certification (verified with the agent's certificate code), timers, persistence across reopen.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "ic/crypto/keys.h"

#include "agent/certificate.h"
#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "fake_runtime.h"
#include "ic/leb128.h"
#include "replica/node/node.h"

namespace {

namespace fs = std::filesystem;
using ic::Bytes;
using ic::Principal;
using replica::exec::ExecResult;
using replica::exec::Invocation;

const candid::text::DidFile& ic_did() {
  static candid::text::DidFile d = candid::text::load_did(std::string(HUBCTL_TEST_DATA) + "/../../candid/ic.did").value();
  return d;
}
Bytes mgmt_arg(const std::string& method, const std::string& text) {
  auto f = ic_did().method(method).value();
  auto a = candid::text::parse_args(text, ic_did(), &f.args);
  REQUIRE(a.ok());
  return candid::encode(*a).value();
}
candid::Value mgmt_reply(const std::string& method, const Bytes& b) {
  auto f = ic_did().method(method).value();
  auto a = candid::decode(b, &ic_did().table, &f.results);
  REQUIRE(a.ok());
  return a->values.at(0);
}

std::shared_ptr<fake::Runtime> make_runtime() {
  auto rt = std::make_shared<fake::Runtime>();
  fake::Program p;
  p.updates["inc"] = [](fake::State& s, const Invocation&) {
    s.heap["n"] = std::to_string(std::stoi(s.heap.count("n") ? s.heap["n"] : "0") + 1);
    return fake::reply(s.heap["n"]);
  };
  p.updates["fail"] = [](fake::State& s, const Invocation&) {
    s.heap["n"] = "999";
    return fake::trap("boom");
  };
  p.updates["noreply"] = [](fake::State&, const Invocation&) { return ExecResult{}; };
  p.updates["set_stable"] = [](fake::State& s, const Invocation& inv) {
    s.stable["s"] = fake::text(inv.arg);
    return fake::reply("ok");
  };
  p.updates["certify"] = [](fake::State&, const Invocation& inv) {
    ExecResult r = fake::reply("ok");
    r.certified_data = inv.arg;
    return r;
  };
  p.updates["set_timer"] = [](fake::State&, const Invocation& inv) {
    ExecResult r = fake::reply("ok");
    r.global_timer = inv.time_ns + 1;
    return r;
  };
  p.updates["call_other"] = [](fake::State&, const Invocation& inv) {
    ExecResult r;
    replica::exec::OutgoingCall c;
    c.callee = Principal::from_bytes(inv.arg).value();
    c.method = "inc";
    c.on_reply = {1, 0};
    c.on_reject = {2, 0};
    r.calls.push_back(c);
    return r;
  };
  p.updates["call_and_trap"] = [](fake::State&, const Invocation& inv) {
    ExecResult r;
    replica::exec::OutgoingCall c;
    c.callee = Principal::from_bytes(inv.arg).value();
    c.method = "inc";
    c.on_reply = {3, 0};
    c.on_reject = {2, 0};
    c.on_cleanup = replica::exec::Callback{4, 0};
    r.calls.push_back(c);
    return r;
  };
  p.callbacks[1] = [](fake::State&, const Invocation& inv) { return fake::reply("got:" + fake::text(inv.arg)); };
  p.callbacks[2] = [](fake::State&, const Invocation& inv) { return fake::reply("rejected:" + inv.reject_message); };
  p.callbacks[3] = [](fake::State& s, const Invocation&) {
    s.heap["cb"] = "ran";
    return fake::trap("callback traps");
  };
  p.callbacks[4] = [](fake::State& s, const Invocation&) {
    s.heap["cleanup"] = "ran";
    return ExecResult{};
  };
  p.queries["get"] = [](fake::State& s, const Invocation&) { return fake::reply(s.heap.count("n") ? s.heap["n"] : "0"); };
  p.queries["get_key"] = [](fake::State& s, const Invocation& inv) {
    std::string k = fake::text(inv.arg);
    return fake::reply(s.heap.count(k) ? s.heap[k] : (s.stable.count(k) ? "stable:" + s.stable[k] : "-"));
  };
  p.queries["has_cert"] = [](fake::State&, const Invocation& inv) { return fake::reply(inv.data_certificate ? "yes" : "no"); };
  p.system["canister_init"] = [](fake::State& s, const Invocation& inv) {
    s.heap["init"] = fake::text(inv.arg);
    return ExecResult{};
  };
  p.system["canister_pre_upgrade"] = [](fake::State& s, const Invocation&) {
    s.stable["pre"] = "yes";
    return ExecResult{};
  };
  p.system["canister_post_upgrade"] = [](fake::State& s, const Invocation& inv) {
    if (fake::text(inv.arg) == "trap") return fake::trap("post_upgrade refuses");
    s.heap["post"] = fake::text(inv.arg);
    return ExecResult{};
  };
  p.system["canister_global_timer"] = [](fake::State& s, const Invocation&) {
    s.heap["timer"] = "fired";
    return ExecResult{};
  };
  p.public_metadata["candid:service"] = ic::to_bytes("service : {}");
  p.private_metadata["secret"] = ic::to_bytes("hidden");
  rt->programs["counter"] = p;
  fake::Program v2 = p;
  v2.queries["version"] = [](fake::State&, const Invocation&) { return fake::reply("v2"); };
  rt->programs["counter_v2"] = v2;
  return rt;
}

struct Status {
  std::string status;
  Bytes reply;
  uint64_t code = 0;
  std::string message, error_code;
};

struct Harness {
  fs::path dir;
  std::shared_ptr<fake::Runtime> rt = make_runtime();
  std::unique_ptr<replica::Node> node;
  Principal user = Principal::self_authenticating(ic::to_bytes("user key"));
  Principal other = Principal::self_authenticating(ic::to_bytes("other key"));
  inline static std::atomic<uint64_t> counter{0};

  explicit Harness(const std::string& name) {
    dir = fs::temp_directory_path() / ("hubctl-node-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    open();
  }
  ~Harness() {
    node.reset();
    fs::remove_all(dir);
  }
  void open() {
    replica::NodeConfig cfg;
    cfg.state_dir = dir;
    cfg.runtime = rt;
    cfg.fsync = false;
    cfg.test_admin = true;
    cfg.idle_round_interval = std::chrono::milliseconds(20);
    auto n = replica::Node::open(cfg);
    INFO((n ? "" : n.error().to_string()));
    REQUIRE(n.ok());
    node = std::move(n).value();
  }
  ic::Hash256 next_rid() {
    std::string s = "request " + std::to_string(counter++) + dir.string();
    return ic::sha256(s);
  }
  Status call(const Principal& sender, const Principal& canister, const std::string& method, Bytes arg,
              std::optional<ic::Hash256> rid_in = std::nullopt) {
    replica::IngressMessage m;
    m.request_id = rid_in ? *rid_in : next_rid();
    m.sender = sender;
    m.canister_id = canister;
    m.effective_canister_id = canister;
    m.method = method;
    m.arg = std::move(arg);
    REQUIRE(node->submit(m).ok());
    auto cert_bytes = node->await_certificate(m.request_id, std::chrono::seconds(10));
    REQUIRE(cert_bytes.has_value());
    auto cert = agent::Certificate::decode(*cert_bytes);
    REQUIRE(cert.ok());
    agent::VerifyOptions opts;
    opts.root_key = node->root_key_der();
    auto v = agent::verify_certificate(*cert, opts);
    INFO((v ? "" : v.error().to_string()));
    REQUIRE(v.ok());
    CHECK(v->subnet_id == node->subnet_id());
    auto rs = agent::lookup_request_status(*cert, m.request_id);
    REQUIRE(rs.ok());
    return Status{rs->status, rs->reply, rs->reject_code, rs->reject_message, rs->error_code};
  }
  Status mgmt(const Principal& sender, const std::string& method, const std::string& text) {
    return call(sender, Principal::management(), method, mgmt_arg(method, text));
  }
  Principal create(const Principal& controller) {
    Status s = mgmt(controller, "provisional_create_canister_with_cycles", "(record { })");
    REQUIRE(s.status == "replied");
    auto v = mgmt_reply("provisional_create_canister_with_cycles", s.reply);
    return Principal::from_bytes(v.field("canister_id")->bytes).value();
  }
  Status install(const Principal& sender, const Principal& id, const std::string& program, const std::string& mode = "install",
                 const std::string& arg = "") {
    std::string wasm = "FAKE:" + program;
    return mgmt(sender, "install_code",
                "(record { mode = variant { " + mode + " }; canister_id = principal \"" + id.to_text() + "\"; wasm_module = blob \"" +
                    wasm + "\"; arg = blob \"" + arg + "\" })");
  }
  std::string query(const Principal& canister, const std::string& method, const std::string& arg = "") {
    auto q = node->query(user, canister, method, ic::to_bytes(arg));
    if (!q.replied) return "REJECT " + q.reject.error_code + " " + q.reject.message;
    return fake::text(q.reply);
  }
  candid::Value status_of(const Principal& id) {
    Status s = mgmt(user, "canister_status", "(record { canister_id = principal \"" + id.to_text() + "\" })");
    REQUIRE(s.status == "replied");
    return mgmt_reply("canister_status", s.reply);
  }
};

std::string id_arg(const Principal& id) { return "(record { canister_id = principal \"" + id.to_text() + "\" })"; }

}  // namespace

TEST_CASE("node: identity, ranges and the subnet in the certified state") {
  Harness h("identity");
  CHECK(h.node->root_key_der().size() == 133);
  CHECK(h.node->subnet_id() == Principal::self_authenticating(h.node->root_key_der()));
  CHECK(h.node->node_public_key_der().size() == 44);
  auto ranges = h.node->canister_ranges();
  REQUIRE(ranges.size() == 1);
  CHECK(ranges[0].first.to_text() == "rwlgt-iiaaa-aaaaa-aaaaa-cai");
  auto sid = h.node->subnet_id().bytes();
  auto cert_bytes = h.node->certify_paths({{ic::to_bytes("subnet"), sid}});
  REQUIRE(cert_bytes.ok());
  auto cert = agent::Certificate::decode(*cert_bytes).value();
  agent::VerifyOptions opts;
  opts.root_key = h.node->root_key_der();
  opts.now_ns = h.node->now_ns();
  REQUIRE(agent::verify_certificate(cert, opts).ok());
  CHECK(agent::lookup_subnet_public_key(cert, h.node->subnet_id()).value() == h.node->root_key_der());
  auto nodes = agent::lookup_node_keys(cert, h.node->subnet_id()).value();
  REQUIRE(nodes.count(h.node->node_id()) == 1);
  // A node signature verifies under the published node key.
  Bytes sig = h.node->sign_as_node(ic::as_view("hello"));
  CHECK(ic::crypto::verify_signature(h.node->node_public_key_der(), ic::as_view("hello"), sig).ok());
}

TEST_CASE("node: create, install, update and query round trip; certified canister info") {
  Harness h("roundtrip");
  Principal id = h.create(h.user);
  CHECK(id.canister_index() == 0u);
  CHECK(h.install(h.user, id, "counter", "install", "hi").status == "replied");
  CHECK(h.query(id, "get_key", "init") == "hi");
  Status s = h.call(h.user, id, "inc", {});
  CHECK(s.status == "replied");
  CHECK(fake::text(s.reply) == "1");
  CHECK(fake::text(h.call(h.user, id, "inc", {}).reply) == "2");
  CHECK(h.query(id, "get") == "2");
  // A query does not persist its changes; an unknown method is IC0536.
  CHECK(h.query(id, "nope").find("IC0536") != std::string::npos);
  Status bad = h.call(h.user, id, "nope", {});
  CHECK(bad.status == "rejected");
  CHECK(bad.code == 5);
  CHECK(bad.error_code == "IC0536");

  auto cert_bytes = h.node->certify_paths({{ic::to_bytes("canister"), id.bytes(), ic::to_bytes("module_hash")},
                                           {ic::to_bytes("canister"), id.bytes(), ic::to_bytes("controllers")},
                                           {ic::to_bytes("canister"), id.bytes(), ic::to_bytes("metadata"), ic::to_bytes("candid:service")}});
  REQUIRE(cert_bytes.ok());
  auto cert = agent::Certificate::decode(*cert_bytes).value();
  agent::VerifyOptions opts;
  opts.root_key = h.node->root_key_der();
  REQUIRE(agent::verify_certificate(cert, opts).ok());
  auto mh = agent::lookup_module_hash(cert, id).value();
  REQUIRE(mh.has_value());
  auto want = ic::sha256(ic::as_view("FAKE:counter"));
  CHECK(*mh == Bytes(want.begin(), want.end()));
  CHECK(agent::lookup_controllers(cert, id).value() == std::vector<Principal>{h.user});
  CHECK(fake::text(*agent::lookup_metadata(cert, id, "candid:service").value()) == "service : {}");
  CHECK(h.node->is_private_metadata(id, "secret"));
  CHECK_FALSE(h.node->is_private_metadata(id, "candid:service"));
  CHECK(h.node->canister_exists(id));
  CHECK(h.node->controllers(id).value() == std::vector<Principal>{h.user});
  // The same request id submitted twice executes once.
  auto rid = h.next_rid();
  CHECK(fake::text(h.call(h.user, id, "inc", {}, rid).reply) == "3");
  CHECK(fake::text(h.call(h.user, id, "inc", {}, rid).reply) == "3");
  CHECK(h.query(id, "get") == "3");
}

TEST_CASE("node: a trap rolls the message back and the caller gets IC0503") {
  Harness h("trap");
  Principal id = h.create(h.user);
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  h.call(h.user, id, "inc", {});
  Status s = h.call(h.user, id, "fail", {});
  CHECK(s.status == "rejected");
  CHECK(s.code == 5);
  CHECK(s.error_code == "IC0503");
  CHECK(s.message.find("boom") != std::string::npos);
  CHECK(h.query(id, "get") == "1");
  Status nr = h.call(h.user, id, "noreply", {});
  CHECK(nr.error_code == "IC0506");
}

TEST_CASE("node: inter-canister calls, rejects for missing canisters, callback trap runs cleanup") {
  Harness h("xnet");
  Principal a = h.create(h.user), b = h.create(h.user);
  REQUIRE(h.install(h.user, a, "counter").status == "replied");
  REQUIRE(h.install(h.user, b, "counter").status == "replied");
  Status s = h.call(h.user, a, "call_other", b.bytes());
  CHECK(s.status == "replied");
  CHECK(fake::text(s.reply) == "got:1");
  CHECK(h.query(b, "get") == "1");
  // Callee does not exist: reject callback with DESTINATION_INVALID text.
  Principal ghost = Principal::from_canister_index(4242);
  Status r = h.call(h.user, a, "call_other", ghost.bytes());
  CHECK(fake::text(r.reply).find("rejected:Canister " + ghost.to_text() + " not found") == 0);
  // The reply callback traps: its changes are rolled back, cleanup runs, the caller gets the trap.
  Status t = h.call(h.user, a, "call_and_trap", b.bytes());
  CHECK(t.status == "rejected");
  CHECK(t.message.find("callback traps") != std::string::npos);
  CHECK(h.query(a, "get_key", "cb") == "-");
  CHECK(h.query(a, "get_key", "cleanup") == "ran");
  CHECK(h.query(b, "get") == "2");  // the callee's update stays
}

TEST_CASE("node: controller checks, settings and canister_status") {
  Harness h("controllers");
  Principal id = h.create(h.user);
  Status s = h.install(h.other, id, "counter");
  CHECK(s.status == "rejected");
  CHECK(s.error_code == "IC0512");
  CHECK(s.message.find("Only the controllers of the canister " + id.to_text()) == 0);
  auto chk = h.node->check_call(replica::IngressMessage{h.next_rid(), h.other, Principal::management(), id, "install_code",
                                                        mgmt_arg("install_code", "(record { mode = variant { install }; canister_id = principal \"" + id.to_text() + "\"; wasm_module = blob \"\"; arg = blob \"\" })"), 0, {}});
  REQUIRE(chk.has_value());
  CHECK(chk->error_code == "IC0512");
  auto rr = h.node->check_call(replica::IngressMessage{h.next_rid(), h.user, Principal::management(), id, "raw_rand", mgmt_arg("raw_rand", "()"), 0, {}});
  REQUIRE(rr.has_value());
  CHECK(rr->code == 4);

  CHECK(h.mgmt(h.user, "update_settings", "(record { canister_id = principal \"" + id.to_text() +
                                              "\"; settings = record { controllers = opt vec { principal \"" + h.user.to_text() +
                                              "\"; principal \"" + h.other.to_text() + "\" }; freezing_threshold = opt 100 } })")
            .status == "replied");
  CHECK(h.install(h.other, id, "counter").status == "replied");
  auto st = h.status_of(id);
  CHECK(st.field("settings")->field("controllers")->items.size() == 2);
  CHECK(st.field("settings")->field("freezing_threshold")->number.to_decimal() == "100");
  CHECK(!st.field("module_hash")->items.empty());
  // As a query too.
  auto q = h.node->query(h.user, Principal::management(), "canister_status", mgmt_arg("canister_status", id_arg(id)));
  CHECK(q.replied);
  auto q2 = h.node->query(Principal::anonymous(), Principal::management(), "canister_status", mgmt_arg("canister_status", id_arg(id)));
  CHECK_FALSE(q2.replied);
  CHECK(q2.reject.error_code == "IC0512");
  // --test-admin
  REQUIRE(h.node->set_controllers(id, {h.other}).ok());
  CHECK(h.node->controllers(id).value() == std::vector<Principal>{h.other});
}

TEST_CASE("node: upgrade keeps stable memory and is atomic; install on a non-empty canister fails") {
  Harness h("upgrade");
  Principal id = h.create(h.user);
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  h.call(h.user, id, "inc", {});
  h.call(h.user, id, "set_stable", ic::to_bytes("kept"));
  CHECK(h.install(h.user, id, "counter").error_code == "IC0514");
  // post_upgrade traps: nothing changes (old module, heap and stable without pre_upgrade's mark).
  Status bad = h.install(h.user, id, "counter_v2", "upgrade", "trap");
  CHECK(bad.status == "rejected");
  CHECK(bad.message.find("post_upgrade refuses") != std::string::npos);
  CHECK(h.query(id, "get") == "1");
  CHECK(h.query(id, "get_key", "pre") == "-");
  CHECK(h.query(id, "version").find("IC0536") != std::string::npos);
  Status ok = h.install(h.user, id, "counter_v2", "upgrade", "again");
  CHECK(ok.status == "replied");
  CHECK(h.query(id, "version") == "v2");
  CHECK(h.query(id, "get") == "0");  // heap is new
  CHECK(h.query(id, "get_key", "s") == "stable:kept");
  CHECK(h.query(id, "get_key", "pre") == "stable:yes");
  CHECK(h.query(id, "get_key", "post") == "again");
  CHECK(h.install(h.user, id, "nonsense", "upgrade").error_code == "IC0505");
}

TEST_CASE("node: chunked install checks hashes") {
  Harness h("chunks");
  Principal id = h.create(h.user);
  std::string c1 = "FAKE:cou", c2 = "nter";
  for (auto c : {c1, c2}) {
    Status s = h.mgmt(h.user, "upload_chunk", "(record { canister_id = principal \"" + id.to_text() + "\"; chunk = blob \"" + c + "\" })");
    REQUIRE(s.status == "replied");
  }
  auto listed = mgmt_reply("stored_chunks", h.mgmt(h.user, "stored_chunks", id_arg(id)).reply);
  CHECK(listed.items.size() == 2);
  auto hx = [](const std::string& s) {
    auto d = ic::sha256(s);
    std::string out;
    for (auto b : d) {
      char buf[5];
      snprintf(buf, sizeof buf, "\\%02x", b);
      out += buf;
    }
    return out;
  };
  std::string base = "(record { mode = variant { install }; target_canister = principal \"" + id.to_text() +
                     "\"; chunk_hashes_list = vec { record { hash = blob \"" + hx(c1) + "\" }; record { hash = blob \"" + hx(c2) +
                     "\" } }; arg = blob \"\"; wasm_module_hash = blob \"";
  Status wrong = h.mgmt(h.user, "install_chunked_code", base + hx("other") + "\" })");
  CHECK(wrong.status == "rejected");
  CHECK(wrong.message.find("does not match") != std::string::npos);
  Status ok = h.mgmt(h.user, "install_chunked_code", base + hx(c1 + c2) + "\" })");
  CHECK(ok.status == "replied");
  CHECK(h.query(id, "get") == "0");
  CHECK(h.mgmt(h.user, "clear_chunk_store", id_arg(id)).status == "replied");
  CHECK(mgmt_reply("stored_chunks", h.mgmt(h.user, "stored_chunks", id_arg(id)).reply).items.empty());
}

TEST_CASE("node: stop, start, delete; ids are never reused") {
  Harness h("lifecycle");
  Principal id = h.create(h.user);
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  CHECK(h.mgmt(h.user, "delete_canister", id_arg(id)).error_code == "IC0510");
  CHECK(h.mgmt(h.user, "stop_canister", id_arg(id)).status == "replied");
  Status stopped = h.call(h.user, id, "inc", {});
  CHECK(stopped.error_code == "IC0508");
  auto chk = h.node->check_call(replica::IngressMessage{h.next_rid(), h.user, id, id, "inc", {}, 0, {}});
  REQUIRE(chk.has_value());
  CHECK(chk->error_code == "IC0508");
  CHECK(h.mgmt(h.user, "start_canister", id_arg(id)).status == "replied");
  CHECK(h.call(h.user, id, "inc", {}).status == "replied");
  CHECK(h.mgmt(h.user, "stop_canister", id_arg(id)).status == "replied");
  CHECK(h.mgmt(h.user, "delete_canister", id_arg(id)).status == "replied");
  CHECK(h.call(h.user, id, "inc", {}).error_code == "IC0301");
  CHECK_FALSE(h.node->canister_exists(id));
  Principal next = h.create(h.user);
  CHECK(next != id);
  CHECK(next.canister_index() == 1u);
  // specified_id: inside the range and free is honoured; a used one is refused.
  Principal want = Principal::from_canister_index(77);
  Status s = h.mgmt(h.user, "provisional_create_canister_with_cycles",
                    "(record { specified_id = opt principal \"" + want.to_text() + "\" })");
  REQUIRE(s.status == "replied");
  CHECK(Principal::from_bytes(mgmt_reply("provisional_create_canister_with_cycles", s.reply).field("canister_id")->bytes).value() == want);
  CHECK(h.mgmt(h.user, "provisional_create_canister_with_cycles", "(record { specified_id = opt principal \"" + id.to_text() + "\" })").status ==
        "rejected");
}

TEST_CASE("node: cycles are charged and a frozen canister is rejected with SYS_TRANSIENT") {
  Harness h("cycles");
  Status s = h.mgmt(h.user, "provisional_create_canister_with_cycles", "(record { amount = opt 1_000_000_000_000 })");
  Principal id = Principal::from_bytes(mgmt_reply("provisional_create_canister_with_cycles", s.reply).field("canister_id")->bytes).value();
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  auto before = h.status_of(id).field("cycles")->number.magnitude();
  h.call(h.user, id, "inc", {});
  auto after = h.status_of(id).field("cycles")->number.magnitude();
  CHECK(after < before);
  // The update prepays 40 B instructions; 100 B minus install is enough once, then top up is needed
  // after raising the freezing threshold far enough.
  CHECK(h.mgmt(h.user, "update_settings", "(record { canister_id = principal \"" + id.to_text() +
                                              "\"; settings = record { freezing_threshold = opt 1_000_000_000_000_000 } })")
            .status == "replied");
  Status frozen = h.call(h.user, id, "inc", {});
  CHECK(frozen.code == 2);
  CHECK(frozen.error_code == "IC0207");
  CHECK(h.mgmt(h.user, "provisional_top_up_canister", "(record { canister_id = principal \"" + id.to_text() + "\"; amount = 5 })").status ==
        "replied");
}

TEST_CASE("node: global timer fires once; data certificate is given to queries") {
  Harness h("timer");
  Principal id = h.create(h.user);
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  CHECK(h.call(h.user, id, "set_timer", {}).status == "replied");
  for (int i = 0; i < 200 && h.query(id, "get_key", "timer") != "fired"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(h.query(id, "get_key", "timer") == "fired");
  CHECK(h.query(id, "has_cert") == "yes");
  CHECK(h.call(h.user, id, "certify", ic::to_bytes("0123456789")).status == "replied");
}

TEST_CASE("node: restart from the state directory restores canisters and request statuses") {
  Harness h("restart");
  Principal id = h.create(h.user);
  REQUIRE(h.install(h.user, id, "counter").status == "replied");
  h.call(h.user, id, "inc", {});
  h.call(h.user, id, "set_stable", ic::to_bytes("disk"));
  auto rid = h.next_rid();
  CHECK(fake::text(h.call(h.user, id, "inc", {}, rid).reply) == "2");
  Bytes root = h.node->root_key_der();
  h.node.reset();
  h.open();
  CHECK(h.node->root_key_der() == root);
  CHECK(h.query(id, "get") == "2");
  CHECK(h.query(id, "get_key", "s") == "stable:disk");
  REQUIRE(h.node->request_origin(rid).has_value());
  CHECK(h.node->request_origin(rid)->sender == h.user);
  auto c = h.node->await_certificate(rid, std::chrono::seconds(1));
  REQUIRE(c.has_value());
  auto cert = agent::Certificate::decode(*c).value();
  CHECK(agent::lookup_request_status(cert, rid).value().status == "replied");
  CHECK(h.create(h.user).canister_index() == 1u);
}
