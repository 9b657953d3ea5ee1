// What every hubctl command shares: the global options, stdout/stderr conventions and the mapping of
// ic::Error to exit codes (DESIGN.md "Exit codes", "Output"). Only cli/ prints.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "ic/result.h"

namespace cli {

// DESIGN.md exit codes.
enum Exit : int { kOk = 0, kCheckFailed = 1, kCouldNotCheck = 2, kUsage = 3 };

struct Context {
  bool json = false;
  int verbosity = 0;  // -q: -1, -v: 1, -vv: 2

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
