// hub files: state file round trip and refusals, atomic writes, evidence manifests (any changed byte fails),
// Prometheus text.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hub/files.h"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/hubctl-hub-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

}  // namespace

TEST_CASE("state file: round trip, missing, refusals") {
  TempDir t;
  auto path = t.path / "sub" / "local.json";
  auto none = hub::load_state_file(path);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  hub::StateFile s;
  s.network = "local";
  s.url = "http://127.0.0.1:4943";
  s.canisters["staking_hub"] = ic::Principal::from_text("bkyz2-fmaaa-aaaaa-qaaaq-cai").value();
  s.notes["deployed_at"] = "2026-11-24T10:00:00Z";
  REQUIRE(hub::save_state_file(path, s).ok());
  auto back = hub::load_state_file(path);
  REQUIRE(back.ok());
  REQUIRE(back->has_value());
  CHECK((*back)->canisters.at("staking_hub").to_text() == "bkyz2-fmaaa-aaaaa-qaaaq-cai");
  CHECK((*back)->notes.at("deployed_at") == "2026-11-24T10:00:00Z");
  CHECK((*back)->url == s.url);

  write(path, "{not json");
  auto broken = hub::load_state_file(path);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find(path.string()) != std::string::npos);
  write(path, R"({"schema_version": 9, "canisters": {}})");
  auto newer = hub::load_state_file(path);
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.error().message.find("schema_version 9") != std::string::npos);
  write(path, R"({"schema_version": 1, "canisters": {"staking_hub": "not-a-principal"}})");
  auto badid = hub::load_state_file(path);
  REQUIRE_FALSE(badid.ok());
  CHECK(badid.error().message.find("staking_hub") != std::string::npos);
}

TEST_CASE("default state path follows XDG_CONFIG_HOME") {
  setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
  CHECK(hub::default_state_path("127.0.0.1_4943").value() == fs::path("/tmp/xdg-test/hubctl/127.0.0.1_4943.json"));
  unsetenv("XDG_CONFIG_HOME");
  setenv("HOME", "/tmp/home-test", 1);
  CHECK(hub::default_state_path("ic").value() == fs::path("/tmp/home-test/.config/hubctl/ic.json"));
}

TEST_CASE("evidence: written, verified, and any changed byte fails") {
  TempDir t;
  auto dir = t.path / "ev";
  auto w = hub::EvidenceWriter::create(dir);
  REQUIRE(w.ok());
  REQUIRE(w->add("hub/certificate.cbor", ic::Bytes{0xd9, 0xd9, 0xf7, 0xa0}).ok());
  REQUIRE(w->add_text("hub/stats.json", "{\"total_allocated\": \"5\"}").ok());
  REQUIRE_FALSE(w->add("../escape", ic::Bytes{1}).ok());
  REQUIRE(w->finish({{"network", "local"}, {"time", "123"}}).ok());

  auto m = hub::verify_evidence_dir(dir);
  REQUIRE(m.ok());
  CHECK(m->files.size() == 3);  // + meta.json
  CHECK(m->meta.at("network") == "local");
  CHECK(hub::read_evidence_file(dir, *m, "hub/certificate.cbor").value() == ic::Bytes{0xd9, 0xd9, 0xf7, 0xa0});

  // Every single byte of every file, flipped one at a time, is detected.
  for (auto name : {"hub/certificate.cbor", "hub/stats.json", "meta.json", "manifest.json"}) {
    auto p = dir / name;
    std::string orig = hub::read_file(p).value();
    for (size_t i = 0; i < orig.size(); ++i) {
      std::string changed = orig;
      changed[i] = static_cast<char>(changed[i] ^ 0x01);
      write(p, changed);
      auto r = hub::verify_evidence_dir(dir);
      INFO(name << " byte " << i);
      CHECK_FALSE(r.ok());
    }
    write(p, orig);
  }
  REQUIRE(hub::verify_evidence_dir(dir).ok());
  write(dir / "extra.bin", "x");
  auto extra = hub::verify_evidence_dir(dir);
  REQUIRE_FALSE(extra.ok());
  CHECK(extra.error().message.find("extra.bin") != std::string::npos);
  fs::remove(dir / "extra.bin");
  fs::remove(dir / "hub/stats.json");
  CHECK_FALSE(hub::verify_evidence_dir(dir).ok());

  // A used directory is refused.
  CHECK_FALSE(hub::EvidenceWriter::create(dir).ok());
}

TEST_CASE("prometheus text format") {
  hub::Metric m{"hubctl_audit_check_ok", "1 when the check passed", "gauge",
                {{{{"check", "I1"}, {"note", "a \"quoted\"\nline"}}, "1"}, {{}, "0"}}};
  auto text = hub::prometheus_text({m});
  CHECK(text ==
        "# HELP hubctl_audit_check_ok 1 when the check passed\n"
        "# TYPE hubctl_audit_check_ok gauge\n"
        "hubctl_audit_check_ok{check=\"I1\",note=\"a \\\"quoted\\\"\\nline\"} 1\n"
        "hubctl_audit_check_ok 0\n");
}
