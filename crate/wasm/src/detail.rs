//! The detail pane of the findings table: built for the selected row only,
//! with tabs — Explanation, Fix (stack picker, snippets, copy buttons),
//! Headers (the exchanges, the headers the verdict used highlighted,
//! secrets redacted), Reproduce (curl) and, for a grouped finding,
//! Occurrences. Server text reaches the DOM only through text setters.

use cors_lens_core::explain::explain;
use cors_lens_core::export::{curl, json, redact_header};
use cors_lens_core::finding::Seen;
use cors_lens_core::fix::{self, Stack};
use cors_lens_core::l10n::{self, Lang};
use cors_lens_core::notice_text::describe;
use cors_lens_core::reason::{firefox_id_of_notice, FirefoxIds};
use cors_lens_core::{Credentials, Finding, Notice};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

use crate::dom::{add, append, attrs, button, el, set_hidden};
use crate::rows::{Entry, Kind};

/// A tab of the detail pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Explanation,
    Fix,
    Headers,
    Reproduce,
    Occurrences,
}

impl Tab {
    pub fn id(self) -> &'static str {
        match self {
            Tab::Explanation => "explanation",
            Tab::Fix => "fix",
            Tab::Headers => "headers",
            Tab::Reproduce => "reproduce",
            Tab::Occurrences => "occurrences",
        }
    }

    pub fn from_id(id: &str) -> Option<Tab> {
        [
            Tab::Explanation,
            Tab::Fix,
            Tab::Headers,
            Tab::Reproduce,
            Tab::Occurrences,
        ]
        .into_iter()
        .find(|t| t.id() == id)
    }

    fn label_key(self) -> &'static str {
        match self {
            Tab::Explanation => "ui_tab_explanation",
            Tab::Fix => "ui_tab_fix",
            Tab::Headers => "ui_tab_headers",
            Tab::Reproduce => "ui_tab_reproduce",
            Tab::Occurrences => "ui_tab_occurrences",
        }
    }
}

/// The tabs an entry has: a notice has no exchange to show or replay, and
/// only a grouped problem has occurrences.
pub fn tabs_for(entry: &Entry) -> Vec<Tab> {
    let mut tabs = if entry.is_failure() {
        vec![Tab::Explanation, Tab::Fix, Tab::Headers, Tab::Reproduce]
    } else {
        vec![Tab::Explanation]
    };
    if entry.count() > 1 {
        tabs.push(Tab::Occurrences);
    }
    tabs
}

/// What the pane shows before the user picks a stack: Nginx and Apache, as
/// MDN's page on these errors does.
const DEFAULT_STACKS: [Stack; 2] = [Stack::Nginx, Stack::Apache];

/// The built pane: its content, and the texts its copy buttons copy (a
/// button's `data-copy` is an index into `copies`).
pub struct Built {
    pub content: Element,
    pub copies: Vec<String>,
}

/// Builds the pane's content for `entry` with `active` as the open tab
/// (the first tab when the entry lacks it). `record` is the stored record
/// as JSON, for the curl commands.
pub fn build(
    doc: &Document,
    entry: &Entry,
    lang: Lang,
    stack: Option<Stack>,
    active: Tab,
    record: Option<&serde_json::Value>,
) -> Result<Built, JsError> {
    // The view reads the whole record before building its pane.
    let kind = entry
        .kind()
        .ok_or_else(|| JsError::new("this finding's stored record cannot be read"))?;
    let mut copies = Vec::new();
    let content = el(doc, "div", "d-content", None)?;
    let severity = entry.severity();
    attrs(
        &content,
        &[
            ("data-kind", kind_id(entry)),
            ("data-severity", severity.id()),
            ("data-reason", entry.reason()),
        ],
    )?;
    let head = add(&content, "header", "d-head", None)?;
    let icon = add(&head, "span", &format!("sev sev-{}", severity.id()), None)?;
    attrs(
        &icon,
        &[
            ("role", "img"),
            ("aria-label", &l10n::t(lang, severity.label_key())),
        ],
    )?;
    add(&head, "h2", "f-title", Some(entry.title(lang)))?;
    button(
        &head,
        "d-close",
        "×",
        Some(&l10n::t(lang, "ui_close_detail")),
        "close",
    )?;

    let ids = add(&content, "p", "d-ids", None)?;
    match kind {
        Kind::Failure(f) => {
            add(&ids, "span", "f-reason", Some(f.reason.chromium_id()))?;
            add(&ids, "span", "f-mdn-id", Some(f.reason.mdn_id()))?;
        }
        Kind::Notice(n) => {
            add(&ids, "span", "n-kind", Some(n.kind.id()))?;
        }
    }
    if entry.count() > 1 {
        let text = l10n::tf(lang, "ui_count", &[("count", &entry.count().to_string())]);
        add(&ids, "span", "f-count", Some(&text))?;
    }

    let actions = add(&content, "div", "f-actions", None)?;
    button(
        &actions,
        "",
        &l10n::t(lang, "ui_export_one_json"),
        Some(&l10n::t(lang, "ui_export_one_json_label")),
        "json",
    )?;
    button(
        &actions,
        "",
        &l10n::t(lang, "ui_export_one_md"),
        Some(&l10n::t(lang, "ui_export_one_md_label")),
        "md",
    )?;

    let tabs = tabs_for(entry);
    let active = if tabs.contains(&active) {
        active
    } else {
        Tab::Explanation
    };
    let curl_script = match (kind, record) {
        (Kind::Failure(f), Some(_)) => Some(curl_script(f, entry.first_seen, lang)),
        _ => None,
    };
    if let Some(script) = &curl_script {
        let b = button(&actions, "", &l10n::t(lang, "ui_copy_curl"), None, "curl")?;
        attrs(&b, &[("data-copy", &copies.len().to_string())])?;
        copies.push(script.clone());
    }

    let list = add(&content, "div", "d-tabs", None)?;
    attrs(
        &list,
        &[
            ("role", "tablist"),
            ("aria-label", &l10n::t(lang, "ui_detail_tabs")),
        ],
    )?;
    for tab in &tabs {
        let selected = *tab == active;
        let b = add(
            &list,
            "button",
            "d-tab",
            Some(&l10n::t(lang, tab.label_key())),
        )?;
        attrs(
            &b,
            &[
                ("type", "button"),
                ("role", "tab"),
                ("id", &format!("cl-tab-{}", tab.id())),
                ("aria-controls", &format!("cl-panel-{}", tab.id())),
                ("aria-selected", if selected { "true" } else { "false" }),
                ("tabindex", if selected { "0" } else { "-1" }),
                ("data-tab", tab.id()),
            ],
        )?;
    }
    for tab in &tabs {
        let panel = add(&content, "div", "d-panel", None)?;
        attrs(
            &panel,
            &[
                ("role", "tabpanel"),
                ("id", &format!("cl-panel-{}", tab.id())),
                ("aria-labelledby", &format!("cl-tab-{}", tab.id())),
                ("tabindex", "0"),
                ("data-tab", tab.id()),
            ],
        )?;
        set_hidden(&panel, *tab != active)?;
        match (kind, tab) {
            (Kind::Failure(f), Tab::Explanation) => failure_explanation(doc, &panel, f, lang)?,
            (Kind::Notice(n), Tab::Explanation) => notice_explanation(doc, &panel, n, lang)?,
            (Kind::Failure(f), Tab::Fix) => fix_tab(&panel, f, lang, stack, &mut copies)?,
            (Kind::Failure(f), Tab::Headers) => headers_tab(&panel, f, lang)?,
            (Kind::Failure(_), Tab::Reproduce) => {
                reproduce_tab(&panel, lang, curl_script.as_deref(), &mut copies)?
            }
            (_, Tab::Occurrences) => occurrences_tab(&panel, entry, lang)?,
            // A notice has no fix snippets, exchange or commands.
            (Kind::Notice(_), Tab::Fix | Tab::Headers | Tab::Reproduce) => {}
        }
    }
    Ok(Built { content, copies })
}

fn kind_id(entry: &Entry) -> &'static str {
    if entry.is_failure() {
        "failure"
    } else {
        "notice"
    }
}

/// In Firefox, beside Chromium's and MDN's ids in a built pane: the reason
/// Firefox's console names and, where Firefox folds this refusal into
/// another name, a note that says so (the mapping is the reason table's,
/// `cors_lens_core::reason`). Nothing for a row Firefox names no reason for.
pub fn add_firefox_ids(
    doc: &Document,
    content: &Element,
    entry: &Entry,
    lang: Lang,
) -> Result<(), JsError> {
    let ids = match entry.kind() {
        None => return Ok(()),
        Some(Kind::Failure(f)) => f.reason.firefox_ids_for(&f.allow_origin),
        Some(Kind::Notice(n)) => match firefox_id_of_notice(n.kind) {
            Some(id) => FirefoxIds {
                id,
                or: None,
                note_key: None,
            },
            None => return Ok(()),
        },
    };
    let Ok(Some(line)) = content.query_selector(".d-ids") else {
        return Ok(());
    };
    // A warning is about a response that passed: Firefox names the refusal
    // only if the request carried credentials.
    let conditional = matches!(entry.kind(), Some(Kind::Notice(n)) if n.kind.is_warning());
    let text = match ids.or {
        Some(or) => l10n::tf(lang, "ui_firefox_ids", &[("id", ids.id), ("alt", or)]),
        None if conditional => l10n::tf(lang, "ui_firefox_id_with_credentials", &[("id", ids.id)]),
        None => l10n::tf(lang, "ui_firefox_id", &[("id", ids.id)]),
    };
    let span = add(&line, "span", "f-firefox-id", Some(&text))?;
    attrs(
        &span,
        &[
            ("data-firefox", ids.id),
            ("data-firefox-or", ids.or.unwrap_or_default()),
            ("title", &l10n::t(lang, "ui_firefox_id_label")),
        ],
    )?;
    if let Some(key) = ids.note_key {
        let args = [("firefox", ids.id), ("alt", ids.or.unwrap_or_default())];
        let p = el(
            doc,
            "p",
            "f-firefox-note",
            Some(&l10n::tf(lang, &key, &args)),
        )?;
        content
            .insert_before(&p, line.next_sibling().as_ref())
            .map_err(crate::dom::js_error)?;
    }
    Ok(())
}

/// The curl commands for a failure (redacted, as an export is).
fn curl_script(f: &Finding, first_seen: Option<f64>, lang: Lang) -> String {
    let exported = json::finding(f.clone(), first_seen.unwrap_or(f.time_ms), "", lang);
    curl::curl(&exported, lang).script
}

fn failure_explanation(
    doc: &Document,
    panel: &Element,
    f: &Finding,
    lang: Lang,
) -> Result<(), JsError> {
    let ex = explain(f, lang);
    let facts = request_facts(
        doc,
        lang,
        [&f.method, &f.url, &f.resource_type, &f.page_origin],
    )?;
    fact(
        doc,
        &facts,
        lang,
        "ui_origin_sent",
        el(doc, "dd", "f-origin", Some(&f.origin))?,
    )?;
    let status = match f.status {
        Some(s) => s.to_string(),
        None => l10n::t(lang, "ui_no_response"),
    };
    fact(
        doc,
        &facts,
        lang,
        "ui_status",
        el(doc, "dd", "f-status", Some(&status))?,
    )?;
    let credentials = l10n::t(
        lang,
        match f.credentials {
            Credentials::Unknown => "ui_credentials_unknown",
            Credentials::IncludeFromCookie => "ui_credentials_cookie",
            Credentials::IncludeFromFailure => "ui_credentials_failure",
        },
    );
    fact(
        doc,
        &facts,
        lang,
        "ui_credentials",
        el(doc, "dd", "f-credentials", Some(&credentials))?,
    )?;
    if !f.redirects.is_empty() {
        let hops = el(doc, "dd", "f-redirects", None)?;
        for url in &f.redirects {
            add(&hops, "span", "f-hop", Some(url))?;
        }
        fact(doc, &facts, lang, "ui_redirects", hops)?;
    }
    append(panel, &facts)?;
    for (key, class, text) in [
        ("ui_what", "f-what", &ex.what),
        ("ui_why", "f-why", &ex.why),
        ("ui_fix", "f-fix", &ex.fix),
    ] {
        add(panel, "h3", "", Some(&l10n::t(lang, key)))?;
        add(panel, "p", class, Some(text))?;
    }
    // The complete fix: every change the replayed check needed, in order.
    if !ex.changes.is_empty() {
        add(panel, "h3", "", Some(&l10n::t(lang, "ui_changes")))?;
        let list = add(panel, "ol", "f-changes", None)?;
        for change in &ex.changes {
            add(&list, "li", "", Some(change))?;
        }
    }
    let links = add(panel, "p", "f-links", None)?;
    for (i, link) in ex.links.iter().enumerate() {
        let class = match i {
            0 => "f-mdn",
            1 => "f-spec",
            _ => "f-link",
        };
        let a = add(&links, "a", class, Some(&link.label))?;
        attrs(
            &a,
            &[
                ("href", &link.url),
                ("target", "_blank"),
                ("rel", "noopener noreferrer"),
            ],
        )?;
    }
    Ok(())
}

fn notice_explanation(
    doc: &Document,
    panel: &Element,
    n: &Notice,
    lang: Lang,
) -> Result<(), JsError> {
    let text = describe(n, lang);
    let facts = request_facts(
        doc,
        lang,
        [&n.method, &n.url, &n.resource_type, &n.page_origin],
    )?;
    fact(
        doc,
        &facts,
        lang,
        "ui_detail",
        el(doc, "dd", "n-detail", Some(&n.detail))?,
    )?;
    append(panel, &facts)?;
    add(panel, "h3", "", Some(&l10n::t(lang, "ui_what")))?;
    add(panel, "p", "f-what", Some(&text.what))?;
    add(panel, "h3", "", Some(&l10n::t(lang, "ui_fix")))?;
    add(panel, "p", "f-fix", Some(&text.fix))?;
    Ok(())
}

fn fix_tab(
    panel: &Element,
    f: &Finding,
    lang: Lang,
    stack: Option<Stack>,
    copies: &mut Vec<String>,
) -> Result<(), JsError> {
    let label = add(panel, "label", "d-stack", None)?;
    add(&label, "span", "", Some(&l10n::t(lang, "ui_stack_label")))?;
    let select = add(&label, "select", "", None)?;
    attrs(&select, &[("id", "stack"), ("data-action", "stack")])?;
    let mut choices = vec![(String::new(), l10n::t(lang, "ui_stack_default"))];
    choices.extend(
        Stack::ALL
            .into_iter()
            .map(|s| (s.id().to_owned(), s.name().to_owned())),
    );
    let chosen = stack.map_or("", Stack::id);
    for (id, name) in choices {
        let option = add(&select, "option", "", Some(&name))?;
        attrs(&option, &[("value", &id)])?;
        if id == chosen {
            attrs(&option, &[("selected", "")])?;
        }
    }
    add(panel, "h3", "", Some(&l10n::t(lang, "ui_snippets")))?;
    let stacks = match stack {
        Some(stack) => vec![stack],
        None => DEFAULT_STACKS.to_vec(),
    };
    for stack in stacks {
        for snippet in fix::snippets(f, stack, lang) {
            let figure = add(panel, "figure", "f-snippet-box", None)?;
            attrs(
                &figure,
                &[
                    ("data-stack", snippet.stack.id()),
                    ("data-variant", snippet.variant.id()),
                ],
            )?;
            add(&figure, "figcaption", "", Some(&snippet.title))?;
            for part in &snippet.parts {
                let bar = add(&figure, "div", "f-part", None)?;
                add(&bar, "p", "f-placement", Some(&part.label))?;
                let name = l10n::tf(lang, "ui_copy_snippet", &[("title", &snippet.title)]);
                let b = button(&bar, "copy", &l10n::t(lang, "ui_copy"), None, "copy")?;
                attrs(
                    &b,
                    &[
                        ("aria-label", &name),
                        ("data-copy", &copies.len().to_string()),
                        ("data-what", "snippet"),
                    ],
                )?;
                copies.push(part.code.clone());
                let pre = add(&figure, "pre", "f-snippet", Some(&part.code))?;
                attrs(
                    &pre,
                    &[
                        ("data-stack", snippet.stack.id()),
                        ("data-placement", part.placement),
                    ],
                )?;
            }
        }
    }
    let ex = explain(f, lang);
    if !ex.warnings.is_empty() {
        add(panel, "h3", "", Some(&l10n::t(lang, "ui_warnings")))?;
        let list = add(panel, "ul", "f-warnings", None)?;
        for warning in &ex.warnings {
            add(&list, "li", "f-warning", Some(warning))?;
        }
    }
    Ok(())
}

/// Request headers the verdict reads: the origin, what a preflight asks
/// for, and what tells credentials were sent.
const USED_REQUEST: [&str; 5] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "cookie",
    "authorization",
];
/// Response headers the verdict reads.
const USED_RESPONSE: [&str; 5] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "location",
];

fn headers_tab(panel: &Element, f: &Finding, lang: Lang) -> Result<(), JsError> {
    add(
        panel,
        "p",
        "d-note",
        Some(&l10n::t(lang, "ui_headers_used")),
    )?;
    // Both exchanges of the failure: the preflight that let the request go
    // (or the failed preflight itself), and the actual request.
    if let Some(preflight) = &f.preflight {
        exchange_view(panel, preflight, lang, "ui_exchange_preflight", "preflight")?;
    }
    let (key, role) = if f.reason.is_preflight() {
        ("ui_exchange_preflight", "preflight")
    } else {
        ("ui_exchange_request", "request")
    };
    exchange_view(panel, &f.exchange, lang, key, role)
}

/// One exchange as a `<details class="f-exchange" open>`: a summary line,
/// then the request and response headers as two tables.
fn exchange_view(
    panel: &Element,
    seen: &Seen,
    lang: Lang,
    key: &str,
    role: &str,
) -> Result<(), JsError> {
    let details = add(panel, "details", "f-exchange", None)?;
    attrs(&details, &[("data-exchange", role), ("open", "")])?;
    let status = match seen.status {
        Some(s) => s.to_string(),
        None => l10n::t(lang, "ui_no_response"),
    };
    let summary = l10n::tf(
        lang,
        key,
        &[
            ("method", seen.method.as_str()),
            ("url", seen.url.as_str()),
            ("status", status.as_str()),
        ],
    );
    add(&details, "summary", "f-exchange-summary", Some(&summary))?;
    let used_title = l10n::t(lang, "ui_header_used");
    for (caption, class, headers, used) in [
        (
            "ui_request_headers",
            "f-request-headers",
            &seen.request_headers,
            &USED_REQUEST,
        ),
        (
            "ui_response_headers",
            "f-response-headers",
            &seen.response_headers,
            &USED_RESPONSE,
        ),
    ] {
        let table = add(&details, "table", class, None)?;
        add(&table, "caption", "", Some(&l10n::t(lang, caption)))?;
        if headers.is_empty() {
            let row = add(&table, "tr", "", None)?;
            let cell = add(
                &row,
                "td",
                "f-no-headers",
                Some(&l10n::t(lang, "ui_no_headers")),
            )?;
            attrs(&cell, &[("colspan", "2")])?;
        }
        for h in headers.iter() {
            let is_used = used.iter().any(|u| h.name.eq_ignore_ascii_case(u));
            let row = add(&table, "tr", if is_used { "f-used" } else { "" }, None)?;
            let th = add(&row, "th", "f-header-name", Some(&h.name))?;
            attrs(&th, &[("scope", "row")])?;
            if is_used {
                let name = format!("{} ({used_title})", h.name);
                attrs(&th, &[("title", &used_title), ("aria-label", &name)])?;
            }
            add(
                &row,
                "td",
                "f-header-value",
                Some(&redact_header(&h.name, &h.value)),
            )?;
        }
    }
    Ok(())
}

fn reproduce_tab(
    panel: &Element,
    lang: Lang,
    script: Option<&str>,
    copies: &mut Vec<String>,
) -> Result<(), JsError> {
    add(
        panel,
        "p",
        "d-note",
        Some(&l10n::t(lang, "ui_reproduce_note")),
    )?;
    if let Some(script) = script {
        let b = button(panel, "copy", &l10n::t(lang, "ui_copy"), None, "copy")?;
        attrs(
            &b,
            &[
                ("aria-label", &l10n::t(lang, "ui_copy_curl")),
                ("data-copy", &copies.len().to_string()),
                ("data-what", "curl"),
            ],
        )?;
        copies.push(script.to_owned());
        add(panel, "pre", "f-curl", Some(script))?;
    }
    Ok(())
}

fn occurrences_tab(panel: &Element, entry: &Entry, lang: Lang) -> Result<(), JsError> {
    add(
        panel,
        "p",
        "d-note",
        Some(&l10n::t(lang, "ui_occurrences_note")),
    )?;
    let facts = add(panel, "dl", "f-facts f-occurrences", None)?;
    let row = |key: &str, class: &str, value: &str| -> Result<(), JsError> {
        add(&facts, "dt", "", Some(&l10n::t(lang, key)))?;
        add(&facts, "dd", class, Some(value))?;
        Ok(())
    };
    row("ui_col_count", "o-count", &entry.count().to_string())?;
    if let Some(first) = entry.first_seen {
        row("ui_first_seen", "o-first", &date_time(first, lang))?;
    }
    row("ui_last_seen", "o-last", &date_time(entry.time(), lang))?;
    row("ui_last_request_id", "o-request", entry.request_id())
}

/// The facts every detail starts with: the request (method, URL, type) and
/// the page origin, as a `<dl>` the caller may extend.
fn request_facts(
    doc: &Document,
    lang: Lang,
    [method, url, resource_type, page_origin]: [&str; 4],
) -> Result<Element, JsError> {
    let facts = el(doc, "dl", "f-facts", None)?;
    let request = el(doc, "dd", "f-request", None)?;
    add(&request, "span", "f-method", Some(method))?;
    add(&request, "span", "f-url", Some(url))?;
    add(&request, "span", "f-type", Some(resource_type))?;
    fact(doc, &facts, lang, "ui_request", request)?;
    fact(
        doc,
        &facts,
        lang,
        "ui_page_origin",
        el(doc, "dd", "f-page-origin", Some(page_origin))?,
    )?;
    Ok(facts)
}

/// Appends a `<dt>` with the localised label and the given `<dd>`.
fn fact(
    doc: &Document,
    facts: &Element,
    lang: Lang,
    key: &str,
    dd: Element,
) -> Result<(), JsError> {
    append(facts, &el(doc, "dt", "", Some(&l10n::t(lang, key)))?)?;
    append(facts, &dd)
}

/// A time of day in the panel's language (`14:03:07`).
pub fn clock(ms: f64, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    String::from(date.to_locale_time_string(lang.code()))
}

fn date_time(ms: f64, lang: Lang) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    String::from(date.to_locale_string(lang.code(), &JsValue::UNDEFINED))
}
