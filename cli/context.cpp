#include "context.h"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>

namespace cli {

int Context::exit_code_for(const ic::Error& e) {
  switch (e.code) {
    case ic::Errc::crypto:
      return kCheckFailed;
    case ic::Errc::network:
    case ic::Errc::rejected:
    case ic::Errc::not_found:
    case ic::Errc::io:
      return kCouldNotCheck;
    case ic::Errc::invalid_input:
    case ic::Errc::decode:
    case ic::Errc::type_mismatch:
    case ic::Errc::limit:
    case ic::Errc::unsupported:
      return kUsage;
    case ic::Errc::internal:
      return kCouldNotCheck;
  }
  return kCouldNotCheck;
}

int Context::fail(const ic::Error& e, const std::string& check_id) const {
  return fail(e, exit_code_for(e), check_id);
}

int Context::fail(const ic::Error& e, int exit_code, const std::string& check_id) const {
  if (json) {
    nlohmann::json doc = {{"ok", false},
                          {"error", {{"code", ic::errc_name(e.code)}, {"message", e.message}}}};
    if (!e.hint.empty()) doc["error"]["hint"] = e.hint;
    if (!check_id.empty()) doc["failed_check"] = check_id;
    print_json(doc);
  }
  // The error also goes to stderr in JSON mode: cron mails stderr, scripts parse stdout.
  std::cerr << "error: " << e.message << "\n";
  if (!e.hint.empty()) std::cerr << "hint: " << e.hint << "\n";
  return exit_code;
}

void Context::print_json(const nlohmann::json& doc) const { std::cout << doc.dump(2) << "\n"; }

void Context::note(const std::string& line) const {
  if (verbosity >= 0) std::cerr << line << "\n";
}

void Context::warn(const std::string& line) const { std::cerr << "warning: " << line << "\n"; }

ic::Result<std::string> read_arg_or_stdin(const std::string& arg, const char* what) {
  if (arg != "-") return arg;
  std::string s((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (!std::cin.eof() && std::cin.fail())
    return ic::make_error(ic::Errc::io, std::string("could not read ") + what + " from standard input");
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

namespace {
std::map<CLI::App*, Runner>& runners() {
  static std::map<CLI::App*, Runner> r;
  return r;
}
}  // namespace

void set_runner(CLI::App* cmd, Runner run) { runners()[cmd] = std::move(run); }

int run_selected(CLI::App& app) {
  // The deepest parsed subcommand with a runner wins.
  CLI::App* cur = &app;
  Runner* found = nullptr;
  for (;;) {
    auto it = runners().find(cur);
    if (it != runners().end()) found = &it->second;
    auto subs = cur->get_subcommands();
    if (subs.empty()) break;
    cur = subs.front();
  }
  if (!found) {
    std::cout << cur->help();
    return cur == &app ? kUsage : kUsage;
  }
  return (*found)();
}

}  // namespace cli

// ---------------------------------------------------------------------------------------------------------
// Global options, networks, identities (DESIGN.md "Options defined once").

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>
#include <fstream>

#include "agent/agent.h"
#include "agent/identity_store.h"
#include "hub/files.h"

namespace cli {

void Context::add_global_options(CLI::App& app, int& quiet, int& verbose) {
  app.add_flag("--json", json, "Print one JSON document on stdout");
  app.add_flag("-q,--quiet", quiet, "Only results and errors");
  app.add_flag("-v,--verbose", verbose, "More detail on stderr (repeat for more)");
  const char* group = "Network and identity";
  app.add_option("--network", global.network, "ic, local (default) or a URL such as http://127.0.0.1:4943")
      ->envname("HUBCTL_NETWORK")
      ->group(group);
  app.add_option("--root-key", global.root_key,
                 "Root key to trust: ic (mainnet's, embedded), fetch (from the replica; local networks only "
                 "unless given), or the key in hex")
      ->group(group);
  app.add_option("--identity", global.identity, "dfx identity to sign with (anonymous for read-only commands)")
      ->envname("HUBCTL_IDENTITY")
      ->group(group);
  app.add_option("--pem", global.pem, "PEM private key file to sign with (Ed25519, secp256k1, P-256)")->group(group);
  app.add_option("--password-file", global.password_file, "File holding the password of an encrypted PEM key")
      ->group(group);
  app.add_option("--hub", global.hub, "The suite's staking_hub (read-only commands find every other canister from it)")
      ->envname("HUBCTL_HUB")
      ->group(group);
  app.add_option("--state", global.state,
                 "State file with the suite's canister ids (default ~/.config/hubctl/<network>.json)")
      ->envname("HUBCTL_STATE")
      ->group(group);
}

ic::Result<ic::Principal> Context::hub_id() const {
  if (!global.hub.empty()) {
    auto p = ic::Principal::from_text(global.hub);
    if (!p) return ic::Error(p.error()).context("--hub");
    return *p;
  }
  auto id = resolve_canister("staking_hub");
  if (!id)
    return ic::make_error(ic::Errc::invalid_input, "which hub? " + id.error().message,
                          "pass --hub ID (read-only commands need nothing else), or deploy with `hubctl deploy`");
  return *id;
}

std::function<ic::Result<std::unique_ptr<agent::Agent>>()> Context::agent_factory(bool needs_key) const {
  struct Shared {
    std::mutex mu;
    bool resolved = false;
    Network net;
    std::shared_ptr<agent::Identity> identity;
  };
  auto shared = std::make_shared<Shared>();
  return [this, shared, needs_key]() -> ic::Result<std::unique_ptr<agent::Agent>> {
    std::lock_guard lock(shared->mu);
    if (!shared->resolved) {
      Network net;
      IC_TRY(auto a, make_agent(needs_key, &net));
      shared->net = net;
      shared->identity = std::shared_ptr<agent::Identity>(identity(needs_key).value_or(nullptr));
      shared->resolved = true;
      return a;
    }
    agent::AgentOptions o;
    o.url = shared->net.url;
    o.identity = shared->identity;
    o.root_key = shared->net.root_key;
    if (verbosity > 0) o.log = [this](const std::string& line) { note(line); };
    return std::make_unique<agent::Agent>(std::move(o));
  };
}

ic::Result<std::string> Context::state_path() const {
  if (!global.state.empty()) return global.state;
  IC_TRY(Network net, network());
  IC_TRY(auto p, hub::default_state_path(net.name));
  return p.string();
}

ic::Result<ic::Principal> Context::resolve_canister(const std::string& name_or_id, std::string* suite_name) const {
  auto as_id = ic::Principal::from_text(name_or_id);
  bool looks_like_name = !name_or_id.empty() && name_or_id.find('-') == std::string::npos;
  if (as_id && !looks_like_name) {
    // A principal: note its suite name when the state file lists it (best effort, never an error).
    if (suite_name) {
      if (auto path = state_path())
        if (auto st = hub::load_state_file(*path); st && *st)
          for (auto& [n, id] : (*st)->canisters)
            if (id == *as_id) *suite_name = n;
    }
    return *as_id;
  }
  IC_TRY(std::string path, state_path());
  IC_TRY(auto st, hub::load_state_file(path));
  if (!st)
    return ic::make_error(ic::Errc::invalid_input,
                          "\"" + name_or_id + "\" is not a principal, and there is no state file " + path,
                          "give the canister id, run `hubctl deploy` first, or name the file with --state");
  auto it = st->canisters.find(name_or_id);
  if (it == st->canisters.end()) {
    std::string known;
    for (auto& [n, _] : st->canisters) known += (known.empty() ? "" : ", ") + n;
    return ic::make_error(ic::Errc::invalid_input,
                          "\"" + name_or_id + "\" is neither a principal nor a canister in " + path,
                          known.empty() ? "the state file lists no canisters" : "known names: " + known);
  }
  if (suite_name) *suite_name = it->first;
  return it->second;
}

ic::Result<ic::Bytes> Context::offline_root_key() const {
  if (global.root_key.empty() || global.root_key == "ic" || global.root_key == "mainnet") return agent::mainnet_root_key();
  if (global.root_key == "fetch")
    return ic::make_error(ic::Errc::invalid_input, "--root-key fetch needs a network, and this check is offline",
                          "give the key: --root-key ic or --root-key HEX");
  return agent::parse_root_key_hex(global.root_key);
}

ic::Result<Network> Context::network() const {
  Network n;
  std::string spec = global.network.empty() ? "local" : global.network;
  if (spec == "ic") {
    n = {"ic", "https://icp-api.io", true, agent::mainnet_root_key(), "embedded", false};
  } else if (spec == "local") {
    n = {"local", "http://127.0.0.1:4943", false, {}, "fetched", true};
  } else if (spec.rfind("http://", 0) == 0 || spec.rfind("https://", 0) == 0) {
    n.url = spec;
    while (n.url.size() > 8 && n.url.back() == '/') n.url.pop_back();
    std::string host = n.url.substr(n.url.find("://") + 3);
    host = host.substr(0, host.find('/'));
    for (char& c : host)
      if (c == ':' || c == '[' || c == ']') c = '_';
    n.name = host;
    n.fetch_root_key = agent::is_loopback_url(n.url);
    n.root_key_source = "fetched";
  } else {
    return ic::make_error(ic::Errc::invalid_input, "unknown network \"" + spec + "\"",
                          "use ic, local, or a URL such as https://icp-api.io or http://127.0.0.1:4943");
  }
  const std::string& rk = global.root_key;
  if (rk == "ic" || rk == "mainnet") {
    n.root_key = agent::mainnet_root_key();
    n.root_key_source = "embedded";
    n.fetch_root_key = false;
  } else if (rk == "fetch") {
    if (n.mainnet)
      return ic::make_error(ic::Errc::invalid_input, "--root-key fetch is refused for the ic network",
                            "mainnet's root key is embedded; a fetched one could come from anybody on the path");
    n.fetch_root_key = true;
    n.root_key_source = "fetched";
  } else if (!rk.empty()) {
    IC_TRY(n.root_key, agent::parse_root_key_hex(rk));
    n.root_key_source = "argument";
    n.fetch_root_key = false;
  } else if (!n.mainnet && !n.fetch_root_key) {
    return ic::make_error(ic::Errc::invalid_input, "the network " + n.url + " needs --root-key",
                          "--root-key ic if it is mainnet (e.g. https://icp0.io), --root-key HEX for another network, "
                          "or --root-key fetch to trust whatever key it publishes");
  }
  return n;
}

ic::Result<std::string> Context::password(const std::string& what) const {
  if (!global.password_file.empty()) {
    std::ifstream f(global.password_file, std::ios::binary);
    if (!f) return ic::make_error(ic::Errc::io, "cannot open the password file " + global.password_file);
    std::string pw;
    std::getline(f, pw);
    while (!pw.empty() && (pw.back() == '\r' || pw.back() == '\n')) pw.pop_back();
    return pw;
  }
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty || !isatty(fileno(tty))) {
    if (tty) std::fclose(tty);
    return ic::make_error(ic::Errc::invalid_input, what + " is encrypted and there is no terminal to ask for its password",
                          "give it with --password-file FILE");
  }
  std::fprintf(tty, "Password for %s: ", what.c_str());
  std::fflush(tty);
  termios old{}, quiet{};
  bool restore = tcgetattr(fileno(tty), &old) == 0;
  if (restore) {
    quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
  }
  char buf[1024];
  std::string pw = std::fgets(buf, sizeof buf, tty) ? buf : "";
  if (restore) tcsetattr(fileno(tty), TCSAFLUSH, &old);
  std::fprintf(tty, "\n");
  std::fclose(tty);
  while (!pw.empty() && (pw.back() == '\r' || pw.back() == '\n')) pw.pop_back();
  return pw;
}

ic::Result<std::shared_ptr<agent::Identity>> Context::identity(bool needs_key) const {
  if (!global.pem.empty()) {
    std::string file = global.pem;
    return agent::identity_from_pem_file(file, [this, file] { return password(file); });
  }
  if (!global.identity.empty() && global.identity == "anonymous") return agent::anonymous_identity();
  if (global.identity.empty() && !needs_key) return agent::anonymous_identity();
  IC_TRY(auto store, agent::IdentityStore::from_environment());
  std::string name = global.identity;
  if (name.empty()) {
    IC_TRY(name, store.default_name());
  }
  if (name == "anonymous") return agent::anonymous_identity();
  if (!store.exists(name) && name == "default" && global.identity.empty()) {
    IC_CHECK(store.create("default"));
    warn("created a new plaintext identity `default` in " + (store.root() / "identity" / "default").string() +
         " (as dfx does): back up identity.pem; it controls what you deploy");
  }
  return store.load(name, [this, name] { return password("identity " + name); });
}

ic::Result<std::unique_ptr<agent::Agent>> Context::make_agent(bool needs_key, Network* resolved) const {
  IC_TRY(Network net, network());
  agent::AgentOptions o;
  o.url = net.url;
  IC_TRY(o.identity, identity(needs_key));
  o.root_key = net.root_key;
  if (verbosity > 0) o.log = [this](const std::string& line) { note(line); };
  auto a = std::make_unique<agent::Agent>(std::move(o));
  if (net.fetch_root_key) {
    auto key = a->fetch_root_key();
    if (!key) return std::move(key).take_error().context("fetching the root key of " + net.url);
    net.root_key = *key;
    net.root_key_source = "fetched";
    if (net.name != "local" && !agent::is_loopback_url(net.url))
      warn("trusting the root key " + net.url + " published (trust on first use): pin it with --root-key " +
           ic::to_hex(*key));
    else if (verbosity > 0)
      note("root key fetched from " + net.url + " (local network)");
  }
  if (resolved) *resolved = std::move(net);
  return a;
}

}  // namespace cli
