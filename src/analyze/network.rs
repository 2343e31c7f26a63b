//! `network.status` (Podman): the container's network interfaces as Podman recorded them at
//! checkpoint time. Two shapes exist: Podman 4+ (netavark) writes a map of network name →
//! `{"interfaces": {"eth0": {"subnets": [{"ipnet", "gateway"}], "mac_address"}}}`; Podman 3
//! (CNI) wrote a list of CNI results `[{"interfaces": [{"name", "mac"}], "ips": [{"address",
//! "gateway", "interface"}]}]`. Both become one row per interface.

use super::AnalyzeError;
use serde::Serialize;
use serde_json::Value;

pub const NETWORK_STATUS: &str = "network.status";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Interface {
    /// the Podman network (netavark), or `cni-N` for the N-th CNI result
    pub network: String,
    pub interface: String,
    /// addresses with their prefix length (`198.51.100.5/16`)
    pub addresses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)?.as_str().filter(|x| !x.is_empty()).map(String::from)
}

/// Parse `network.status`; `name` is used in errors. Fields of the wrong type are skipped, not
/// guessed; a document of neither shape is an error.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Interface>, AnalyzeError> {
    let bad = |what: String| AnalyzeError::Image { file: name.to_string(), offset: 0, what };
    let v: Value = serde_json::from_slice(bytes).map_err(|e| bad(super::error::one_line(&format!("not valid JSON: {e}"))))?;
    let mut out = Vec::new();
    match &v {
        Value::Object(nets) => {
            for (net, block) in nets {
                let Some(ifaces) = block.get("interfaces").and_then(Value::as_object) else { continue };
                for (ifname, i) in ifaces {
                    let subnets = i.get("subnets").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                    out.push(Interface {
                        network: net.clone(),
                        interface: ifname.clone(),
                        addresses: subnets.iter().filter_map(|n| s(n, "ipnet")).collect(),
                        gateways: subnets.iter().filter_map(|n| s(n, "gateway")).collect(),
                        mac: s(i, "mac_address"),
                    });
                }
            }
        }
        Value::Array(results) => {
            for (k, r) in results.iter().enumerate() {
                let ifaces = r.get("interfaces").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                let ips = r.get("ips").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                // an address names its interface by index; the container's side has a sandbox
                for (idx, i) in ifaces.iter().enumerate() {
                    if i.get("sandbox").is_none() && ifaces.len() > 1 {
                        continue;
                    }
                    let mine: Vec<&Value> =
                        ips.iter().filter(|a| a.get("interface").and_then(Value::as_u64).is_none_or(|n| n == idx as u64)).collect();
                    out.push(Interface {
                        network: format!("cni-{k}"),
                        interface: s(i, "name").unwrap_or_else(|| format!("#{idx}")),
                        addresses: mine.iter().filter_map(|a| s(a, "address")).collect(),
                        gateways: mine.iter().filter_map(|a| s(a, "gateway")).collect(),
                        mac: s(i, "mac"),
                    });
                }
            }
        }
        _ => return Err(bad("neither a map of networks nor a list of CNI results".into())),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netavark_single_and_multi_network() {
        let doc = br#"{"podman":{"interfaces":{"eth0":{"subnets":[{"ipnet":"198.51.100.5/16","gateway":"198.51.100.1"}],"mac_address":"0a:58:0a:58:00:05"}}},
            "backend":{"interfaces":{"eth1":{"subnets":[{"ipnet":"203.0.113.2/24","gateway":"203.0.113.1"},{"ipnet":"2001:db8::2/64"}],"mac_address":"0a:58:0a:59:00:02"}}}}"#;
        let v = parse("network.status", doc).unwrap();
        assert_eq!(v.len(), 2);
        let b = v.iter().find(|i| i.network == "backend").unwrap();
        assert_eq!(b.interface, "eth1");
        assert_eq!(b.addresses, vec!["203.0.113.2/24", "2001:db8::2/64"]);
        assert_eq!(b.gateways, vec!["203.0.113.1"]);
        let p = v.iter().find(|i| i.network == "podman").unwrap();
        assert_eq!(p.mac.as_deref(), Some("0a:58:0a:58:00:05"));
    }

    #[test]
    fn cni_results_and_garbage() {
        let doc = br#"[{"cniVersion":"0.4.0","interfaces":[{"name":"cni-podman0","mac":"aa:aa:aa:aa:aa:aa"},{"name":"veth1","mac":"bb:bb:bb:bb:bb:bb"},{"name":"eth0","mac":"0a:0b:0c:0d:0e:0f","sandbox":"/run/netns/x"}],
            "ips":[{"version":"4","interface":2,"address":"198.51.100.7/16","gateway":"198.51.100.1"}]}]"#;
        let v = parse("network.status", doc).unwrap();
        assert_eq!(
            v,
            vec![Interface {
                network: "cni-0".into(),
                interface: "eth0".into(),
                addresses: vec!["198.51.100.7/16".into()],
                gateways: vec!["198.51.100.1".into()],
                mac: Some("0a:0b:0c:0d:0e:0f".into()),
            }]
        );
        assert!(parse("network.status", b"42").is_err());
        assert!(parse("network.status", b"\x1b[2J").unwrap_err().to_string().contains("not valid JSON"));
        assert_eq!(parse("network.status", br#"{"x":{"interfaces":3}}"#).unwrap(), vec![]);
    }
}
