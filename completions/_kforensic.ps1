
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kforensic' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kforensic'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kforensic' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('preflight', 'preflight', [CompletionResultType]::ParameterValue, 'Check, before an incident, that kforensic can do its job on this cluster')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)')
            [CompletionResult]::new('isolate', 'isolate', [CompletionResultType]::ParameterValue, 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Undo exactly what `isolate` recorded on the pod')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'The collector image, made from this binary: save it as an OCI archive or push it to a registry')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Node side (runs in the collector pod, or as root on a node): capture containers')
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash')
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong')
            [CompletionResult]::new('triage', 'triage', [CompletionResultType]::ParameterValue, 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline')
            [CompletionResult]::new('timeline', 'timeline', [CompletionResultType]::ParameterValue, 'Print a bundle''s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;preflight' {
            [CompletionResult]::new('--collector-namespace', '--collector-namespace', [CompletionResultType]::ParameterName, 'Namespace the collector pods run in')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;checkpoint' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Snapshot a live pod: API-side state, then every container from its node')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;checkpoint;pod' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Every running pod matching this label selector (e.g. app=web,tier!=db)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Every running pod matching this label selector (e.g. app=web,tier!=db)')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'Every running pod on this node (with -l: those of them that match)')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Several pods: capture at most this many nodes at the same time (the pods of one node go one after another through that node''s one collector)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Only these containers (repeatable; default: all, init and ephemeral included)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Only these containers (repeatable; default: all, init and ephemeral included)')
            [CompletionResult]::new('--dest', '--dest', [CompletionResultType]::ParameterName, 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Also capture memory: `kubelet` (CRIU checkpoint through the kubelet API), `proc` (ELF cores read from /proc by the agent), `auto` (kubelet where supported, else proc). `--memory` alone = auto')
            [CompletionResult]::new('--memory-max-bytes', '--memory-max-bytes', [CompletionResultType]::ParameterName, 'With --memory=proc: at most this many bytes of memory per container (e.g. 4GiB)')
            [CompletionResult]::new('--kubelet-path', '--kubelet-path', [CompletionResultType]::ParameterName, 'With --memory=kubelet|auto: how the kubelet is asked. `direct`: by the collector on the node, with a short-lived token of the kforensic-checkpoint ServiceAccount (nodes/checkpoint only; see deploy/rbac-checkpoint.yaml). `proxy`: through the API server''s node proxy (needs nodes/proxy). `auto`: direct, else the proxy')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)')
            [CompletionResult]::new('--pull-policy', '--pull-policy', [CompletionResultType]::ParameterName, 'When the node fetches the collector image')
            [CompletionResult]::new('--collector-namespace', '--collector-namespace', [CompletionResultType]::ParameterName, 'Namespace for the collector pod (created with pod-security `privileged` when missing)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (the collector pod ends itself then too)')
            [CompletionResult]::new('--upload-from', '--upload-from', [CompletionResultType]::ParameterName, 'With --dest s3://: who uploads. `client`: this machine, once the bundle is finished (its AWS credentials). `node`: the agent on the pod''s node, as it captures (the node''s credentials: instance role or --node-credentials-secret); bulk data never crosses the API server')
            [CompletionResult]::new('--node-credentials-secret', '--node-credentials-secret', [CompletionResultType]::ParameterName, 'With --upload-from node: a Secret in the collector namespace whose keys become the agent''s environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION…). Default: the node''s own credentials (instance metadata, reachable as the collector uses the node''s network)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Server-side encryption of every object')
            [CompletionResult]::new('--sse-kms-key-id', '--sse-kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)')
            [CompletionResult]::new('--object-lock-mode', '--object-lock-mode', [CompletionResultType]::ParameterName, 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)')
            [CompletionResult]::new('--retain-until', '--retain-until', [CompletionResultType]::ParameterName, 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)')
            [CompletionResult]::new('--part-size', '--part-size', [CompletionResultType]::ParameterName, 'Multipart part size (at least 5MiB), e.g. 16MiB')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Parts in flight at once (memory used is about this times --part-size)')
            [CompletionResult]::new('--sign-key', '--sign-key', [CompletionResultType]::ParameterName, 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)')
            [CompletionResult]::new('--encrypt-to', '--encrypt-to', [CompletionResultType]::ParameterName, 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'With -l or --node: in every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'With -l or --node: in every namespace')
            [CompletionResult]::new('--memory-file-mappings', '--memory-file-mappings', [CompletionResultType]::ParameterName, 'With --memory=proc (or auto falling back to it): also dump read-only mappings of files still on disk')
            [CompletionResult]::new('--no-freeze', '--no-freeze', [CompletionResultType]::ParameterName, 'With --memory=proc: do not freeze the container while its memory is read (no consistent cut)')
            [CompletionResult]::new('--freeze-pod', '--freeze-pod', [CompletionResultType]::ParameterName, 'Freeze all containers of the pod together (the pod''s cgroup) before any of them is captured and thaw them together afterwards: one consistent cut across the pod (memory, files, processes). Thawed whatever happens (at the latest after 5 minutes, the freeze limit)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (target, containers, memory, collector, destination, expected artifacts) and stop: nothing is created or changed')
            [CompletionResult]::new('--isolate', '--isolate', [CompletionResultType]::ParameterName, 'After the volatile state is captured, isolate the pod (deny-all NetworkPolicy + quarantine label)')
            [CompletionResult]::new('--keep-collector', '--keep-collector', [CompletionResultType]::ParameterName, 'Leave the collector pod running afterwards (for debugging)')
            [CompletionResult]::new('--include-volumes', '--include-volumes', [CompletionResultType]::ParameterName, 'Include mounted volumes in the root filesystem export')
            [CompletionResult]::new('--mask-env', '--mask-env', [CompletionResultType]::ParameterName, 'Replace environment values in inspect.json and volatile.json with sha256:<hex> of the value (names kept), for a responder who must not carry the workload''s secrets. Memory captures still hold them. Default: values kept (they are evidence)')
            [CompletionResult]::new('--no-triage', '--no-triage', [CompletionResultType]::ParameterName, 'Do not triage the capture (by default the findings are printed, worst first, and stored in the bundle as findings.json; see `kforensic triage`)')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'Also write the bundle as one .tar next to the directory')
            [CompletionResult]::new('--keep-node-archive', '--keep-node-archive', [CompletionResultType]::ParameterName, 'Keep the kubelet''s checkpoint archive on the node after it was shipped (default: delete it)')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;checkpoint;help' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Snapshot a live pod: API-side state, then every container from its node')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;checkpoint;help;pod' {
            break
        }
        'kforensic;checkpoint;help;help' {
            break
        }
        'kforensic;isolate' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;isolate;pod' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--cordon', '--cordon', [CompletionResultType]::ParameterName, 'Also mark the pod''s node unschedulable (release uncordons it only if kforensic cordoned it)')
            [CompletionResult]::new('--detach', '--detach', [CompletionResultType]::ParameterName, 'Remove the labels its controller and Services select on: the controller releases it and starts a replacement, traffic stops reaching it, and it keeps running for forensics')
            [CompletionResult]::new('--allow-dns', '--allow-dns', [CompletionResultType]::ParameterName, 'Allow egress to kube-dns (53/UDP and 53/TCP), nothing else')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the objects and patches that would be applied (-o yaml|json for all of them); change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;isolate;help' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;isolate;help;pod' {
            break
        }
        'kforensic;isolate;help;help' {
            break
        }
        'kforensic;release' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Undo exactly what `isolate pod` recorded on the pod')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;release;pod' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--restore-labels', '--restore-labels', [CompletionResultType]::ParameterName, 'Put back the labels --detach removed. Its controller may then adopt the pod again, and delete it if it has more pods than it wants')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be undone; change nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;release;help' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Undo exactly what `isolate pod` recorded on the pod')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;release;help;pod' {
            break
        }
        'kforensic;release;help;help' {
            break
        }
        'kforensic;analyze' {
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Extract one regular file of rootfs-diff.tar (path inside the container) into --out DIR')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Search every process''s memory for a string')
            [CompletionResult]::new('--search-regex', '--search-regex', [CompletionResultType]::ParameterName, 'Search every process''s memory for a regular expression (bytes; no Unicode classes)')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Only this process (pid as in --ps-tree) in every per-process view: --ps-tree, --files, --sockets, --search, --deleted')
            [CompletionResult]::new('--context-bytes', '--context-bytes', [CompletionResultType]::ParameterName, 'Bytes of context shown on each side of a match')
            [CompletionResult]::new('--max-matches', '--max-matches', [CompletionResultType]::ParameterName, 'Stop searching after this many matches')
            [CompletionResult]::new('--dump-memory', '--dump-memory', [CompletionResultType]::ParameterName, 'Write one process''s memory (ELF core layout, sparse) to --out FILE, with FILE.map.json')
            [CompletionResult]::new('--extract-deleted', '--extract-deleted', [CompletionResultType]::ParameterName, 'Write the deleted file that had PATH (or, with --all, every one) into --out DIR (0600, never over an existing file)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output directory for --extract and --extract-deleted, output file for --dump-memory')
            [CompletionResult]::new('--max-extract-bytes', '--max-extract-bytes', [CompletionResultType]::ParameterName, 'Refuse a compressed archive that decompresses to more than this (e.g. 64GiB, 500MiB, bytes)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar, holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private key into a private temporary directory, removed afterwards')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar, holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private key into a private temporary directory, removed afterwards')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)')
            [CompletionResult]::new('--max-entries', '--max-entries', [CompletionResultType]::ParameterName, 'Refuse an archive with more members than this')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--extract-diff', '--extract-diff', [CompletionResultType]::ParameterName, 'Rebuild the container''s diff tar (added and changed files, deletions as .wh. files) from a capture bundle (or one container''s directory in it) into --out FILE, each file checked against diff.json''s SHA-256')
            [CompletionResult]::new('--ps-tree', '--ps-tree', [CompletionResultType]::ParameterName, 'The process tree (pid, ppid, user, state, comm, exe)')
            [CompletionResult]::new('--cmd', '--cmd', [CompletionResultType]::ParameterName, 'With --ps-tree: each process''s command line, read from its memory')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'With --ps-tree: each process''s environment, read from its memory')
            [CompletionResult]::new('--files', '--files', [CompletionResultType]::ParameterName, 'Open files of every process (plus cwd, root, exe); deleted files are marked')
            [CompletionResult]::new('--sockets', '--sockets', [CompletionResultType]::ParameterName, 'Sockets of every process: protocol, local and remote address, state')
            [CompletionResult]::new('--mounts', '--mounts', [CompletionResultType]::ParameterName, 'The container''s mounts (from spec.dump)')
            [CompletionResult]::new('--rootfs-diff', '--rootfs-diff', [CompletionResultType]::ParameterName, 'Files the container added or changed (rootfs-diff.tar) and deleted (deleted.files)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'CRIU''s dump statistics (stats-dump): freezing and frozen time, pages scanned and written')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'The container''s network interfaces, addresses and MACs (Podman''s network.status)')
            [CompletionResult]::new('--deleted', '--deleted', [CompletionResultType]::ParameterName, 'Deleted files whose bytes the checkpoint holds (CRIU ghost files; deleted executables reassembled from memory): path, holders, size, SHA-256')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'With --extract-deleted: every deleted file')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The checkpoint archives in a directory: engine, container, pod, times, size')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;analyze;list' {
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Order of the rows')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;analyze;diff' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--show-unchanged', '--show-unchanged', [CompletionResultType]::ParameterName, 'List what is the same in both too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;analyze;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The checkpoint archives in a directory: engine, container, pod, times, size')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;analyze;help;list' {
            break
        }
        'kforensic;analyze;help;diff' {
            break
        }
        'kforensic;analyze;help;help' {
            break
        }
        'kforensic;image' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;image;save' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The archive to write')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The name recorded in the archive (what `ctr images import` and `docker load` call it)')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;image;push' {
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Talk to the registry over plain HTTP (a registry on localhost or a lab network)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;image;help' {
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;image;help;save' {
            break
        }
        'kforensic;image;help;push' {
            break
        }
        'kforensic;image;help;help' {
            break
        }
        'kforensic;completions' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Serve one request document read from the first line of stdin (how the CLI drives the agent)')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories')
            [CompletionResult]::new('node-space', 'node-space', [CompletionResultType]::ParameterValue, 'Is there room on the node for a kubelet checkpoint of this container?')
            [CompletionResult]::new('remove-archive', 'remove-archive', [CompletionResultType]::ParameterValue, 'Remove a kubelet checkpoint archive from the node once it was shipped')
            [CompletionResult]::new('thaw', 'thaw', [CompletionResultType]::ParameterValue, 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)')
            [CompletionResult]::new('hold', 'hold', [CompletionResultType]::ParameterValue, 'Idle until the deadline (the collector pod''s main process; captures run through exec)')
            [CompletionResult]::new('export-dir', 'export-dir', [CompletionResultType]::ParameterValue, 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;agent;run' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;capture' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Container to capture: a Kubernetes container ID (containerd://ID, cri-o://ID, docker://ID) or a bare ID. Repeatable')
            [CompletionResult]::new('--targets', '--targets', [CompletionResultType]::ParameterName, 'JSON list of targets (`[{"container_id", "namespace", "pod", "pod_uid", "container", "checkpoint_archive"}]`); ''-'' reads stdin')
            [CompletionResult]::new('--targets-json', '--targets-json', [CompletionResultType]::ParameterName, 'The same JSON target list given inline (one exec for many containers, no stdin needed)')
            [CompletionResult]::new('--pod-namespace', '--pod-namespace', [CompletionResultType]::ParameterName, 'Pod namespace of the (single) --container, for evidence paths and node log files')
            [CompletionResult]::new('--pod-name', '--pod-name', [CompletionResultType]::ParameterName, 'Pod name of the (single) --container')
            [CompletionResult]::new('--pod-uid', '--pod-uid', [CompletionResultType]::ParameterName, 'Pod UID of the (single) --container (finds /var/log/pods/<ns>_<pod>_<uid>)')
            [CompletionResult]::new('--container-name', '--container-name', [CompletionResultType]::ParameterName, 'Container name in the pod spec of the (single) --container')
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'Steps to run: inspect, diff, export, volatile, logs, history, memory')
            [CompletionResult]::new('--encrypt-to', '--encrypt-to', [CompletionResultType]::ParameterName, 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest')
            [CompletionResult]::new('--checkpoint-archive', '--checkpoint-archive', [CompletionResultType]::ParameterName, 'Kubelet checkpoint archive (host path) of the (single) --container, shipped as checkpoint.tar')
            [CompletionResult]::new('--memory-max-bytes', '--memory-max-bytes', [CompletionResultType]::ParameterName, 'With the `memory` step: at most this much memory per container (e.g. 4GiB, or bytes)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write artifacts into this directory (plus index.json)')
            [CompletionResult]::new('--upload-to', '--upload-to', [CompletionResultType]::ParameterName, 'With --stream: upload every artifact from this node straight to S3 under this prefix (the bundle''s own, s3://bucket/prefix/<case-id>) with the node''s credentials; the stream then carries only their records')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Server-side encryption of every object')
            [CompletionResult]::new('--sse-kms-key-id', '--sse-kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)')
            [CompletionResult]::new('--object-lock-mode', '--object-lock-mode', [CompletionResultType]::ParameterName, 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)')
            [CompletionResult]::new('--retain-until', '--retain-until', [CompletionResultType]::ParameterName, 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)')
            [CompletionResult]::new('--part-size', '--part-size', [CompletionResultType]::ParameterName, 'Multipart part size (at least 5MiB), e.g. 16MiB')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Parts in flight at once (memory used is about this times --part-size)')
            [CompletionResult]::new('--docker-host', '--docker-host', [CompletionResultType]::ParameterName, 'Docker Engine socket for docker:// containers (unix:///path)')
            [CompletionResult]::new('--runc-root', '--runc-root', [CompletionResultType]::ParameterName, 'Extra runc state root (host path) to find state.json in. Repeatable')
            [CompletionResult]::new('--pod-log-dir', '--pod-log-dir', [CompletionResultType]::ParameterName, 'The kubelet''s pod log directory (host path)')
            [CompletionResult]::new('--kubelet-checkpoint-dir', '--kubelet-checkpoint-dir', [CompletionResultType]::ParameterName, 'The kubelet''s checkpoint directory (host path): --checkpoint-archive must be a checkpoint-*.tar directly in it')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--include-volumes', '--include-volumes', [CompletionResultType]::ParameterName, 'Include volumes (non-pseudo mounts inside the container) in the export')
            [CompletionResult]::new('--mask-env', '--mask-env', [CompletionResultType]::ParameterName, 'Replace environment values in inspect.json and volatile.json with sha256:<hex>')
            [CompletionResult]::new('--memory-file-mappings', '--memory-file-mappings', [CompletionResultType]::ParameterName, 'With the `memory` step: also dump read-only mappings of files still on disk')
            [CompletionResult]::new('--no-freeze', '--no-freeze', [CompletionResultType]::ParameterName, 'With the `memory` step: do not freeze the container while its memory is read')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Write the framed evidence stream on stdout (progress as JSON lines on stderr)')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;node-space' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'The container to be checkpointed (its shim gives the way to the node''s filesystem)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'dir')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;remove-archive' {
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'container')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Host path of the archive (only /var/lib/kubelet/checkpoints/checkpoint-*.tar)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;thaw' {
            [CompletionResult]::new('--cgroup', '--cgroup', [CompletionResultType]::ParameterName, 'The cgroup directory announced as `frozen_cgroup`')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;hold' {
            [CompletionResult]::new('--seconds', '--seconds', [CompletionResultType]::ParameterName, 'Exit after this many seconds')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;export-dir' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output file')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--zstd', '--zstd', [CompletionResultType]::ParameterName, 'Compress with zstd')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;put' {
            [CompletionResult]::new('--dest', '--dest', [CompletionResultType]::ParameterName, 'The bundle''s own prefix: s3://bucket/prefix/<case-id>')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Server-side encryption of every object')
            [CompletionResult]::new('--sse-kms-key-id', '--sse-kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)')
            [CompletionResult]::new('--object-lock-mode', '--object-lock-mode', [CompletionResultType]::ParameterName, 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)')
            [CompletionResult]::new('--retain-until', '--retain-until', [CompletionResultType]::ParameterName, 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)')
            [CompletionResult]::new('--part-size', '--part-size', [CompletionResultType]::ParameterName, 'Multipart part size (at least 5MiB), e.g. 16MiB')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Parts in flight at once (memory used is about this times --part-size)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Only check that the bucket can be reached with the node''s credentials; upload nothing')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;agent;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Serve one request document read from the first line of stdin (how the CLI drives the agent)')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories')
            [CompletionResult]::new('node-space', 'node-space', [CompletionResultType]::ParameterValue, 'Is there room on the node for a kubelet checkpoint of this container?')
            [CompletionResult]::new('remove-archive', 'remove-archive', [CompletionResultType]::ParameterValue, 'Remove a kubelet checkpoint archive from the node once it was shipped')
            [CompletionResult]::new('thaw', 'thaw', [CompletionResultType]::ParameterValue, 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)')
            [CompletionResult]::new('hold', 'hold', [CompletionResultType]::ParameterValue, 'Idle until the deadline (the collector pod''s main process; captures run through exec)')
            [CompletionResult]::new('export-dir', 'export-dir', [CompletionResultType]::ParameterValue, 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;agent;help;run' {
            break
        }
        'kforensic;agent;help;capture' {
            break
        }
        'kforensic;agent;help;node-space' {
            break
        }
        'kforensic;agent;help;remove-archive' {
            break
        }
        'kforensic;agent;help;thaw' {
            break
        }
        'kforensic;agent;help;hold' {
            break
        }
        'kforensic;agent;help;export-dir' {
            break
        }
        'kforensic;agent;help;put' {
            break
        }
        'kforensic;agent;help;help' {
            break
        }
        'kforensic;upload' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Server-side encryption of every object')
            [CompletionResult]::new('--sse-kms-key-id', '--sse-kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)')
            [CompletionResult]::new('--object-lock-mode', '--object-lock-mode', [CompletionResultType]::ParameterName, 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)')
            [CompletionResult]::new('--retain-until', '--retain-until', [CompletionResultType]::ParameterName, 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)')
            [CompletionResult]::new('--part-size', '--part-size', [CompletionResultType]::ParameterName, 'Multipart part size (at least 5MiB), e.g. 16MiB')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Parts in flight at once (memory used is about this times --part-size)')
            [CompletionResult]::new('--sign-key', '--sign-key', [CompletionResultType]::ParameterName, 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;verify' {
            [CompletionResult]::new('--allowed-signers', '--allowed-signers', [CompletionResultType]::ParameterName, 'Require a valid signature by one of these keys (OpenSSH allowed-signers format, as for `ssh-keygen -Y verify -f`); the signer is named. Without it, verify says whether and by which key the bundle is signed')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--no-record', '--no-record', [CompletionResultType]::ParameterName, 'Do not append a `verify` event to a local bundle''s custody.log')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;decrypt' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file)')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where the plaintext tree goes (created 0700, files 0600; existing files are never overwritten)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;collect' {
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only pods (and their logs and images) matching this label selector')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only pods (and their logs and images) matching this label selector')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Logs from this far back; objects created within it count as recent (e.g. 30m, 24h, 7d)')
            [CompletionResult]::new('--dest', '--dest', [CompletionResultType]::ParameterName, 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style')
            [CompletionResult]::new('--sse', '--sse', [CompletionResultType]::ParameterName, 'Server-side encryption of every object')
            [CompletionResult]::new('--sse-kms-key-id', '--sse-kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)')
            [CompletionResult]::new('--object-lock-mode', '--object-lock-mode', [CompletionResultType]::ParameterName, 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)')
            [CompletionResult]::new('--retain-until', '--retain-until', [CompletionResultType]::ParameterName, 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)')
            [CompletionResult]::new('--part-size', '--part-size', [CompletionResultType]::ParameterName, 'Multipart part size (at least 5MiB), e.g. 16MiB')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Parts in flight at once (memory used is about this times --part-size)')
            [CompletionResult]::new('--sign-key', '--sign-key', [CompletionResultType]::ParameterName, 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine')
            [CompletionResult]::new('--passphrase-file', '--passphrase-file', [CompletionResultType]::ParameterName, 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)')
            [CompletionResult]::new('--encrypt-to', '--encrypt-to', [CompletionResultType]::ParameterName, 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest')
            [CompletionResult]::new('--sources', '--sources', [CompletionResultType]::ParameterName, 'Which sources (comma-separated; `rbac` = the four RBAC sources; default: all)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'With --shell-history: the collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)')
            [CompletionResult]::new('--pull-policy', '--pull-policy', [CompletionResultType]::ParameterName, 'With --shell-history: when the node fetches the collector image')
            [CompletionResult]::new('--collector-namespace', '--collector-namespace', [CompletionResultType]::ParameterName, 'With --shell-history: namespace for the collector pods (created with pod-security `privileged` when missing)')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Objects per list page')
            [CompletionResult]::new('--source-concurrency', '--source-concurrency', [CompletionResultType]::ParameterName, 'Sources fetched at the same time')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace (otherwise -n NS[,NS…] (repeatable), or the context''s namespace)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace (otherwise -n NS[,NS…] (repeatable), or the context''s namespace)')
            [CompletionResult]::new('--virtual-hosted-style', '--virtual-hosted-style', [CompletionResultType]::ParameterName, 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url')
            [CompletionResult]::new('--include-secret-values', '--include-secret-values', [CompletionResultType]::ParameterName, 'Write secrets whole, values included (default: name, type, keys, owners, age only)')
            [CompletionResult]::new('--shell-history', '--shell-history', [CompletionResultType]::ParameterName, 'Also read the shell histories of every running container in scope, from the node side: one privileged collector pod per node runs the node agent (never an exec into a container); adds the KF-HIST rules. Needs the collector permissions of `checkpoint`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;triage' {
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 4 when a finding is at least this severe (critical, high, medium, low, info)')
            [CompletionResult]::new('--yara', '--yara', [CompletionResultType]::ParameterName, 'YARA rules to add to the built-in ones (miners, webshells): a rule file, or a directory of .yar/.yara files. Repeatable. Memory matches name the pid, address and mapping')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Your own rules: a directory of .yaml/.yml rule files, or one file. Repeatable. Each rule has an id (not KF-…), a severity, a one-line reason and matchers (comm, exe, cmdline, env, path, string); see the book''s triage page for the format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('--no-memory', '--no-memory', [CompletionResultType]::ParameterName, 'Do not scan process memory (faster on large captures)')
            [CompletionResult]::new('--no-yara', '--no-yara', [CompletionResultType]::ParameterName, 'Run no YARA rules at all (not even the built-in ones)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;report' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'The file to write (refused when it exists)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;timeline' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--case-id', '--case-id', [CompletionResultType]::ParameterName, 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (repeat for more); errors show their full cause chain')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr; no progress bars')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kforensic;help' {
            [CompletionResult]::new('preflight', 'preflight', [CompletionResultType]::ParameterValue, 'Check, before an incident, that kforensic can do its job on this cluster')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)')
            [CompletionResult]::new('isolate', 'isolate', [CompletionResultType]::ParameterValue, 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'Undo exactly what `isolate` recorded on the pod')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'The collector image, made from this binary: save it as an OCI archive or push it to a registry')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Node side (runs in the collector pod, or as root on a node): capture containers')
            [CompletionResult]::new('upload', 'upload', [CompletionResultType]::ParameterValue, 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness')
            [CompletionResult]::new('decrypt', 'decrypt', [CompletionResultType]::ParameterValue, 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash')
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong')
            [CompletionResult]::new('triage', 'triage', [CompletionResultType]::ParameterValue, 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline')
            [CompletionResult]::new('timeline', 'timeline', [CompletionResultType]::ParameterValue, 'Print a bundle''s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kforensic;help;preflight' {
            break
        }
        'kforensic;help;checkpoint' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Snapshot a live pod: API-side state, then every container from its node')
            break
        }
        'kforensic;help;checkpoint;pod' {
            break
        }
        'kforensic;help;isolate' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running')
            break
        }
        'kforensic;help;isolate;pod' {
            break
        }
        'kforensic;help;release' {
            [CompletionResult]::new('pod', 'pod', [CompletionResultType]::ParameterValue, 'Undo exactly what `isolate pod` recorded on the pod')
            break
        }
        'kforensic;help;release;pod' {
            break
        }
        'kforensic;help;analyze' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'The checkpoint archives in a directory: engine, container, pod, times, size')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff')
            break
        }
        'kforensic;help;analyze;list' {
            break
        }
        'kforensic;help;analyze;diff' {
            break
        }
        'kforensic;help;image' {
            [CompletionResult]::new('save', 'save', [CompletionResultType]::ParameterValue, 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)')
            [CompletionResult]::new('push', 'push', [CompletionResultType]::ParameterValue, 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)')
            break
        }
        'kforensic;help;image;save' {
            break
        }
        'kforensic;help;image;push' {
            break
        }
        'kforensic;help;completions' {
            break
        }
        'kforensic;help;agent' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Serve one request document read from the first line of stdin (how the CLI drives the agent)')
            [CompletionResult]::new('capture', 'capture', [CompletionResultType]::ParameterValue, 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories')
            [CompletionResult]::new('node-space', 'node-space', [CompletionResultType]::ParameterValue, 'Is there room on the node for a kubelet checkpoint of this container?')
            [CompletionResult]::new('remove-archive', 'remove-archive', [CompletionResultType]::ParameterValue, 'Remove a kubelet checkpoint archive from the node once it was shipped')
            [CompletionResult]::new('thaw', 'thaw', [CompletionResultType]::ParameterValue, 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)')
            [CompletionResult]::new('hold', 'hold', [CompletionResultType]::ParameterValue, 'Idle until the deadline (the collector pod''s main process; captures run through exec)')
            [CompletionResult]::new('export-dir', 'export-dir', [CompletionResultType]::ParameterValue, 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)')
            [CompletionResult]::new('put', 'put', [CompletionResultType]::ParameterValue, 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)')
            break
        }
        'kforensic;help;agent;run' {
            break
        }
        'kforensic;help;agent;capture' {
            break
        }
        'kforensic;help;agent;node-space' {
            break
        }
        'kforensic;help;agent;remove-archive' {
            break
        }
        'kforensic;help;agent;thaw' {
            break
        }
        'kforensic;help;agent;hold' {
            break
        }
        'kforensic;help;agent;export-dir' {
            break
        }
        'kforensic;help;agent;put' {
            break
        }
        'kforensic;help;upload' {
            break
        }
        'kforensic;help;verify' {
            break
        }
        'kforensic;help;decrypt' {
            break
        }
        'kforensic;help;collect' {
            break
        }
        'kforensic;help;triage' {
            break
        }
        'kforensic;help;report' {
            break
        }
        'kforensic;help;timeline' {
            break
        }
        'kforensic;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
