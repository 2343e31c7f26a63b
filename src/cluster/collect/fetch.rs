//! Paginated lists (`limit` / `continue`) over one or several namespaces, page by page.

use super::rawlist::Page;
use super::{CollectError, Scope};
use crate::cluster::error::is_not_found;
use kube::Client;
use kube::api::ListParams;

/// An API resource as the server serves it.
#[derive(Debug, Clone)]
pub struct Res {
    pub group: &'static str,
    pub version: String,
    pub plural: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
}

impl Res {
    pub const fn core(plural: &'static str, kind: &'static str, namespaced: bool) -> Res {
        Res { group: "", version: String::new(), plural, kind, namespaced }
    }
    pub fn new(group: &'static str, version: &str, plural: &'static str, kind: &'static str, namespaced: bool) -> Res {
        Res { group, version: version.to_string(), plural, kind, namespaced }
    }
    pub fn api_version(&self) -> String {
        match (self.group, self.version.as_str()) {
            ("", "") => "v1".into(),
            ("", v) => v.into(),
            (g, v) => format!("{g}/{v}"),
        }
    }
    fn base(&self) -> String {
        if self.group.is_empty() { format!("/api/{}", self.api_version()) } else { format!("/apis/{}", self.api_version()) }
    }
    /// The collection URL paths for `scope`: one per namespace, or one for the whole cluster.
    pub fn paths(&self, scope: &Scope) -> Vec<String> {
        match scope {
            Scope::Namespaces(list) if self.namespaced => {
                list.iter().map(|ns| format!("{}/namespaces/{ns}/{}", self.base(), self.plural)).collect()
            }
            _ => vec![format!("{}/{}", self.base(), self.plural)],
        }
    }
}

/// Pages of one resource over a scope, fetched one at a time (memory: one page).
pub struct Pager {
    client: Client,
    what: String,
    paths: std::vec::IntoIter<String>,
    current: Option<String>,
    continue_token: Option<String>,
    params: ListParams,
}

impl Pager {
    pub fn new(client: Client, res: &Res, scope: &Scope, params: ListParams) -> Pager {
        Pager {
            client,
            what: format!("list {}", res.plural),
            paths: res.paths(scope).into_iter(),
            current: None,
            continue_token: None,
            params,
        }
    }

    /// The next page, or None when every path is exhausted.
    pub async fn next(&mut self) -> Result<Option<Page>, CollectError> {
        if self.current.is_none() {
            self.current = self.paths.next();
            self.continue_token = None;
        }
        let Some(path) = self.current.clone() else { return Ok(None) };
        let mut lp = self.params.clone();
        lp.continue_token = self.continue_token.take();
        let req = kube::core::Request::new(path.as_str())
            .list(&lp)
            .map_err(|e| CollectError::Internal(format!("cannot build the request for {path}: {e}")))?;
        let text = self.client.request_text(req).await.map_err(|e| CollectError::kube(format!("{} ({path})", self.what), e))?;
        let page = Page::parse(text).map_err(|e| CollectError::BadPage(format!("{path}: {e}")))?;
        match &page.continue_token {
            Some(c) => self.continue_token = Some(c.clone()),
            None => self.current = None,
        }
        Ok(Some(page))
    }
}

/// `limit` + optional selectors.
pub fn list_params(page_size: u32, labels: Option<&str>, fields: Option<&str>) -> ListParams {
    let mut lp = ListParams::default().limit(page_size);
    if let Some(l) = labels {
        lp = lp.labels(l);
    }
    if let Some(f) = fields {
        lp = lp.fields(f);
    }
    lp
}

/// Which version of `group`/`plural` the server serves, preferring the first of `versions`.
pub async fn served_version(client: &Client, group: &str, plural: &str, versions: &[&str]) -> Result<Option<String>, CollectError> {
    for v in versions {
        match client.list_api_group_resources(&format!("{group}/{v}")).await {
            Ok(list) if list.resources.iter().any(|r| r.name == plural) => return Ok(Some(v.to_string())),
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(CollectError::kube(format!("discover {group}/{v}"), e)),
        }
    }
    Ok(None)
}
