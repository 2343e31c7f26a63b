//! Who is making the change or the capture, for the record: the user the API server
//! authenticated (SelfSubjectReview, authentication.k8s.io/v1, Kubernetes 1.28+), else the
//! kubeconfig's user name.

use crate::cluster::ConnectOptions;
use crate::evidence::Operator;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use kube::api::{Api, PostParams};
use kube::config::Kubeconfig;

/// The operator with the groups the server put them in (none when the server cannot say).
pub async fn identity(client: &kube::Client, opts: &ConnectOptions, context: Option<&str>) -> Operator {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    if let Ok(r) = api.create(&PostParams::default(), &SelfSubjectReview::default()).await
        && let Some(u) = r.status.and_then(|s| s.user_info)
        && let Some(name) = u.username.clone().filter(|n| !n.is_empty())
    {
        return Operator { user: Some(name), groups: u.groups.unwrap_or_default() };
    }
    // Older servers answer 404: fall back to what the kubeconfig calls the user.
    Operator { user: kubeconfig_user(opts, context).map(|u| format!("{u} (kubeconfig user)")), groups: vec![] }
}

/// The operator's name, or `unknown`.
pub async fn operator(client: &kube::Client, opts: &ConnectOptions, context: Option<&str>) -> String {
    identity(client, opts, context).await.user.unwrap_or_else(|| "unknown".to_string())
}

fn kubeconfig_user(opts: &ConnectOptions, context: Option<&str>) -> Option<String> {
    let mut kc = Kubeconfig::default();
    for f in crate::cluster::client::kubeconfig_files(opts.kubeconfig.as_deref()) {
        kc = kc.merge(Kubeconfig::read_from(f).ok()?).ok()?;
    }
    let name = context.map(str::to_string).or(kc.current_context.clone())?;
    kc.contexts.into_iter().find(|c| c.name == name)?.context?.user
}
