//! The DevTools panel renderer: builds the findings list with web-sys.
//! Every URL and header value comes from an untrusted server, so text only
//! ever reaches the DOM through `textContent` and attribute setters.

use cors_lens_core::explain::{explain, Explanation};
use cors_lens_core::filter::{Filter, Kind};
use cors_lens_core::finding::Seen;
use cors_lens_core::fix::{self, Stack};
use cors_lens_core::l10n::{self, Lang};
use cors_lens_core::notice_text::describe;
use cors_lens_core::wire::Record;
use cors_lens_core::{Credentials, Finding, Notice};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

/// Translates the static parts of the panel: every element with a
/// `data-i18n` attribute gets the message of that key as its text, and
/// `<html lang>` says which language is in use. Returns the language code.
#[wasm_bindgen(js_name = localizePage)]
pub fn localize_page(lang_tag: &str) -> Result<String, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let doc = document()?;
    let nodes = doc.query_selector_all("[data-i18n]").map_err(js_error)?;
    for i in 0..nodes.length() {
        let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        if let Some(key) = el.get_attribute("data-i18n") {
            el.set_text_content(Some(&l10n::t(lang, &key)));
        }
    }
    // Attributes the user reads too: a search box's placeholder, its label.
    for attr in ["placeholder", "aria-label", "title"] {
        let marker = format!("data-i18n-{attr}");
        let nodes = doc
            .query_selector_all(&format!("[{marker}]"))
            .map_err(js_error)?;
        for i in 0..nodes.length() {
            let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if let Some(key) = el.get_attribute(&marker) {
                el.set_attribute(attr, &l10n::t(lang, &key))
                    .map_err(js_error)?;
            }
        }
    }
    if let Some(root) = doc.document_element() {
        root.set_attribute("lang", lang.code()).map_err(js_error)?;
    }
    doc.set_title(&l10n::t(lang, "panelTitle"));
    Ok(lang.code().to_owned())
}

/// The indices of the `records` the panel's filter keeps (`query`: words,
/// see `cors_lens_core::filter`; `kind`: `all`, `failures` or `notices`),
/// in order. The shown list and the export of "the shown findings" both
/// come from these indices. Records that are not readable at all are kept
/// only when nothing is filtered.
#[wasm_bindgen(js_name = filterRecords)]
pub fn filter_records(
    records: JsValue,
    query: &str,
    kind: &str,
    lang_tag: &str,
) -> Result<Vec<u32>, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let values: Vec<serde_json::Value> =
        serde_wasm_bindgen::from_value(records).map_err(|e| JsError::new(&e.to_string()))?;
    let filter = Filter::new(query, Kind::from_id(kind));
    Ok(values
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let kept = filter.is_empty()
                || serde_json::from_value::<Record>(v).is_ok_and(|r| filter.keeps(&r, lang));
            kept.then_some(i as u32)
        })
        .collect())
}

/// One localised message, for the few strings the panel's glue shows itself.
#[wasm_bindgen]
pub fn t(lang_tag: &str, key: &str) -> String {
    l10n::t(Lang::from_tag(lang_tag), key)
}

/// One localised message with its `{name}` placeholders filled from `args`,
/// an object such as `{ file: "a.json", message: "..." }`, in one pass (the
/// core's): a value that itself contains `{message}` or `$&` is inserted as
/// written, never substituted again. Strings are inserted as they are,
/// `null` and `undefined` as nothing, other values as their JSON text.
#[wasm_bindgen]
pub fn tf(lang_tag: &str, key: &str, args: JsValue) -> Result<String, JsError> {
    let args: Vec<(String, serde_json::Value)> = if args.is_undefined() || args.is_null() {
        Vec::new()
    } else {
        serde_wasm_bindgen::from_value::<serde_json::Map<String, serde_json::Value>>(args)
            .map_err(|e| JsError::new(&format!("placeholder values for {key}: {e}")))?
            .into_iter()
            .collect()
    };
    let values: Vec<(&str, String)> = args
        .iter()
        .map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            };
            (name.as_str(), text)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    Ok(l10n::tf(Lang::from_tag(lang_tag), key, &pairs))
}

/// Renders `records` (the stored records of one tab, oldest first) into
/// `#findings` (CORS failures) and `#notices` (warnings and non-CORS
/// failures), replacing what was there, and updates `#summary` and `#empty`.
/// Fix snippets are for `stack_id` (a stack id; anything else means the
/// default, Nginx and Apache).
/// Records that cannot be read are counted, never dropped silently.
#[wasm_bindgen(js_name = renderFindings)]
pub fn render_findings(records: JsValue, lang_tag: &str, stack_id: &str) -> Result<(), JsError> {
    let lang = Lang::from_tag(lang_tag);
    let stack = Stack::from_id(stack_id);
    let values: Vec<serde_json::Value> =
        serde_wasm_bindgen::from_value(records).map_err(|e| JsError::new(&e.to_string()))?;
    let doc = document()?;
    let list = by_id(&doc, "findings")?;
    let notices = by_id(&doc, "notices")?;
    list.set_text_content(None);
    notices.set_text_content(None);
    let (mut failures, mut noted, mut unreadable) = (0usize, 0usize, 0usize);
    // Newest first: the failure the user just caused is on top.
    for value in values.into_iter().rev() {
        let record = serde_json::from_value::<Record>(value).map_err(|_| ());
        match record {
            Ok(Record::Failure(r)) => match Finding::try_from(r) {
                Ok(finding) => {
                    append(&list, finding_view(&doc, &finding, lang, stack)?)?;
                    failures += 1;
                }
                Err(_) => unreadable += 1,
            },
            Ok(Record::Notice(r)) => match Notice::try_from(r) {
                Ok(notice) => {
                    append(&notices, notice_view(&doc, &notice, lang)?)?;
                    noted += 1;
                }
                Err(_) => unreadable += 1,
            },
            Err(()) => unreadable += 1,
        }
    }
    list.set_attribute("data-count", &failures.to_string())
        .map_err(js_error)?;
    notices
        .set_attribute("data-count", &noted.to_string())
        .map_err(js_error)?;
    if let Some(heading) = doc.get_element_by_id("notices-heading") {
        toggle_hidden(&heading, noted == 0)?;
    }
    if let Some(summary) = doc.get_element_by_id("summary") {
        let mut text = l10n::tf(lang, "ui_summary", &[("count", &failures.to_string())]);
        if unreadable > 0 {
            text.push_str(" · ");
            text.push_str(&l10n::tf(
                lang,
                "ui_unreadable",
                &[("count", &unreadable.to_string())],
            ));
        }
        summary.set_text_content(Some(&text));
    }
    if let Some(empty) = doc.get_element_by_id("empty") {
        toggle_hidden(&empty, failures + noted > 0)?;
    }
    Ok(())
}

/// A warning about a response that passed, or a request that failed for a
/// reason other than CORS.
fn notice_view(doc: &Document, n: &Notice, lang: Lang) -> Result<Element, JsError> {
    let text = describe(n, lang);
    let article = el(doc, "article", "notice", None)?;
    article
        .set_attribute("data-notice", n.kind.id())
        .map_err(js_error)?;
    article
        .set_attribute(
            "data-severity",
            if n.kind.is_warning() {
                "warning"
            } else {
                "info"
            },
        )
        .map_err(js_error)?;
    let head = el(doc, "header", "f-head", None)?;
    append(&head, el(doc, "span", "n-kind", Some(n.kind.id()))?)?;
    count_badge(doc, &head, lang, n.count)?;
    append(&article, head)?;
    append(&article, el(doc, "h3", "f-title", Some(&text.title))?)?;
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
    append(&article, facts)?;
    append(&article, el(doc, "p", "f-what", Some(&text.what))?)?;
    append(&article, el(doc, "p", "f-fix", Some(&text.fix))?)?;
    Ok(article)
}

fn toggle_hidden(el: &Element, hidden: bool) -> Result<(), JsError> {
    if hidden {
        el.set_attribute("hidden", "").map_err(js_error)
    } else {
        el.remove_attribute("hidden").map_err(js_error)
    }
}

fn by_id(doc: &Document, id: &str) -> Result<Element, JsError> {
    doc.get_element_by_id(id)
        .ok_or_else(|| JsError::new(&format!("the panel has no #{id} element")))
}

/// What the panel shows before the user picks a stack: Nginx and Apache, as
/// MDN's page on these errors does.
const DEFAULT_STACKS: [Stack; 2] = [Stack::Nginx, Stack::Apache];

/// The choices of the stack picker, in order: the default first (`id` ""),
/// then every stack. Labels are text, set by the caller with `new Option`.
#[wasm_bindgen(js_name = stackChoices)]
pub fn stack_choices(lang_tag: &str) -> Result<JsValue, JsError> {
    let lang = Lang::from_tag(lang_tag);
    let mut choices = vec![StackChoice {
        id: String::new(),
        label: l10n::t(lang, "ui_stack_default"),
    }];
    choices.extend(Stack::ALL.into_iter().map(|s| StackChoice {
        id: s.id().to_owned(),
        label: s.name().to_owned(),
    }));
    crate::to_js(&choices)
}

#[derive(serde::Serialize)]
struct StackChoice {
    id: String,
    label: String,
}

fn finding_view(
    doc: &Document,
    f: &Finding,
    lang: Lang,
    stack: Option<Stack>,
) -> Result<Element, JsError> {
    let ex: Explanation = explain(f, lang);
    let article = el(doc, "article", "finding", None)?;
    article
        .set_attribute("data-reason", f.reason.chromium_id())
        .map_err(js_error)?;
    article
        .set_attribute("data-mdn", f.reason.mdn_id())
        .map_err(js_error)?;

    let head = el(doc, "header", "f-head", None)?;
    append(
        &head,
        el(doc, "span", "f-reason", Some(f.reason.chromium_id()))?,
    )?;
    append(&head, el(doc, "span", "f-mdn-id", Some(f.reason.mdn_id()))?)?;
    count_badge(doc, &head, lang, f.count)?;
    append(&article, head)?;
    append(&article, el(doc, "h3", "f-title", Some(&ex.title))?)?;

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
            append(&hops, el(doc, "span", "f-hop", Some(url))?)?;
        }
        fact(doc, &facts, lang, "ui_redirects", hops)?;
    }
    append(&article, facts)?;

    // Both exchanges of the failure: the preflight that let the request go
    // (or the failed preflight itself), and the actual request.
    if let Some(preflight) = &f.preflight {
        append(
            &article,
            exchange_view(doc, preflight, lang, "ui_exchange_preflight", "preflight")?,
        )?;
    }
    let (key, role) = if f.reason.is_preflight() {
        ("ui_exchange_preflight", "preflight")
    } else {
        ("ui_exchange_request", "request")
    };
    append(&article, exchange_view(doc, &f.exchange, lang, key, role)?)?;

    for (key, class, text) in [
        ("ui_what", "f-what", &ex.what),
        ("ui_why", "f-why", &ex.why),
        ("ui_fix", "f-fix", &ex.fix),
    ] {
        append(&article, el(doc, "h4", "", Some(&l10n::t(lang, key)))?)?;
        append(&article, el(doc, "p", class, Some(text))?)?;
    }

    let stacks = match stack {
        Some(stack) => vec![stack],
        None => DEFAULT_STACKS.to_vec(),
    };
    append(
        &article,
        el(doc, "h4", "", Some(&l10n::t(lang, "ui_snippets")))?,
    )?;
    for stack in stacks {
        for snippet in fix::snippets(f, stack, lang) {
            let figure = el(doc, "figure", "f-snippet-box", None)?;
            figure
                .set_attribute("data-stack", snippet.stack.id())
                .map_err(js_error)?;
            figure
                .set_attribute("data-variant", snippet.variant.id())
                .map_err(js_error)?;
            append(&figure, el(doc, "figcaption", "", Some(&snippet.title))?)?;
            for part in &snippet.parts {
                append(&figure, el(doc, "p", "f-placement", Some(&part.label))?)?;
                let pre = el(doc, "pre", "f-snippet", Some(&part.code))?;
                pre.set_attribute("data-stack", snippet.stack.id())
                    .map_err(js_error)?;
                pre.set_attribute("data-placement", part.placement)
                    .map_err(js_error)?;
                append(&figure, pre)?;
            }
            append(&article, figure)?;
        }
    }

    if !ex.warnings.is_empty() {
        append(
            &article,
            el(doc, "h4", "", Some(&l10n::t(lang, "ui_warnings")))?,
        )?;
        let list = el(doc, "ul", "f-warnings", None)?;
        for warning in &ex.warnings {
            append(&list, el(doc, "li", "f-warning", Some(warning))?)?;
        }
        append(&article, list)?;
    }

    let links = el(doc, "p", "f-links", None)?;
    for (i, link) in ex.links.iter().enumerate() {
        let class = match i {
            0 => "f-mdn",
            1 => "f-spec",
            _ => "f-link",
        };
        let a = el(doc, "a", class, Some(&link.label))?;
        a.set_attribute("href", &link.url).map_err(js_error)?;
        a.set_attribute("target", "_blank").map_err(js_error)?;
        a.set_attribute("rel", "noopener noreferrer")
            .map_err(js_error)?;
        append(&links, a)?;
    }
    append(&article, links)?;
    Ok(article)
}

/// One exchange as a `<details class="f-exchange">`: a summary line, then the
/// request and response headers as two tables (all text, never HTML).
fn exchange_view(
    doc: &Document,
    seen: &Seen,
    lang: Lang,
    key: &str,
    role: &str,
) -> Result<Element, JsError> {
    let details = el(doc, "details", "f-exchange", None)?;
    details
        .set_attribute("data-exchange", role)
        .map_err(js_error)?;
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
    append(
        &details,
        el(doc, "summary", "f-exchange-summary", Some(&summary))?,
    )?;
    for (caption, class, headers) in [
        (
            "ui_request_headers",
            "f-request-headers",
            &seen.request_headers,
        ),
        (
            "ui_response_headers",
            "f-response-headers",
            &seen.response_headers,
        ),
    ] {
        let table = el(doc, "table", class, None)?;
        append(
            &table,
            el(doc, "caption", "", Some(&l10n::t(lang, caption)))?,
        )?;
        if headers.is_empty() {
            let row = el(doc, "tr", "", None)?;
            let cell = el(
                doc,
                "td",
                "f-no-headers",
                Some(&l10n::t(lang, "ui_no_headers")),
            )?;
            cell.set_attribute("colspan", "2").map_err(js_error)?;
            append(&row, cell)?;
            append(&table, row)?;
        }
        for h in headers.iter() {
            let row = el(doc, "tr", "", None)?;
            append(&row, el(doc, "th", "f-header-name", Some(&h.name))?)?;
            append(&row, el(doc, "td", "f-header-value", Some(&h.value))?)?;
            append(&table, row)?;
        }
        append(&details, table)?;
    }
    Ok(details)
}

/// The facts every card starts with: the request (method, URL, type) and
/// the page origin, as a `<dl>` the caller may extend.
fn request_facts(
    doc: &Document,
    lang: Lang,
    [method, url, resource_type, page_origin]: [&str; 4],
) -> Result<Element, JsError> {
    let facts = el(doc, "dl", "f-facts", None)?;
    let request = el(doc, "dd", "f-request", None)?;
    append(&request, el(doc, "span", "f-method", Some(method))?)?;
    append(&request, el(doc, "span", "f-url", Some(url))?)?;
    append(&request, el(doc, "span", "f-type", Some(resource_type))?)?;
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

/// "×N" when the same problem was seen more than once.
fn count_badge(doc: &Document, head: &Element, lang: Lang, count: u32) -> Result<(), JsError> {
    if count > 1 {
        let text = l10n::tf(lang, "ui_count", &[("count", &count.to_string())]);
        append(head, el(doc, "span", "f-count", Some(&text))?)?;
    }
    Ok(())
}

/// Appends a `<dt>` with the localised label and the given `<dd>`.
fn fact(
    doc: &Document,
    facts: &Element,
    lang: Lang,
    key: &str,
    dd: Element,
) -> Result<(), JsError> {
    append(facts, el(doc, "dt", "", Some(&l10n::t(lang, key)))?)?;
    append(facts, dd)
}

/// Creates an element with a class and, optionally, text (never HTML).
fn el(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> Result<Element, JsError> {
    let e = doc.create_element(tag).map_err(js_error)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if let Some(text) = text {
        e.set_text_content(Some(text));
    }
    Ok(e)
}

fn append(parent: &Element, child: Element) -> Result<(), JsError> {
    parent.append_child(&child).map(|_| ()).map_err(js_error)
}

fn document() -> Result<Document, JsError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsError::new("no document: the renderer runs only in the panel"))
}

fn js_error(value: JsValue) -> JsError {
    JsError::new(&value.as_string().unwrap_or_else(|| format!("{value:?}")))
}
