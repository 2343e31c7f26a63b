
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
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand preflight 'Check, before an incident, that kforensic can do its job on this cluster'
            cand checkpoint 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)'
            cand isolate 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon'
            cand release 'Undo exactly what `isolate` recorded on the pod'
            cand analyze 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory'
            cand image 'The collector image, made from this binary: save it as an OCI archive or push it to a registry'
            cand completions 'Print a shell completion script'
            cand agent 'Node side (runs in the collector pod, or as root on a node): capture containers'
            cand upload 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)'
            cand verify 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness'
            cand decrypt 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash'
            cand collect 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong'
            cand triage 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)'
            cand report 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline'
            cand timeline 'Print a bundle''s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;preflight'= {
            cand --collector-namespace 'Namespace the collector pods run in'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;checkpoint'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand pod 'Snapshot a live pod: API-side state, then every container from its node'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;checkpoint;pod'= {
            cand -l 'Every running pod matching this label selector (e.g. app=web,tier!=db)'
            cand --selector 'Every running pod matching this label selector (e.g. app=web,tier!=db)'
            cand --node 'Every running pod on this node (with -l: those of them that match)'
            cand --parallel 'Several pods: capture at most this many nodes at the same time (the pods of one node go one after another through that node''s one collector)'
            cand -c 'Only these containers (repeatable; default: all, init and ephemeral included)'
            cand --container 'Only these containers (repeatable; default: all, init and ephemeral included)'
            cand --dest 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix'
            cand --memory 'Also capture memory: `kubelet` (CRIU checkpoint through the kubelet API), `proc` (ELF cores read from /proc by the agent), `auto` (kubelet where supported, else proc). `--memory` alone = auto'
            cand --memory-max-bytes 'With --memory=proc: at most this many bytes of memory per container (e.g. 4GiB)'
            cand --kubelet-path 'With --memory=kubelet|auto: how the kubelet is asked. `direct`: by the collector on the node, with a short-lived token of the kforensic-checkpoint ServiceAccount (nodes/checkpoint only; see deploy/rbac-checkpoint.yaml). `proxy`: through the API server''s node proxy (needs nodes/proxy). `auto`: direct, else the proxy'
            cand --image 'Collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)'
            cand --pull-policy 'When the node fetches the collector image'
            cand --collector-namespace 'Namespace for the collector pod (created with pod-security `privileged` when missing)'
            cand --timeout 'Give up after this long (the collector pod ends itself then too)'
            cand --upload-from 'With --dest s3://: who uploads. `client`: this machine, once the bundle is finished (its AWS credentials). `node`: the agent on the pod''s node, as it captures (the node''s credentials: instance role or --node-credentials-secret); bulk data never crosses the API server'
            cand --node-credentials-secret 'With --upload-from node: a Secret in the collector namespace whose keys become the agent''s environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION…). Default: the node''s own credentials (instance metadata, reachable as the collector uses the node''s network)'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --sse 'Server-side encryption of every object'
            cand --sse-kms-key-id 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)'
            cand --object-lock-mode 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)'
            cand --retain-until 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)'
            cand --part-size 'Multipart part size (at least 5MiB), e.g. 16MiB'
            cand --concurrency 'Parts in flight at once (memory used is about this times --part-size)'
            cand --sign-key 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine'
            cand --passphrase-file 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)'
            cand --encrypt-to 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -A 'With -l or --node: in every namespace'
            cand --all-namespaces 'With -l or --node: in every namespace'
            cand --memory-file-mappings 'With --memory=proc (or auto falling back to it): also dump read-only mappings of files still on disk'
            cand --no-freeze 'With --memory=proc: do not freeze the container while its memory is read (no consistent cut)'
            cand --freeze-pod 'Freeze all containers of the pod together (the pod''s cgroup) before any of them is captured and thaw them together afterwards: one consistent cut across the pod (memory, files, processes). Thawed whatever happens (at the latest after 5 minutes, the freeze limit)'
            cand --dry-run 'Print the plan (target, containers, memory, collector, destination, expected artifacts) and stop: nothing is created or changed'
            cand --isolate 'After the volatile state is captured, isolate the pod (deny-all NetworkPolicy + quarantine label)'
            cand --keep-collector 'Leave the collector pod running afterwards (for debugging)'
            cand --include-volumes 'Include mounted volumes in the root filesystem export'
            cand --mask-env 'Replace environment values in inspect.json and volatile.json with sha256:<hex> of the value (names kept), for a responder who must not carry the workload''s secrets. Memory captures still hold them. Default: values kept (they are evidence)'
            cand --no-triage 'Do not triage the capture (by default the findings are printed, worst first, and stored in the bundle as findings.json; see `kforensic triage`)'
            cand --archive 'Also write the bundle as one .tar next to the directory'
            cand --keep-node-archive 'Keep the kubelet''s checkpoint archive on the node after it was shipped (default: delete it)'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;checkpoint;help'= {
            cand pod 'Snapshot a live pod: API-side state, then every container from its node'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;checkpoint;help;pod'= {
        }
        &'kforensic;checkpoint;help;help'= {
        }
        &'kforensic;isolate'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand pod 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;isolate;pod'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --cordon 'Also mark the pod''s node unschedulable (release uncordons it only if kforensic cordoned it)'
            cand --detach 'Remove the labels its controller and Services select on: the controller releases it and starts a replacement, traffic stops reaching it, and it keeps running for forensics'
            cand --allow-dns 'Allow egress to kube-dns (53/UDP and 53/TCP), nothing else'
            cand --dry-run 'Print the objects and patches that would be applied (-o yaml|json for all of them); change nothing'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;isolate;help'= {
            cand pod 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;isolate;help;pod'= {
        }
        &'kforensic;isolate;help;help'= {
        }
        &'kforensic;release'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand pod 'Undo exactly what `isolate pod` recorded on the pod'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;release;pod'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --restore-labels 'Put back the labels --detach removed. Its controller may then adopt the pod again, and delete it if it has more pods than it wants'
            cand --dry-run 'Print what would be undone; change nothing'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;release;help'= {
            cand pod 'Undo exactly what `isolate pod` recorded on the pod'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;release;help;pod'= {
        }
        &'kforensic;release;help;help'= {
        }
        &'kforensic;analyze'= {
            cand --extract 'Extract one regular file of rootfs-diff.tar (path inside the container) into --out DIR'
            cand --search 'Search every process''s memory for a string'
            cand --search-regex 'Search every process''s memory for a regular expression (bytes; no Unicode classes)'
            cand --pid 'Only this process (pid as in --ps-tree) in every per-process view: --ps-tree, --files, --sockets, --search, --deleted'
            cand --context-bytes 'Bytes of context shown on each side of a match'
            cand --max-matches 'Stop searching after this many matches'
            cand --dump-memory 'Write one process''s memory (ELF core layout, sparse) to --out FILE, with FILE.map.json'
            cand --extract-deleted 'Write the deleted file that had PATH (or, with --all, every one) into --out DIR (0600, never over an existing file)'
            cand --out 'Output directory for --extract and --extract-deleted, output file for --dump-memory'
            cand --max-extract-bytes 'Refuse a compressed archive that decompresses to more than this (e.g. 64GiB, 500MiB, bytes)'
            cand -i 'The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar, holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private key into a private temporary directory, removed afterwards'
            cand --identity 'The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar, holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private key into a private temporary directory, removed afterwards'
            cand --passphrase-file 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)'
            cand --max-entries 'Refuse an archive with more members than this'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --extract-diff 'Rebuild the container''s diff tar (added and changed files, deletions as .wh. files) from a capture bundle (or one container''s directory in it) into --out FILE, each file checked against diff.json''s SHA-256'
            cand --ps-tree 'The process tree (pid, ppid, user, state, comm, exe)'
            cand --cmd 'With --ps-tree: each process''s command line, read from its memory'
            cand --env 'With --ps-tree: each process''s environment, read from its memory'
            cand --files 'Open files of every process (plus cwd, root, exe); deleted files are marked'
            cand --sockets 'Sockets of every process: protocol, local and remote address, state'
            cand --mounts 'The container''s mounts (from spec.dump)'
            cand --rootfs-diff 'Files the container added or changed (rootfs-diff.tar) and deleted (deleted.files)'
            cand --stats 'CRIU''s dump statistics (stats-dump): freezing and frozen time, pages scanned and written'
            cand --network 'The container''s network interfaces, addresses and MACs (Podman''s network.status)'
            cand --deleted 'Deleted files whose bytes the checkpoint holds (CRIU ghost files; deleted executables reassembled from memory): path, holders, size, SHA-256'
            cand --all 'With --extract-deleted: every deleted file'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'The checkpoint archives in a directory: engine, container, pod, times, size'
            cand diff 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;analyze;list'= {
            cand --sort 'Order of the rows'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;analyze;diff'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --show-unchanged 'List what is the same in both too'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;analyze;help'= {
            cand list 'The checkpoint archives in a directory: engine, container, pod, times, size'
            cand diff 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;analyze;help;list'= {
        }
        &'kforensic;analyze;help;diff'= {
        }
        &'kforensic;analyze;help;help'= {
        }
        &'kforensic;image'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand save 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
            cand push 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;image;save'= {
            cand --out 'The archive to write'
            cand --name 'The name recorded in the archive (what `ctr images import` and `docker load` call it)'
            cand --binary 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;image;push'= {
            cand --binary 'The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a multi-architecture image. Default: this binary. A dynamically linked build brings the shared libraries it loads from this machine'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --plain-http 'Talk to the registry over plain HTTP (a registry on localhost or a lab network)'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;image;help'= {
            cand save 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
            cand push 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;image;help;save'= {
        }
        &'kforensic;image;help;push'= {
        }
        &'kforensic;image;help;help'= {
        }
        &'kforensic;completions'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
            cand capture 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
            cand node-space 'Is there room on the node for a kubelet checkpoint of this container?'
            cand remove-archive 'Remove a kubelet checkpoint archive from the node once it was shipped'
            cand thaw 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
            cand hold 'Idle until the deadline (the collector pod''s main process; captures run through exec)'
            cand export-dir 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
            cand put 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;agent;run'= {
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;capture'= {
            cand --container 'Container to capture: a Kubernetes container ID (containerd://ID, cri-o://ID, docker://ID) or a bare ID. Repeatable'
            cand --targets 'JSON list of targets (`[{"container_id", "namespace", "pod", "pod_uid", "container", "checkpoint_archive"}]`); ''-'' reads stdin'
            cand --targets-json 'The same JSON target list given inline (one exec for many containers, no stdin needed)'
            cand --pod-namespace 'Pod namespace of the (single) --container, for evidence paths and node log files'
            cand --pod-name 'Pod name of the (single) --container'
            cand --pod-uid 'Pod UID of the (single) --container (finds /var/log/pods/<ns>_<pod>_<uid>)'
            cand --container-name 'Container name in the pod spec of the (single) --container'
            cand --steps 'Steps to run: inspect, diff, export, volatile, logs, history, memory'
            cand --encrypt-to 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest'
            cand --checkpoint-archive 'Kubelet checkpoint archive (host path) of the (single) --container, shipped as checkpoint.tar'
            cand --memory-max-bytes 'With the `memory` step: at most this much memory per container (e.g. 4GiB, or bytes)'
            cand --out 'Write artifacts into this directory (plus index.json)'
            cand --upload-to 'With --stream: upload every artifact from this node straight to S3 under this prefix (the bundle''s own, s3://bucket/prefix/<case-id>) with the node''s credentials; the stream then carries only their records'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --sse 'Server-side encryption of every object'
            cand --sse-kms-key-id 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)'
            cand --object-lock-mode 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)'
            cand --retain-until 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)'
            cand --part-size 'Multipart part size (at least 5MiB), e.g. 16MiB'
            cand --concurrency 'Parts in flight at once (memory used is about this times --part-size)'
            cand --docker-host 'Docker Engine socket for docker:// containers (unix:///path)'
            cand --runc-root 'Extra runc state root (host path) to find state.json in. Repeatable'
            cand --pod-log-dir 'The kubelet''s pod log directory (host path)'
            cand --kubelet-checkpoint-dir 'The kubelet''s checkpoint directory (host path): --checkpoint-archive must be a checkpoint-*.tar directly in it'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --include-volumes 'Include volumes (non-pseudo mounts inside the container) in the export'
            cand --mask-env 'Replace environment values in inspect.json and volatile.json with sha256:<hex>'
            cand --memory-file-mappings 'With the `memory` step: also dump read-only mappings of files still on disk'
            cand --no-freeze 'With the `memory` step: do not freeze the container while its memory is read'
            cand --stream 'Write the framed evidence stream on stdout (progress as JSON lines on stderr)'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;node-space'= {
            cand --container 'The container to be checkpointed (its shim gives the way to the node''s filesystem)'
            cand --dir 'dir'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;remove-archive'= {
            cand --container 'container'
            cand --path 'Host path of the archive (only /var/lib/kubelet/checkpoints/checkpoint-*.tar)'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;thaw'= {
            cand --cgroup 'The cgroup directory announced as `frozen_cgroup`'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;hold'= {
            cand --seconds 'Exit after this many seconds'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;export-dir'= {
            cand --out 'Output file'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --zstd 'Compress with zstd'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;put'= {
            cand --dest 'The bundle''s own prefix: s3://bucket/prefix/<case-id>'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --sse 'Server-side encryption of every object'
            cand --sse-kms-key-id 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)'
            cand --object-lock-mode 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)'
            cand --retain-until 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)'
            cand --part-size 'Multipart part size (at least 5MiB), e.g. 16MiB'
            cand --concurrency 'Parts in flight at once (memory used is about this times --part-size)'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --check 'Only check that the bucket can be reached with the node''s credentials; upload nothing'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;agent;help'= {
            cand run 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
            cand capture 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
            cand node-space 'Is there room on the node for a kubelet checkpoint of this container?'
            cand remove-archive 'Remove a kubelet checkpoint archive from the node once it was shipped'
            cand thaw 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
            cand hold 'Idle until the deadline (the collector pod''s main process; captures run through exec)'
            cand export-dir 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
            cand put 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;agent;help;run'= {
        }
        &'kforensic;agent;help;capture'= {
        }
        &'kforensic;agent;help;node-space'= {
        }
        &'kforensic;agent;help;remove-archive'= {
        }
        &'kforensic;agent;help;thaw'= {
        }
        &'kforensic;agent;help;hold'= {
        }
        &'kforensic;agent;help;export-dir'= {
        }
        &'kforensic;agent;help;put'= {
        }
        &'kforensic;agent;help;help'= {
        }
        &'kforensic;upload'= {
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --sse 'Server-side encryption of every object'
            cand --sse-kms-key-id 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)'
            cand --object-lock-mode 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)'
            cand --retain-until 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)'
            cand --part-size 'Multipart part size (at least 5MiB), e.g. 16MiB'
            cand --concurrency 'Parts in flight at once (memory used is about this times --part-size)'
            cand --sign-key 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine'
            cand --passphrase-file 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;verify'= {
            cand --allowed-signers 'Require a valid signature by one of these keys (OpenSSH allowed-signers format, as for `ssh-keygen -Y verify -f`); the signer is named. Without it, verify says whether and by which key the bundle is signed'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --no-record 'Do not append a `verify` event to a local bundle''s custody.log'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;decrypt'= {
            cand -i 'The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file)'
            cand --identity 'The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file)'
            cand --passphrase-file 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)'
            cand --out 'Where the plaintext tree goes (created 0700, files 0600; existing files are never overwritten)'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;collect'= {
            cand -l 'Only pods (and their logs and images) matching this label selector'
            cand --selector 'Only pods (and their logs and images) matching this label selector'
            cand --since 'Logs from this far back; objects created within it count as recent (e.g. 30m, 24h, 7d)'
            cand --dest 'Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix'
            cand --region 'AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url)'
            cand --endpoint-url 'S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style'
            cand --sse 'Server-side encryption of every object'
            cand --sse-kms-key-id 'KMS key for --sse aws:kms (default: the bucket''s / account''s key)'
            cand --object-lock-mode 'Object Lock retention mode (write-once evidence; the bucket must have Object Lock on)'
            cand --retain-until 'Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z)'
            cand --part-size 'Multipart part size (at least 5MiB), e.g. 16MiB'
            cand --concurrency 'Parts in flight at once (memory used is about this times --part-size)'
            cand --sign-key 'Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine'
            cand --passphrase-file 'The passphrase of a passphrase-protected OpenSSH key, as the first line of this file (for runbooks; without it the passphrase is asked on the terminal, without echo)'
            cand --encrypt-to 'Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519 recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments). Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest'
            cand --sources 'Which sources (comma-separated; `rbac` = the four RBAC sources; default: all)'
            cand --image 'With --shell-history: the collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE)'
            cand --pull-policy 'With --shell-history: when the node fetches the collector image'
            cand --collector-namespace 'With --shell-history: namespace for the collector pods (created with pod-security `privileged` when missing)'
            cand --page-size 'Objects per list page'
            cand --source-concurrency 'Sources fetched at the same time'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -A 'Every namespace (otherwise -n NS[,NS…] (repeatable), or the context''s namespace)'
            cand --all-namespaces 'Every namespace (otherwise -n NS[,NS…] (repeatable), or the context''s namespace)'
            cand --virtual-hosted-style 'Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url'
            cand --include-secret-values 'Write secrets whole, values included (default: name, type, keys, owners, age only)'
            cand --shell-history 'Also read the shell histories of every running container in scope, from the node side: one privileged collector pod per node runs the node agent (never an exec into a container); adds the KF-HIST rules. Needs the collector permissions of `checkpoint`'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;triage'= {
            cand --fail-on 'Exit 4 when a finding is at least this severe (critical, high, medium, low, info)'
            cand --yara 'YARA rules to add to the built-in ones (miners, webshells): a rule file, or a directory of .yar/.yara files. Repeatable. Memory matches name the pid, address and mapping'
            cand --rules 'Your own rules: a directory of .yaml/.yml rule files, or one file. Repeatable. Each rule has an id (not KF-…), a severity, a one-line reason and matchers (comm, exe, cmdline, env, path, string); see the book''s triage page for the format'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand --no-memory 'Do not scan process memory (faster on large captures)'
            cand --no-yara 'Run no YARA rules at all (not even the built-in ones)'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;report'= {
            cand --format 'format'
            cand --out 'The file to write (refused when it exists)'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;timeline'= {
            cand --format 'format'
            cand --kubeconfig 'Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl merges them, then ~/.kube/config, then the in-cluster service account)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand -n 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand --namespace 'Namespace (default: the context''s namespace, else "default"). `collect` takes several (repeat -n, or comma-separate them); every other command works in one'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --case-id 'Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default: generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, ''.'', ''_'', ''-''; at most 63'
            cand -v 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand --verbose 'More detail on stderr (repeat for more); errors show their full cause chain'
            cand -q 'Only errors on stderr; no progress bars'
            cand --quiet 'Only errors on stderr; no progress bars'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kforensic;help'= {
            cand preflight 'Check, before an incident, that kforensic can do its job on this cluster'
            cand checkpoint 'Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state)'
            cand isolate 'Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon'
            cand release 'Undo exactly what `isolate` recorded on the pod'
            cand analyze 'Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory'
            cand image 'The collector image, made from this binary: save it as an OCI archive or push it to a registry'
            cand completions 'Print a shell completion script'
            cand agent 'Node side (runs in the collector pod, or as root on a node): capture containers'
            cand upload 'Ship a local evidence bundle to S3 (verified first; resumes; manifest last)'
            cand verify 'Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness'
            cand decrypt 'Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash'
            cand collect 'Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong'
            cand triage 'Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF)'
            cand report 'Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline'
            cand timeline 'Print a bundle''s timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kforensic;help;preflight'= {
        }
        &'kforensic;help;checkpoint'= {
            cand pod 'Snapshot a live pod: API-side state, then every container from its node'
        }
        &'kforensic;help;checkpoint;pod'= {
        }
        &'kforensic;help;isolate'= {
            cand pod 'Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it from its controller and Services and cordon its node. The pod keeps running'
        }
        &'kforensic;help;isolate;pod'= {
        }
        &'kforensic;help;release'= {
            cand pod 'Undo exactly what `isolate pod` recorded on the pod'
        }
        &'kforensic;help;release;pod'= {
        }
        &'kforensic;help;analyze'= {
            cand list 'The checkpoint archives in a directory: engine, container, pod, times, size'
            cand diff 'What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff'
        }
        &'kforensic;help;analyze;list'= {
        }
        &'kforensic;help;analyze;diff'= {
        }
        &'kforensic;help;image'= {
            cand save 'Write the collector image as an OCI archive (ctr images import, skopeo, docker load)'
            cand push 'Push the collector image to a registry and print the pinned reference (NAME@sha256:…)'
        }
        &'kforensic;help;image;save'= {
        }
        &'kforensic;help;image;push'= {
        }
        &'kforensic;help;completions'= {
        }
        &'kforensic;help;agent'= {
            cand run 'Serve one request document read from the first line of stdin (how the CLI drives the agent)'
            cand capture 'Capture containers running on this node: inspect, diff, export, volatile state, logs, histories'
            cand node-space 'Is there room on the node for a kubelet checkpoint of this container?'
            cand remove-archive 'Remove a kubelet checkpoint archive from the node once it was shipped'
            cand thaw 'Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died)'
            cand hold 'Idle until the deadline (the collector pod''s main process; captures run through exec)'
            cand export-dir 'Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests)'
            cand put 'Upload an evidence stream read on stdin to S3 with this node''s credentials; the records of what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`)'
        }
        &'kforensic;help;agent;run'= {
        }
        &'kforensic;help;agent;capture'= {
        }
        &'kforensic;help;agent;node-space'= {
        }
        &'kforensic;help;agent;remove-archive'= {
        }
        &'kforensic;help;agent;thaw'= {
        }
        &'kforensic;help;agent;hold'= {
        }
        &'kforensic;help;agent;export-dir'= {
        }
        &'kforensic;help;agent;put'= {
        }
        &'kforensic;help;upload'= {
        }
        &'kforensic;help;verify'= {
        }
        &'kforensic;help;decrypt'= {
        }
        &'kforensic;help;collect'= {
        }
        &'kforensic;help;triage'= {
        }
        &'kforensic;help;report'= {
        }
        &'kforensic;help;timeline'= {
        }
        &'kforensic;help;help'= {
        }
    ]
    $completions[$command]
}
