# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kforensic_global_optspecs
    string join \n kubeconfig= context= n/namespace= o/output= case-id= v/verbose q/quiet h/help V/version
end

function __fish_kforensic_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kforensic_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kforensic_using_subcommand
    set -l cmd (__fish_kforensic_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kforensic -n "__fish_kforensic_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kforensic -n "__fish_kforensic_needs_command" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default")' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kforensic -n "__fish_kforensic_needs_command" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log (default: generated)' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_needs_command" -s h -l help -d 'Print help'
complete -c kforensic -n "__fish_kforensic_needs_command" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "preflight" -d 'Check, before an incident, that kforensic can do its job on this cluster'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l collector-namespace -d 'Namespace the collector pods run in' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default")' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log (default: generated)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s h -l help -d 'Print help'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default")' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log (default: generated)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight completions help" -f -a "preflight" -d 'Check, before an incident, that kforensic can do its job on this cluster'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
