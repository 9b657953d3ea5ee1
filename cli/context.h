// What every hubctl command shares: the global options, stdout/stderr conventions and the mapping of
// ic::Error to exit codes (DESIGN.md "Exit codes", "Output"). Only cli/ prints.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ic/bytes.h"
#include "ic/principal.h"
#include "ic/result.h"

namespace agent {
class Agent;
class Identity;
}  // namespace agent

namespace cli {

// DESIGN.md exit codes.
enum Exit : int { kOk = 0, kCheckFailed = 1, kCouldNotCheck = 2, kUsage = 3 };

// DESIGN.md "Options defined once": where to talk to, whom to trust, who signs.
struct GlobalOptions {
  std::string network;        // --network NAME|URL (HUBCTL_NETWORK); empty = local
  std::string root_key;       // --root-key ic|fetch|HEX
  std::string identity;       // --identity NAME (HUBCTL_IDENTITY)
  std::string pem;            // --pem FILE
  std::string password_file;  // --password-file FILE (encrypted PEM keys)
  std::string state;          // --state FILE (canister ids of this network)
  std::string hub;            // --hub ID (read-only commands discover the rest from the hub)
};

// A resolved --network: URL and the root key certificates are checked against.
struct Network {
  std::string name;  // "ic", "local", or the URL's host_port
  std::string url;
  bool mainnet = false;
  ic::Bytes root_key;           // empty until resolved (fetch happens when an agent is made)
  std::string root_key_source;  // "embedded" (mainnet), "argument" (--root-key HEX), "fetched"
  bool fetch_root_key = false;
};

struct Context {
  bool json = false;
  int verbosity = 0;  // -q: -1, -v: 1, -vv: 2
  GlobalOptions global;

  // --json, -q/-v, --network, --root-key, --identity, --pem, --password-file on the top-level app
  // (every subcommand sees them: the app falls through).
  void add_global_options(CLI::App& app, int& quiet, int& verbose);

  // DESIGN.md networks and root-key trust: `ic` has the embedded key and refuses `fetch`; `local` and
  // loopback URLs fetch implicitly; any other URL needs --root-key.
  ic::Result<Network> network() const;
  // --root-key alone (offline use, e.g. certificate verify): ic (default) or HEX; `fetch` is refused.
  ic::Result<ic::Bytes> offline_root_key() const;
  // Who signs: --pem, else --identity / HUBCTL_IDENTITY, else (needs_key) dfx's default identity —
  // created as a plaintext `default` identity, as dfx does, if there is none — or (read-only) anonymous.
  ic::Result<std::shared_ptr<agent::Identity>> identity(bool needs_key) const;
  // An agent for network() and identity(needs_key), with the root key fetched when that is the rule.
  ic::Result<std::unique_ptr<agent::Agent>> make_agent(bool needs_key, Network* resolved = nullptr) const;
  // --state, else ${XDG_CONFIG_HOME:-~/.config}/hubctl/<network name>.json.
  ic::Result<std::string> state_path() const;
  // A canister given as a principal, or by the name `hubctl deploy` recorded in the state file
  // (staking_hub, learning_content, icrc1_ledger). `suite_name` receives the suite name when known
  // (a name, or a principal the state file lists), so its embedded interface can type the call.
  ic::Result<ic::Principal> resolve_canister(const std::string& name_or_id, std::string* suite_name = nullptr) const;
  // --hub, else the state file's staking_hub.
  ic::Result<ic::Principal> hub_id() const;
  // Makes agents for worker threads (one per thread): the network and root key are resolved once, by the
  // first call (a fetched root key is fetched once).
  std::function<ic::Result<std::unique_ptr<agent::Agent>>()> agent_factory(bool needs_key) const;
  // Password of an encrypted PEM: --password-file, else a prompt on the terminal, else an error.
  ic::Result<std::string> password(const std::string& what) const;

  // Exit code for an error from a library call made on the user's input or on the network.
  static int exit_code_for(const ic::Error& e);

  // Prints the error to stderr ("error: message" + "hint: …"), or as {"error": …} on stdout with --json.
  // Returns the exit code so commands can `return ctx.fail(err);`.
  int fail(const ic::Error& e, const std::string& check_id = "") const;
  int fail(const ic::Error& e, int exit_code, const std::string& check_id = "") const;

  // One JSON document on stdout (64-bit+ numbers must already be strings).
  void print_json(const nlohmann::json& doc) const;
  // Progress and notes on stderr, silenced by -q.
  void note(const std::string& line) const;
  // "warning: …" on stderr, even with -q (something the user should act on).
  void warn(const std::string& line) const;
};

// Reads a positional argument that may be "-" for standard input (trailing newline stripped).
ic::Result<std::string> read_arg_or_stdin(const std::string& arg, const char* what);

// Each command module adds its subcommands; the callback sets `result` to the exit code.
using Runner = std::function<int()>;
void set_runner(CLI::App* cmd, Runner run);
int run_selected(CLI::App& app);

}  // namespace cli
