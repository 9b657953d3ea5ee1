// Runs build/hubctl as a user would and checks what it prints and how it exits.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/process.h"

namespace {

struct Run {
  int code;
  std::string out;
};

// Runs hubctl; stderr is dropped unless `merge_stderr` (then appended after stdout).
Run hubctl(std::initializer_list<std::string> args, bool merge_stderr = false, const std::string& stdin_text = "") {
  testproc::Options opts;
  opts.stdin_text = stdin_text;
  auto r = testproc::hubctl(std::vector<std::string>(args), opts);
  REQUIRE(r.code >= 0);
  std::string out = r.out;
  if (merge_stderr && !r.err.empty()) out += (out.empty() ? "" : "\n") + r.err;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {r.code, out};
}

}  // namespace

TEST_CASE("version and help") {
  auto r = hubctl({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out.rfind("hubctl ", 0) == 0);
  auto h = hubctl({"candid", "encode", "--help"});
  CHECK(h.code == 0);
  CHECK(h.out.find("--types") != std::string::npos);
  CHECK(hubctl({"no-such-command"}).code == 3);
  CHECK(hubctl({"candid", "encode"}).code == 3);  // ARGS is required
}

TEST_CASE("candid encode: spec examples") {
  CHECK(hubctl({"candid", "encode", "(42 : nat)"}).out == "4449444c00017d2a");
  CHECK(hubctl({"candid", "encode", "()"}).out == "4449444c0000");
  CHECK(hubctl({"candid", "encode", "--types", "(nat)", "(42)"}).out == "4449444c00017d2a");
  // Unannotated numbers are int, as in didc.
  CHECK(hubctl({"candid", "encode", "(42)"}).out == "4449444c00017c2a");
  // Stdin.
  CHECK(hubctl({"candid", "encode", "-"}, false, "(42 : nat)\n").out == "4449444c00017d2a");
}

TEST_CASE("candid round trip through the binary") {
  std::string types = "(record { name : text; balance : nat64; tags : vec text }, opt principal, blob)";
  std::string value = "(record { name = \"Ada\"; balance = 7 : nat64; tags = vec { \"a\"; \"b\" } }, opt principal \"aaaaa-aa\", blob \"\\01\\02\")";
  auto enc = hubctl({"candid", "encode", "--types", types, value});
  REQUIRE(enc.code == 0);
  REQUIRE(enc.out.rfind("4449444c", 0) == 0);
  auto dec = hubctl({"candid", "decode", "--types", types, enc.out});
  REQUIRE(dec.code == 0);
  // Decoded text re-encodes to the same bytes.
  auto again = hubctl({"candid", "encode", "--types", types, dec.out});
  CHECK(again.out == enc.out);
  CHECK(dec.out.find("name = \"Ada\"") != std::string::npos);
  CHECK(dec.out.find("principal \"aaaaa-aa\"") != std::string::npos);
}

TEST_CASE("candid decode: subtyping and wire types") {
  // A record with an extra field decodes at a type without it; a missing opt field becomes null.
  auto enc = hubctl({"candid", "encode", "--types", "(record { a : nat; b : text })", "(record { a = 1; b = \"x\" })"});
  REQUIRE(enc.code == 0);
  auto dec = hubctl({"candid", "decode", "--types", "(record { a : nat; c : opt nat })", enc.out});
  REQUIRE(dec.code == 0);
  CHECK(dec.out.find("c = null") != std::string::npos);
  CHECK(dec.out.find("b =") == std::string::npos);
  // Without types the field names are unknown: the ids are printed.
  auto raw = hubctl({"candid", "decode", enc.out});
  REQUIRE(raw.code == 0);
  CHECK(raw.out.find("97") != std::string::npos);  // field_hash("a") = 97
}

TEST_CASE("candid: bad input gets an error and exit 3") {
  auto r = hubctl({"candid", "decode", "4449444c00017d"}, true);  // nat missing
  CHECK(r.code == 3);
  CHECK(r.out.find("error:") != std::string::npos);
  CHECK(hubctl({"candid", "decode", "zz"}).code == 3);
  CHECK(hubctl({"candid", "encode", "(record { a = })"}).code == 3);
  CHECK(hubctl({"candid", "encode", "--types", "(nat8)", "(300)"}).code == 3);
  CHECK(hubctl({"candid", "encode", "--method", "foo", "()"}).code == 3);  // --method without --did
  // A billion-element vector claimed in a few bytes is refused, not allocated.
  CHECK(hubctl({"candid", "decode", "4449444c016d7e01008094ebdc03000000"}).code == 3);
  auto j = hubctl({"--json", "candid", "decode", "4449444c00017d"});
  CHECK(j.code == 3);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["ok"] == false);
  CHECK(doc["error"]["message"].get<std::string>().size() > 0);
}

TEST_CASE("candid with a .did file") {
  std::string did = std::string(HUBCTL_TEST_DATA) + "/cli/example.did";
  auto enc = hubctl({"candid", "encode", "--did", did, "--method", "greet", "(record { name = \"Ada\"; age = 36 })"});
  REQUIRE(enc.code == 0);
  auto dec = hubctl({"candid", "decode", "--did", did, "--method", "greet", "--args", enc.out});
  REQUIRE(dec.code == 0);
  CHECK(dec.out.find("name = \"Ada\"") != std::string::npos);
  CHECK(dec.out.find("age = 36") != std::string::npos);
  auto res = hubctl({"candid", "encode", "--did", did, "--method", "greet", "--results", "(variant { ok = \"hi\" })"});
  CHECK(res.code == 0);
  auto unknown = hubctl({"candid", "encode", "--did", did, "--method", "nope", "()"}, true);
  CHECK(unknown.code == 3);
  CHECK(unknown.out.find("greet") != std::string::npos);  // names the methods that exist
}

TEST_CASE("principal conversions") {
  auto r = hubctl({"principal", "-q", "ryjl3-tyaaa-aaaaa-aaaba-cai"});
  CHECK(r.code == 0);
  auto j = hubctl({"--json", "principal", "ryjl3-tyaaa-aaaaa-aaaba-cai"});
  REQUIRE(j.code == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["hex"] == "00000000000000020101");
  CHECK(doc["class"] == "opaque");
  CHECK(doc["canister_index"] == "2");
  auto back = hubctl({"--json", "principal", "0x00000000000000020101"});
  CHECK(nlohmann::json::parse(back.out)["text"] == "ryjl3-tyaaa-aaaaa-aaaba-cai");
  CHECK(nlohmann::json::parse(hubctl({"--json", "principal", "04"}).out)["text"] == "2vxsx-fae");
  CHECK(nlohmann::json::parse(hubctl({"--json", "principal", "aaaaa-aa"}).out)["class"] == "management");
  // RFC 8032 test-1 Ed25519 key, DER-wrapped (ic-protocol.md §3.2).
  auto der = hubctl({"--json", "principal", "--der",
                     "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"});
  REQUIRE(der.code == 0);
  CHECK(nlohmann::json::parse(der.out)["text"] == "e73il-iz5tp-nkgt7-idxyw-ngkah-47bpv-qdase-pzde6-g6vwc-a3eql-jae");
  // A checksum error is named.
  auto bad = hubctl({"principal", "ryjl3-tyaaa-aaaaa-aaaba-cab"}, true);
  CHECK(bad.code == 3);
  CHECK(bad.out.find("error:") != std::string::npos);
}

TEST_CASE("candid encode warns about a field the type does not have") {
  auto r = hubctl({"candid", "encode", "--types", "(record { email : text })", "(record { email = \"a\"; emial = \"b\" })"}, true);
  CHECK(r.code == 0);
  CHECK(r.out.find("warning:") != std::string::npos);
  CHECK(r.out.find("emial") != std::string::npos);
  // The value that was kept encodes exactly as without the stray field.
  auto clean = hubctl({"candid", "encode", "--types", "(record { email : text })", "(record { email = \"a\" })"});
  CHECK(r.out.find(clean.out) != std::string::npos);
}

TEST_CASE("candid decode prints didc's notation") {
  CHECK(hubctl({"candid", "decode", "4449444c00017d2a"}).out == "(42 : nat)");
  CHECK(hubctl({"candid", "decode", "4449444c00017f"}).out == "(null : null)");
  auto j = hubctl({"--json", "candid", "decode", "4449444c00017d2a"});
  CHECK(nlohmann::json::parse(j.out)["text"] == "(42 : nat)");
}

TEST_CASE("canister names resolve through the state file") {
  char tmpl[] = "/tmp/hubctl-state-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string state = dir + "/suite.json";
  {
    std::ofstream f(state);
    f << R"({"schema_version": 1, "network": "local", "canisters": {"staking_hub": "bkyz2-fmaaa-aaaaa-qaaaq-cai"}})";
  }
  testproc::Options env;
  env.env["DFX_CONFIG_ROOT"] = dir;
  env.env["XDG_CONFIG_HOME"] = dir + "/config";
  // --dry-run signs offline; the effective canister id shows the name was resolved.
  auto ok = testproc::hubctl({"--state", state, "query", "staking_hub", "get_global_stats", "--dry-run", "--json"}, env);
  REQUIRE(ok.code == 0);
  CHECK(nlohmann::json::parse(ok.out)["effective_canister_id"] == "bkyz2-fmaaa-aaaaa-qaaaq-cai");
  auto unknown = testproc::hubctl({"--state", state, "query", "stakinghub", "m", "--dry-run"}, env);
  CHECK(unknown.code == 3);
  CHECK(unknown.err.find("known names: staking_hub") != std::string::npos);
  auto nofile = testproc::hubctl({"canister", "info", "staking_hub"}, env);
  CHECK(nofile.code == 3);
  CHECK(nofile.err.find("no state file " + dir + "/config/hubctl/local.json") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("every command's --help has an example") {
  // The command tree comes from hubctl itself (the completion engine), so a new command cannot be forgotten.
  std::vector<std::vector<std::string>> todo = {{}}, leaves;
  while (!todo.empty()) {
    auto path = todo.back();
    todo.pop_back();
    std::vector<std::string> args = {"__complete"};
    args.insert(args.end(), path.begin(), path.end());
    args.push_back("");
    auto r = testproc::hubctl(args);
    REQUIRE(r.code == 0);
    std::vector<std::string> subs;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] != '-' && line != "__files__" && line != "bash" && line != "zsh" && line != "fish")
        subs.push_back(line);
    if (subs.empty() || (path.size() == 1 && (path[0] == "call" || path[0] == "query"))) {
      if (!path.empty()) leaves.push_back(path);
      continue;
    }
    for (auto& s : subs) {
      auto next = path;
      next.push_back(s);
      todo.push_back(next);
    }
  }
  CHECK(leaves.size() >= 20);
  for (auto& leaf : leaves) {
    auto args = leaf;
    args.push_back("--help");
    auto r = testproc::hubctl(args);
    std::string name;
    for (auto& w : leaf) name += w + " ";
    INFO(name);
    CHECK(r.code == 0);
    CHECK(r.out.find("Example") != std::string::npos);
  }
}
