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

complete -c kforensic -n "__fish_kforensic_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_needs_command" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_needs_command" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_needs_command" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_needs_command" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_needs_command" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "preflight" -d 'Check, before an incident, that kforensic can do its job on this cluster'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "checkpoint" -d 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "isolate" -d 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "release" -d 'Undo exactly what `isolate` recorded on the pod'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "analyze" -d 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "image" -d 'The collector image, made from this binary: save it as an OCI archive or push it to a registry'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "agent" -d 'Node side (runs in the collector pod, or as root on a node): capture containers'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "upload" -d 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "verify" -d 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "decrypt" -d 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "collect" -d 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "triage" -d 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "report" -d 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "timeline" -d 'Print a bundle\'s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs'
complete -c kforensic -n "__fish_kforensic_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l collector-namespace -d 'Namespace the collector pods run in' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand preflight" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -f -a "pod" -d 'Snapshot a live pod: API-side state, then every container from its node'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and not __fish_seen_subcommand_from pod help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s l -l selector -d 'Every running pod matching this label selector (e.g. app=web,tier!=db)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l node -d 'Every running pod on this node (with -l: those of them that match)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l parallel -d 'Several pods: capture at most this many nodes at the same time (the pods of one node go one after another through that node\'s one collector)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s c -l container -d 'Only these containers (repeatable; default: all, init and ephemeral included)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l dest -d 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l memory -d 'Also capture memory: `kubelet` (CRIU checkpoint through the kubelet API), `proc` (ELF cores read from /proc by the agent), `auto` (kubelet where supported, else proc). `--memory` alone = auto' -r -f -a "auto\t''
kubelet\t''
proc\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l memory-max-bytes -d 'With --memory=proc: at most this many bytes of memory per container (e.g. 4GiB)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l kubelet-path -d 'With --memory=kubelet|auto: how the kubelet is asked. `direct`: by the collector on the node, with a short-lived token of the kforensic-checkpoint ServiceAccount (nodes/checkpoint only; see deploy/rbac-checkpoint.yaml). `proxy`: through the API server\'s node proxy (needs nodes/proxy). `auto`: direct, else the proxy' -r -f -a "proxy\t''
direct\t''
auto\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l image -d 'Collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l pull-policy -d 'When the node fetches the collector image' -r -f -a "always\t''
if-not-present\t''
never\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l collector-namespace -d 'Namespace for the collector pod (created with pod-security `privileged` when missing)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l timeout -d 'Give up after this long (the collector pod ends itself then too)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l upload-from -d 'With --dest s3://: who uploads. `client`: this machine, once the bundle is finished (its AWS credentials). `node`: the agent on the pod\'s node, as it captures (the node\'s credentials: instance role or --node-credentials-secret); bulk data never crosses the API server' -r -f -a "client\t''
node\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l node-credentials-secret -d 'With --upload-from node: a Secret in the collector namespace whose keys become the agent\'s environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION…). Default: the node\'s own credentials (instance metadata, reachable as the collector uses the node\'s network)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l sse -d 'Server-side encryption of every object' -r -f -a "AES256\t''
aws:kms\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l sse-kms-key-id -d 'KMS key for --sse aws:kms (default: the bucket\'s / account\'s key)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l object-lock-mode -d 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)' -r -f -a "GOVERNANCE\t''
COMPLIANCE\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l retain-until -d 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l part-size -d 'Multipart part size (at least 5MiB), e.g. 16MiB' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l concurrency -d 'Parts in flight at once (memory used is about this times --part-size)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l sign-key -d 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l passphrase-file -d 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l encrypt-to -d 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s A -l all-namespaces -d 'With -l or --node: in every namespace'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l memory-file-mappings -d 'With --memory=proc (or auto falling back to it): also dump read-only mappings of files still on disk'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l no-freeze -d 'With --memory=proc: do not freeze the container while its memory is read (no consistent cut)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l freeze-pod -d 'Freeze all containers of the pod together (the pod\'s cgroup) before any of them is captured and thaw them together afterwards: one consistent cut across the pod (memory, files, processes). Thawed whatever happens (at the latest after 5 minutes, the freeze limit)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l dry-run -d 'Print the plan (target, containers, memory, collector, destination, expected artifacts) and stop: nothing is created or changed'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l isolate -d 'After the volatile state is captured, isolate the pod (deny-all NetworkPolicy + quarantine label)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l keep-collector -d 'Leave the collector pod running afterwards (for debugging)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l include-volumes -d 'Include mounted volumes in the root filesystem export'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l mask-env -d 'Replace environment values in inspect.json and volatile.json with sha256:<hex> of the value (names kept), for a responder who must not carry the workload\'s secrets. Memory captures still hold them. Default: values kept (they are evidence)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l no-triage -d 'Do not triage the capture (by default the findings are printed, worst first, and stored in the bundle as findings.json; see `kforensic triage`)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l archive -d 'Also write the bundle as one .tar next to the directory'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l keep-node-archive -d 'Keep the kubelet\'s checkpoint archive on the node after it was shipped (default: delete it)'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from pod" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "pod" -d 'Snapshot a live pod: API-side state, then every container from its node'
complete -c kforensic -n "__fish_kforensic_using_subcommand checkpoint; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -f -a "pod" -d 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and not __fish_seen_subcommand_from pod help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l cordon -d 'Also mark the pod\'s node unschedulable (release uncordons it only if kforensic cordoned it)'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l detach -d 'Remove the labels its controller and Services select on: the controller releases it and starts a replacement, traffic stops reaching it, and it keeps running for forensics'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l allow-dns -d 'Allow egress to kube-dns (53/UDP and 53/TCP), nothing else'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -l dry-run -d 'Print the objects and patches that would be applied (-o yaml|json for all of them); change nothing'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from pod" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from help" -f -a "pod" -d 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
complete -c kforensic -n "__fish_kforensic_using_subcommand isolate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -f -a "pod" -d 'Undo exactly what `isolate pod` recorded on the pod'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and not __fish_seen_subcommand_from pod help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -l restore-labels -d 'Put back the labels --detach removed. Its controller may then adopt the pod again, and delete it if it has more pods than it wants'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -l dry-run -d 'Print what would be undone; change nothing'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from pod" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "pod" -d 'Undo exactly what `isolate pod` recorded on the pod'
complete -c kforensic -n "__fish_kforensic_using_subcommand release; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l extract -d 'Extract one regular file of rootfs-diff.tar (path inside the container) into --out DIR' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l search -d 'Search every process\'s memory for a string' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l search-regex -d 'Search every process\'s memory for a regular expression (bytes; no Unicode classes)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l pid -d 'Only this process (pid as in --ps-tree) in every per-process view: --ps-tree, --files, --sockets, --search, --deleted' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l context-bytes -d 'Bytes of context shown on each side of a match' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l max-matches -d 'Stop searching after this many matches' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l dump-memory -d 'Write one process\'s memory (ELF core layout, sparse) to --out FILE, with FILE.map.json' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l extract-deleted -d 'Write the deleted file that had PATH (or, with --all, every one) into --out DIR (0600, never over an existing file)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l out -d 'Output directory for --extract and --extract-deleted, output file for --dump-memory' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l max-extract-bytes -d 'Refuse a compressed archive that decompresses to more than this (e.g. 64GiB, 500MiB, bytes)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s i -l identity -d 'The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar, holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private key into a private temporary directory, removed afterwards' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l passphrase-file -d 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l max-entries -d 'Refuse an archive with more members than this' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l extract-diff -d 'Rebuild the container\'s diff tar (added and changed files, deletions as .wh. files) from a capture bundle (or one container\'s directory in it) into --out FILE, each file checked against diff.json\'s SHA-256'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l ps-tree -d 'The process tree (pid, ppid, user, state, comm, exe)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l cmd -d 'With --ps-tree: each process\'s command line, read from its memory'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l env -d 'With --ps-tree: each process\'s environment, read from its memory'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l files -d 'Open files of every process (plus cwd, root, exe); deleted files are marked'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l sockets -d 'Sockets of every process: protocol, local and remote address, state'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l mounts -d 'The container\'s mounts (from spec.dump)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l rootfs-diff -d 'Files the container added or changed (rootfs-diff.tar) and deleted (deleted.files)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l stats -d 'CRIU\'s dump statistics (stats-dump): freezing and frozen time, pages scanned and written'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l network -d 'The container\'s network interfaces, addresses and MACs (Podman\'s network.status)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l deleted -d 'Deleted files whose bytes the checkpoint holds (CRIU ghost files; deleted executables reassembled from memory): path, holders, size, SHA-256'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -l all -d 'With --extract-deleted: every deleted file'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -a "list" -d 'The checkpoint archives in a directory: engine, container, pod, times, size'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -a "diff" -d 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and not __fish_seen_subcommand_from list diff help" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -l sort -d 'Order of the rows' -r -f -a "name\t''
time\t''
size\t''
pod\t''
container\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -l show-unchanged -d 'List what is the same in both too'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from help" -f -a "list" -d 'The checkpoint archives in a directory: engine, container, pod, times, size'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from help" -f -a "diff" -d 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
complete -c kforensic -n "__fish_kforensic_using_subcommand analyze; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -f -a "save" -d 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -f -a "push" -d 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and not __fish_seen_subcommand_from save push help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l out -d 'The archive to write' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l name -d 'The name recorded in the archive (what `ctr images import` and `docker load` call it)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l binary -d 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -l binary -d 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -l plain-http -d 'Talk to the registry over plain HTTP (a registry on localhost or a lab network)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "save" -d 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "push" -d 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
complete -c kforensic -n "__fish_kforensic_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "run" -d 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "capture" -d 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "node-space" -d 'Is there room on the node for a kubelet checkpoint of this container?'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "remove-archive" -d 'Remove a kubelet checkpoint archive from the node once it was shipped'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "thaw" -d 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "hold" -d 'Idle until the deadline (the collector pod\'s main process; captures run through exec)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "export-dir" -d 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "put" -d 'Upload an evidence stream read on stdin to S3 with this node\'s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and not __fish_seen_subcommand_from run capture node-space remove-archive thaw hold export-dir put help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l container -d 'Container to capture: a Kubernetes container ID (containerd://ID, cri-o://ID, docker://ID) or a bare ID. Repeatable' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l targets -d 'JSON list of targets (`[{"container_id", "namespace", "pod", "pod_uid", "container", "checkpoint_archive"}]`); \'-\' reads stdin' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l targets-json -d 'The same JSON target list given inline (one exec for many containers, no stdin needed)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l pod-namespace -d 'Pod namespace of the (single) --container, for evidence paths and node log files' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l pod-name -d 'Pod name of the (single) --container' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l pod-uid -d 'Pod UID of the (single) --container (finds /var/log/pods/<ns>_<pod>_<uid>)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l container-name -d 'Container name in the pod spec of the (single) --container' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l steps -d 'Steps to run: inspect, diff, export, volatile, logs, history, memory' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l encrypt-to -d 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l checkpoint-archive -d 'Kubelet checkpoint archive (host path) of the (single) --container, shipped as checkpoint.tar' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l memory-max-bytes -d 'With the `memory` step: at most this much memory per container (e.g. 4GiB, or bytes)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l out -d 'Write artifacts into this directory (plus index.json)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l upload-to -d 'With --stream: upload every artifact from this node straight to S3 under this prefix (the bundle\'s own, s3://bucket/prefix/<case-id>) with the node\'s credentials; the stream then carries only their records' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l sse -d 'Server-side encryption of every object' -r -f -a "AES256\t''
aws:kms\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l sse-kms-key-id -d 'KMS key for --sse aws:kms (default: the bucket\'s / account\'s key)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l object-lock-mode -d 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)' -r -f -a "GOVERNANCE\t''
COMPLIANCE\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l retain-until -d 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l part-size -d 'Multipart part size (at least 5MiB), e.g. 16MiB' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l concurrency -d 'Parts in flight at once (memory used is about this times --part-size)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l docker-host -d 'Docker Engine socket for docker:// containers (unix:///path)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l runc-root -d 'Extra runc state root (host path) to find state.json in. Repeatable' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l pod-log-dir -d 'The kubelet\'s pod log directory (host path)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l kubelet-checkpoint-dir -d 'The kubelet\'s checkpoint directory (host path): --checkpoint-archive must be a checkpoint-*.tar directly in it' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l include-volumes -d 'Include volumes (non-pseudo mounts inside the container) in the export'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l mask-env -d 'Replace environment values in inspect.json and volatile.json with sha256:<hex>'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l memory-file-mappings -d 'With the `memory` step: also dump read-only mappings of files still on disk'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l no-freeze -d 'With the `memory` step: do not freeze the container while its memory is read'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l stream -d 'Write the framed evidence stream on stdout (progress as JSON lines on stderr)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from capture" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -l container -d 'The container to be checkpointed (its shim gives the way to the node\'s filesystem)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -l dir -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from node-space" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -l container -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -l path -d 'Host path of the archive (only /var/lib/kubelet/checkpoints/checkpoint-*.tar)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from remove-archive" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -l cgroup -d 'The cgroup directory announced as `frozen_cgroup`' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from thaw" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -l seconds -d 'Exit after this many seconds' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from hold" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -l out -d 'Output file' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -l zstd -d 'Compress with zstd'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from export-dir" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l dest -d 'The bundle\'s own prefix: s3://bucket/prefix/<case-id>' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l sse -d 'Server-side encryption of every object' -r -f -a "AES256\t''
aws:kms\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l sse-kms-key-id -d 'KMS key for --sse aws:kms (default: the bucket\'s / account\'s key)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l object-lock-mode -d 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)' -r -f -a "GOVERNANCE\t''
COMPLIANCE\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l retain-until -d 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l part-size -d 'Multipart part size (at least 5MiB), e.g. 16MiB' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l concurrency -d 'Parts in flight at once (memory used is about this times --part-size)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l check -d 'Only check that the bucket can be reached with the node\'s credentials; upload nothing'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from put" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "run" -d 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "capture" -d 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "node-space" -d 'Is there room on the node for a kubelet checkpoint of this container?'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "remove-archive" -d 'Remove a kubelet checkpoint archive from the node once it was shipped'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "thaw" -d 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "hold" -d 'Idle until the deadline (the collector pod\'s main process; captures run through exec)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "export-dir" -d 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "put" -d 'Upload an evidence stream read on stdin to S3 with this node\'s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
complete -c kforensic -n "__fish_kforensic_using_subcommand agent; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l sse -d 'Server-side encryption of every object' -r -f -a "AES256\t''
aws:kms\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l sse-kms-key-id -d 'KMS key for --sse aws:kms (default: the bucket\'s / account\'s key)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l object-lock-mode -d 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)' -r -f -a "GOVERNANCE\t''
COMPLIANCE\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l retain-until -d 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l part-size -d 'Multipart part size (at least 5MiB), e.g. 16MiB' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l concurrency -d 'Parts in flight at once (memory used is about this times --part-size)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l sign-key -d 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l passphrase-file -d 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand upload" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l allowed-signers -d 'Require a valid signature by one of these keys (OpenSSH allowed-signers format, as for `ssh-keygen -Y verify -f`); the signer is named. Without it, verify says whether and by which key the bundle is signed' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l no-record -d 'Do not append a `verify` event to a local bundle\'s custody.log'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand verify" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s i -l identity -d 'The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l passphrase-file -d 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l out -d 'Where the plaintext tree goes (created 0700, files 0600; existing files are never overwritten)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand decrypt" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s l -l selector -d 'Only pods (and their logs and images) matching this label selector' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l since -d 'Logs from this far back; objects created within it count as recent (e.g. 30m, 24h, 7d)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l dest -d 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l region -d 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l endpoint-url -d 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l sse -d 'Server-side encryption of every object' -r -f -a "AES256\t''
aws:kms\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l sse-kms-key-id -d 'KMS key for --sse aws:kms (default: the bucket\'s / account\'s key)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l object-lock-mode -d 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)' -r -f -a "GOVERNANCE\t''
COMPLIANCE\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l retain-until -d 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l part-size -d 'Multipart part size (at least 5MiB), e.g. 16MiB' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l concurrency -d 'Parts in flight at once (memory used is about this times --part-size)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l sign-key -d 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l passphrase-file -d 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l encrypt-to -d 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l sources -d 'Which sources (comma-separated; `rbac` = the four RBAC sources; default: all)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l image -d 'With --shell-history: the collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l pull-policy -d 'With --shell-history: when the node fetches the collector image' -r -f -a "always\t''
if-not-present\t''
never\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l collector-namespace -d 'With --shell-history: namespace for the collector pods (created with pod-security `privileged` when missing)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l page-size -d 'Objects per list page' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l source-concurrency -d 'Sources fetched at the same time' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s A -l all-namespaces -d 'Every namespace (otherwise -n NS[,NS…] (repeatable), or the context\'s namespace)'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l virtual-hosted-style -d 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l include-secret-values -d 'Write secrets whole, values included (default: name, type, keys, owners, age only)'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -l shell-history -d 'Also read the shell histories of every running container in scope, from the node side: one privileged collector pod per node runs the node agent (never an exec into a container); adds the KF-HIST rules. Needs the collector permissions of `checkpoint`'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand collect" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l fail-on -d 'Exit 4 when a finding is at least this severe (critical, high, medium, low, info)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l yara -d 'YARA rules to add to the built-in ones (miners, webshells): a rule file, or a directory of .yar/.yara files. Repeatable. Memory matches name the pid, address and mapping' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l rules -d 'Your own rules: a directory of .yaml/.yml rule files, or one file. Repeatable. Each rule has an id (not KF-…), a severity, a one-line reason and matchers (comm, exe, cmdline, env, path, string); see the book\'s triage page for the format' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l no-memory -d 'Do not scan process memory (faster on large captures)'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -l no-yara -d 'Run no YARA rules at all (not even the built-in ones)'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand triage" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -l format -r -f -a "html\t''
md\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -l out -d 'The file to write (refused when it exists)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand report" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -l format -r -f -a "jsonl\t''
csv\t''"
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -l kubeconfig -d 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)' -r -F
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
sarif\t'SARIF 2.1.0 (`triage` only)'"
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -l case-id -d 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, \'.\', \'_\', \'-\'; at most 63' -r
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s v -l verbose -d 'More detail on stderr (repeat for more); errors show their full cause chain'
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s q -l quiet -d 'Only errors on stderr; no progress bars'
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kforensic -n "__fish_kforensic_using_subcommand timeline" -s V -l version -d 'Print version'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "preflight" -d 'Check, before an incident, that kforensic can do its job on this cluster'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "checkpoint" -d 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "isolate" -d 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "release" -d 'Undo exactly what `isolate` recorded on the pod'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "analyze" -d 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "image" -d 'The collector image, made from this binary: save it as an OCI archive or push it to a registry'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "completions" -d 'Print a shell completion script'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "agent" -d 'Node side (runs in the collector pod, or as root on a node): capture containers'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "upload" -d 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "verify" -d 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "decrypt" -d 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "collect" -d 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "triage" -d 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "report" -d 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "timeline" -d 'Print a bundle\'s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and not __fish_seen_subcommand_from preflight checkpoint isolate release analyze image completions agent upload verify decrypt collect triage report timeline help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from checkpoint" -f -a "pod" -d 'Snapshot a live pod: API-side state, then every container from its node'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from isolate" -f -a "pod" -d 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from release" -f -a "pod" -d 'Undo exactly what `isolate pod` recorded on the pod'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from analyze" -f -a "list" -d 'The checkpoint archives in a directory: engine, container, pod, times, size'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from analyze" -f -a "diff" -d 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "save" -d 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "push" -d 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "run" -d 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "capture" -d 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "node-space" -d 'Is there room on the node for a kubelet checkpoint of this container?'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "remove-archive" -d 'Remove a kubelet checkpoint archive from the node once it was shipped'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "thaw" -d 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "hold" -d 'Idle until the deadline (the collector pod\'s main process; captures run through exec)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "export-dir" -d 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
complete -c kforensic -n "__fish_kforensic_using_subcommand help; and __fish_seen_subcommand_from agent" -f -a "put" -d 'Upload an evidence stream read on stdin to S3 with this node\'s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
