//! Case ids: what the command line accepts, and the lowercase DNS form used in object names.
//!
//! A case id is kept as given (`INC-1234`, `sec.2026_07`) in labels, annotations, the isolation
//! record, the manifest and the bundle's directory name: Kubernetes label values accept
//! `[A-Za-z0-9._-]` with alphanumeric ends, at most 63 characters. Object names (the collector
//! pod, the quarantine NetworkPolicy) must be lowercase DNS names: they use [`dns_form`].

use crate::evidence::hash::Sha256;

/// What `--case-id` and `KFORENSIC_CASE_ID` accept: 1-63 characters of `A-Z a-z 0-9 . _ -`,
/// starting and ending with a letter or digit, no `..`. A valid label value and path component.
pub fn check(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let ok = !s.is_empty()
        && s.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !s.contains("..");
    if ok {
        Ok(())
    } else {
        Err("a case id is 1-63 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting and ending with a letter or digit, without '..' (e.g. INC-1234)".into())
    }
}

/// The case id as a part of a Kubernetes object name (a lowercase RFC 1123 label): unchanged
/// when it already is one; otherwise lowercased, `.` and `_` turned into `-`, and 4 hex digits of
/// the original's SHA-256 appended, so that `INC-1234`, `inc-1234` and `inc_1234` never share an
/// object. At most 68 characters.
pub fn dns_form(case_id: &str) -> String {
    let lower: String = case_id
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '-' => c,
            _ => '-',
        })
        .collect();
    if lower == case_id {
        return lower;
    }
    let h = Sha256::digest(case_id.as_bytes());
    format!("{lower}-{:02x}{:02x}", h[0], h[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_dns_label(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= 68
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric()
    }

    #[test]
    fn ticket_style_ids_are_accepted_and_unsafe_ones_refused() {
        for good in ["INC-1234", "kf-20261125-0312-ab12", "sec.2026_07", "a", "A1", &"a".repeat(63)] {
            assert!(check(good).is_ok(), "{good:?} refused");
        }
        for bad in ["", "a..b", "..", ".", "-x", "x-", "_x", "x.", "a/b", "a b", "é", &"a".repeat(64), "a\nb"] {
            assert!(check(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_dns_form_is_a_lowercase_label_and_keeps_distinct_ids_distinct() {
        assert_eq!(dns_form("kf-20261125-0312-ab12"), "kf-20261125-0312-ab12", "already DNS-safe: unchanged");
        let upper = dns_form("INC-1234");
        assert!(upper.starts_with("inc-1234-") && upper.len() == "inc-1234-".len() + 4, "{upper}");
        let forms = [dns_form("INC-1234"), dns_form("inc-1234"), dns_form("inc_1234"), dns_form("inc.1234"), dns_form("Inc-1234")];
        for (i, a) in forms.iter().enumerate() {
            assert!(is_dns_label(a), "{a}");
            for b in &forms[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(dns_form("INC-1234"), upper, "stable");
        let long = format!("A{}", "b".repeat(62));
        assert!(is_dns_label(&dns_form(&long)), "{}", dns_form(&long));
    }
}
