//! /proc/<pid>/mountinfo: the container's root mount (overlay layers) and the mount points the
//! export must not descend into.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// Mount point as the process sees it.
    pub mount_point: String,
    /// Root of the mount within its filesystem.
    pub root: String,
    pub fstype: String,
    pub source: String,
    pub options: String,
    pub super_options: String,
}

/// Undo the octal escapes of mountinfo (`\040` space, `\011` tab, `\012` newline, `\134` backslash).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = (b[i + 1] - b'0') as u32 * 64 + (b[i + 2] - b'0') as u32 * 8 + (b[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let lf: Vec<&str> = left.split(' ').collect();
            let rf: Vec<&str> = right.split(' ').collect();
            Some(Mount {
                root: unescape(lf.get(3)?),
                mount_point: unescape(lf.get(4)?),
                options: lf.get(5)?.to_string(),
                fstype: rf.first()?.to_string(),
                source: unescape(rf.get(1).unwrap_or(&"")),
                super_options: rf.get(2).map(|s| s.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

pub fn read(pid: i32) -> std::io::Result<Vec<Mount>> {
    Ok(parse(&std::fs::read_to_string(super::process::pid_dir(pid).join("mountinfo"))?))
}

/// The mount at `/` (the last one wins: later mounts shadow earlier ones).
pub fn root_mount(mounts: &[Mount]) -> Option<&Mount> {
    mounts.iter().rev().find(|m| m.mount_point == "/")
}

/// Layers of an overlay mount, as host paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlay {
    pub upperdir: String,
    /// Top-most first.
    pub lowerdirs: Vec<String>,
    pub workdir: Option<String>,
}

/// Split super options at unescaped commas, then take the overlay layer options; lowerdir lists
/// are ':'-separated with '\:' for a literal colon (also the newer `lowerdir+=` form, one per layer).
/// `None` when `m` is not an overlay or has no upper layer.
pub fn overlay(m: &Mount) -> Option<Overlay> {
    let (upper, lowerdirs, workdir) = overlay_options(m)?;
    Some(Overlay { upperdir: upper?, lowerdirs, workdir })
}

/// The read-only layers of an overlay mount, top-most first, with or without an upper layer;
/// `None` when `m` is not an overlay or names no lower layer.
pub fn lowerdirs(m: &Mount) -> Option<Vec<String>> {
    overlay_options(m).map(|(_, lowers, _)| lowers).filter(|l| !l.is_empty())
}

/// (upperdir, lowerdirs, workdir) of an overlay mount.
fn overlay_options(m: &Mount) -> Option<(Option<String>, Vec<String>, Option<String>)> {
    if m.fstype != "overlay" {
        return None;
    }
    let mut upper = None;
    let mut lowers = Vec::new();
    let mut work = None;
    for opt in split_escaped(&m.super_options, ',') {
        if let Some(v) = opt.strip_prefix("upperdir=") {
            upper = Some(unescape(v));
        } else if let Some(v) = opt.strip_prefix("lowerdir+=") {
            lowers.push(unescape(v));
        } else if let Some(v) = opt.strip_prefix("lowerdir=") {
            lowers.extend(split_escaped(v, ':').into_iter().map(|s| unescape(&s)));
        } else if let Some(v) = opt.strip_prefix("workdir=") {
            work = Some(unescape(v));
        }
    }
    Some((upper, lowers, work))
}

fn split_escaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if c != sep
                && let Some(l) = out.last_mut()
            {
                l.push('\\');
            }
            if let Some(l) = out.last_mut() {
                l.push(c);
            }
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == sep {
            out.push(String::new());
        } else {
            if let Some(l) = out.last_mut() {
                l.push(c);
            }
        }
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Filesystems that are never evidence content (kernel views, device nodes).
pub fn is_pseudo(fstype: &str) -> bool {
    matches!(
        fstype,
        "proc"
            | "sysfs"
            | "devtmpfs"
            | "devpts"
            | "mqueue"
            | "cgroup"
            | "cgroup2"
            | "securityfs"
            | "debugfs"
            | "tracefs"
            | "bpf"
            | "pstore"
            | "configfs"
            | "fusectl"
            | "hugetlbfs"
            | "binfmt_misc"
            | "autofs"
            | "nsfs"
            | "efivarfs"
            | "selinuxfs"
            | "rpc_pipefs"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
1279 1150 0:98 / / rw,relatime - overlay overlay rw,lowerdir=/v/snapshots/2/fs:/v/snap\\:x/1/fs,upperdir=/v/snapshots/3/fs,workdir=/v/snapshots/3/work
1280 1279 0:100 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
1281 1279 0:101 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
1290 1279 8:1 /var/lib/kubelet/pods/u/volumes/x /data\\040dir rw,relatime - ext4 /dev/sda1 rw
";

    #[test]
    fn overlay_root_and_mounts_parse() {
        let m = parse(SAMPLE);
        assert_eq!(m.len(), 4);
        let root = root_mount(&m).unwrap();
        let o = overlay(root).unwrap();
        assert_eq!(o.upperdir, "/v/snapshots/3/fs");
        assert_eq!(o.lowerdirs, vec!["/v/snapshots/2/fs", "/v/snap:x/1/fs"]);
        assert_eq!(m[3].mount_point, "/data dir");
        assert!(is_pseudo(&m[1].fstype));
        assert!(overlay(&m[2]).is_none());
    }

    #[test]
    fn new_style_lowerdir_options_parse() {
        let l = "1 0 0:98 / / rw - overlay overlay rw,lowerdir+=/a,lowerdir+=/b,upperdir=/u,workdir=/w";
        let o = overlay(&parse(l)[0]).unwrap();
        assert_eq!(o.lowerdirs, vec!["/a", "/b"]);
    }

    #[test]
    fn lower_layers_without_an_upper_one() {
        let m = parse("1 0 0:98 / / ro - overlay overlay ro,lowerdir=/a:/b\n2 1 8:1 / /x rw - ext4 /dev/sda1 rw");
        assert!(overlay(&m[0]).is_none());
        assert_eq!(lowerdirs(&m[0]).unwrap(), vec!["/a", "/b"]);
        assert!(lowerdirs(&m[1]).is_none());
    }
}
