//! Sources written as the server sends them, with no rule of their own: events, jobs, nodes;
//! and service accounts (their automount setting goes to the join).

use super::{Join, Produced, RawMeta, Shared, each_item, envelope, finish};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::findings::Ident;
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use std::collections::HashMap;

/// Any resource, every object as one line.
pub async fn raw(env: Shared, res: Res, mut out: Out, bar: Bar) -> Produced {
    let api_version = res.api_version();
    let r = async {
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            envelope(buf, res.kind, &api_version, &RawMeta::parse(raw).metadata, raw);
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}

pub fn events() -> Res {
    Res::core("events", "Event", true)
}
pub fn nodes() -> Res {
    Res::core("nodes", "Node", false)
}
pub fn jobs() -> Res {
    Res::new("batch", "v1", "jobs", "Job", true)
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SaLite {
    #[serde(default)]
    metadata: super::RawIdent,
    automount_service_account_token: Option<bool>,
}

/// Service accounts (automount setting, image pull secrets: all in the object).
pub async fn service_accounts(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let res = Res::core("serviceaccounts", "ServiceAccount", true);
    let r = async {
        let mut map = HashMap::new();
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            let sa: SaLite =
                serde_json::from_str(raw).unwrap_or(SaLite { metadata: Default::default(), automount_service_account_token: None });
            envelope(buf, "ServiceAccount", "v1", &sa.metadata, raw);
            if let (Some(ns), Some(name)) = (sa.metadata.namespace.clone(), sa.metadata.name.clone()) {
                let ident = Ident {
                    kind: "ServiceAccount".into(),
                    api_version: "v1".into(),
                    namespace: Some(ns.clone()),
                    name: name.clone(),
                    uid: sa.metadata.uid.clone(),
                };
                map.insert((ns, name), (ident, sa.automount_service_account_token));
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, join: Join::ServiceAccounts(map), ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}
