// The suite end to end on the local network, driven through hubctl as an operator would (issues 6 and 7):
// deploy with small limits, content, users through the load generator, shards created by the hub's own timer,
// verify and audit passing, evidence re-checked offline, then each failure path: a shard with an extra
// controller or other wasm, a content module that differs, a non-default cap, each invariant broken through
// the fault-injection build, and a network that is down.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/agent.h"
#include "agent/identity.h"
#include "agent/management.h"
#include "candid/binary.h"
#include "candid/text/text.h"
#include "hub/interfaces.h"
#include "support/process.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kBuild = HUBCTL_BUILD_DIR;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/hubctl-suite-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A local network of its own (ephemeral port, throwaway state and config), stopped at the end.
struct LocalNet {
  TempDir dir;
  testproc::Options env;
  std::string url;
  fs::path state_dir() const { return dir.path / "node"; }

  LocalNet() {
    env.env["XDG_CONFIG_HOME"] = (dir.path / "config").string();
    env.env["XDG_DATA_HOME"] = (dir.path / "data").string();
    env.env["DFX_CONFIG_ROOT"] = (dir.path / "dfx").string();
    env.env["HUBCTL_NETWORK"] = std::nullopt;
    env.timeout = std::chrono::minutes(5);
    auto r = hubctl({"local", "start", "--port", "0", "--state-dir", state_dir().string(), "--background", "--test-admin"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    auto st = hubctl({"local", "status", "--state-dir", state_dir().string(), "--json"});
    REQUIRE(st.code == 0);
    url = json::parse(st.out).at("url").get<std::string>();
    env.env["HUBCTL_NETWORK"] = url;
  }
  ~LocalNet() { hubctl({"local", "stop", "--state-dir", state_dir().string()}); }

  testproc::Result hubctl(std::vector<std::string> args) const { return testproc::hubctl(std::move(args), env); }
  json hubctl_json(std::vector<std::string> args, int expect_code = 0) const {
    args.push_back("--json");
    auto r = hubctl(args);
    INFO("hubctl " << args[0] << ": " << r.out << "\n" << r.err);
    REQUIRE(r.code == expect_code);
    return json::parse(r.out);
  }
  // The deployer (dfx's `default` identity in this test's DFX_CONFIG_ROOT).
  std::unique_ptr<agent::Agent> deployer_agent() const {
    auto id = agent::identity_from_pem_file((dir.path / "dfx" / ".config" / "dfx" / "identity" / "default" / "identity.pem").string());
    REQUIRE(id.ok());
    agent::AgentOptions o;
    o.url = url;
    o.identity = *id;
    auto a = std::make_unique<agent::Agent>(o);
    REQUIRE(a->fetch_root_key().ok());
    return a;
  }
};

std::vector<std::string> failed_checks(const json& j) {
  std::vector<std::string> ids;
  for (auto& c : j.at("checks"))
    if (c.at("status") == "fail") ids.push_back(c.at("id"));
  return ids;
}
bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

int count_shards(const LocalNet& net, const std::string& state) {
  auto r = net.hubctl({"--state", state, "shards", "--json"});
  if (r.code != 0 && r.code != 2) return -1;
  return static_cast<int>(json::parse(r.out).at("shards").size());
}

void call_update(agent::Agent& a, const ic::Principal& c, const std::string& did, const std::string& method,
                 const std::string& text) {
  auto arg = hub::encode_call_args(did, method, text);
  REQUIRE(arg.ok());
  auto r = a.call(c, method, *arg, c);
  INFO(method << ": " << (r ? r->reject_message : r.error().to_string()));
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->rejected);
}

const std::vector<std::string> kSmall = {"--set", "shard_soft_limit=3", "--set", "shard_hard_limit=4",
                                         "--set", "auto_scale_interval=2", "--set", "sync_interval=1", "--yes"};

}  // namespace

TEST_CASE("the suite on the local network: deploy, grow, verify, audit") {
  if (!fs::exists(kBuild + "/wasm/staking_hub.wasm") || !fs::exists(kBuild + "/wasm/icrc1_ledger.wasm")) {
    WARN("the canisters were not built (HUBCTL_BUILD_WASM=OFF): skipping");
    return;
  }
  LocalNet net;
  std::string state = (net.dir.path / "suite.json").string();

  // --dry-run opens no connection.
  auto dry = net.hubctl({"--network", "http://127.0.0.1:1", "--root-key", "ic", "--state", state, "deploy", "--dry-run"});
  INFO(dry.err);
  CHECK(dry.code == 0);
  CHECK(dry.err.find("create") != std::string::npos);

  std::vector<std::string> deploy = {"--state", state, "deploy"};
  deploy.insert(deploy.end(), kSmall.begin(), kSmall.end());
  auto d = net.hubctl_json(deploy);
  std::string hub = d.at("canisters").at("staking_hub");
  // Re-running detects that everything is deployed.
  auto again = net.hubctl(deploy);
  CHECK(again.code == 0);
  CHECK(again.err.find("up to date") != std::string::npos);
  CHECK(count_shards(net, state) == 1);  // shard #1 at deploy, not at the first timer tick

  auto add = net.hubctl({"--state", state, "content", "add", std::string(HUBCTL_SOURCE_DIR) + "/examples/course.json"});
  INFO(add.err);
  REQUIRE(add.code == 0);
  auto list = net.hubctl_json({"--state", state, "content", "list"});
  CHECK(list.at("units").size() == 3);
  auto outsider = net.hubctl({"--state", state, "--identity", "anonymous", "content", "remove", "math/fractions"});
  CHECK(outsider.code != 0);

  // 11 users (soft limit 3, hard limit 4): the hub must add shards by itself.
  auto load = testproc::run({kBuild + "/bench/suite_loadgen", "--url", net.url, "--hub", hub, "--users", "11", "--concurrency",
                             "3", "--unit", "math/fractions", "--answers", "1,0,2", "--unstake", "50000000"},
                            net.env);
  INFO(load.out << load.err);
  REQUIRE(load.code == 0);
  CHECK(load.out.find("register_user Ok") != std::string::npos);
  for (int i = 0; i < 60 && count_shards(net, state) < 3; ++i) std::this_thread::sleep_for(std::chrono::seconds(1));
  auto shards = net.hubctl_json({"--state", state, "shards"});
  REQUIRE(shards.at("shards").size() >= 3);
  // Timer-created shards come at least one auto-scale interval apart (2 s).
  uint64_t prev = 0;
  for (auto& s : shards.at("shards")) {
    uint64_t created = std::stoull(s.at("hub").at("created_at").get<std::string>());
    if (prev) CHECK(created - prev >= 2'000'000'000ull);
    prev = created;
  }

  auto v = net.hubctl_json({"--state", state, "verify", "--expect-cap", "420000000000000000"});
  CHECK(v.at("ok") == true);
  std::string ev = (net.dir.path / "evidence").string(), prom = (net.dir.path / "hubctl.prom").string();
  auto a = net.hubctl_json({"--state", state, "audit", "--evidence", ev, "--prometheus", prom});
  CHECK(a.at("ok") == true);
  CHECK(a.at("schema_version") == 1);
  CHECK(fs::exists(prom));
  auto offline = net.hubctl({"audit", "--verify-evidence", ev});
  INFO(offline.out << offline.err);
  CHECK(offline.code == 0);
  // Any changed byte of an evidence file fails the re-check.
  for (auto& f : fs::recursive_directory_iterator(ev)) {
    if (!f.is_regular_file()) continue;
    std::string bytes;
    {
      std::ifstream in(f.path(), std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (bytes.empty()) continue;
    std::string changed = bytes;
    changed[changed.size() / 2] ^= 0x20;
    std::ofstream(f.path(), std::ios::binary) << changed;
    auto r = net.hubctl({"audit", "--verify-evidence", ev});
    INFO(f.path());
    CHECK(r.code == 1);
    std::ofstream(f.path(), std::ios::binary) << bytes;
  }
  CHECK(net.hubctl({"audit", "--verify-evidence", ev}).code == 0);
  CHECK(net.hubctl({"--state", state, "ensure-capacity"}).code == 0);

  {
    // Shard-only methods refuse every caller the hub did not create (here the deployer's own principal).
    auto outsider_agent = net.deployer_agent();
    ic::Principal hub_id = ic::Principal::from_text(hub).value();
    ic::Principal content_id = ic::Principal::from_text(d.at("canisters").at("learning_content").get<std::string>()).value();
    auto refused = [&](const ic::Principal& c, const std::string& did, const std::string& method, const std::string& text) {
      auto arg = hub::encode_call_args(did, method, text);
      REQUIRE(arg.ok());
      auto r = outsider_agent->call(c, method, *arg, c);
      REQUIRE(r.ok());
      INFO(method);
      if (r->rejected) return true;  // a reject is a refusal too
      auto rep = hub::decode_reply(did, method, r->arg);
      REQUIRE(rep.ok());
      return rep->first().variant_tag().value_or("") == "Err";
    };
    std::string me_p = net.hubctl_json({"identity", "whoami"}).at("principal");
    CHECK(refused(hub_id, "staking_hub", "claim_user", "(principal \"" + me_p + "\")"));
    CHECK(refused(hub_id, "staking_hub", "sync_shard",
                  "(record { seq = 1; rewards_credited_delta = 0; unstaked_delta = 0; credited_back_delta = 0; "
                  "user_count = 0; request = 100000000000; give_back = 0 })"));
    CHECK(refused(hub_id, "staking_hub", "withdraw", "(principal \"" + me_p + "\", 100000000, 1, 1)"));
    CHECK(refused(content_id, "learning_content", "verify_quiz", "(\"math/fractions\", blob \"\\01\\00\\02\")"));
  }

  {
    // Upgrades (by a controller) keep every canister's state and re-arm the hub's timer.
    auto ctl = net.deployer_agent();
    auto read = [&](const std::string& name) {
      std::ifstream f(kBuild + "/wasm/" + name + ".wasm", std::ios::binary);
      return ic::Bytes((std::istreambuf_iterator<char>(f)), {});
    };
    auto before_units = net.hubctl_json({"--state", state, "content", "list"}).at("units").size();
    auto before_shards = net.hubctl_json({"--state", state, "shards"});
    for (auto name : {"icrc1_ledger", "learning_content", "staking_hub"}) {
      ic::Principal id = ic::Principal::from_text(d.at("canisters").at(name).get<std::string>()).value();
      auto st = agent::install_code(*ctl, id, read(name), {}, agent::InstallMode::Upgrade);
      INFO(name << ": " << (st.ok() ? std::string() : st.error().to_string()));
      CHECK(st.ok());
    }
    // A shard, through the test switch that makes the deployer its controller too.
    std::string s0 = before_shards.at("shards")[0].at("id");
    std::string me_p = net.hubctl_json({"identity", "whoami"}).at("principal");
    REQUIRE(net.hubctl({"local", "set-controllers", "--state-dir", net.state_dir().string(), s0, hub, me_p}).code == 0);
    auto up = agent::install_code(*ctl, ic::Principal::from_text(s0).value(), read("user_profile"), {}, agent::InstallMode::Upgrade);
    INFO((up.ok() ? std::string() : up.error().to_string()));
    CHECK(up.ok());
    REQUIRE(net.hubctl({"local", "set-controllers", "--state-dir", net.state_dir().string(), s0, hub}).code == 0);
    CHECK(net.hubctl_json({"--state", state, "content", "list"}).at("units").size() == before_units);
    auto after_shards = net.hubctl_json({"--state", state, "shards"});
    CHECK(after_shards.at("shards").size() == before_shards.at("shards").size());
    CHECK(after_shards.at("shards")[0].at("hub").at("user_count") == before_shards.at("shards")[0].at("hub").at("user_count"));
    CHECK(after_shards.at("shards")[0].at("stats").at("rewards_credited_total") ==
          before_shards.at("shards")[0].at("stats").at("rewards_credited_total"));
    // The hub's timer was re-armed: ensure_capacity keeps running on its own after the upgrade.
    auto t0 = std::stoull(after_shards.at("global_stats").at("last_ensure_capacity.time").get<std::string>());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    auto later = net.hubctl_json({"--state", state, "shards"});
    CHECK(std::stoull(later.at("global_stats").at("last_ensure_capacity.time").get<std::string>()) > t0);
    // The audit still passes: books, balances and the ledger's chain survived.
    CHECK(net.hubctl_json({"--state", state, "audit"}).at("ok") == true);
  }

  // A shard with an extra controller.
  std::string shard = shards.at("shards")[0].at("id");
  std::string me = net.hubctl_json({"identity", "whoami"}).at("principal");
  REQUIRE(net.hubctl({"local", "set-controllers", "--state-dir", net.state_dir().string(), shard, hub, me}).code == 0);
  auto extra = net.hubctl_json({"--state", state, "verify"}, 1);
  CHECK(has(failed_checks(extra), "shard_controllers"));
  auto extra_audit = net.hubctl_json({"--state", state, "audit"}, 1);
  CHECK(has(failed_checks(extra_audit), "I5.shard_controllers"));

  // The same shard reinstalled with other wasm (by that extra controller).
  auto deployer = net.deployer_agent();
  std::ifstream kit(kBuild + "/wasm/empty.wasm", std::ios::binary);  // other wasm: the kit's empty canister
  ic::Bytes kit_wasm((std::istreambuf_iterator<char>(kit)), {});
  auto reinstalled = agent::install_code(*deployer, ic::Principal::from_text(shard).value(), kit_wasm, {},
                                         agent::InstallMode::Reinstall);
  INFO((reinstalled.ok() ? std::string() : reinstalled.error().to_string()));
  REQUIRE(reinstalled.ok());
  auto other = net.hubctl_json({"--state", state, "verify"}, 1);
  CHECK(has(failed_checks(other), "module_hash"));

  // Content replaced by other wasm (the deployer still controls it before --finalize).
  std::string content = d.at("canisters").at("learning_content");
  auto content_re = agent::install_code(*deployer, ic::Principal::from_text(content).value(), kit_wasm, {},
                                        agent::InstallMode::Reinstall);
  INFO((content_re.ok() ? std::string() : content_re.error().to_string()));
  REQUIRE(content_re.ok());
  auto content_bad = net.hubctl_json({"--state", state, "verify"}, 1);
  bool content_named = false;
  for (auto& c : content_bad.at("checks"))
    if (c.at("status") == "fail" && c.at("subject").get<std::string>().rfind("learning_content", 0) == 0) content_named = true;
  CHECK(content_named);

  // A non-default cap: a second suite deployed with another hard cap.
  std::string state2 = (net.dir.path / "suite2.json").string();
  std::vector<std::string> deploy2 = {"--state", state2, "deploy", "--set", "hard_cap=100000000000"};
  deploy2.insert(deploy2.end(), kSmall.begin(), kSmall.end());
  net.hubctl_json(deploy2);
  auto cap = net.hubctl_json({"--state", state2, "verify"}, 1);
  CHECK(has(failed_checks(cap), "hard_cap"));
  CHECK(net.hubctl_json({"--state", state2, "verify", "--expect-cap", "100000000000"}).at("ok") == true);
  auto cap_audit = net.hubctl_json({"--state", state2, "audit"}, 1);
  CHECK(failed_checks(cap_audit) == std::vector<std::string>{"I1.hard_cap_expected"});

  // A hub whose embedded wasm differs from the bundled user_profile (the fault-injection build embeds its own).
  std::string faults_dir = kBuild + "/wasm-faults";
  if (fs::exists(faults_dir + "/user_profile_faults.wasm")) {
    std::string state3 = (net.dir.path / "suite3.json").string();
    std::vector<std::string> deploy3 = {"--state", state3, "deploy", "--wasm-dir", faults_dir};
    deploy3.insert(deploy3.end(), kSmall.begin(), kSmall.end());
    auto d3 = net.hubctl_json(deploy3);
    auto emb = net.hubctl_json({"--state", state3, "verify"}, 1);
    CHECK(has(failed_checks(emb), "embedded_wasm"));
    // Each invariant broken through the fault methods fails its own check in the audit.
    ic::Principal hub3 = ic::Principal::from_text(d3.at("canisters").at("staking_hub").get<std::string>()).value();
    ic::Principal ledger3 = ic::Principal::from_text(d3.at("canisters").at("icrc1_ledger").get<std::string>()).value();
    auto base = net.hubctl_json({"--state", state3, "audit"}, 1);  // I5.embedded_is_bundled: not our bundle
    auto before = failed_checks(base);
    auto shards3 = net.hubctl_json({"--state", state3, "shards"});
    ic::Principal shard3 = ic::Principal::from_text(shards3.at("shards")[0].at("id").get<std::string>()).value();
    struct Fault {
      ic::Principal target;
      const char* did;
      const char* method;
      std::string arg;
      const char* check;
    };
    std::vector<Fault> faults = {
        {shard3, "user_profile", "fault_inflate_granted", "(5 : nat64)", "I2.granted_matches_hub"},
        {shard3, "user_profile", "fault_inflate_rewards", "(7 : nat64)", "I3.rewards_used"},
        {hub3, "staking_hub", "fault_inflate_allocated", "(500000000000000000 : nat64)", "I1.cap"},
        {hub3, "staking_hub", "fault_set_user_count", "(0 : nat32, 1000 : nat64)", "I6.hard_limit"},
        {ledger3, "icrc1_ledger", "fault_mint_unrecorded",
         "(record { owner = principal \"aaaaa-aa\"; subaccount = null }, 9 : nat)", "I4.supply"},
    };
    for (auto& f : faults) {
      // The fault methods are not in the release interface: encode with the generic text parser.
      auto parsed = candid::text::parse_args(f.arg);
      REQUIRE(parsed.ok());
      auto bytes = candid::encode(*parsed);
      auto r = deployer->call(f.target, f.method, *bytes, f.target);
      INFO(f.method << ": " << (r ? r->reject_message : r.error().to_string()));
      REQUIRE(r.ok());
      REQUIRE_FALSE(r->rejected);
      auto after = net.hubctl_json({"--state", state3, "audit"}, 1);
      auto ids = failed_checks(after);
      INFO("fault " << f.method);
      CHECK(has(ids, f.check));
    }
  }

  // A network that is down: exit 2 with a clear message.
  REQUIRE(net.hubctl({"local", "stop", "--state-dir", net.state_dir().string()}).code == 0);
  auto down = net.hubctl({"--state", state, "audit"});
  CHECK(down.code == 2);
  CHECK(down.err.find("Couldn't connect") != std::string::npos);
}
