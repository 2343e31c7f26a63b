//! Split a Kubernetes list response (`{"kind":…,"metadata":{…},"items":[…]}`) into the raw bytes
//! of each item, without building a tree: items are written to the bundle exactly as the server
//! sent them, and only the sources that run rules decode them.
//!
//! The input comes from the network: every malformed shape is an error, never a panic.

use serde::Deserialize;

/// One page of a list: the text and where each item sits in it.
#[derive(Debug)]
pub struct Page {
    pub text: String,
    spans: Vec<(usize, usize)>,
    pub continue_token: Option<String>,
    pub remaining: Option<i64>,
}

impl Page {
    pub fn parse(text: String) -> Result<Page, String> {
        let (spans, meta) = split(text.as_bytes())?;
        let meta: ListMeta = match meta {
            Some((a, b)) => serde_json::from_str(&text[a..b]).map_err(|e| format!("list metadata: {e}"))?,
            None => ListMeta::default(),
        };
        let continue_token = meta.continue_token.filter(|c| !c.is_empty());
        Ok(Page { text, spans, continue_token, remaining: meta.remaining_item_count })
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn items(&self) -> impl Iterator<Item = &str> {
        // spans are on value boundaries found by `split`, which only stops at ASCII bytes
        self.spans.iter().filter_map(|&(a, b)| self.text.get(a..b))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    #[serde(rename = "continue")]
    continue_token: Option<String>,
    remaining_item_count: Option<i64>,
}

type Span = (usize, usize);

/// Spans of the items and of the list metadata.
fn split(b: &[u8]) -> Result<(Vec<Span>, Option<Span>), String> {
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err("not a JSON object".into());
    }
    i += 1;
    let mut items = Vec::new();
    let mut meta = None;
    loop {
        i = ws(b, i);
        match b.get(i) {
            Some(b'}') => break,
            Some(b'"') => {}
            _ => return Err(format!("expected a key at byte {i}")),
        }
        let (k0, k1) = (i + 1, string_end(b, i)?);
        let key = &b[k0..k1 - 1];
        i = ws(b, k1);
        if b.get(i) != Some(&b':') {
            return Err(format!("expected ':' at byte {i}"));
        }
        i = ws(b, i + 1);
        let start = i;
        if key == b"items" && b.get(i) == Some(&b'[') {
            i = ws(b, i + 1);
            if b.get(i) == Some(&b']') {
                i += 1;
            } else {
                loop {
                    let s = i;
                    i = value_end(b, i)?;
                    items.push((s, i));
                    i = ws(b, i);
                    match b.get(i) {
                        Some(b',') => i = ws(b, i + 1),
                        Some(b']') => {
                            i += 1;
                            break;
                        }
                        _ => return Err(format!("expected ',' or ']' at byte {i}")),
                    }
                }
            }
        } else {
            i = value_end(b, i)?;
            if key == b"metadata" {
                meta = Some((start, i));
            }
        }
        i = ws(b, i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => break,
            _ => return Err(format!("expected ',' or '}}' at byte {i}")),
        }
    }
    Ok((items, meta))
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// `b[i]` is '"': the index just past the closing quote.
fn string_end(b: &[u8], i: usize) -> Result<usize, String> {
    let mut j = i + 1;
    loop {
        match memchr::memchr2(b'"', b'\\', b.get(j..).unwrap_or_default()) {
            None => return Err("unterminated string".into()),
            Some(off) => {
                j += off;
                if b[j] == b'\\' {
                    j += 2;
                } else {
                    return Ok(j + 1);
                }
            }
        }
    }
}

/// The index just past the JSON value starting at `i` (containers are matched, strings skipped).
fn value_end(b: &[u8], i: usize) -> Result<usize, String> {
    match b.get(i) {
        Some(b'"') => string_end(b, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&c) = b.get(j) {
                match c {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err("unterminated object or array".into())
        }
        Some(_) => {
            let mut j = i;
            while let Some(&c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                    break;
                }
                j += 1;
            }
            if j == i { Err(format!("expected a value at byte {i}")) } else { Ok(j) }
        }
        None => Err("unexpected end of input".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_come_out_byte_exact_with_the_continue_token() {
        let text = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"abc","remainingItemCount":3},
            "items":[{"metadata":{"name":"a]}\"x"},"n":[1,{"b":"}"}]}, {"metadata":{"name":"b"}} ]}"#;
        let p = Page::parse(text.to_string()).unwrap();
        let items: Vec<&str> = p.items().collect();
        assert_eq!(items, vec![r#"{"metadata":{"name":"a]}\"x"},"n":[1,{"b":"}"}]}"#, r#"{"metadata":{"name":"b"}}"#]);
        assert_eq!(p.continue_token.as_deref(), Some("abc"));
        assert_eq!(p.remaining, Some(3));
        for it in items {
            serde_json::from_str::<serde_json::Value>(it).unwrap();
        }
    }

    #[test]
    fn empty_and_null_items_and_no_continue() {
        let p = Page::parse(r#"{"metadata":{"continue":""},"items":[]}"#.into()).unwrap();
        assert!(p.is_empty() && p.continue_token.is_none());
        let p = Page::parse(r#"{"metadata":{},"items":null}"#.into()).unwrap();
        assert!(p.is_empty());
    }

    #[test]
    fn malformed_pages_are_errors_not_panics() {
        for bad in ["", "[", "{", r#"{"items":[{"a":1}"#, r#"{"items":[{"a":"1}]}"#, r#"{"items" [1]}"#, r#"{"items":[1,]}"#, "{\"a\":\"\\", r#"{"metadata":{"continue":5},"items":[]}"#] {
            assert!(Page::parse(bad.to_string()).is_err(), "{bad:?} accepted");
        }
    }
}
