//! Network policies, then one line per namespace in scope that has none (KF-NS-001).

use super::{Produced, RawMeta, Shared, each_item, envelope, finish, line, writer_gone};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::findings::Ident;
use crate::cluster::collect::findings::namespace::without_network_policy;
use crate::cluster::collect::writer::Out;
use crate::cluster::collect::{CollectError, Scope};
use crate::observe::SharedTask as Bar;
use std::collections::BTreeMap;

/// The namespaces in scope: name → uid.
async fn namespaces(env: &Shared) -> Result<BTreeMap<String, Option<String>>, CollectError> {
    let mut out = BTreeMap::new();
    match &env.plan.scope {
        Scope::All => {
            let res = Res::core("namespaces", "Namespace", false);
            let lp = list_params(env.plan.page_size, None, None);
            each_item(env, &res, lp, None, &crate::observe::hidden_task(), |raw, _| {
                let m = RawMeta::parse(raw).metadata;
                if let Some(n) = m.name {
                    out.insert(n, m.uid);
                }
                Ok(())
            })
            .await?;
        }
        Scope::Namespaces(list) => {
            let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(env.client.clone());
            for ns in list {
                let got = api.get(ns).await.map_err(|e| CollectError::kube(format!("get namespace {ns}"), e))?;
                out.insert(ns.clone(), got.metadata.uid);
            }
        }
    }
    Ok(out)
}

pub async fn run(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let res = Res::new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true);
    let r = async {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            let m = RawMeta::parse(raw).metadata;
            *counts.entry(m.namespace.clone().unwrap_or_default()).or_default() += 1;
            envelope(buf, "NetworkPolicy", "networking.k8s.io/v1", &m, raw);
            Ok(())
        })
        .await?;
        let mut findings = Vec::new();
        let mut buf = Vec::new();
        for (name, uid) in namespaces(&env).await? {
            let ident = Ident { kind: "Namespace".into(), api_version: "v1".into(), namespace: None, name: name.clone(), uid };
            if let Some(f) = without_network_policy(&ident, counts.get(&name).copied().unwrap_or(0)) {
                #[derive(serde::Serialize)]
                #[serde(rename_all = "camelCase")]
                struct NoPolicy<'a> {
                    #[serde(flatten)]
                    ident: &'a Ident,
                    network_policies: usize,
                }
                line(&mut buf, &NoPolicy { ident: &ident, network_policies: 0 });
                findings.push(f);
            }
        }
        out.send(buf).await.map_err(|_| writer_gone())?;
        Ok(Produced { objects: n, findings, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}
