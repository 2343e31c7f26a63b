//! The OCI image of a binary's [`Contents`]: one gzip layer, its config and manifest, all
//! reproducible (entries sorted, owner root, times zero, gzip header without time or name; JSON
//! written with a fixed field order), so one binary always gives one digest. [`ImageSet`] is the
//! images of one or more architectures; [`ImageSet::write_archive`] writes an OCI image layout
//! in a tar (`ctr images import`, `skopeo copy oci-archive:`, and for one architecture
//! `docker load` through the Docker `manifest.json` beside it).

use super::ImageError;
use super::files::{self, Arch, Contents};
use crate::evidence::hash::Sha256;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// Content-addressed bytes.
#[derive(Debug, Clone)]
pub struct Blob {
    pub media_type: &'static str,
    pub data: Vec<u8>,
    /// `sha256:<hex>`
    pub digest: String,
}

impl Blob {
    pub fn new(media_type: &'static str, data: Vec<u8>) -> Blob {
        let digest = format!("sha256:{}", hex::encode(Sha256::digest(&data)));
        Blob { media_type, data, digest }
    }
    pub fn descriptor(&self) -> serde_json::Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.data.len()})
    }
    pub fn hex(&self) -> &str {
        self.digest.trim_start_matches("sha256:")
    }
}

/// The image of one architecture.
#[derive(Debug, Clone)]
pub struct Image {
    pub arch: Arch,
    pub is_static: bool,
    /// Files in the layer (the binary and what it loads), by path.
    pub files: Vec<String>,
    pub layer: Blob,
    pub config: Blob,
    pub manifest: Blob,
}

/// The uncompressed layer: the files, their directories, mount points, /etc/passwd and /etc/group.
pub fn layer_tar(c: &Contents) -> Vec<u8> {
    let mut entries: std::collections::BTreeMap<String, (u32, Option<&[u8]>)> = std::collections::BTreeMap::new();
    let passwd = format!("root:x:0:0:root:/:/{}\n", files::BIN);
    let extra: [(&str, &[u8]); 2] = [("etc/passwd", passwd.as_bytes()), ("etc/group", b"root:x:0:\n")];
    for (p, d) in extra {
        entries.insert(p.into(), (0o644, Some(d)));
    }
    for f in &c.files {
        entries.insert(f.path.clone(), (f.mode, Some(&f.data)));
    }
    // the mount points the runtime needs on a read-only root, then every parent directory
    for d in ["dev", "proc", "sys", "etc"] {
        entries.insert(d.into(), (0o755, None));
    }
    entries.insert("tmp".into(), (0o1777, None));
    let files: Vec<String> = entries.keys().cloned().collect();
    for p in files {
        let mut parent = Path::new(&p).parent();
        while let Some(d) = parent.filter(|d| !d.as_os_str().is_empty()) {
            entries.entry(d.to_string_lossy().into_owned()).or_insert((0o755, None));
            parent = d.parent();
        }
    }
    let mut b = tar::Builder::new(Vec::new());
    for (path, (mode, data)) in &entries {
        let mut h = tar::Header::new_ustar();
        h.set_mode(*mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        let _ = h.set_username("");
        let _ = h.set_groupname("");
        let res = match data {
            Some(d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, path, *d)
            }
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, format!("{path}/"), std::io::empty())
            }
        };
        res.expect("writing a tar into memory cannot fail for paths we made");
    }
    b.into_inner().expect("tar into memory")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    // no time, no name, a fixed OS byte: the same bytes in, the same bytes out
    let mut e = flate2::GzBuilder::new().mtime(0).operating_system(255).write(Vec::new(), flate2::Compression::new(6));
    e.write_all(data).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}

/// JSON bytes with the keys in the order given (serde_json's map is sorted: also fixed).
fn to_json(v: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON of a Value")
}

impl Image {
    pub fn build(c: &Contents) -> Image {
        let tar = layer_tar(c);
        let diff_id = format!("sha256:{}", hex::encode(Sha256::digest(&tar)));
        let layer = Blob::new(LAYER, gzip(&tar));
        let entry = format!("/{}", files::BIN);
        let config = Blob::new(
            CONFIG,
            to_json(&json!({
                "created": "1970-01-01T00:00:00Z",
                "architecture": c.arch.oci(),
                "os": "linux",
                "config": {
                    "User": "0",
                    "Env": ["PATH=/usr/local/bin"],
                    "Entrypoint": [entry],
                    "Cmd": ["--help"],
                    "Labels": {"org.opencontainers.image.title": "kforensic"},
                },
                "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "kforensic image save"}],
            })),
        );
        let manifest = Blob::new(
            MANIFEST,
            to_json(&json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST,
                "config": config.descriptor(),
                "layers": [layer.descriptor()],
            })),
        );
        Image { arch: c.arch, is_static: c.is_static, files: c.files.iter().map(|f| f.path.clone()).collect(), layer, config, manifest }
    }

    fn platform_descriptor(&self) -> serde_json::Value {
        let mut d = self.manifest.descriptor();
        d["platform"] = json!({"architecture": self.arch.oci(), "os": "linux"});
        d
    }
}

/// The images of one or more binaries, one per architecture.
#[derive(Debug, Clone)]
pub struct ImageSet {
    pub images: Vec<Image>,
    /// With more than one architecture: the index listing them.
    pub index: Option<Blob>,
}

impl ImageSet {
    /// The image of each binary (`/proc/self/exe` for the running one), sorted by architecture.
    pub fn from_binaries(bins: &[std::path::PathBuf]) -> Result<ImageSet, ImageError> {
        let mut images = Vec::new();
        for b in bins {
            let c = files::collect(b)?;
            if images.iter().any(|i: &Image| i.arch == c.arch) {
                return Err(ImageError::DuplicateArch(c.arch.oci().into()));
            }
            images.push(Image::build(&c));
        }
        images.sort_by_key(|i| i.arch);
        Ok(ImageSet::new(images))
    }

    pub fn new(images: Vec<Image>) -> ImageSet {
        let index = (images.len() > 1).then(|| {
            let manifests: Vec<serde_json::Value> = images.iter().map(Image::platform_descriptor).collect();
            Blob::new(INDEX, to_json(&json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": manifests})))
        });
        ImageSet { images, index }
    }

    /// What a reference to this set resolves to: the index, or the one manifest.
    pub fn top(&self) -> &Blob {
        self.index.as_ref().unwrap_or(&self.images[0].manifest)
    }

    /// The digest a reference pins (`sha256:…`).
    pub fn digest(&self) -> &str {
        &self.top().digest
    }

    /// The OCI archive, naming the image `name` (a full reference: `registry/repo:tag`).
    pub fn archive(&self, name: &str) -> Vec<u8> {
        let mut blobs: std::collections::BTreeMap<&str, &[u8]> = std::collections::BTreeMap::new();
        for i in &self.images {
            for b in [&i.layer, &i.config, &i.manifest] {
                blobs.insert(b.hex(), &b.data);
            }
        }
        if let Some(ix) = &self.index {
            blobs.insert(ix.hex(), &ix.data);
        }
        let tag = name.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map(|(_, t)| t).unwrap_or("latest");
        let mut top = self.index.as_ref().map(Blob::descriptor).unwrap_or_else(|| self.images[0].platform_descriptor());
        top["annotations"] = json!({"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag});
        let index = to_json(&json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": [top]}));
        let mut docs: Vec<(String, Vec<u8>)> =
            vec![("index.json".into(), index), ("oci-layout".into(), to_json(&json!({"imageLayoutVersion": "1.0.0"})))];
        if let [one] = self.images.as_slice() {
            let m = json!([{
                "Config": format!("blobs/sha256/{}", one.config.hex()),
                "RepoTags": [name],
                "Layers": [format!("blobs/sha256/{}", one.layer.hex())],
            }]);
            docs.push(("manifest.json".into(), to_json(&m)));
        }
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: Option<&[u8]>| {
            let mut h = tar::Header::new_ustar();
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(0);
            match data {
                Some(d) => {
                    h.set_mode(0o644);
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_size(d.len() as u64);
                    b.append_data(&mut h, path, d)
                }
                None => {
                    h.set_mode(0o755);
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_size(0);
                    b.append_data(&mut h, path, std::io::empty())
                }
            }
            .expect("tar into memory");
        };
        add("blobs/", None);
        add("blobs/sha256/", None);
        for (hex, data) in &blobs {
            add(&format!("blobs/sha256/{hex}"), Some(data));
        }
        for (p, d) in &docs {
            add(p, Some(d));
        }
        b.into_inner().expect("tar into memory")
    }

    /// Write [`ImageSet::archive`] to `path` (through a temporary file beside it).
    pub fn write_archive(&self, name: &str, path: &Path) -> Result<u64, ImageError> {
        let data = self.archive(name);
        let werr = |source| ImageError::Write { path: path.to_path_buf(), source };
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, &data).map_err(werr)?;
        std::fs::rename(&tmp, path).map_err(werr)?;
        Ok(data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::files::File;

    fn contents(arch: Arch, bin: &[u8]) -> Contents {
        Contents { arch, is_static: true, files: vec![File { path: files::BIN.into(), data: bin.to_vec(), mode: 0o755 }] }
    }

    #[test]
    fn the_same_binary_gives_the_same_digest_and_another_a_different_one() {
        let a = Image::build(&contents(Arch::Amd64, b"\x7fELF one"));
        let b = Image::build(&contents(Arch::Amd64, b"\x7fELF one"));
        let c = Image::build(&contents(Arch::Amd64, b"\x7fELF two"));
        assert_eq!(a.manifest.digest, b.manifest.digest);
        assert_eq!(a.layer.data, b.layer.data);
        assert_ne!(a.manifest.digest, c.manifest.digest);
        let set = ImageSet::new(vec![a.clone()]);
        assert_eq!(set.archive("r/kf:1"), ImageSet::new(vec![b]).archive("r/kf:1"));
        assert_eq!(set.digest(), a.manifest.digest);
    }

    #[test]
    fn the_layer_holds_the_binary_as_root_at_time_zero_and_the_config_runs_it() {
        let img = Image::build(&contents(Arch::Arm64, b"\x7fELF bin"));
        let tar = flate2::read::GzDecoder::new(&img.layer.data[..]);
        let mut ar = tar::Archive::new(tar);
        let mut seen = Vec::new();
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let h = e.header().clone();
            assert_eq!((h.uid().unwrap(), h.gid().unwrap(), h.mtime().unwrap()), (0, 0, 0));
            let p = e.path().unwrap().to_string_lossy().into_owned();
            if p == files::BIN {
                let mut d = Vec::new();
                std::io::Read::read_to_end(&mut e, &mut d).unwrap();
                assert_eq!((d.as_slice(), h.mode().unwrap()), (&b"\x7fELF bin"[..], 0o755));
            }
            if p == "tmp/" {
                assert_eq!(h.mode().unwrap(), 0o1777);
            }
            seen.push(p);
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted);
        for p in ["etc/passwd", "usr/", "usr/local/", "usr/local/bin/", "proc/", "dev/", "sys/", "tmp/"] {
            assert!(seen.iter().any(|s| s == p), "{p} missing: {seen:?}");
        }
        let cfg: serde_json::Value = serde_json::from_slice(&img.config.data).unwrap();
        assert_eq!(cfg["architecture"], "arm64");
        assert_eq!(cfg["config"]["Entrypoint"][0], "/usr/local/bin/kforensic");
        // the diff id is the uncompressed layer's digest, as runtimes check it
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&img.layer.data[..]), &mut raw).unwrap();
        assert_eq!(cfg["rootfs"]["diff_ids"][0], format!("sha256:{}", hex::encode(Sha256::digest(&raw))));
    }

    #[test]
    fn an_archive_is_an_oci_layout_whose_blobs_match_their_names() {
        let set =
            ImageSet::new(vec![Image::build(&contents(Arch::Arm64, b"\x7fELF arm")), Image::build(&contents(Arch::Amd64, b"\x7fELF x86"))]);
        let ix: serde_json::Value = serde_json::from_slice(&set.index.as_ref().unwrap().data).unwrap();
        let arches: Vec<&str> =
            ix["manifests"].as_array().unwrap().iter().map(|m| m["platform"]["architecture"].as_str().unwrap()).collect();
        assert_eq!(arches, ["arm64", "amd64"], "in the order given to new");
        let ar = set.archive("127.0.0.1:5000/kforensic:test");
        let mut a = tar::Archive::new(&ar[..]);
        let mut names = Vec::new();
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            let mut d = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut d).unwrap();
            if let Some(hex) = p.strip_prefix("blobs/sha256/").filter(|h| !h.is_empty()) {
                assert_eq!(hex::encode(Sha256::digest(&d)), hex);
            }
            if p == "index.json" {
                let v: serde_json::Value = serde_json::from_slice(&d).unwrap();
                assert_eq!(v["manifests"][0]["digest"], set.digest());
                assert_eq!(v["manifests"][0]["annotations"]["io.containerd.image.name"], "127.0.0.1:5000/kforensic:test");
                assert_eq!(v["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "test");
            }
            names.push(p);
        }
        assert!(names.contains(&"oci-layout".to_string()) && !names.contains(&"manifest.json".to_string()), "{names:?}");
    }
}
