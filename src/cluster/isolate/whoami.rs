//! Who is making the change, for the record: the user the API server authenticated
//! (SelfSubjectReview, authentication.k8s.io/v1, Kubernetes 1.28+), else the kubeconfig's user name.

use crate::cluster::ConnectOptions;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use kube::api::{Api, PostParams};
use kube::config::Kubeconfig;

pub async fn operator(client: &kube::Client, opts: &ConnectOptions, context: Option<&str>) -> String {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    if let Ok(r) = api.create(&PostParams::default(), &SelfSubjectReview::default()).await
        && let Some(name) = r.status.and_then(|s| s.user_info).and_then(|u| u.username).filter(|n| !n.is_empty())
    {
        return name;
    }
    // Older servers answer 404: fall back to what the kubeconfig calls the user.
    kubeconfig_user(opts, context).map(|u| format!("{u} (kubeconfig user)")).unwrap_or_else(|| "unknown".to_string())
}

fn kubeconfig_user(opts: &ConnectOptions, context: Option<&str>) -> Option<String> {
    let kc = match &opts.kubeconfig {
        Some(p) => Kubeconfig::read_from(p).ok()?,
        None => Kubeconfig::read().ok()?,
    };
    let name = context.map(str::to_string).or(kc.current_context.clone())?;
    kc.contexts.into_iter().find(|c| c.name == name)?.context?.user
}
