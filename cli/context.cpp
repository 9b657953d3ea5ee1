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
