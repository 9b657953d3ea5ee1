// Shell completion for hubctl: `hubctl completions bash|zsh|fish` prints a script that asks the hidden
// `hubctl __complete -- WORDS...` for candidates, computed from the CLI11 command tree and local state.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace cli {

// Candidates for the last word of `words` (the words after "hubctl"; the last may be empty): subcommands,
// options (global ones too), values of options that have known values (--network, --identity, --output,
// shells), canister names from the state files. A single "__files__" asks the shell for file names.
std::vector<std::string> complete_words(CLI::App& app, const std::vector<std::string>& words);

// The script for "bash", "zsh" or "fish" (the same text as completions/ in the source tree); empty if unknown.
std::string completion_script(const std::string& shell);

}  // namespace cli
