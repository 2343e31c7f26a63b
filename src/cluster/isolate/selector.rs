//! Label selectors: does a selector match a pod's labels, and which label keys must go so it stops.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// Something that selects pods by label: a controller's `LabelSelector` or a Service's plain map.
#[derive(Debug, Clone)]
pub enum Selector {
    /// `spec.selector` of ReplicaSet, StatefulSet, DaemonSet, Job (set-based).
    Set(LabelSelector),
    /// `spec.selector` of Service and ReplicationController (equality only). An empty map selects nothing.
    Map(Labels),
}

impl Selector {
    pub fn matches(&self, labels: &Labels) -> bool {
        match self {
            Selector::Map(m) => !m.is_empty() && m.iter().all(|(k, v)| labels.get(k) == Some(v)),
            Selector::Set(s) => set_matches(s, labels),
        }
    }

    /// The label keys whose removal makes this selector stop matching (every one of them is removed,
    /// so no single requirement is left to chance). Empty when removal cannot break it (only
    /// `NotIn` / `DoesNotExist` requirements).
    pub fn breaking_keys(&self) -> Vec<String> {
        match self {
            Selector::Map(m) => m.keys().cloned().collect(),
            Selector::Set(s) => {
                let mut keys: Vec<String> = s.match_labels.iter().flatten().map(|(k, _)| k.clone()).collect();
                for e in s.match_expressions.iter().flatten() {
                    if matches!(e.operator.as_str(), "In" | "Exists") && !keys.contains(&e.key) {
                        keys.push(e.key.clone());
                    }
                }
                keys
            }
        }
    }
}

fn set_matches(s: &LabelSelector, labels: &Labels) -> bool {
    for (k, v) in s.match_labels.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default();
        let ok = match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| values.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !values.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            // an operator we do not know: assume it matches (the safe side for detaching)
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
    fn req(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement { key: key.into(), operator: op.into(), values: Some(values.iter().map(|s| s.to_string()).collect()) }
    }

    #[test]
    fn map_selectors_match_all_pairs_and_empty_selects_nothing() {
        let pod = labels(&[("app", "web"), ("tier", "fe")]);
        assert!(Selector::Map(labels(&[("app", "web")])).matches(&pod));
        assert!(!Selector::Map(labels(&[("app", "web"), ("x", "y")])).matches(&pod));
        assert!(!Selector::Map(Labels::new()).matches(&pod));
    }

    #[test]
    fn set_selectors_follow_every_operator() {
        let pod = labels(&[("app", "web"), ("pod-template-hash", "abc")]);
        let sel = |exprs: Vec<LabelSelectorRequirement>| {
            Selector::Set(LabelSelector { match_labels: Some(labels(&[("app", "web")])), match_expressions: Some(exprs) })
        };
        assert!(sel(vec![req("pod-template-hash", "In", &["abc", "def"])]).matches(&pod));
        assert!(!sel(vec![req("pod-template-hash", "NotIn", &["abc"])]).matches(&pod));
        assert!(sel(vec![req("env", "NotIn", &["prod"])]).matches(&pod));
        assert!(sel(vec![req("app", "Exists", &[])]).matches(&pod));
        assert!(!sel(vec![req("app", "DoesNotExist", &[])]).matches(&pod));
    }

    #[test]
    fn removing_the_breaking_keys_stops_the_match() {
        let mut pod = labels(&[("app", "web"), ("pod-template-hash", "abc"), ("keep", "me")]);
        let s = Selector::Set(LabelSelector {
            match_labels: Some(labels(&[("app", "web")])),
            match_expressions: Some(vec![req("pod-template-hash", "In", &["abc"]), req("env", "NotIn", &["x"])]),
        });
        let keys = s.breaking_keys();
        assert_eq!(keys, vec!["app".to_string(), "pod-template-hash".to_string()]);
        for k in &keys {
            pod.remove(k);
        }
        assert!(!s.matches(&pod));
        assert_eq!(pod, labels(&[("keep", "me")]));
    }

    #[test]
    fn a_selector_only_of_negations_cannot_be_broken_by_removal() {
        let s = Selector::Set(LabelSelector { match_labels: None, match_expressions: Some(vec![req("a", "DoesNotExist", &[])]) });
        assert!(s.breaking_keys().is_empty());
    }
}
