// hubctl completions bash|zsh|fish (prints the script) and the hidden `__complete` the scripts call.
#include <iostream>

#include "commands.h"
#include "completion.h"

namespace cli {

void add_completion_commands(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("completions", "Print the shell completion script for bash, zsh or fish");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("SHELL", *shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(
      "Examples:\n"
      "  source <(hubctl completions bash)                 # this shell only\n"
      "  hubctl completions bash > /usr/share/bash-completion/completions/hubctl\n"
      "  hubctl completions zsh > \"${fpath[1]}/_hubctl\"\n"
      "  hubctl completions fish > ~/.config/fish/completions/hubctl.fish\n"
      "The scripts complete subcommands, options, network and identity names, and canister names recorded\n"
      "in the state files.");
  set_runner(cmd, [shell, &ctx]() {
    std::cout << completion_script(*shell);
    return kOk;
  });

}

int complete_main(CLI::App& app, int argc, char** argv) {
  // Handled before CLI11 parses anything: the words are the user's half-typed command line, not options
  // for this invocation.
  std::vector<std::string> words(argv + 2, argv + argc);
  if (!words.empty() && words.front() == "--") words.erase(words.begin());
  if (words.empty()) words.push_back("");
  for (auto& c : complete_words(app, words)) std::cout << c << '\n';
  return kOk;
}

}  // namespace cli
