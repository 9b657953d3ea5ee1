# fish completion for hubctl (install: completions/hubctl.fish into ~/.config/fish/completions/, or:
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
