//! CronJobs, in whichever version the server serves (batch/v1 from 1.21, batch/v1beta1 before).

use super::{Produced, RawIdent, RawMeta, Shared, each_item, envelope, finish};
use crate::cluster::collect::CollectError;
use crate::cluster::collect::fetch::{Res, list_params, served_version};
use crate::cluster::collect::findings::cronjob::check_cronjob;
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use k8s_openapi::api::batch::v1::CronJob;

pub async fn run(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let r = async {
        let version = served_version(&env.client, "batch", "cronjobs", &["v1", "v1beta1"]).await?.ok_or_else(|| CollectError::Api {
            what: "list cronjobs".into(),
            reason: "the server serves cronjobs in neither batch/v1 nor batch/v1beta1".into(),
        })?;
        let res = Res::new("batch", &version, "cronjobs", "CronJob", true);
        let api_version = res.api_version();
        let cutoff = env.since_cutoff;
        let mut findings = Vec::new();
        let lp = list_params(env.plan.page_size, None, None);
        // the two versions share every field the rules read: decode both as batch/v1
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<CronJob>(raw) {
                Ok(cj) => {
                    let id =
                        RawIdent { name: cj.metadata.name.clone(), namespace: cj.metadata.namespace.clone(), uid: cj.metadata.uid.clone() };
                    envelope(buf, "CronJob", &api_version, &id, raw);
                    findings.extend(check_cronjob(&cj, &api_version, cutoff));
                }
                Err(_) => envelope(buf, "CronJob", &api_version, &RawMeta::parse(raw).metadata, raw),
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, findings, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}
