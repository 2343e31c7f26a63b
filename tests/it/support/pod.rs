//! Pod manifests for the test cluster, built up instead of written out as YAML in every test.
//!
//! ```ignore
//! env.apply(&Pod::new(ns, "web").grace(1).container("app", BUSYBOX).sh("sleep 100000").yaml());
//! ```

use serde_json::{Map, Value, json};

/// The image the test environment imports for pods that really run.
pub const BUSYBOX: &str = "test.local/busybox:1";

/// A Pod manifest: metadata, spec fields, init containers and containers.
pub struct Pod {
    metadata: Map<String, Value>,
    spec: Map<String, Value>,
    init_containers: Vec<Value>,
    containers: Vec<Value>,
    /// whether the container added last is an init container
    last_is_init: bool,
}

/// The pod most tests run: container `main` of busybox running `sh -c script`, stopped within a
/// second when its namespace goes.
pub fn busybox(ns: &str, name: &str, script: &str) -> Pod {
    Pod::new(ns, name).grace(1).container("main", BUSYBOX).sh(script)
}

impl Pod {
    /// Pod `name` in namespace `ns`, with nothing in its spec yet.
    pub fn new(ns: &str, name: &str) -> Pod {
        let mut metadata = Map::new();
        metadata.insert("name".into(), name.into());
        metadata.insert("namespace".into(), ns.into());
        Pod { metadata, spec: Map::new(), init_containers: Vec::new(), containers: Vec::new(), last_is_init: false }
    }

    pub fn label(mut self, key: &str, value: &str) -> Pod {
        let labels = self.metadata.entry("labels").or_insert_with(|| json!({}));
        labels.as_object_mut().unwrap().insert(key.into(), value.into());
        self
    }

    /// `terminationGracePeriodSeconds`.
    pub fn grace(mut self, secs: u32) -> Pod {
        self.spec.insert("terminationGracePeriodSeconds".into(), secs.into());
        self
    }

    /// Pod spec fields, as a YAML mapping (`"hostPID: true"`, `"{restartPolicy: Never}"`).
    pub fn spec(mut self, yaml: &str) -> Pod {
        self.spec.extend(mapping(yaml));
        self
    }

    /// A container (`name`, `image`); [`Pod::sh`] and [`Pod::with`] then apply to it.
    pub fn container(mut self, name: &str, image: &str) -> Pod {
        self.containers.push(json!({"name": name, "image": image}));
        self.last_is_init = false;
        self
    }

    /// An init container (`name`, `image`); [`Pod::sh`] and [`Pod::with`] then apply to it.
    pub fn init_container(mut self, name: &str, image: &str) -> Pod {
        self.init_containers.push(json!({"name": name, "image": image}));
        self.last_is_init = true;
        self
    }

    /// The last container runs `sh -c script` (the script as it is: no quoting needed).
    pub fn sh(self, script: &str) -> Pod {
        self.set("command", json!(["sh", "-c", script]))
    }

    /// Fields of the last container, as a YAML mapping (`"securityContext: {privileged: true}"`).
    pub fn with(mut self, yaml: &str) -> Pod {
        for (k, v) in mapping(yaml) {
            self = self.set(&k, v);
        }
        self
    }

    fn set(mut self, key: &str, value: Value) -> Pod {
        let list = if self.last_is_init { &mut self.init_containers } else { &mut self.containers };
        let c = list.last_mut().expect("a container to set fields of: call container() first");
        c.as_object_mut().unwrap().insert(key.into(), value);
        self
    }

    /// The manifest as one YAML document (starting with `---`, so documents can be joined).
    pub fn yaml(&self) -> String {
        let mut spec = self.spec.clone();
        if !self.init_containers.is_empty() {
            spec.insert("initContainers".into(), self.init_containers.clone().into());
        }
        spec.insert("containers".into(), self.containers.clone().into());
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": self.metadata,
            "spec": spec,
        });
        format!("---\n{}", serde_yaml::to_string(&pod).unwrap())
    }
}

fn mapping(yaml: &str) -> Map<String, Value> {
    match serde_yaml::from_str(yaml) {
        Ok(Value::Object(m)) => m,
        other => panic!("not a YAML mapping ({other:?}): {yaml}"),
    }
}
