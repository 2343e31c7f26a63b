//! Pods: one line per pod, the pod rules, the privileged pods for KF-SA-001, and the images in
//! use (one line per image and digest, written once the pods are done).

use super::{Join, Produced, RawIdent, Shared, each_item, envelope, finish, line, writer_gone};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::findings::pod::{findings_on_pod, privileged_issues, spec_issues};
use crate::cluster::collect::findings::serviceaccount::PrivilegedPod;
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;
use std::collections::BTreeMap;

/// Pods referencing one image, listed up to this many (the count is always exact).
const MAX_REFS: usize = 50;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerRef {
    namespace: String,
    pod: String,
    uid: Option<String>,
    container: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageRecord {
    kind: &'static str,
    api_version: &'static str,
    name: String,
    image: String,
    /// The runtime's image reference (containerStatuses[].imageID), when the container started.
    #[serde(rename = "imageID", skip_serializing_if = "Option::is_none")]
    image_id: Option<String>,
    /// `sha256:…`: the image's digest as pinned in the spec, else the repository digest the
    /// runtime reports (`…@sha256:` in imageID), else the runtime's image ID (`sha256:` of the config).
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    /// Where `digest` comes from: `spec`, `repoDigest` or `imageId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    digest_from: Option<&'static str>,
    containers: u64,
    refs: Vec<ContainerRef>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refs_truncated: bool,
}

/// `sha256:…` from `repo@sha256:…`, `docker-pullable://repo@sha256:…` or a bare `sha256:…`.
fn digest_of(s: &str) -> Option<String> {
    let d = s.rsplit_once('@').map(|(_, d)| d).unwrap_or(s);
    d.starts_with("sha256:").then(|| d.to_string())
}

fn add_images(pod: &Pod, images: &mut BTreeMap<(String, String), ImageRecord>) {
    let Some(spec) = &pod.spec else { return };
    let statuses: Vec<_> = pod
        .status
        .iter()
        .flat_map(|s| {
            s.container_statuses
                .iter()
                .flatten()
                .chain(s.init_container_statuses.iter().flatten())
                .chain(s.ephemeral_container_statuses.iter().flatten())
        })
        .collect();
    let ctrs = spec
        .containers
        .iter()
        .map(|c| (&c.name, &c.image))
        .chain(spec.init_containers.iter().flatten().map(|c| (&c.name, &c.image)))
        .chain(spec.ephemeral_containers.iter().flatten().map(|c| (&c.name, &c.image)));
    for (name, image) in ctrs {
        let image = image.clone().unwrap_or_default();
        let image_id = statuses.iter().find(|s| &s.name == name).map(|s| s.image_id.clone()).filter(|s| !s.is_empty());
        let (digest, digest_from) = match (digest_of(&image), image_id.as_deref().and_then(digest_of)) {
            (Some(d), _) => (Some(d), Some("spec")),
            (None, Some(d)) if image_id.as_deref().is_some_and(|i| i.contains('@')) => (Some(d), Some("repoDigest")),
            (None, Some(d)) => (Some(d), Some("imageId")),
            (None, None) => (None, None),
        };
        let rec = images.entry((image.clone(), image_id.clone().unwrap_or_default())).or_insert_with(|| ImageRecord {
            kind: "Image",
            api_version: "kforensic.io/v1",
            name: image.clone(),
            image: image.clone(),
            image_id: image_id.clone(),
            digest,
            digest_from,
            ..ImageRecord::default()
        });
        rec.containers += 1;
        if rec.refs.len() < MAX_REFS {
            rec.refs.push(ContainerRef {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                pod: pod.metadata.name.clone().unwrap_or_default(),
                uid: pod.metadata.uid.clone(),
                container: name.clone(),
            });
        } else {
            rec.refs_truncated = true;
        }
    }
}

/// `pods_out` / `images_out`: the artifacts asked for (the scan runs if either is).
pub async fn run(env: Shared, mut pods_out: Option<Out>, mut images_out: Option<Out>, bar: Bar) -> Produced {
    let res = Res::core("pods", "Pod", true);
    let r = async {
        let mut findings = Vec::new();
        let mut privileged_pods = Vec::new();
        let mut images = BTreeMap::new();
        let want_pods = pods_out.is_some();
        let want_images = images_out.is_some();
        let lp = list_params(env.plan.page_size, env.plan.selector.as_deref(), None);
        let n = each_item(&env, &res, lp, pods_out.as_mut(), &bar, |raw, buf| {
            let pod: Pod = match serde_json::from_str(raw) {
                Ok(p) => p,
                Err(e) => {
                    // keep the evidence even if it does not decode; the rules skip it
                    tracing::warn!("a pod did not decode ({e}); written as is, not checked");
                    if want_pods {
                        envelope(buf, "Pod", "v1", &super::RawMeta::parse(raw).metadata, raw);
                    }
                    return Ok(());
                }
            };
            if want_pods {
                let id =
                    RawIdent { name: pod.metadata.name.clone(), namespace: pod.metadata.namespace.clone(), uid: pod.metadata.uid.clone() };
                envelope(buf, "Pod", "v1", &id, raw);
            }
            let issues = pod.spec.as_ref().map(spec_issues).unwrap_or_default();
            let privileged = privileged_issues(&issues);
            findings.extend(findings_on_pod(&pod, issues));
            if let Some(spec) = &pod.spec
                && privileged
            {
                privileged_pods.push(PrivilegedPod {
                    namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                    name: pod.metadata.name.clone().unwrap_or_default(),
                    service_account: spec.service_account_name.clone().unwrap_or_else(|| "default".into()),
                    automount: spec.automount_service_account_token,
                });
            }
            if want_images {
                add_images(&pod, &mut images);
            }
            Ok(())
        })
        .await?;
        // pods are complete: release their artifact before the images start
        drop(pods_out.take());
        let secondary = images.len() as u64;
        if let Some(o) = images_out.as_mut() {
            let mut buf = Vec::new();
            for rec in images.values() {
                line(&mut buf, rec);
                if buf.len() > 256 * 1024 {
                    o.send(std::mem::take(&mut buf)).await.map_err(|_| writer_gone())?;
                }
            }
            o.send(buf).await.map_err(|_| writer_gone())?;
        }
        Ok(Produced { objects: n, secondary, findings, join: Join::PrivilegedPods(privileged_pods), error: None })
    }
    .await;
    finish(r, pods_out.into_iter().chain(images_out).collect(), &bar).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_from_spec_or_image_id() {
        assert_eq!(digest_of("docker.io/library/busybox@sha256:ab").as_deref(), Some("sha256:ab"));
        assert_eq!(digest_of("sha256:cd").as_deref(), Some("sha256:cd"));
        assert_eq!(digest_of("busybox:1"), None);
    }
}
