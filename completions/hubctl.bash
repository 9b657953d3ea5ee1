# bash completion for hubctl (install: completions/hubctl.bash into
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
