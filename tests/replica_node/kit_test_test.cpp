// replica::Node with the real engine (replica_exec) and the kit's test canister build-dir/wasm/kit_test.wasm.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "candid/binary.h"
#include "candid/text/did.h"
#include "candid/text/text.h"
#include "replica/node/node.h"
#include "replica/node/runtime.h"

namespace {
namespace fs = std::filesystem;

ic::Bytes read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return ic::Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

ic::Bytes encode(const candid::text::DidFile& did, const std::string& text, const std::vector<candid::TypeRef>& types) {
  auto a = candid::text::parse_args(text, did, &types);
  REQUIRE(a.ok());
  return candid::encode(*a).value();
}
}  // namespace

TEST_CASE("node + exec: kit_test install, update and query") {
  fs::path wasm = fs::path(HUBCTL_BUILD_DIR) / "wasm" / "kit_test.wasm";
  if (!replica::exec_runtime() || !fs::exists(wasm)) {
    WARN("skipped: needs replica_exec and " << wasm << " (configure with -DHUBCTL_BUILD_WASM=ON)");
    return;
  }
  fs::path dir = fs::temp_directory_path() / ("hubctl-node-kit-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  replica::NodeConfig cfg;
  cfg.state_dir = dir;
  cfg.fsync = false;
  auto node = replica::Node::open(cfg).value();
  auto mdid = candid::text::load_did(std::string(HUBCTL_TEST_DATA) + "/../../candid/ic.did").value();
  auto kdid = candid::text::load_did(std::string(HUBCTL_TEST_DATA) + "/../../src/canisters/kit_test/kit_test.did").value();
  ic::Principal user = ic::Principal::self_authenticating(ic::to_bytes("kit user"));
  uint64_t n = 0;
  auto call = [&](const ic::Principal& canister, const std::string& method, ic::Bytes arg) {
    replica::IngressMessage m;
    m.request_id = ic::sha256("kit " + std::to_string(n++));
    m.sender = user;
    m.canister_id = canister;
    m.effective_canister_id = canister;
    m.method = method;
    m.arg = std::move(arg);
    REQUIRE(node->submit(m).ok());
    REQUIRE(node->await_certificate(m.request_id, std::chrono::seconds(30)).has_value());
    return m.request_id;
  };
  (void)call(ic::Principal::management(), "provisional_create_canister_with_cycles",
             encode(mdid, "(record {})", mdid.method("provisional_create_canister_with_cycles")->args));
  ic::Principal id = ic::Principal::from_canister_index(0);
  REQUIRE(node->canister_exists(id));
  ic::Bytes init = encode(kdid, "(record { owner = principal \"" + user.to_text() + "\"; greeting = \"Hello, \"; ledger = principal \"aaaaa-aa\" })",
                          kdid.init_args);
  std::string hex;
  (void)hex;
  auto f = mdid.method("install_code").value();
  candid::Args a = candid::text::parse_args("(record { mode = variant { install }; canister_id = principal \"" + id.to_text() +
                                                "\"; wasm_module = blob \"\"; arg = blob \"\" })",
                                            mdid, &f.args)
                       .value();
  for (auto& fld : a.values[0].fields) {
    if (fld.id == candid::field_hash("wasm_module")) fld.value.bytes = read(wasm);
    if (fld.id == candid::field_hash("arg")) fld.value.bytes = init;
  }
  call(ic::Principal::management(), "install_code", candid::encode(a).value());
  auto q = node->query(user, id, "greet", encode(kdid, "(\"node\")", kdid.method("greet")->args));
  REQUIRE(q.replied);
  auto r = candid::decode(q.reply, &kdid.table, &kdid.method("greet")->results).value();
  CHECK(r.values[0].text == "Hello, node!");
  call(id, "increment", encode(kdid, "(5 : nat64)", kdid.method("increment")->args));
  auto c = node->query(user, id, "counter", encode(kdid, "()", {}));
  REQUIRE(c.replied);
  CHECK(candid::decode(c.reply, &kdid.table, &kdid.method("counter")->results).value().values[0].nat == 5);
  node.reset();
  fs::remove_all(dir);
}
