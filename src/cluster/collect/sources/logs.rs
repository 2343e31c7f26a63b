//! Container logs through the API (current, and previous for restarted containers), one NDJSON
//! line per log line with the pod's identity. Several logs are fetched ahead of the one being
//! written, each through a small bounded queue: memory stays flat however long a log is.

use super::{Produced, Shared, finish, line, writer_gone};
use crate::cluster::collect::CollectError;
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::writer::Out;
use crate::cluster::error::is_forbidden;
use crate::observe::SharedTask as Bar;
use futures::AsyncBufReadExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use serde::Serialize;
use std::collections::VecDeque;
use tokio::sync::mpsc;

/// Longest log line kept as one record; longer lines are split (`continued: true`).
const MAX_LINE: usize = 64 * 1024;
/// How the kubelet answers (with HTTP 200) when it has no such log.
const KUBELET_FAILURE: &[u8] = b"unable to retrieve container logs for ";
/// Logs fetched ahead of the one being written.
const LOOKAHEAD: usize = 8;

#[derive(Debug, Clone)]
struct Target {
    namespace: String,
    pod: String,
    uid: Option<String>,
    container: String,
    previous: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogLine<'a> {
    kind: &'static str,
    api_version: &'static str,
    namespace: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
    container: &'a str,
    previous: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<&'a str>,
    /// The line's bytes when they are not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    line_base64: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    continued: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl Target {
    fn record<'a>(&'a self, time: Option<&'a str>, bytes: &'a [u8], continued: bool) -> LogLine<'a> {
        let (line, line_base64) = match std::str::from_utf8(bytes) {
            Ok(s) => (Some(s), None),
            Err(_) => {
                use base64::Engine;
                (None, Some(base64::engine::general_purpose::STANDARD.encode(bytes)))
            }
        };
        self.line_of(time, line, line_base64, continued)
    }
    /// A record of this log's pod and container.
    fn line_of<'a>(&'a self, time: Option<&'a str>, line: Option<&'a str>, line_base64: Option<String>, continued: bool) -> LogLine<'a> {
        LogLine {
            kind: "Pod",
            api_version: "v1",
            namespace: &self.namespace,
            name: &self.pod,
            uid: self.uid.as_deref(),
            container: &self.container,
            previous: self.previous,
            time,
            line,
            line_base64,
            continued,
            error: None,
        }
    }
    fn error<'a>(&'a self, msg: &'a str) -> LogLine<'a> {
        LogLine { error: Some(msg), ..self.line_of(None, None, None, false) }
    }
}

/// The logs of a pod that exist: started containers (current), restarted ones (previous).
fn targets(pod: &Pod) -> Vec<Target> {
    let mut v = Vec::new();
    let Some(status) = &pod.status else { return v };
    let all = status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten())
        .chain(status.ephemeral_container_statuses.iter().flatten());
    for cs in all {
        // `previous=false` reads the newest instance, running or not; `previous=true` the one before
        let state = cs.state.as_ref();
        let ran_before = cs.last_state.as_ref().is_some_and(|s| s.terminated.is_some());
        let started = state.is_some_and(|s| s.running.is_some() || s.terminated.is_some()) || ran_before;
        let restarted = cs.restart_count > 0;
        let t = |previous| Target {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            pod: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone(),
            container: cs.name.clone(),
            previous,
        };
        if restarted {
            v.push(t(true));
        }
        if started {
            v.push(t(false));
        }
    }
    v
}

/// Split one `timestamps=true` log line into (time, text).
fn split_time(line: &[u8]) -> (Option<&str>, &[u8]) {
    if let Some(sp) = memchr::memchr(b' ', line)
        && (20..=40).contains(&sp)
        && let Ok(t) = std::str::from_utf8(&line[..sp])
        && t.as_bytes()[4] == b'-'
        && t.ends_with('Z')
    {
        return (Some(t), &line[sp + 1..]);
    }
    (None, line)
}

/// A chunk of NDJSON, or the end of the whole source (permission denied: every log would fail).
type Chunk = Result<Vec<u8>, CollectError>;

/// Stream one container's log into `tx` as NDJSON chunks.
async fn fetch(env: Shared, t: Target, tx: mpsc::Sender<Chunk>) {
    let api: Api<Pod> = Api::namespaced(env.client.clone(), &t.namespace);
    let lp = LogParams {
        container: Some(t.container.clone()),
        previous: t.previous,
        timestamps: true,
        since_seconds: Some(env.plan.since.as_secs().max(1) as i64),
        ..LogParams::default()
    };
    let reader = match api.log_stream(&t.pod, &lp).await {
        Ok(r) => Box::pin(r),
        Err(e) => {
            let forbidden = is_forbidden(&e);
            let err = CollectError::kube(format!("logs of {}/{} ({})", t.namespace, t.pod, t.container), e);
            if forbidden {
                let _ = tx.send(Err(err)).await;
            } else {
                let mut buf = Vec::new();
                line(&mut buf, &t.error(&err.to_string()));
                let _ = tx.send(Ok(buf)).await;
            }
            return;
        }
    };
    pump(reader, &t, &tx).await;
}

/// Turn a log stream into NDJSON records sent as chunks of about 64 KiB.
async fn pump<R: futures::AsyncBufRead + Unpin>(mut reader: R, t: &Target, tx: &mpsc::Sender<Chunk>) {
    let mut buf = Vec::new();
    let mut raw = Vec::with_capacity(4096);
    let mut continued = false;
    let mut first = true;
    loop {
        raw.clear();
        // read one line, at most MAX_LINE bytes
        let mut eof = false;
        let mut newline = false;
        loop {
            let avail = match reader.fill_buf().await {
                Ok(b) => b,
                Err(e) => {
                    line(&mut buf, &t.error(&format!("log stream broke: {e}")));
                    eof = true;
                    break;
                }
            };
            if avail.is_empty() {
                eof = true;
                break;
            }
            let room = MAX_LINE - raw.len();
            match memchr::memchr(b'\n', &avail[..avail.len().min(room)]) {
                Some(i) => {
                    raw.extend_from_slice(&avail[..i]);
                    reader.consume_unpin(i + 1);
                    newline = true;
                    break;
                }
                None => {
                    let take = avail.len().min(room);
                    raw.extend_from_slice(&avail[..take]);
                    reader.consume_unpin(take);
                    if raw.len() >= MAX_LINE {
                        break;
                    }
                }
            }
        }
        if first && raw.starts_with(KUBELET_FAILURE) {
            // the kubelet reports a missing log inside a 200 answer
            line(&mut buf, &t.error(&String::from_utf8_lossy(&raw)));
            let _ = tx.send(Ok(buf)).await;
            return;
        }
        first = false;
        // an empty piece is a real empty line, unless it only ends a split one
        if !raw.is_empty() || (newline && !continued) {
            let (time, text) = if continued { (None, &raw[..]) } else { split_time(&raw) };
            line(&mut buf, &t.record(time, text, continued));
        }
        // a piece cut at MAX_LINE goes on in the next record
        continued = !newline && !eof;
        if (buf.len() >= 64 * 1024 || (eof && !buf.is_empty())) && tx.send(Ok(std::mem::take(&mut buf))).await.is_err() {
            return;
        }
        if eof {
            return;
        }
    }
}

pub async fn run(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let res = Res::core("pods", "Pod", true);
    let r = async {
        // pods that never started have no logs: skip them on the server side
        let lp = list_params(env.plan.page_size, env.plan.selector.as_deref(), Some("status.phase!=Pending"));
        let mut pending: Vec<Target> = Vec::new();
        let mut lines = 0u64;
        // collect one page of targets at a time, then drain their logs before the next page
        let mut pager = crate::cluster::collect::fetch::Pager::new(env.client.clone(), &res, &env.plan.scope, lp);
        while let Some(page) = pager.next().await? {
            for raw in page.items() {
                if let Ok(pod) = serde_json::from_str::<Pod>(raw) {
                    pending.extend(targets(&pod));
                }
            }
            drop(page);
            let mut queue: VecDeque<mpsc::Receiver<Chunk>> = VecDeque::new();
            let mut todo = std::mem::take(&mut pending).into_iter();
            loop {
                while queue.len() < LOOKAHEAD {
                    let Some(t) = todo.next() else { break };
                    let (tx, rx) = mpsc::channel(4);
                    tokio::spawn(fetch(env.clone(), t, tx));
                    queue.push_back(rx);
                }
                let Some(mut rx) = queue.pop_front() else { break };
                while let Some(chunk) = rx.recv().await {
                    let chunk = chunk?;
                    lines += memchr::memchr_iter(b'\n', &chunk).count() as u64;
                    out.send(chunk).await.map_err(|_| writer_gone())?;
                }
                bar.inc(1);
            }
        }
        Ok(Produced { objects: lines, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn records(input: &[u8]) -> Vec<serde_json::Value> {
        let t = Target { namespace: "n".into(), pod: "p".into(), uid: None, container: "c".into(), previous: false };
        let (tx, mut rx) = mpsc::channel(1000);
        pump(futures::io::Cursor::new(input.to_vec()), &t, &tx).await;
        drop(tx);
        let mut out = Vec::new();
        while let Some(Ok(chunk)) = rx.recv().await {
            for l in chunk.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                out.push(serde_json::from_slice(l).unwrap());
            }
        }
        out
    }

    #[tokio::test]
    async fn long_empty_and_binary_lines() {
        let long = "x".repeat(MAX_LINE + 10);
        let mut input = format!("2026-11-25T15:00:00.1Z first\n2026-11-25T15:00:01.2Z {long}\n\n").into_bytes();
        input.extend_from_slice(b"2026-11-25T15:00:02.3Z \xff\xfe\nlast-without-newline");
        let r = records(&input).await;
        assert_eq!(r[0]["line"], "first");
        assert_eq!(r[0]["time"], "2026-11-25T15:00:00.1Z");
        // the long line: cut at MAX_LINE, the rest continues it
        let first_piece = r[1]["line"].as_str().unwrap();
        assert_eq!(r[2]["continued"], true);
        assert_eq!(format!("{first_piece}{}", r[2]["line"].as_str().unwrap()), long);
        assert_eq!(r[3]["line"], "", "a real empty line stays a record");
        assert!(r[3].get("continued").is_none());
        assert_eq!(r[4]["lineBase64"], "//4=");
        assert_eq!(r[5]["line"], "last-without-newline");
        assert_eq!(r.len(), 6);
    }

    #[tokio::test]
    async fn the_kubelets_missing_log_answer_is_an_error_record() {
        let r = records(b"unable to retrieve container logs for containerd://abc").await;
        assert_eq!(r.len(), 1);
        assert!(r[0]["error"].as_str().unwrap().contains("containerd://abc"));
        assert!(r[0].get("line").is_none());
    }

    #[test]
    fn timestamps_are_split_off() {
        let (t, rest) = split_time(b"2026-11-25T15:00:00.123456789Z hello world");
        assert_eq!(t, Some("2026-11-25T15:00:00.123456789Z"));
        assert_eq!(rest, b"hello world");
        let (t, rest) = split_time(b"no timestamp here");
        assert_eq!(t, None);
        assert_eq!(rest, b"no timestamp here");
    }
}
