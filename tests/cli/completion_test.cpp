// Shell completion in real bash, zsh and fish: the scripts in completions/ are what `hubctl completions`
// prints, and each shell completes subcommands, options, option values and file names through them.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/process.h"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Shells {
  fs::path home;
  testproc::Options opts;
  Shells() {
    char tmpl[] = "/tmp/hubctl-compl-XXXXXX";
    home = mkdtemp(tmpl);
    fs::create_directories(home / "config" / "hubctl");
    // A state file of a URL network, so its name is offered for --network, and its canisters by name.
    std::ofstream(home / "config" / "hubctl" / "10.0.0.5_8080.json")
        << R"({"schema_version": 1, "network": "10.0.0.5_8080", "url": "http://10.0.0.5:8080",)"
        << R"( "canisters": {"staking_hub": "bkyz2-fmaaa-aaaaa-qaaaq-cai"}})";
    fs::path bin = fs::path(HUBCTL_BIN).parent_path();
    opts.env["PATH"] = bin.string() + ":" + std::getenv("PATH");
    opts.env["HOME"] = home.string();
    opts.env["XDG_CONFIG_HOME"] = (home / "config").string();
    opts.env["DFX_CONFIG_ROOT"] = home.string();
    opts.env["XDG_DATA_HOME"] = (home / "data").string();
    opts.cwd = home.string();
    std::ofstream(home / "cert.bin") << "x";
  }
  ~Shells() {
    std::error_code ec;
    fs::remove_all(home, ec);
  }
  std::string script(const char* name) const { return std::string(HUBCTL_SOURCE_DIR) + "/completions/" + name; }
  std::string bash(const std::string& words, int cword) {
    auto r = testproc::run({"bash", "-c",
                            "source " + script("hubctl.bash") + "; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                                std::to_string(cword) + "; _hubctl; printf '%s\\n' \"${COMPREPLY[@]}\""},
                           opts);
    REQUIRE(r.code == 0);
    return r.out;
  }
  // Real zsh running the script's function; compadd/_files (only callable inside a completion widget)
  // print what they were given.
  std::string zsh(const std::string& words, int current) {
    auto r = testproc::run({"zsh", "-f", "-c",
                            "compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; printf '%s\\n' \"$@\"; }; "
                            "_files() { echo FILES; }; source " + script("_hubctl") + "; words=(" + words +
                                "); CURRENT=" + std::to_string(current) + "; _hubctl"},
                           opts);
    REQUIRE(r.code == 0);
    return r.out;
  }
  std::string fish(const std::string& line) {
    auto r = testproc::run({"fish", "--no-config", "-c", "source " + script("hubctl.fish") + "; complete -C'" + line + "'"},
                           opts);
    REQUIRE(r.code == 0);
    return r.out;
  }
};

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l == line || l.rfind(line + "\t", 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("completions/ holds exactly what hubctl completions prints") {
  for (auto [shell, file] : {std::pair{"bash", "hubctl.bash"}, {"zsh", "_hubctl"}, {"fish", "hubctl.fish"}}) {
    auto r = testproc::hubctl({"completions", shell});
    REQUIRE(r.code == 0);
    INFO(file);
    CHECK(r.out + "\n" == read(std::string(HUBCTL_SOURCE_DIR) + "/completions/" + file));
  }
  auto bad = testproc::hubctl({"completions", "tcsh"});
  CHECK(bad.code == 3);
  auto help = testproc::hubctl({"completions", "--help"});
  CHECK(help.out.find("Examples:") != std::string::npos);
}

TEST_CASE("bash completes commands, options and values") {
  Shells s;
  auto top = s.bash("hubctl ''", 1);
  CHECK(has_line(top, "candid"));
  CHECK(has_line(top, "certificate"));
  CHECK_FALSE(has_line(top, "__complete"));
  CHECK(s.bash("hubctl candid e", 2) == "encode");
  auto opts = s.bash("hubctl candid encode --ty", 3);
  CHECK(opts == "--types");
  auto nets = s.bash("hubctl --network ''", 2);
  CHECK(has_line(nets, "ic"));
  CHECK(has_line(nets, "local"));
  CHECK(has_line(nets, "10.0.0.5_8080"));
  CHECK(has_line(s.bash("hubctl --identity ''", 2), "anonymous"));
  CHECK(has_line(s.bash("hubctl canister info ''", 3), "staking_hub"));
  CHECK(s.bash("hubctl certificate verify ce", 3) == "cert.bin");
}

TEST_CASE("zsh completes commands, options and values") {
  Shells s;
  auto top = s.zsh("hubctl ''", 2);
  CHECK(has_line(top, "status"));
  CHECK(has_line(top, "identity"));
  CHECK(has_line(s.zsh("hubctl identity ''", 3), "whoami"));
  CHECK(has_line(s.zsh("hubctl --network ''", 3), "10.0.0.5_8080"));
  CHECK(has_line(s.zsh("hubctl query --", 3), "--json"));
  CHECK(s.zsh("hubctl --pem ''", 3) == "FILES");
}

TEST_CASE("fish completes commands, options and values") {
  Shells s;
  auto top = s.fish("hubctl ");
  CHECK(has_line(top, "principal"));
  CHECK(has_line(top, "completions"));
  CHECK(has_line(s.fish("hubctl candid "), "decode"));
  CHECK(has_line(s.fish("hubctl --root-key "), "fetch"));
  CHECK(has_line(s.fish("hubctl completions "), "zsh"));
  CHECK(has_line(s.fish("hubctl --pem ce"), "cert.bin"));
}
