// `hubctl local start|stop|status|set-controllers`: the local network (an IC-compatible node in this binary,
// src/replica) run in the foreground or detached, found again through the run file in its state directory.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <set>
#include <thread>
#include <vector>

#include "agent/transport.h"
#include "commands/commands.h"
#include "ic/cbor.h"
#include "replica/http/server.h"
#include "replica/node/node.h"

namespace cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The run file: written by the node once it listens, removed when it stops cleanly. A run file whose pid is
// not running is stale (the node was killed with -9 or crashed); start replaces it, status explains it.
constexpr const char* kRunFile = "local.json";
constexpr const char* kLogFile = "node.log";

struct StartOptions {
  int port = 4943;
  std::string state_dir;
  bool background = false;
  uint64_t latency_ms = 0;
  std::string api_versions = "v2,v3,v4";
  bool test_admin = false;
  uint64_t update_instructions = 0, query_instructions = 0, install_instructions = 0, round_instructions = 0;
  uint64_t start_timeout_s = 60;
};

std::string default_state_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  std::string base;
  if (xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home && *home ? home : ".") + "/.local/share";
  }
  return base + "/hubctl/local";
}

std::string resolve_state_dir(const std::string& opt) {
  std::string d = opt.empty() ? default_state_dir() : opt;
  std::error_code ec;
  fs::path abs = fs::absolute(d, ec);
  return ec ? d : abs.lexically_normal().string();
}

struct RunInfo {
  long pid = 0;
  int port = 0;
  std::string url, root_key;
  uint64_t started_ns = 0;
};

ic::Result<std::optional<RunInfo>> read_run_file(const std::string& state_dir) {
  fs::path p = fs::path(state_dir) / kRunFile;
  std::ifstream in(p);
  if (!in) return std::optional<RunInfo>();
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("pid") || !j.contains("port"))
    return ic::make_error(ic::Errc::decode, "the run file " + p.string() + " is not valid",
                          "remove it if no node is running on this state directory");
  RunInfo r;
  try {
    r.pid = j.at("pid").get<long>();
    r.port = j.at("port").get<int>();
    r.url = j.value("url", "http://127.0.0.1:" + std::to_string(r.port));
    r.root_key = j.value("root_key", "");
    r.started_ns = std::stoull(j.value("started_ns", std::string("0")));
  } catch (const std::exception& e) {
    return ic::make_error(ic::Errc::decode, "the run file " + p.string() + " is not valid: " + e.what(),
                          "remove it if no node is running on this state directory");
  }
  return std::optional<RunInfo>(r);
}

ic::Status write_run_file(const std::string& state_dir, const RunInfo& r) {
  json j = {{"pid", r.pid}, {"port", r.port}, {"url", r.url}, {"root_key", r.root_key},
            {"started_ns", std::to_string(r.started_ns)}};
  fs::path p = fs::path(state_dir) / kRunFile;
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return ic::make_error(ic::Errc::io, "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);  // atomic: readers never see half a file
  if (ec) return ic::make_error(ic::Errc::io, "cannot write " + p.string() + ": " + ec.message());
  return {};
}

// Alive, not a zombie (a dead node that nobody reaped yet counts as stopped), and still a `hubctl … local start`
// (after a kill -9 the pid may have been reused by an unrelated program, which must never be signalled).
bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string s;
  if (std::getline(stat, s)) {
    auto close = s.rfind(')');
    if (close != std::string::npos && close + 2 < s.size() && s[close + 2] == 'Z') return false;
  }
  std::ifstream cmd(proc + "/cmdline", std::ios::binary);
  if (!cmd) return true;  // no /proc to ask: trust the pid
  std::vector<std::string> argv;
  for (std::string a; std::getline(cmd, a, '\0');) argv.push_back(a);
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "local" && argv[i + 1] == "start") return true;
  return false;
}

std::string stale_explanation(const RunInfo& r, const std::string& state_dir) {
  return "stale run file " + (fs::path(state_dir) / kRunFile).string() + ": pid " + std::to_string(r.pid) +
         " is not running (or is no longer a hubctl node): the node was killed or crashed without stopping cleanly; its state was committed "
         "round by round, so `hubctl local start` resumes it";
}

// GET /api/v2/status of a running node.
struct StatusReply {
  std::string health, impl_version, root_key_hex;
  std::optional<uint64_t> certified_height;
};
ic::Result<StatusReply> fetch_status(const std::string& url, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  agent::TransportOptions o;
  o.max_retries = 0;
  o.connect_timeout = timeout;
  o.request_timeout = timeout;
  auto t = agent::make_http_transport(url, o);
  IC_TRY(agent::HttpResponse resp, t->get("/api/v2/status"));
  if (resp.status != 200)
    return ic::make_error(ic::Errc::network, url + "/api/v2/status answered HTTP " + std::to_string(resp.status));
  IC_TRY(ic::cbor::Value v, ic::cbor::decode(resp.body));
  const auto& m = v.untagged();
  StatusReply s;
  if (auto h = m.get("replica_health_status"); h && h->as_text()) s.health = std::string(*h->as_text());
  if (auto h = m.get("impl_version"); h && h->as_text()) s.impl_version = std::string(*h->as_text());
  if (auto k = m.get("root_key"); k && k->as_bytes()) s.root_key_hex = ic::to_hex(*k->as_bytes());
  if (auto c = m.get("certified_height"); c && c->as_uint()) s.certified_height = *c->as_uint();
  return s;
}

ic::Result<std::set<int>> parse_api_versions(const std::string& list) {
  std::set<int> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (item.empty()) continue;
    if (item == "v2" || item == "2") out.insert(2);
    else if (item == "v3" || item == "3") out.insert(3);
    else if (item == "v4" || item == "4") out.insert(4);
    else
      return ic::make_error(ic::Errc::invalid_input, "--api-versions: unknown version \"" + item + "\"",
                            "use a comma-separated list of v2, v3, v4 (e.g. v2,v3)");
  }
  if (out.empty()) return ic::make_error(ic::Errc::invalid_input, "--api-versions: no version given", "e.g. --api-versions v2,v3");
  return out;
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  time_t t = std::chrono::system_clock::to_time_t(now);
  struct tm tmv {};
  gmtime_r(&t, &tmv);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tmv);
  return buf;
}

// Refuses to start over a running node; removes a stale run file (saying so).
int check_not_running(const Context& ctx, const std::string& state_dir) {
  auto run = read_run_file(state_dir);
  if (!run) return ctx.fail(run.error(), kUsage);
  if (!*run) return kOk;
  const RunInfo& r = **run;
  if (process_alive(r.pid))
    return ctx.fail(ic::make_error(ic::Errc::invalid_input,
                                   "a node is already running on " + state_dir + " (pid " + std::to_string(r.pid) +
                                       ", " + r.url + ")",
                                   "stop it with `hubctl local stop --state-dir " + state_dir + "`"),
                    kUsage);
  ctx.warn(stale_explanation(r, state_dir) + "; replacing it");
  std::error_code ec;
  fs::remove(fs::path(state_dir) / kRunFile, ec);
  return kOk;
}

int run_foreground(const Context& ctx, const StartOptions& o, const std::string& state_dir) {
  auto versions = parse_api_versions(o.api_versions);
  if (!versions) return ctx.fail(versions.error(), kUsage);
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) return ctx.fail(ic::make_error(ic::Errc::io, "cannot create the state directory " + state_dir + ": " + ec.message()));
  if (int rc = check_not_running(ctx, state_dir); rc != kOk) return rc;

  // Block the stop signals in every thread (the node's and the server's threads inherit this mask), so
  // that sigwait below receives them and the shutdown runs in order: stop serving, commit, exit.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  replica::NodeConfig cfg;
  cfg.state_dir = state_dir;
  cfg.test_admin = o.test_admin;
  if (o.update_instructions) cfg.limits.update_instructions = o.update_instructions;
  if (o.query_instructions) cfg.limits.query_instructions = o.query_instructions;
  if (o.install_instructions) cfg.limits.install_instructions = o.install_instructions;
  if (o.round_instructions) cfg.limits.round_instructions = o.round_instructions;
  auto t0 = std::chrono::steady_clock::now();
  auto node = replica::Node::open(cfg);
  if (!node) return ctx.fail(node.error());
  auto opened_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();

  replica::ServerOptions so;
  so.port = o.port;
  so.latency = std::chrono::milliseconds(o.latency_ms);
  so.api_versions = *versions;
  so.test_admin = o.test_admin;
  so.log = [](const std::string& line) { std::cerr << timestamp() << " " << line << std::endl; };
  replica::Server server(**node, so);
  if (auto st = server.start(); !st) {
    (*node)->shutdown();
    return ctx.fail(st.error());
  }

  RunInfo info;
  info.pid = static_cast<long>(getpid());
  info.port = server.port();
  info.url = server.url();
  info.root_key = ic::to_hex((*node)->root_key_der());
  info.started_ns = (*node)->now_ns();
  if (auto st = write_run_file(state_dir, info); !st) {
    server.stop();
    (*node)->shutdown();
    return ctx.fail(st.error());
  }
  std::string versions_text;
  for (int v : *versions) versions_text += (versions_text.empty() ? "v" : ",v") + std::to_string(v);
  std::cerr << timestamp() << " local network listening on " << info.url << " (pid " << info.pid << ", state "
            << state_dir << ", opened in " << opened_ms << " ms, API " << versions_text
            << (o.test_admin ? ", test admin on" : "") << (o.latency_ms ? ", latency " + std::to_string(o.latency_ms) + " ms" : "")
            << ")" << std::endl;
  if (ctx.json)
    ctx.print_json({{"ok", true}, {"url", info.url}, {"port", info.port}, {"pid", info.pid}, {"state_dir", state_dir},
                    {"root_key", info.root_key}});
  else
    std::cout << info.url << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << timestamp() << " signal " << sig << ": stopping (the round in progress commits first)" << std::endl;
  server.stop();
  (*node)->shutdown();
  // Only our own run file is removed (a new node may have replaced a stale one meanwhile).
  auto now = read_run_file(state_dir);
  if (now && *now && (**now).pid == info.pid) fs::remove(fs::path(state_dir) / kRunFile, ec);
  std::cerr << timestamp() << " stopped" << std::endl;
  return kOk;
}

int run_background(const Context& ctx, const StartOptions& o, const std::string& state_dir) {
  auto versions = parse_api_versions(o.api_versions);
  if (!versions) return ctx.fail(versions.error(), kUsage);
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec) return ctx.fail(ic::make_error(ic::Errc::io, "cannot create the state directory " + state_dir + ": " + ec.message()));
  if (int rc = check_not_running(ctx, state_dir); rc != kOk) return rc;

  std::string log_path = (fs::path(state_dir) / kLogFile).string();
  std::vector<std::string> args = {"hubctl", "local", "start", "--port", std::to_string(o.port), "--state-dir", state_dir,
                                   "--latency", std::to_string(o.latency_ms), "--api-versions", o.api_versions};
  if (o.test_admin) args.push_back("--test-admin");
  auto add_num = [&](const char* flag, uint64_t v) {
    if (v) {
      args.push_back(flag);
      args.push_back(std::to_string(v));
    }
  };
  add_num("--update-instructions", o.update_instructions);
  add_num("--query-instructions", o.query_instructions);
  add_num("--install-instructions", o.install_instructions);
  add_num("--round-instructions", o.round_instructions);

  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return ctx.fail(ic::make_error(ic::Errc::internal, "cannot find the hubctl executable: " + ec.message()));
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return ctx.fail(ic::make_error(ic::Errc::io, "cannot open the log " + log_path + ": " + std::strerror(errno)));

  pid_t child = fork();
  if (child < 0) return ctx.fail(ic::make_error(ic::Errc::internal, std::string("fork failed: ") + std::strerror(errno)));
  if (child == 0) {
    // Detached: own session, no terminal, stdout/stderr appended to the log in the state directory.
    setsid();
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    // Nothing else of the caller's (e.g. a test harness's pipes) may stay open in the long-lived node.
    close_range(3, ~0U, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  close(log_fd);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.start_timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(child, &status, WNOHANG) == child) {
      std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                          : "was killed by signal " + std::to_string(WTERMSIG(status));
      return ctx.fail(ic::make_error(ic::Errc::io, "the local network " + how + " during start-up",
                                     "see its log: " + log_path),
                      kCouldNotCheck);
    }
    auto run = read_run_file(state_dir);
    if (run && *run && (**run).pid == child) {
      auto st = fetch_status((**run).url, std::chrono::milliseconds(1000));
      if (st) {
        const RunInfo& r = **run;
        if (ctx.json)
          ctx.print_json({{"ok", true}, {"url", r.url}, {"port", r.port}, {"pid", r.pid}, {"state_dir", state_dir},
                          {"root_key", r.root_key}, {"log", log_path}});
        else
          std::cout << r.url << std::endl;
        ctx.note("local network running in the background: " + r.url + " (pid " + std::to_string(r.pid) + ", log " +
                 log_path + "); stop it with `hubctl local stop --state-dir " + state_dir + "`");
        return kOk;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(child, SIGTERM);
  return ctx.fail(ic::make_error(ic::Errc::network,
                                 "the local network did not answer /api/v2/status within " + std::to_string(o.start_timeout_s) +
                                     " s; it was stopped",
                                 "see its log: " + log_path),
                  kCouldNotCheck);
}

int stop_node(const Context& ctx, const std::string& state_dir, uint64_t timeout_s) {
  auto run = read_run_file(state_dir);
  if (!run) return ctx.fail(run.error(), kUsage);
  if (!*run) {
    ctx.note("no local network is running on " + state_dir + " (no run file)");
    if (ctx.json) ctx.print_json({{"ok", true}, {"stopped", false}, {"state_dir", state_dir}});
    return kOk;
  }
  const RunInfo r = **run;
  std::error_code ec;
  if (!process_alive(r.pid)) {
    ctx.warn(stale_explanation(r, state_dir) + "; removing it");
    fs::remove(fs::path(state_dir) / kRunFile, ec);
    if (ctx.json) ctx.print_json({{"ok", true}, {"stopped", false}, {"stale", true}, {"pid", r.pid}, {"state_dir", state_dir}});
    return kOk;
  }
  if (kill(static_cast<pid_t>(r.pid), SIGTERM) != 0)
    return ctx.fail(ic::make_error(ic::Errc::io, "cannot signal pid " + std::to_string(r.pid) + ": " + std::strerror(errno)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (process_alive(r.pid)) {
    if (std::chrono::steady_clock::now() > deadline)
      return ctx.fail(ic::make_error(ic::Errc::network,
                                     "the local network (pid " + std::to_string(r.pid) + ") did not stop within " +
                                         std::to_string(timeout_s) + " s",
                                     "see " + (fs::path(state_dir) / kLogFile).string() + "; kill -9 " + std::to_string(r.pid) +
                                         " loses no committed round"),
                      kCouldNotCheck);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The node removes its run file itself; a node that died some other way leaves it: remove it if still ours.
  auto after = read_run_file(state_dir);
  if (after && *after && (**after).pid == r.pid) fs::remove(fs::path(state_dir) / kRunFile, ec);
  if (ctx.json)
    ctx.print_json({{"ok", true}, {"stopped", true}, {"pid", r.pid}, {"state_dir", state_dir}});
  else
    ctx.note("stopped the local network (pid " + std::to_string(r.pid) + ")");
  return kOk;
}

int show_status(const Context& ctx, const std::string& state_dir) {
  auto run = read_run_file(state_dir);
  if (!run) return ctx.fail(run.error(), kUsage);
  json doc = {{"state_dir", state_dir}};
  if (!*run) {
    doc["ok"] = false;
    doc["running"] = false;
    if (ctx.json)
      ctx.print_json(doc);
    else
      std::cout << "not running (no run file in " << state_dir << ")\n";
    return kCouldNotCheck;
  }
  const RunInfo& r = **run;
  doc["pid"] = r.pid;
  doc["port"] = r.port;
  doc["url"] = r.url;
  if (!process_alive(r.pid)) {
    doc["ok"] = false;
    doc["running"] = false;
    doc["stale"] = true;
    std::string why = stale_explanation(r, state_dir);
    doc["message"] = why;
    if (ctx.json)
      ctx.print_json(doc);
    else
      std::cout << "not running: " << why << "\n";
    return kCouldNotCheck;
  }
  auto st = fetch_status(r.url);
  doc["running"] = true;
  if (!st) {
    doc["ok"] = false;
    doc["answering"] = false;
    doc["message"] = st.error().message;
    if (ctx.json)
      ctx.print_json(doc);
    else
      std::cout << "running (pid " << r.pid << ") but not answering at " << r.url << ": " << st.error().message << "\n";
    return kCouldNotCheck;
  }
  doc["ok"] = st->health == "healthy";
  doc["answering"] = true;
  doc["replica_health_status"] = st->health;
  doc["impl_version"] = st->impl_version;
  doc["root_key"] = st->root_key_hex;
  if (st->certified_height) doc["certified_height"] = std::to_string(*st->certified_height);
  if (ctx.json) {
    ctx.print_json(doc);
  } else {
    std::cout << "running:          yes (pid " << r.pid << ")\n"
              << "url:              " << r.url << "\n"
              << "port:             " << r.port << "\n"
              << "state dir:        " << state_dir << "\n"
              << "health:           " << st->health << "\n";
    if (st->certified_height) std::cout << "certified height: " << *st->certified_height << "\n";
    std::cout << "root key:         " << st->root_key_hex << "\n";
  }
  return st->health == "healthy" ? kOk : kCouldNotCheck;
}

int set_controllers(const Context& ctx, const std::string& state_dir, const std::string& canister_text,
                    const std::vector<std::string>& controllers_text) {
  auto canister = ic::Principal::from_text(canister_text);
  if (!canister) return ctx.fail(std::move(canister.take_error()).context("CANISTER"), kUsage);
  ic::cbor::Value ctl = ic::cbor::Value::array();
  std::vector<std::string> names;
  for (const auto& t : controllers_text) {
    auto p = ic::Principal::from_text(t);
    if (!p) return ctx.fail(std::move(p.take_error()).context("controller \"" + t + "\""), kUsage);
    ctl.push(ic::cbor::Value::bytes(p->bytes()));
    names.push_back(p->to_text());
  }
  auto run = read_run_file(state_dir);
  if (!run) return ctx.fail(run.error(), kUsage);
  if (!*run || !process_alive((**run).pid))
    return ctx.fail(ic::make_error(ic::Errc::network, "no local network is running on " + state_dir,
                                   "start one with `hubctl local start --test-admin --state-dir " + state_dir + "`"),
                    kCouldNotCheck);
  agent::TransportOptions o;
  o.max_retries = 0;
  auto t = agent::make_http_transport((**run).url, o);
  ic::Bytes body = ic::cbor::encode(ic::cbor::Value::text_map({{"canister", ic::cbor::Value::bytes(canister->bytes())},
                                                               {"controllers", ctl}}));
  auto resp = t->post(replica::Server::kAdminSetControllersPath, body);
  if (!resp) return ctx.fail(resp.error());
  if (resp->status == 404 && resp->body_text().find("--test-admin") != std::string::npos)
    return ctx.fail(ic::make_error(ic::Errc::unsupported, "the local network was not started with --test-admin",
                                   "restart it with `hubctl local start --test-admin`"),
                    kUsage);
  if (resp->status != 200)
    return ctx.fail(ic::make_error(resp->status == 404 ? ic::Errc::not_found : ic::Errc::rejected, resp->body_text()),
                    kCouldNotCheck);
  if (ctx.json) {
    ctx.print_json({{"ok", true}, {"canister", canister->to_text()}, {"controllers", names}});
  } else {
    std::cout << "controllers of " << canister->to_text() << ":";
    for (auto& n : names) std::cout << " " << n;
    std::cout << "\n";
  }
  return kOk;
}

}  // namespace

void add_local_commands(CLI::App& app, Context& ctx) {
  auto* local = app.add_subcommand("local", "Run the local network (an IC-compatible node inside hubctl)");
  local->require_subcommand(1);
  local->footer(
      "The local network serves the IC HTTP interface (status, call v2/v3/v4, query v2/v3, read_state v2/v3)\n"
      "and keeps every canister in its state directory across restarts. Its root key is fetched by hubctl\n"
      "implicitly (loopback URL). Default state directory: ${XDG_DATA_HOME:-~/.local/share}/hubctl/local.");

  static StartOptions so;
  auto* start = local->add_subcommand("start", "Start the local network (foreground, or --background)");
  start->add_option("--port", so.port, "TCP port on 127.0.0.1 (default 4943; 0 = any free port, see `local status`)")
      ->check(CLI::Range(0, 65535));
  start->add_option("--state-dir", so.state_dir, "State directory (canisters, keys, run file, node.log)");
  start->add_flag("--background", so.background,
                  "Run detached (log in STATE_DIR/node.log); returns 0 once /api/v2/status answers");
  start->add_option("--latency", so.latency_ms, "Delay every HTTP reply by MS milliseconds (to measure clients as if remote)");
  start->add_option("--api-versions", so.api_versions,
                    "Serve only these API versions, e.g. v2 or v2,v3 (others answer 404, like an older replica)");
  start->add_flag("--test-admin", so.test_admin,
                  "Enable the loopback-only admin endpoint of `hubctl local set-controllers` (tests only)");
  start->add_option("--update-instructions", so.update_instructions, "Instruction limit per update message (default 40 B)");
  start->add_option("--query-instructions", so.query_instructions, "Instruction limit per query (default 5 B)");
  start->add_option("--install-instructions", so.install_instructions, "Instruction limit per install/upgrade (default 300 B)");
  start->add_option("--round-instructions", so.round_instructions, "Instructions per round before new messages wait (default 7 B)");
  start->add_option("--start-timeout", so.start_timeout_s, "With --background: seconds to wait for the node to answer (default 60)");
  start->footer(
      "Examples:\n"
      "  hubctl local start --background\n"
      "  hubctl local start --port 0 --state-dir /tmp/net --background --json   # prints the chosen URL\n"
      "  hubctl local start --api-versions v2 --latency 50                       # an old, distant replica");
  set_runner(start, [&ctx]() -> int {
    std::string dir = resolve_state_dir(so.state_dir);
    return so.background ? run_background(ctx, so, dir) : run_foreground(ctx, so, dir);
  });

  static std::string stop_dir;
  static uint64_t stop_timeout = 60;
  auto* stop = local->add_subcommand("stop", "Stop the local network (it commits the round in progress first)");
  stop->add_option("--state-dir", stop_dir, "State directory of the node to stop");
  stop->add_option("--timeout", stop_timeout, "Seconds to wait for it to exit (default 60)");
  stop->footer("Example:\n  hubctl local stop --state-dir /tmp/net");
  set_runner(stop, [&ctx]() -> int { return stop_node(ctx, resolve_state_dir(stop_dir), stop_timeout); });

  static std::string status_dir;
  auto* status = local->add_subcommand("status", "Is the local network running? pid, port, URL, root key");
  status->add_option("--state-dir", status_dir, "State directory of the node");
  status->footer("Exit status 0 when it runs and is healthy, 2 when it is not running (a stale run file is explained).\n"
                 "Example:\n  hubctl local status --json");
  set_runner(status, [&ctx]() -> int { return show_status(ctx, resolve_state_dir(status_dir)); });

  static std::string sc_dir, sc_canister;
  static std::vector<std::string> sc_controllers;
  auto* sc = local->add_subcommand("set-controllers",
                                   "Replace a canister's controllers by fiat (node started with --test-admin; tests only)");
  sc->add_option("CANISTER", sc_canister, "Canister id")->required();
  sc->add_option("PRINCIPAL", sc_controllers, "The new controllers (none: no controller at all)");
  sc->add_option("--state-dir", sc_dir, "State directory of the node");
  sc->footer("Simulates an operator (or attacker) who gained control of a canister, for audit tests.\n"
             "Example:\n  hubctl local set-controllers bkyz2-fmaaa-aaaaa-qaaaq-cai $(hubctl identity whoami --json | jq -r .principal)");
  set_runner(sc, [&ctx]() -> int { return set_controllers(ctx, resolve_state_dir(sc_dir), sc_canister, sc_controllers); });
}

}  // namespace cli
