//! Secret-looking values and how they are shown: never the value, only a mask that lets a
//! responder match it against a known credential (first 4 characters, length, SHA-256 prefix).

use regex::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// The kinds of secret recognised, with their pattern (the same patterns, as bytes, search memory).
pub const KINDS: &[(&str, &str)] = &[
    ("AWS access key id", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b"),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20}\b"),
    ("Slack token", r"\bxox[abprs]-[0-9A-Za-z-]{10,72}\b"),
    ("private key", r"-----BEGIN (?:[A-Z0-9]+ )?PRIVATE KEY-----"),
    ("JSON web token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
];

fn compiled() -> &'static [(&'static str, Regex)] {
    static R: OnceLock<Vec<(&'static str, Regex)>> = OnceLock::new();
    R.get_or_init(|| KINDS.iter().map(|(k, p)| (*k, Regex::new(p).expect("static pattern"))).collect())
}

/// All patterns as one byte regex (memory search), alternatives in [`KINDS`] order.
pub fn memory_pattern() -> String {
    KINDS.iter().map(|(_, p)| format!("(?:{p})")).collect::<Vec<_>>().join("|")
}

/// `AKIA…(20 chars, sha256:0123abcd)`: enough to recognise a known credential, not to use one.
pub fn mask(value: &str) -> String {
    let head: String = value.chars().take(4).collect();
    let sha = hex::encode(crate::evidence::hash::Sha256::digest(value.as_bytes()));
    format!("{head}…({} chars, sha256:{})", value.chars().count(), &sha[..12])
}

/// The secrets in `text`: (kind, the value, masked), in order.
pub fn find(text: &str) -> Vec<(&'static str, String)> {
    let mut out: Vec<(usize, &'static str, String)> = Vec::new();
    for (kind, re) in compiled() {
        for m in re.find_iter(text) {
            out.push((m.start(), kind, m.as_str().to_string()));
        }
    }
    out.sort_by_key(|x| x.0);
    out.into_iter().map(|(_, k, v)| (k, v)).collect()
}

/// The kind of secret `value` is (a memory match), by the first pattern matching all of it.
pub fn kind_of(value: &str) -> &'static str {
    compiled().iter().find(|(_, re)| re.is_match(value)).map(|(k, _)| *k).unwrap_or("secret")
}

/// `text` with every secret replaced by its mask: what goes into a reason or an evidence path.
pub fn redact(text: &str) -> Cow<'_, str> {
    let found = find(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut s = text.to_string();
    for (_, v) in found {
        s = s.replace(&v, &mask(&v));
    }
    Cow::Owned(s)
}

/// An environment variable whose name says it holds a credential.
pub fn credential_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY"].iter().any(|w| n.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_value_out_and_stay_comparable() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        let m = mask(key);
        assert!(m.starts_with("AKIA…(20 chars, sha256:"), "{m}");
        assert!(!m.contains("IOSFODNN7EXAMPLE"));
        assert_eq!(m, mask(key));
        assert_ne!(m, mask("AKIAIOSFODNN7EXAMPLF"));
    }

    #[test]
    fn secrets_are_found_and_redacted_everywhere_in_a_line() {
        let gh = format!("ghp_{}", "a1B2".repeat(9));
        let line = format!("curl -H 'Authorization: token {gh}' https://x AWS=AKIAIOSFODNN7EXAMPLE glpat-abcdefghij0123456789");
        let kinds: Vec<_> = find(&line).into_iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, ["GitHub token", "AWS access key id", "GitLab token"]);
        let r = redact(&line);
        assert!(!r.contains(&gh) && !r.contains("AKIAIOSFODNN7EXAMPLE") && !r.contains("glpat-abcdefghij0123456789"), "{r}");
        assert!(r.contains("curl -H"), "{r}");
        assert_eq!(redact("nothing here"), "nothing here");
        assert_eq!(find("-----BEGIN OPENSSH PRIVATE KEY-----")[0].0, "private key");
        assert!(find("AKIAshort").is_empty());
    }

    #[test]
    fn memory_pattern_matches_what_find_does() {
        let re = regex::bytes::Regex::new(&memory_pattern()).unwrap();
        assert!(re.is_match(b"x=AKIAIOSFODNN7EXAMPLE\0"));
        assert_eq!(kind_of("AKIAIOSFODNN7EXAMPLE"), "AWS access key id");
        assert!(credential_name("DB_PASSWORD") && credential_name("github_token") && !credential_name("PATH"));
    }
}
