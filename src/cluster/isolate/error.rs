use thiserror::Error;

/// One API call: what kforensic was doing when the server said no.
#[derive(Debug, Clone)]
pub struct Call {
    pub verb: &'static str,
    pub resource: &'static str,
    /// Namespace of a namespaced resource; None for nodes and cluster-scoped reads.
    pub namespace: Option<String>,
}

impl Call {
    pub fn ns(verb: &'static str, resource: &'static str, namespace: &str) -> Self {
        Call { verb, resource, namespace: Some(namespace.to_string()) }
    }
    pub fn cluster(verb: &'static str, resource: &'static str) -> Self {
        Call { verb, resource, namespace: None }
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {} in namespace {ns}", self.verb, self.resource),
            None => write!(f, "{} {}", self.verb, self.resource),
        }
    }
}

#[derive(Debug, Error)]
pub enum IsolateError {
    #[error("pod '{pod}' not found in namespace '{namespace}'")]
    PodNotFound { pod: String, namespace: String },
    /// 403 on one call; `after` says what was (or was not) left behind.
    #[error("permission denied: cannot {call}{after}")]
    Forbidden { call: Call, after: String },
    /// Any other refusal: `detail` is the server's message and its Status reason.
    #[error("cannot {call}: {detail}{after}")]
    Api { call: Call, detail: String, after: String },
    #[error("cannot {call}: {source}{after}")]
    Transport {
        call: Call,
        after: String,
        #[source]
        source: Box<kube::Error>,
    },
    #[error("pod '{pod}': its kforensic.io/isolation annotation is not a kforensic record ({reason}); fix or remove it by hand")]
    BadRecord { pod: String, reason: String },
    #[error("node '{node}': its kforensic.io/cordon annotation is not a kforensic record ({reason}); fix or remove it by hand")]
    BadNodeRecord { node: String, reason: String },
    #[error(
        "networkpolicy '{name}' in namespace '{namespace}' exists and is not kforensic's for this case: refusing to reuse or delete it"
    )]
    ForeignPolicy { name: String, namespace: String },
    #[error("cannot detach pod '{pod}': {reason}")]
    CannotDetach { pod: String, reason: String },
}

impl IsolateError {
    /// Map a kube error on `call`, on its Status code (never the message text).
    pub fn from_kube(call: Call, e: kube::Error) -> Self {
        Self::from_kube_after(call, e, String::new())
    }

    pub fn from_kube_after(call: Call, e: kube::Error, after: String) -> Self {
        match e {
            kube::Error::Api(s) if s.is_forbidden() => IsolateError::Forbidden { call, after },
            kube::Error::Api(s) => IsolateError::Api { call, detail: format!("{} ({})", s.message, s.reason), after },
            other => IsolateError::Transport { call, after, source: Box::new(other) },
        }
    }

    /// Append what happened afterwards (the rollback) to the one-line message.
    pub fn with_after(mut self, text: &str) -> Self {
        if let IsolateError::Forbidden { after, .. } | IsolateError::Api { after, .. } | IsolateError::Transport { after, .. } = &mut self {
            after.push_str(text);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_the_verb_resource_and_namespace_in_one_line() {
        let status =
            kube::core::Status::failure("networkpolicies.networking.k8s.io is forbidden: User \"viewer\" cannot create", "Forbidden")
                .with_code(403);
        let e = IsolateError::from_kube(Call::ns("create", "networkpolicies", "ns1"), kube::Error::Api(Box::new(status)))
            .with_after("; nothing was changed");
        assert_eq!(e.to_string(), "permission denied: cannot create networkpolicies in namespace ns1; nothing was changed");
    }
}
