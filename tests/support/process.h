// Runs a program from a test the way a user's shell would: argv (no shell quoting), optional stdin,
// extra environment, stdout and stderr captured separately, exit code, and a timeout that kills it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace testproc {

struct Result {
  int code = -1;           // exit status; 128 + signal when killed by one; -1 when it could not start
  std::string out, err;    // stdout (trailing newlines stripped), stderr
  bool timed_out = false;
};

struct Options {
  std::string stdin_text;
  std::map<std::string, std::optional<std::string>> env;  // value: set; nullopt: unset
  std::chrono::milliseconds timeout{120'000};
  std::string cwd;
};

Result run(const std::vector<std::string>& argv, const Options& opts = {});

// build/hubctl (tests get its path as the compile definition HUBCTL_BIN).
#ifdef HUBCTL_BIN
inline Result hubctl(std::vector<std::string> args, const Options& opts = {}) {
  args.insert(args.begin(), HUBCTL_BIN);
  return run(args, opts);
}
#endif

}  // namespace testproc
