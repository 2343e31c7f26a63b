//! `--cordon`: mark the node unschedulable, and keep on the node which cases hold the cordon and
//! whether it was already cordoned before the first of them, so that release never uncordons a
//! node someone else cordoned.

use super::NODE_ANNOTATION;
use super::record::NodeCordonRecord;
use k8s_openapi::api::core::v1::Node;
use serde_json::{Value, json};

fn record(node: &Node) -> Result<Option<NodeCordonRecord>, String> {
    match node.metadata.annotations.as_ref().and_then(|a| a.get(NODE_ANNOTATION)) {
        Some(text) => NodeCordonRecord::parse(text).map(Some),
        None => Ok(None),
    }
}

fn unschedulable(node: &Node) -> bool {
    node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false)
}

/// The merge patch that cordons `node` for `case`, and whether the node was unschedulable before.
/// None when this case already holds the cordon.
pub fn cordon_patch(node: &Node, case: &str) -> Result<Option<(Value, bool)>, String> {
    let was = unschedulable(node);
    let mut rec = record(node)?.unwrap_or(NodeCordonRecord { cases: vec![], was_unschedulable: was });
    if rec.cases.iter().any(|c| c == case) && was {
        return Ok(None);
    }
    if !was {
        // schedulable now, whatever an old record says: this cordon is kforensic's own
        rec.was_unschedulable = false;
    }
    if !rec.cases.iter().any(|c| c == case) {
        rec.cases.push(case.to_string());
    }
    let patch = json!({
        "metadata": {"annotations": {NODE_ANNOTATION: rec.to_json()}, "resourceVersion": node.metadata.resource_version},
        "spec": {"unschedulable": true},
    });
    Ok(Some((patch, was)))
}

/// The merge patch that gives up `case`'s cordon: the node is uncordoned only when no case holds it
/// any more and it was schedulable before kforensic cordoned it. None when `case` holds nothing.
/// The bool says whether the patch uncordons.
pub fn uncordon_patch(node: &Node, case: &str) -> Result<Option<(Value, bool)>, String> {
    let Some(mut rec) = record(node)? else { return Ok(None) };
    if !rec.cases.iter().any(|c| c == case) {
        return Ok(None);
    }
    rec.cases.retain(|c| c != case);
    let rv = &node.metadata.resource_version;
    if !rec.cases.is_empty() {
        return Ok(Some((json!({"metadata": {"annotations": {NODE_ANNOTATION: rec.to_json()}, "resourceVersion": rv}}), false)));
    }
    let uncordon = !rec.was_unschedulable && unschedulable(node);
    let mut patch = json!({"metadata": {"annotations": {NODE_ANNOTATION: null}, "resourceVersion": rv}});
    if uncordon {
        patch["spec"] = json!({"unschedulable": null});
    }
    Ok(Some((patch, uncordon)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(unsched: bool, ann: Option<&str>) -> Node {
        let mut n = Node::default();
        n.metadata.resource_version = Some("7".into());
        n.spec = Some(k8s_openapi::api::core::v1::NodeSpec { unschedulable: unsched.then_some(true), ..Default::default() });
        if let Some(a) = ann {
            n.metadata.annotations = Some([(NODE_ANNOTATION.to_string(), a.to_string())].into());
        }
        n
    }

    /// Apply a merge patch the way the API server would (only what these patches use).
    fn apply(n: &Node, patch: &Value) -> Node {
        let mut v = serde_json::to_value(n).unwrap();
        merge(&mut v, patch);
        serde_json::from_value(v).unwrap()
    }
    fn merge(t: &mut Value, p: &Value) {
        if let Value::Object(pm) = p {
            if !t.is_object() {
                *t = json!({});
            }
            let tm = t.as_object_mut().unwrap();
            for (k, v) in pm {
                if v.is_null() {
                    tm.remove(k);
                } else {
                    merge(tm.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        } else {
            *t = p.clone();
        }
    }

    #[test]
    fn cordon_then_release_restores_a_schedulable_node() {
        let n0 = node(false, None);
        let (p, was) = cordon_patch(&n0, "c1").unwrap().unwrap();
        assert!(!was);
        assert_eq!(p["metadata"]["resourceVersion"], "7");
        let n1 = apply(&n0, &p);
        assert!(unschedulable(&n1));
        assert!(cordon_patch(&n1, "c1").unwrap().is_none(), "second cordon by the same case is a no-op");
        let (p, uncordon) = uncordon_patch(&n1, "c1").unwrap().unwrap();
        assert!(uncordon);
        let n2 = apply(&n1, &p);
        assert!(!unschedulable(&n2));
        assert!(n2.metadata.annotations.unwrap_or_default().is_empty());
    }

    #[test]
    fn a_node_someone_else_cordoned_stays_cordoned() {
        let n0 = node(true, None);
        let (p, was) = cordon_patch(&n0, "c1").unwrap().unwrap();
        assert!(was);
        let n1 = apply(&n0, &p);
        let (p, uncordon) = uncordon_patch(&n1, "c1").unwrap().unwrap();
        assert!(!uncordon);
        let n2 = apply(&n1, &p);
        assert!(unschedulable(&n2));
        assert!(n2.metadata.annotations.unwrap_or_default().is_empty());
    }

    #[test]
    fn two_cases_share_a_cordon_until_the_last_releases() {
        let n0 = node(false, None);
        let n1 = apply(&n0, &cordon_patch(&n0, "a").unwrap().unwrap().0);
        let (p, was) = cordon_patch(&n1, "b").unwrap().unwrap();
        assert!(was, "b found the node already cordoned (by a)");
        let n2 = apply(&n1, &p);
        let (p, uncordon) = uncordon_patch(&n2, "a").unwrap().unwrap();
        assert!(!uncordon);
        let n3 = apply(&n2, &p);
        assert!(unschedulable(&n3));
        let (p, uncordon) = uncordon_patch(&n3, "b").unwrap().unwrap();
        assert!(uncordon, "the last case out uncordons: kforensic cordoned it");
        assert!(!unschedulable(&apply(&n3, &p)));
        assert!(uncordon_patch(&n0, "a").unwrap().is_none());
        assert!(cordon_patch(&node(false, Some("{garbage")), "a").is_err());
    }
}
