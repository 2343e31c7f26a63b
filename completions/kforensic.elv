
use builtin;
use str;

set edit:completion:arg-completer[kforensic] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kforensic'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kforensic'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default")'
            cand --namespace 'Namespace (default: the context''s namespace, else "default")'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log (default: generated)'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand preflight 'Check, before an incident, that kforensic can do its job on this cluster'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;preflight'= {
            cand --collector-namespace 'Namespace the collector pods run in'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default")'
            cand --namespace 'Namespace (default: the context''s namespace, else "default")'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log (default: generated)'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;completions'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default")'
            cand --namespace 'Namespace (default: the context''s namespace, else "default")'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log (default: generated)'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;help'= {
            cand preflight 'Check, before an incident, that kforensic can do its job on this cluster'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;help;preflight'= {
        }
        &'kforensic;help;completions'= {
        }
        &'kforensic;help;help'= {
        }
    ]
    $completions[$command]
}
