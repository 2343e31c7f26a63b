//! Split a Kubernetes list response (`{"kind":…,"metadata":{…},"items":[…]}`) into the raw bytes
//! of each item, without building a tree (serde_json's `RawValue` borrows each item's text):
//! items are written to the bundle exactly as the server sent them, and only the sources that
//! run rules decode them.
//!
//! The input comes from the network: every malformed shape is an error, never a panic.

use serde::Deserialize;
use serde_json::value::RawValue;

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
        let list: RawList<'_> = serde_json::from_str(&text).map_err(|e| format!("list: {e}"))?;
        // each raw item borrows from `text`: keep where it sits, not a copy
        let base = text.as_ptr() as usize;
        let spans = (list.items.unwrap_or_default().iter())
            .map(|v| {
                let a = v.get().as_ptr() as usize - base;
                (a, a + v.get().len())
            })
            .collect();
        let meta = list.metadata;
        let continue_token = meta.continue_token.filter(|c| !c.is_empty());
        Ok(Page { spans, continue_token, remaining: meta.remaining_item_count, text })
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn items(&self) -> impl Iterator<Item = &str> {
        // spans are those of whole JSON values in `text`, so on character boundaries
        self.spans.iter().filter_map(|&(a, b)| self.text.get(a..b))
    }
}

/// A list response with its items left as the server's bytes (`kind` and the rest are ignored).
#[derive(Deserialize)]
struct RawList<'a> {
    #[serde(default)]
    metadata: ListMeta,
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    #[serde(rename = "continue")]
    continue_token: Option<String>,
    remaining_item_count: Option<i64>,
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
    fn items_keep_their_bytes_and_unicode_between_whitespace() {
        let text = "{ \"items\" : [ {\"a\" : \"é\\u00e9 ]\"} ,\n\t\"x\" , 7 ] , \"metadata\" : { } }";
        let p = Page::parse(text.to_string()).unwrap();
        assert_eq!(p.items().collect::<Vec<_>>(), vec!["{\"a\" : \"é\\u00e9 ]\"}", "\"x\"", "7"]);
        assert_eq!((p.len(), p.continue_token.as_deref(), p.remaining), (3, None, None));
    }

    #[test]
    fn malformed_pages_are_errors_not_panics() {
        for bad in [
            "",
            "[",
            "{",
            r#"{"items":[{"a":1}"#,
            r#"{"items":[{"a":"1}]}"#,
            r#"{"items" [1]}"#,
            r#"{"items":[1,]}"#,
            "{\"a\":\"\\",
            r#"{"metadata":{"continue":5},"items":[]}"#,
        ] {
            assert!(Page::parse(bad.to_string()).is_err(), "{bad:?} accepted");
        }
    }
}
