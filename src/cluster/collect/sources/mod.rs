//! The producers: each lists its objects page by page and streams NDJSON lines into its
//! artifact(s), running the rules that look at one object at a time on the way. What the
//! cross-object rules need (roles, bindings, service accounts, privileged pods) comes back in a
//! compact [`Join`] value.

pub mod cronjobs;
pub mod logs;
pub mod netpol;
pub mod pods;
pub mod rbac;
pub mod secrets;
pub mod simple;
pub mod webhooks;

use super::fetch::{Pager, Res};
use super::findings::rbac::{BindingLite, Risks};
use super::findings::serviceaccount::PrivilegedPod;
use super::findings::{Finding, Ident};
use super::writer::Out;
use super::{CollectError, CollectPlan};
use crate::observe::SharedTask as Bar;
use kube::Client;
use kube::api::ListParams;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

pub struct Env {
    pub client: Client,
    pub plan: CollectPlan,
    /// Objects created at or after this time count as recent (now − --since).
    pub since_cutoff: jiff::Timestamp,
}

/// Role key: (namespace for Roles, name).
pub type RoleKey = (Option<String>, String);

/// What a source hands to the cross-object rules.
#[derive(Debug, Default)]
pub enum Join {
    #[default]
    None,
    Roles(HashMap<RoleKey, Risks>),
    Bindings(Vec<BindingLite>),
    ServiceAccounts(HashMap<(String, String), (Ident, Option<bool>)>),
    PrivilegedPods(Vec<PrivilegedPod>),
}

/// What a producer reports when it ends.
#[derive(Debug, Default)]
pub struct Produced {
    pub objects: u64,
    /// Objects in the producer's second artifact (the images of the pod scan).
    pub secondary: u64,
    pub findings: Vec<Finding>,
    pub join: Join,
    pub error: Option<String>,
}

/// The identity fields of a raw list item.
#[derive(Debug, Default, Deserialize)]
pub struct RawMeta {
    #[serde(default)]
    pub metadata: RawIdent,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawIdent {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub uid: Option<String>,
}

impl RawMeta {
    pub fn parse(raw: &str) -> RawMeta {
        serde_json::from_str(raw).unwrap_or_default()
    }
}

/// One NDJSON line: the object's identity, then the object exactly as the server sent it.
pub fn envelope(buf: &mut Vec<u8>, kind: &str, api_version: &str, id: &RawIdent, raw: &str) {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Head<'a> {
        kind: &'a str,
        api_version: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        namespace: Option<&'a str>,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        uid: Option<&'a str>,
    }
    let head =
        Head { kind, api_version, namespace: id.namespace.as_deref(), name: id.name.as_deref().unwrap_or(""), uid: id.uid.as_deref() };
    // serializing these plain strings cannot fail
    let _ = serde_json::to_writer(&mut *buf, &head);
    buf.pop(); // the closing '}'
    buf.extend_from_slice(b",\"object\":");
    buf.extend_from_slice(raw.as_bytes());
    buf.extend_from_slice(b"}\n");
}

/// A serializable record as one NDJSON line.
pub fn line<T: serde::Serialize>(buf: &mut Vec<u8>, v: &T) {
    if serde_json::to_writer(&mut *buf, v).is_ok() {
        buf.push(b'\n');
    }
}

pub fn writer_gone() -> CollectError {
    CollectError::Internal("the bundle writer stopped (see the error for its artifact)".into())
}

/// List `res` over the plan's scope page by page; `item` turns each raw item into NDJSON lines
/// (appended to the page's chunk) and whatever the rules need. Returns the number of items.
pub async fn each_item(
    env: &Env,
    res: &Res,
    params: ListParams,
    mut out: Option<&mut Out>,
    bar: &Bar,
    mut item: impl FnMut(&str, &mut Vec<u8>) -> Result<(), CollectError>,
) -> Result<u64, CollectError> {
    let mut pager = Pager::new(env.client.clone(), res, &env.plan.scope, params);
    let mut n = 0u64;
    let mut first = true;
    while let Some(page) = pager.next().await? {
        if first {
            bar.total(page.len() as u64 + page.remaining.unwrap_or(0).max(0) as u64);
            first = false;
        }
        let mut chunk = Vec::with_capacity(page.text.len() + page.len() * 160);
        for raw in page.items() {
            item(raw, &mut chunk)?;
            n += 1;
        }
        bar.inc(page.len() as u64);
        if let Some(o) = out.as_deref_mut() {
            o.send(chunk).await.map_err(|_| writer_gone())?;
        }
    }
    Ok(n)
}

/// End a producer: mark the bar and the artifact(s), and report.
pub async fn finish(result: Result<Produced, CollectError>, outs: Vec<Out>, bar: &Bar) -> Produced {
    match result {
        Ok(p) => {
            bar.done();
            drop(outs);
            p
        }
        Err(e) => {
            let msg = e.to_string();
            bar.failed(&msg);
            for o in outs {
                o.fail(msg.clone()).await;
            }
            Produced { error: Some(msg), ..Produced::default() }
        }
    }
}

pub type Shared = Arc<Env>;
