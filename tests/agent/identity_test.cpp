// dfx's identity directory: created, imported and selected identities are laid out exactly as dfx lays them out
// and load to the principal openssl derives; identities dfx keeps encrypted or in the keyring are explained.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "agent/identity_store.h"

using namespace agent;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/hubctl-ident-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// The principal of a PEM's key as openssl sees it: SHA-224(DER SubjectPublicKeyInfo) · 02.
ic::Principal openssl_principal(const fs::path& pem) {
  fs::path der = pem;
  der += ".pub.der";
  std::string cmd = std::string(OPENSSL_BIN) + " pkey -in " + pem.string() + " -pubout -outform DER -out " + der.string() +
                    " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::string s = slurp(der);
  return ic::Principal::self_authenticating(ic::Bytes(s.begin(), s.end()));
}

}  // namespace

TEST_CASE("identity store: new, import, default, list (dfx layout)", "[identity]") {
  TempDir t;
  IdentityStore store(t.path / ".config" / "dfx");
  CHECK(store.default_name().value() == "default");  // dfx's fallback without identity.json
  auto empty = store.list().value();
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].name == "anonymous");

  REQUIRE(store.create("alice").ok());
  fs::path pem = store.root() / "identity" / "alice" / "identity.pem";
  REQUIRE(fs::exists(pem));
  CHECK((fs::status(pem).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK(slurp(pem).find("BEGIN EC PRIVATE KEY") != std::string::npos);  // secp256k1 SEC1, as dfx writes
  auto alice = store.load("alice").value();
  CHECK(alice->kind() == "secp256k1");
  CHECK(alice->sender() == openssl_principal(pem));

  // Import a key openssl made (Ed25519 PKCS#8), and an encrypted one.
  fs::path ed = t.path / "ed.pem";
  REQUIRE(std::system((std::string(OPENSSL_BIN) + " genpkey -algorithm ed25519 -out " + ed.string()).c_str()) == 0);
  REQUIRE(store.import("bob", slurp(ed)).ok());
  CHECK(store.load("bob").value()->sender() == openssl_principal(ed));
  fs::path enc = t.path / "enc.pem";
  REQUIRE(std::system((std::string(OPENSSL_BIN) + " pkcs8 -topk8 -v2 aes-256-cbc -passout pass:pw -in " + ed.string() +
                       " -out " + enc.string()).c_str()) == 0);
  CHECK_FALSE(store.import("carol", slurp(enc)).ok());  // no password given
  REQUIRE(store.import("carol", slurp(enc), []() -> ic::Result<std::string> { return std::string("pw"); }).ok());
  CHECK(store.load("carol").value()->sender() == openssl_principal(ed));  // stored in plaintext, as dfx's plaintext mode

  // Names: taken, reserved, or with a path separator.
  CHECK(store.create("alice").error().message.find("already exists") != std::string::npos);
  CHECK_FALSE(store.create("anonymous").ok());
  CHECK_FALSE(store.create("a/b").ok());
  CHECK_FALSE(store.create("").ok());

  // Default selection: identity.json {"default": NAME}, other keys kept.
  std::ofstream(store.root() / "identity.json") << R"({"default": "alice", "extra": 1})";
  CHECK(store.default_name().value() == "alice");
  REQUIRE(store.set_default("bob").ok());
  auto j = nlohmann::json::parse(slurp(store.root() / "identity.json"));
  CHECK(j["default"] == "bob");
  CHECK(j["extra"] == 1);
  CHECK(store.set_default("nobody").error().code == ic::Errc::not_found);

  auto all = store.list().value();
  std::vector<std::string> names;
  for (auto& e : all) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"alice", "anonymous", "bob", "carol"});
  CHECK(store.load("anonymous").value()->anonymous());
  CHECK(store.load("nobody").error().code == ic::Errc::not_found);
}

TEST_CASE("identity store: what dfx keeps elsewhere is explained", "[identity]") {
  TempDir t;
  IdentityStore store(t.path);
  fs::create_directories(t.path / "identity" / "kr");
  std::ofstream(t.path / "identity" / "kr" / "identity.json") << R"({"keyring_identity_suffix": "kr"})";
  fs::create_directories(t.path / "identity" / "pw");
  std::ofstream(t.path / "identity" / "pw" / "identity.pem.encrypted") << "x";
  std::ofstream(t.path / "identity" / "pw" / "identity.json")
      << R"({"encryption": {"pw_salt": "abc", "file_nonce": [1,2,3,4,5,6,7,8,9,10,11,12]}})";
  auto all = store.list().value();
  REQUIRE(all.size() == 3);
  CHECK(all[1].name == "kr");
  CHECK(all[1].storage == "keyring");
  CHECK(all[2].storage == "password-protected");
  auto kr = store.load("kr");
  REQUIRE_FALSE(kr.ok());
  CHECK(kr.error().message.find("keyring") != std::string::npos);
  CHECK(kr.error().hint.find("dfx identity export kr") != std::string::npos);
  auto pw = store.load("pw");
  REQUIRE_FALSE(pw.ok());
  CHECK(pw.error().code == ic::Errc::unsupported);
  CHECK(pw.error().message.find("password-protected") != std::string::npos);
}

TEST_CASE("identity store: DFX_CONFIG_ROOT relocates the directory as in dfx", "[identity]") {
  setenv("DFX_CONFIG_ROOT", "/some/where", 1);
  CHECK(IdentityStore::from_environment().value().root() == fs::path("/some/where/.config/dfx"));
  unsetenv("DFX_CONFIG_ROOT");
  setenv("HOME", "/home/op", 1);
  CHECK(IdentityStore::from_environment().value().root() == fs::path("/home/op/.config/dfx"));
}
