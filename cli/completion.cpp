// Completion candidates from the CLI11 tree (see completion.h). Every option that takes a value is known from
// CLI11 itself; only the values are listed here.
#include "completion.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "agent/identity_store.h"
#include "hub/files.h"

namespace cli {

namespace fs = std::filesystem;

namespace {

bool hidden(const CLI::App* a) { return a->get_group().empty(); }

// The option named `word` (e.g. "--network" or "-v") on `app` or, since options fall through, its parents.
const CLI::Option* find_option(const CLI::App* app, const std::string& word) {
  for (const CLI::App* a = app; a; a = a->get_parent()) {
    for (const CLI::Option* o : a->get_options()) {
      if (o->get_positional()) continue;
      for (auto& l : o->get_lnames())
        if (word == "--" + l) return o;
      for (auto& s : o->get_snames())
        if (word == "-" + s) return o;
    }
  }
  return nullptr;
}

bool takes_value(const CLI::Option* o) { return o->get_type_size_max() > 0 && o->get_items_expected_max() > 0; }

std::vector<std::string> network_names() {
  std::set<std::string> names = {"ic", "local"};
  auto any = hub::default_state_path("x");
  if (any) {
    std::error_code ec;
    for (auto& e : fs::directory_iterator(any->parent_path(), ec))
      if (e.path().extension() == ".json") names.insert(e.path().stem().string());
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> identity_names() {
  std::vector<std::string> out;
  auto store = agent::IdentityStore::from_environment();
  if (!store) return out;
  auto list = store->list();
  if (!list) return out;
  for (auto& e : *list) out.push_back(e.name);
  return out;
}

// Canister names recorded by `hubctl deploy` in any state file (the network may not be known yet).
std::vector<std::string> canister_names() {
  std::set<std::string> names;
  auto any = hub::default_state_path("x");
  if (any) {
    std::error_code ec;
    for (auto& e : fs::directory_iterator(any->parent_path(), ec)) {
      if (e.path().extension() != ".json") continue;
      auto s = hub::load_state_file(e.path());
      if (s && *s)
        for (auto& [name, _] : (*s)->canisters) names.insert(name);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> option_values(const CLI::Option* o) {
  std::string n = o->get_lnames().empty() ? "" : o->get_lnames().front();
  if (n == "network") return network_names();
  if (n == "identity") return identity_names();
  if (n == "root-key") return {"ic", "fetch"};
  if (n == "output") return {"candid", "hex"};
  if (n == "pem" || n == "password-file" || n == "state" || n == "did" || n == "evidence" || n == "prometheus" ||
      n == "state-dir" || n == "verify-evidence" || n == "der-file" || n == "file")
    return {"__files__"};
  return {};
}

}  // namespace

std::vector<std::string> complete_words(CLI::App& app, const std::vector<std::string>& words) {
  std::vector<std::string> out;
  if (words.empty()) return out;
  const CLI::App* cur = &app;
  size_t positionals = 0;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") break;
    if (w.size() > 1 && w[0] == '-') {
      if (w.find('=') != std::string::npos) continue;
      const CLI::Option* o = find_option(cur, w);
      if (o && takes_value(o)) ++i;  // skip the option's value
      continue;
    }
    bool descended = false;
    for (const CLI::App* sub : cur->get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(w)) {
        cur = sub;
        positionals = 0;
        descended = true;
        break;
      }
    }
    if (!descended) ++positionals;
  }
  const std::string& last = words.back();
  if (words.size() >= 2) {
    const std::string& prev = words[words.size() - 2];
    if (prev.size() > 1 && prev[0] == '-' && prev.find('=') == std::string::npos) {
      const CLI::Option* o = find_option(cur, prev);
      if (o && takes_value(o)) return option_values(o);
    }
  }
  if (!last.empty() && last[0] == '-') {
    std::set<std::string> opts;
    for (const CLI::App* a = cur; a; a = a->get_parent())
      for (const CLI::Option* o : a->get_options()) {
        if (o->get_positional() || o->get_group().empty()) continue;
        for (auto& l : o->get_lnames()) opts.insert("--" + l);
        for (auto& s : o->get_snames()) opts.insert("-" + s);
      }
    opts.insert("--help");
    return {opts.begin(), opts.end()};
  }
  for (const CLI::App* sub : cur->get_subcommands([](const CLI::App*) { return true; }))
    if (!hidden(sub)) out.push_back(sub->get_name());
  // Positional values that are known: shells for `completions`, canister names where a canister is named.
  std::string path;
  for (const CLI::App* a = cur; a && a->get_parent(); a = a->get_parent())
    path = a->get_name() + (path.empty() ? "" : " " + path);
  if (path == "completions") {
    for (auto s : {"bash", "zsh", "fish"}) out.push_back(s);
  } else if (positionals == 0 && (path == "call" || path == "query" || path == "canister info")) {
    for (auto& n : canister_names()) out.push_back(n);
  } else if (positionals == 0 && path == "certificate verify") {
    return {"__files__"};
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string completion_script(const std::string& shell) {
  if (shell == "bash")
    return R"(# bash completion for hubctl (install: completions/hubctl.bash into
# /usr/share/bash-completion/completions/hubctl, or: source <(hubctl completions bash))
_hubctl() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\n'
  local out
  out=$(command hubctl __complete -- "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [[ $out == __files__ ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
}
complete -o default -F _hubctl hubctl
)";
  if (shell == "zsh")
    return R"(#compdef hubctl
# zsh completion for hubctl (install: completions/_hubctl into a directory of $fpath, or:
# source <(hubctl completions zsh) after compinit)
_hubctl() {
  local -a cands
  cands=("${(@f)$(command hubctl __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "${cands[1]}" == __files__ ]]; then
    _files
  elif (( ${#cands} )) && [[ -n "${cands[1]}" ]]; then
    compadd -- "${cands[@]}"
  fi
}
if [[ "${funcstack[1]}" == _hubctl ]]; then
  _hubctl "$@"
else
  compdef _hubctl hubctl
fi
)";
  if (shell == "fish")
    return R"(# fish completion for hubctl (install: completions/hubctl.fish into ~/.config/fish/completions/, or:
# hubctl completions fish | source)
function __hubctl_complete
    set -l words (commandline -opc) (commandline -ct)
    set -e words[1]
    set -l out (command hubctl __complete -- $words 2>/dev/null)
    if test "$out" = __files__
        __fish_complete_path (commandline -ct)
    else
        printf '%s\n' $out
    end
end
complete -c hubctl -f -a '(__hubctl_complete)'
)";
  return {};
}

}  // namespace cli
