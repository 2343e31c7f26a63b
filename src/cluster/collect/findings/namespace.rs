//! KF-NS-001: a namespace with no NetworkPolicy lets every pod in it talk to anything.

use super::{Finding, Ident, Severity};

pub fn without_network_policy(ns: &Ident, policies: usize) -> Option<Finding> {
    (policies == 0).then(|| Finding::new("KF-NS-001", Severity::Low, ns, "no NetworkPolicy: pods accept and open any connection"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_namespaces_without_policies() {
        let ns = Ident { kind: "Namespace".into(), api_version: "v1".into(), name: "a".into(), ..Ident::default() };
        assert!(without_network_policy(&ns, 0).is_some());
        assert!(without_network_policy(&ns, 2).is_none());
    }
}
