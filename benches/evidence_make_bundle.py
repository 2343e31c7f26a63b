#!/usr/bin/env python3
"""Make evidence bundles for benches/evidence.sh without kforensic: random artifacts, a custody
log whose lines chain by SHA-256, and a manifest sealed by the custody log's `finalized` event
(the bundle v1 layout). Usage: evidence_make_bundle.py DIR MIB -> DIR/bundles/bench-case
(artifacts) and DIR/hash/hash-case (one large artifact, hard-linked)."""
import hashlib, json, os, sys, datetime
root, mib = sys.argv[1], int(sys.argv[2])
def now(): return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
def make(dest, case, files):
    d = os.path.join(dest, case); os.makedirs(d)
    lines, prev = [], hashlib.sha256(b"").hexdigest()
    def event(kind, details):
        nonlocal prev
        line = json.dumps({"seq": len(lines) + 1, "time": now(), "event": kind, "actor": "bench@local",
                           "details": details, "prev_sha256": prev}, separators=(",", ":")).encode()
        lines.append(line); prev = hashlib.sha256(line).hexdigest()
    event("bundle_created", {"case_id": case})
    arts = []
    for rel, size, src in files:
        p = os.path.join(d, rel); os.makedirs(os.path.dirname(p), exist_ok=True)
        t0 = now(); h = hashlib.sha256()
        if src:
            os.link(src, p)
            with open(p, "rb") as f:
                for c in iter(lambda: f.read(1 << 20), b""):
                    h.update(c)
        else:
            with open(p, "wb") as f:
                left = size
                while left:
                    c = os.urandom(min(left, 1 << 20)); f.write(c); h.update(c); left -= len(c)
        arts.append({"path": rel, "media_type": "application/octet-stream", "source": "bench", "bytes": size,
                     "sha256": h.hexdigest(), "started_at": t0, "finished_at": now()})
        event("artifact_finished", {"path": rel, "bytes": size, "sha256": h.hexdigest()})
    m = {"schema": "kforensic.io/evidence/v1", "case_id": case, "tool": {"name": "kforensic", "version": "bench"},
         "operator": {"user": None, "groups": []}, "cluster": {"server": None, "version": None, "context": None},
         "targets": [], "artifacts": arts, "errors": [], "complete": True}
    mb = (json.dumps(m, indent=2) + "\n").encode()
    event("finalized", {"manifest_sha256": hashlib.sha256(mb).hexdigest(), "artifacts": len(arts), "complete": True})
    open(os.path.join(d, "custody.log"), "wb").write(b"".join(l + b"\n" for l in lines))
    open(os.path.join(d, "manifest.json"), "wb").write(mb)
    return d
big = mib * 3 // 4
rest = mib - big - 16
files = [("pods/ns/pod/app/rootfs.tar.zst", big << 20, None), ("pods/ns/pod/app/checkpoint.tar", rest << 20, None)]
files += [(f"triage/source-{i:02}.ndjson", 1 << 20, None) for i in range(16)]
b = make(os.path.join(root, "bundles"), "bench-case", files)
make(os.path.join(root, "hash"), "hash-case", [("big.bin", big << 20, os.path.join(b, files[0][0]))])
