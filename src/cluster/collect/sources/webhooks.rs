//! Mutating and validating admission webhook configurations, in one file.

use super::{Produced, RawIdent, RawMeta, Shared, each_item, envelope, finish};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::findings::webhook::{check_mutating, check_validating};
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use k8s_openapi::api::admissionregistration::v1::{MutatingWebhookConfiguration, ValidatingWebhookConfiguration};

const GROUP: &str = "admissionregistration.k8s.io";
const AV: &str = "admissionregistration.k8s.io/v1";

pub async fn run(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let r = async {
        let mut findings = Vec::new();
        let mutating = Res::new(GROUP, "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false);
        let lp = list_params(env.plan.page_size, None, None);
        let mut n = each_item(&env, &mutating, lp.clone(), Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<MutatingWebhookConfiguration>(raw) {
                Ok(c) => {
                    let id = RawIdent { name: c.metadata.name.clone(), namespace: None, uid: c.metadata.uid.clone() };
                    envelope(buf, mutating.kind, AV, &id, raw);
                    findings.extend(check_mutating(&c));
                }
                Err(_) => envelope(buf, mutating.kind, AV, &RawMeta::parse(raw).metadata, raw),
            }
            Ok(())
        })
        .await?;
        let validating = Res::new(GROUP, "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false);
        n += each_item(&env, &validating, lp, Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<ValidatingWebhookConfiguration>(raw) {
                Ok(c) => {
                    let id = RawIdent { name: c.metadata.name.clone(), namespace: None, uid: c.metadata.uid.clone() };
                    envelope(buf, validating.kind, AV, &id, raw);
                    findings.extend(check_validating(&c));
                }
                Err(_) => envelope(buf, validating.kind, AV, &RawMeta::parse(raw).metadata, raw),
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, findings, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}
