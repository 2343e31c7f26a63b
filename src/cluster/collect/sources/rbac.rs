//! Roles, cluster roles and their bindings. Roles leave their risk summary and bindings their
//! subjects for the join (KF-RBAC-*), which runs once all four are listed.

use super::{Join, Produced, RawIdent, RawMeta, Shared, each_item, envelope, finish};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::findings::Ident;
use crate::cluster::collect::findings::rbac::{BindingLite, role_risks};
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use std::collections::HashMap;

const GROUP: &str = "rbac.authorization.k8s.io";
const AV: &str = "rbac.authorization.k8s.io/v1";

#[derive(serde::Deserialize)]
struct RoleLite {
    #[serde(default)]
    metadata: RawIdent,
    #[serde(default)]
    rules: Option<Vec<PolicyRule>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BindingRaw {
    #[serde(default)]
    metadata: BindingMeta,
    role_ref: RoleRef,
    #[serde(default)]
    subjects: Option<Vec<Subject>>,
}

#[derive(Default, serde::Deserialize)]
struct BindingMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    #[serde(default)]
    labels: Option<HashMap<String, String>>,
}

/// Roles (`cluster = false`) or cluster roles.
pub async fn roles(env: Shared, cluster: bool, mut out: Out, bar: Bar) -> Produced {
    let res =
        if cluster { Res::new(GROUP, "v1", "clusterroles", "ClusterRole", false) } else { Res::new(GROUP, "v1", "roles", "Role", true) };
    let r = async {
        let mut map = HashMap::new();
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<RoleLite>(raw) {
                Ok(role) => {
                    envelope(buf, res.kind, AV, &role.metadata, raw);
                    let name = role.metadata.name.clone().unwrap_or_default();
                    let risks = role_risks(&name, cluster, role.rules.as_deref().unwrap_or_default());
                    if risks.any() {
                        map.insert((role.metadata.namespace.clone(), name), risks);
                    }
                }
                Err(_) => envelope(buf, res.kind, AV, &RawMeta::parse(raw).metadata, raw),
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, join: Join::Roles(map), ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}

/// Role bindings (`cluster = false`) or cluster role bindings.
pub async fn bindings(env: Shared, cluster: bool, mut out: Out, bar: Bar) -> Produced {
    let res = if cluster {
        Res::new(GROUP, "v1", "clusterrolebindings", "ClusterRoleBinding", false)
    } else {
        Res::new(GROUP, "v1", "rolebindings", "RoleBinding", true)
    };
    let r = async {
        let mut list = Vec::new();
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<BindingRaw>(raw) {
                Ok(b) => {
                    let id =
                        RawIdent { name: b.metadata.name.clone(), namespace: b.metadata.namespace.clone(), uid: b.metadata.uid.clone() };
                    envelope(buf, res.kind, AV, &id, raw);
                    let bootstrap =
                        b.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/bootstrapping")).is_some_and(|v| v == "rbac-defaults");
                    list.push(BindingLite {
                        ident: Ident {
                            kind: res.kind.into(),
                            api_version: AV.into(),
                            namespace: id.namespace,
                            name: id.name.unwrap_or_default(),
                            uid: id.uid,
                        },
                        role_ref: b.role_ref,
                        subjects: b.subjects.unwrap_or_default(),
                        bootstrap,
                    });
                }
                Err(_) => envelope(buf, res.kind, AV, &RawMeta::parse(raw).metadata, raw),
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, join: Join::Bindings(list), ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}
