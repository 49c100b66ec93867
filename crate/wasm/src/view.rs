//! The findings view: the one owner of the panel's findings DOM. A table in
//! the manner of DevTools' Network panel (sortable, resizable columns, only
//! the visible rows in the DOM), a detail pane built for the selected row
//! only, the keyboard, and every button and event of both. The listeners'
//! closures live in the `FindingsView` handle; the panel's glue gets calls
//! back only for what needs a browser API (downloads, the clipboard,
//! storage), through the `host` object it passed in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use cors_lens_core::filter::{Filter, Kind as FilterKind};
use cors_lens_core::fix::Stack;
use cors_lens_core::l10n::{self, Lang};
use cors_lens_core::wire::Record;
use cors_lens_core::{CorsError, NoticeKind};
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, KeyboardEvent, PointerEvent};

use crate::detail::{self, clock, Tab};
use crate::dom::{add, attrs, by_id, focus, js_error, set_hidden, set_style};
use crate::rows::{kind_of, split_url, Col, Entry, Row, Severity, Sort, What};

/// Height of a row in CSS pixels (the stylesheet reads it from `--row-h`).
pub const ROW_HEIGHT: f64 = 22.0;
/// Rows rendered beyond each edge of the visible ones, for smooth scrolling.
const OVERSCAN: usize = 8;
/// Rows assumed visible while the panel has no size yet (a hidden panel).
const ROWS_WHEN_HIDDEN: usize = 60;
/// Narrowest a column can be dragged to.
const MIN_WIDTH: f64 = 24.0;

/// What a handler asks of the host after the view's state is released.
enum Call {
    Nothing,
    /// Save one record as a file (`json` or `md`).
    Export(JsValue, &'static str),
    /// Put text on the clipboard (`curl` or `snippet` says what it is).
    Copy(String, String),
    /// Remember the picked server stack.
    Stack(String),
}

impl Call {
    fn invoke(self, host: &JsValue) -> Result<(), JsValue> {
        let (name, a, b) = match self {
            Call::Nothing => return Ok(()),
            Call::Export(record, format) => ("exportRecord", record, JsValue::from_str(format)),
            Call::Copy(text, what) => ("copy", JsValue::from(text), JsValue::from(what)),
            Call::Stack(id) => ("stack", JsValue::from(id), JsValue::UNDEFINED),
        };
        host_fn(host, name)?.call2(host, &a, &b).map(|_| ())
    }
}

fn host_fn(host: &JsValue, name: &str) -> Result<Function, JsValue> {
    Reflect::get(host, &JsValue::from_str(name))?
        .dyn_into::<Function>()
        .map_err(|_| JsValue::from_str(&format!("the panel's host has no {name}()")))
}

/// Tells the host about a failure in a handler (it shows it to the user).
fn report(host: &JsValue, err: JsValue) {
    if let Ok(f) = host_fn(host, "error") {
        // Nowhere left to report a failing reporter.
        let _ = f.call1(host, &err);
    }
}

struct State {
    doc: Document,
    root: Element,
    split: Element,
    grid: Element,
    head_row: Element,
    canvas: Element,
    detail: Element,
    host: JsValue,
    lang: Lang,
    stack: Option<Stack>,
    /// Whether the panel runs in Firefox (`setBrowser`): each row's detail
    /// then names the reason Firefox's console prints.
    firefox: bool,
    /// The records as the glue gave them (handed back for exports).
    records: Array,
    entries: Vec<Entry>,
    unreadable: usize,
    filter: Filter,
    sort: Sort,
    /// Positions in `entries` of the rows shown, in display order.
    shown: Vec<usize>,
    /// The key of the selected row.
    selected: Option<String>,
    /// Whether the detail pane is open.
    open: bool,
    tab: Tab,
    widths: Vec<f64>,
    /// The rows now in the DOM (positions in `shown`).
    range: Option<(usize, usize)>,
    /// What the detail pane shows: key, count, time (`None`: to rebuild).
    detail_shows: Option<(String, u32, f64)>,
    /// The texts of the detail pane's copy buttons.
    copies: Vec<String>,
    /// A column being resized: the column, the pointer's x and the width
    /// when the drag started.
    drag: Option<(usize, f64, f64)>,
}

/// The panel's findings view, rendered into one element.
#[wasm_bindgen]
pub struct FindingsView {
    state: Rc<RefCell<State>>,
    listeners: Vec<Listener>,
    /// Reads every record whole once the browser is idle after a new list,
    /// so that a filter's first keystroke does not wait for it.
    idle: Closure<dyn FnMut()>,
    /// The pending idle callback, cancelled when the view is dropped.
    idle_id: std::cell::Cell<Option<u32>>,
}

impl Drop for FindingsView {
    fn drop(&mut self) {
        if let (Some(id), Some(window)) = (self.idle_id.take(), web_sys::window()) {
            window.cancel_idle_callback(id);
        }
        for (target, name, closure) in &self.listeners {
            // The element may already be gone with its listeners.
            let _ =
                target.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}

type Handler = fn(&mut State, &Event) -> Result<Call, JsValue>;
/// A listener the view added: removed when the view is dropped.
type Listener = (EventTarget, &'static str, Closure<dyn FnMut(Event)>);

#[wasm_bindgen]
impl FindingsView {
    /// Builds the view inside `root` (its content is replaced). `host` is
    /// an object with `exportRecord(record, format)`, `copy(text, what)`,
    /// `stack(id)` and `error(err)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        root: Element,
        host: JsValue,
        lang_tag: &str,
        stack_id: &str,
    ) -> Result<FindingsView, JsError> {
        let doc = root
            .owner_document()
            .ok_or_else(|| JsError::new("the view's root has no document"))?;
        root.set_text_content(None);
        let split = add(&root, "div", "split", None)?;
        attrs(&split, &[("data-detail", "closed")])?;
        let grid = add(&split, "div", "grid", None)?;
        attrs(
            &grid,
            &[
                ("role", "grid"),
                ("tabindex", "0"),
                ("aria-colcount", &Col::ALL.len().to_string()),
            ],
        )?;
        set_style(&grid, "--row-h", &format!("{ROW_HEIGHT}px"))?;
        let head = add(&grid, "div", "grid-head", None)?;
        attrs(&head, &[("role", "rowgroup")])?;
        let head_row = add(&head, "div", "grid-row head", None)?;
        attrs(&head_row, &[("role", "row"), ("aria-rowindex", "1")])?;
        let canvas = add(&grid, "div", "grid-canvas", None)?;
        attrs(&canvas, &[("role", "rowgroup")])?;
        let detail = add(&split, "section", "detail", None)?;
        attrs(&detail, &[("id", "detail")])?;
        set_hidden(&detail, true)?;
        let state = State {
            doc,
            root,
            split,
            grid: grid.clone(),
            head_row,
            canvas,
            detail: detail.clone(),
            host,
            lang: Lang::from_tag(lang_tag),
            stack: Stack::from_id(stack_id),
            firefox: false,
            records: Array::new(),
            entries: Vec::new(),
            unreadable: 0,
            filter: Filter::default(),
            sort: Sort::default(),
            shown: Vec::new(),
            selected: None,
            open: false,
            tab: Tab::Explanation,
            widths: Col::ALL.iter().map(|c| c.default_width()).collect(),
            range: None,
            detail_shows: None,
            copies: Vec::new(),
            drag: None,
        };
        let state = Rc::new(RefCell::new(state));
        let weak = Rc::downgrade(&state);
        let idle = Closure::<dyn FnMut()>::new(move || {
            let Some(state) = weak.upgrade() else {
                return;
            };
            // Busy (a call in progress): the records are read when needed.
            let Ok(mut s) = state.try_borrow_mut() else {
                return;
            };
            let all = 0..s.entries.len();
            s.read_whole(all);
            let shown = s.show_counts();
            let host = s.host.clone();
            drop(s);
            if let Err(err) = shown {
                report(&host, err.into());
            }
        });
        let mut view = FindingsView {
            state,
            listeners: Vec::new(),
            idle,
            idle_id: std::cell::Cell::new(None),
        };
        {
            let mut s = view.borrow()?;
            s.build_head()?;
            s.apply_widths()?;
            s.refresh()?;
        }
        let grid_target: &EventTarget = grid.as_ref();
        let detail_target: &EventTarget = detail.as_ref();
        view.listen(grid_target, "keydown", State::on_grid_key)?;
        view.listen(grid_target, "click", State::on_grid_click)?;
        view.listen(grid_target, "scroll", |s, _| {
            s.render_rows(false).map(|_| Call::Nothing)
        })?;
        view.listen(grid_target, "pointerdown", State::on_pointer_down)?;
        view.listen(grid_target, "pointermove", State::on_pointer_move)?;
        view.listen(grid_target, "pointerup", |s, _| {
            s.drag = None;
            Ok(Call::Nothing)
        })?;
        view.listen(grid_target, "mouseover", State::on_hover)?;
        view.listen(detail_target, "click", State::on_detail_click)?;
        view.listen(detail_target, "keydown", State::on_detail_key)?;
        view.listen(detail_target, "change", State::on_detail_change)?;
        if let Some(window) = web_sys::window() {
            view.listen(window.as_ref(), "resize", |s, _| {
                s.render_rows(false).map(|_| Call::Nothing)
            })?;
        }
        Ok(view)
    }

    /// Shows `records` (a tab's stored records, oldest first, or an imported
    /// file's). The selection follows its finding (by key) when it is
    /// still there. Records that cannot be read are counted, never dropped
    /// silently. `fresh` says the list comes from another source than the
    /// last one (an imported file, or back to the live findings): then no
    /// row read before is reused, even with the same key, count and time.
    #[wasm_bindgen(js_name = setRecords)]
    pub fn set_records(&self, records: JsValue, fresh: Option<bool>) -> Result<(), JsError> {
        let records: Array = records
            .dyn_into()
            .map_err(|_| JsError::new("the findings are not a list"))?;
        let mut s = self.borrow()?;
        // A live update resends the whole list: rows whose record did not
        // change (same key, count and time) are kept as read, not read again.
        let old = std::mem::take(&mut s.entries);
        let mut known: HashMap<String, Entry> = if fresh == Some(true) {
            HashMap::new()
        } else {
            old.into_iter().map(|e| (e.key.clone(), e)).collect()
        };
        let [first_seen, key, count, time] =
            ["firstSeen", "key", "count", "time"].map(JsValue::from_str);
        let field = |v: &JsValue, name: &JsValue| Reflect::get(v, name).ok();
        // The rows to keep as read, and the records to read (with their
        // index and first-seen time).
        let mut slots: Vec<Option<Entry>> = Vec::with_capacity(records.length() as usize);
        let mut to_read: Vec<(u32, Option<f64>, JsValue)> = Vec::new();
        for (i, value) in records.iter().enumerate() {
            let seen = field(&value, &first_seen).and_then(|v| v.as_f64());
            let same = field(&value, &key)
                .and_then(|k| k.as_string())
                .and_then(|k| known.remove(&k))
                .filter(|e| {
                    field(&value, &count).and_then(|c| c.as_f64()) == Some(f64::from(e.count()))
                        && field(&value, &time).and_then(|t| t.as_f64()) == Some(e.time())
                });
            match same {
                Some(mut e) => {
                    e.index = i as u32;
                    e.first_seen = seen.filter(|t| t.is_finite());
                    slots.push(Some(e));
                }
                None => {
                    slots.push(None);
                    to_read.push((i as u32, seen, value));
                }
            }
        }
        // Only what the rows show is read now; whole records when needed.
        let row_keys = RowKeys::new();
        for (i, seen, value) in &to_read {
            slots[*i as usize] =
                read_row(value, &row_keys).map(|(key, row)| Entry::of_row(*i, key, row, *seen));
        }
        let unreadable = slots.iter().filter(|e| e.is_none()).count();
        let entries: Vec<Entry> = slots.into_iter().flatten().collect();
        s.records = records;
        s.entries = entries;
        s.unreadable = unreadable;
        s.refresh()?;
        drop(s);
        // Where idle callbacks are missing, records are read when needed.
        if let Some(window) = web_sys::window() {
            if let Some(id) = self.idle_id.take() {
                window.cancel_idle_callback(id);
            }
            let id = window.request_idle_callback(self.idle.as_ref().unchecked_ref());
            self.idle_id.set(id.ok());
        }
        Ok(())
    }

    /// Narrows the table: `query` in the filter language
    /// (`cors_lens_core::filter`), `kind` `all`, `failures` or `notices`.
    #[wasm_bindgen(js_name = setFilter)]
    pub fn set_filter(&self, query: &str, kind: &str) -> Result<(), JsError> {
        let mut s = self.borrow()?;
        s.filter = Filter::new(query, FilterKind::from_id(kind));
        s.refresh()
    }

    /// Switches the language of everything the view shows.
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang_tag: &str) -> Result<(), JsError> {
        let mut s = self.borrow()?;
        s.lang = Lang::from_tag(lang_tag);
        // Titles were built in the old language.
        for e in &mut s.entries {
            e.title = Default::default();
        }
        s.detail_shows = None;
        s.build_head()?;
        s.refresh()
    }

    /// Tells the view which browser it runs in (`firefox` or `chromium`,
    /// from the glue's compat.js).
    #[wasm_bindgen(js_name = setBrowser)]
    pub fn set_browser(&self, browser_id: &str) -> Result<(), JsError> {
        let mut s = self.borrow()?;
        s.firefox = browser_id == "firefox";
        s.detail_shows = None;
        s.render_detail().map_err(js_error)
    }

    /// Shows fix snippets for `stack_id` ("" or an unknown id: Nginx and Apache).
    #[wasm_bindgen(js_name = setStack)]
    pub fn set_stack(&self, stack_id: &str) -> Result<(), JsError> {
        let mut s = self.borrow()?;
        s.stack = Stack::from_id(stack_id);
        s.detail_shows = None;
        s.render_detail().map_err(js_error)
    }

    /// The records the table shows, in stored order (every record, the
    /// unreadable too, when nothing is filtered): what "export what is
    /// shown" exports.
    #[wasm_bindgen(js_name = shownRecords)]
    pub fn shown_records(&self) -> Result<Array, JsError> {
        let s = self.borrow()?;
        if s.filter.is_empty() {
            return Ok(s.records.slice(0, s.records.length()));
        }
        let mut indices: Vec<u32> = s.shown.iter().map(|&p| s.entries[p].index).collect();
        indices.sort_unstable();
        Ok(indices.into_iter().map(|i| s.records.get(i)).collect())
    }

    /// How many rows the table shows.
    #[wasm_bindgen(js_name = shownCount)]
    pub fn shown_count(&self) -> Result<u32, JsError> {
        Ok(self.borrow()?.shown.len() as u32)
    }
}

/// Reads stored records whole into the core's `Record`s (`None` for one
/// that cannot be read). Many at once cross as one JSON text, parsed by
/// `serde_json` in wasm: object by object through `serde-wasm-bindgen`,
/// 2 000 records took 100 ms and more (docs/performance.md). When the text does not parse as a list of records
/// (one of them is unreadable, or holds what JSON cannot say), each record
/// is read on its own, as before.
fn read_records(values: &[JsValue]) -> Vec<Option<Record>> {
    let one_by_one = || {
        values
            .iter()
            .map(|v| serde_wasm_bindgen::from_value::<Record>(v.clone()).ok())
            .collect()
    };
    if values.len() < 2 {
        return one_by_one();
    }
    let list: Array = values.iter().collect();
    let parsed = js_sys::JSON::stringify(&list)
        .ok()
        .and_then(|text| text.as_string())
        .and_then(|text| serde_json::from_str::<Vec<Record>>(&text).ok())
        .filter(|records| records.len() == values.len());
    match parsed {
        Some(records) => records.into_iter().map(Some).collect(),
        None => one_by_one(),
    }
}

/// The property names a row reads, made once per list.
struct RowKeys {
    kind: JsValue,
    key: JsValue,
    reason: JsValue,
    notice: JsValue,
    request_id: JsValue,
    method: JsValue,
    url: JsValue,
    status: JsValue,
    resource_type: JsValue,
    page_origin: JsValue,
    count: JsValue,
    time: JsValue,
}

impl RowKeys {
    fn new() -> RowKeys {
        RowKeys {
            kind: "kind".into(),
            key: "key".into(),
            reason: "reason".into(),
            notice: "notice".into(),
            request_id: "requestId".into(),
            method: "method".into(),
            url: "url".into(),
            status: "status".into(),
            resource_type: "type".into(),
            page_origin: "pageOrigin".into(),
            count: "count".into(),
            time: "time".into(),
        }
    }
}

/// Reads what a row shows of a stored record (its key and [`Row`]) with a
/// few property reads, as strictly as the whole record's reading: `None`
/// when one of them is missing or of another type, or names no known reason.
fn read_row(value: &JsValue, k: &RowKeys) -> Option<(String, Row)> {
    let get = |key: &JsValue| Reflect::get(value, key).ok();
    let text = |key: &JsValue| get(key).and_then(|v| v.as_string());
    let whole = |v: f64, max: f64| (v.fract() == 0.0 && (0.0..=max).contains(&v)).then_some(v);
    let what = match text(&k.kind)?.as_str() {
        "failure" => What::Failure(CorsError::from_chromium_id(&text(&k.reason)?)?),
        "notice" => What::Notice(NoticeKind::from_id(&text(&k.notice)?)?),
        _ => return None,
    };
    let status = match get(&k.status)? {
        v if v.is_null() || v.is_undefined() => None,
        v => Some(whole(v.as_f64()?, f64::from(u16::MAX))? as u16),
    };
    let row = Row {
        what,
        request_id: text(&k.request_id)?,
        method: text(&k.method)?,
        url: text(&k.url)?,
        status,
        resource_type: text(&k.resource_type)?,
        page_origin: text(&k.page_origin)?,
        count: whole(get(&k.count)?.as_f64()?, f64::from(u32::MAX))? as u32,
        time: get(&k.time)?.as_f64()?,
    };
    Some((text(&k.key)?, row))
}

impl FindingsView {
    fn borrow(&self) -> Result<std::cell::RefMut<'_, State>, JsError> {
        self.state
            .try_borrow_mut()
            .map_err(|_| JsError::new("the findings view is busy (a re-entrant call)"))
    }

    fn listen(
        &mut self,
        target: &EventTarget,
        name: &'static str,
        handler: Handler,
    ) -> Result<(), JsError> {
        let weak: Weak<RefCell<State>> = Rc::downgrade(&self.state);
        let closure = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            let Some(state) = weak.upgrade() else {
                return;
            };
            // The state is released before the host is called: the host may
            // call back into the view.
            let (call, host) = match state.try_borrow_mut() {
                Ok(mut s) => (handler(&mut s, &ev), s.host.clone()),
                Err(_) => return,
            };
            if let Err(err) = call.and_then(|c| c.invoke(&host)) {
                report(&host, err);
            }
        });
        target
            .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
            .map_err(js_error)?;
        self.listeners.push((target.clone(), name, closure));
        Ok(())
    }
}

/// The element an event happened on, or its closest ancestor matching
/// `selector`.
fn closest(ev: &Event, selector: &str) -> Option<Element> {
    ev.target()?
        .dyn_into::<Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

fn to_js(e: JsError) -> JsValue {
    e.into()
}

impl State {
    fn t(&self, key: &str) -> String {
        l10n::t(self.lang, key)
    }

    /// The column headers: a sort button and a resize handle each.
    fn build_head(&mut self) -> Result<(), JsError> {
        self.head_row.set_text_content(None);
        for (i, col) in Col::ALL.into_iter().enumerate() {
            let label = self.t(col.label_key());
            let cell = add(&self.head_row, "div", &format!("col c-{}", col.id()), None)?;
            attrs(
                &cell,
                &[
                    ("role", "columnheader"),
                    ("aria-colindex", &(i + 1).to_string()),
                    ("data-col", col.id()),
                ],
            )?;
            let sort = add(&cell, "button", "col-sort", None)?;
            attrs(
                &sort,
                &[
                    ("type", "button"),
                    ("data-sort", col.id()),
                    (
                        "title",
                        &l10n::tf(self.lang, "ui_sort_by", &[("column", &label)]),
                    ),
                ],
            )?;
            if col == Col::Severity {
                // The icon column's name is for screen readers only.
                add(&sort, "span", "sr-only", Some(&label))?;
            } else {
                add(&sort, "span", "", Some(&label))?;
            }
            let handle = add(&cell, "span", "col-resize", None)?;
            attrs(
                &handle,
                &[
                    ("role", "separator"),
                    ("aria-orientation", "vertical"),
                    (
                        "aria-label",
                        &l10n::tf(self.lang, "ui_resize_column", &[("column", &label)]),
                    ),
                    ("data-resize", &i.to_string()),
                ],
            )?;
        }
        attrs(&self.grid, &[("aria-label", &self.t("ui_grid_label"))])?;
        attrs(&self.detail, &[("aria-label", &self.t("ui_detail_label"))])?;
        self.show_sort()
    }

    fn show_sort(&self) -> Result<(), JsError> {
        let cells = self.head_row.children();
        for (i, col) in Col::ALL.into_iter().enumerate() {
            if let Some(cell) = cells.item(i as u32) {
                let sort = if self.sort.col != col {
                    "none"
                } else if self.sort.descending {
                    "descending"
                } else {
                    "ascending"
                };
                attrs(&cell, &[("aria-sort", sort)])?;
            }
        }
        Ok(())
    }

    fn apply_widths(&self) -> Result<(), JsError> {
        let cols: Vec<String> = Col::ALL
            .iter()
            .zip(&self.widths)
            .map(|(c, w)| match c {
                Col::Url => format!("minmax({w}px, 1fr)"),
                _ => format!("{w}px"),
            })
            .collect();
        set_style(&self.grid, "--cols", &cols.join(" "))?;
        // Beside an open detail pane, as the Network panel does, only the
        // columns that name the request and its problem.
        let open: Vec<String> = Col::ALL
            .iter()
            .zip(&cols)
            .filter(|(c, _)| c.shown_beside_detail())
            .map(|(_, w)| w.clone())
            .collect();
        set_style(&self.grid, "--cols-open", &open.join(" "))?;
        let total: f64 = self.widths.iter().sum();
        set_style(&self.grid, "--min-w", &format!("{total}px"))
    }

    /// Filters and sorts again, then redraws rows, detail and counts.
    fn refresh(&mut self) -> Result<(), JsError> {
        if !self.filter.is_empty() {
            self.read_whole(0..self.entries.len());
        }
        let (lang, filter) = (self.lang, &self.filter);
        let mut shown: Vec<usize> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kept_by(filter, lang))
            .map(|(i, _)| i)
            .collect();
        self.sort.apply(&self.entries, &mut shown);
        self.shown = shown;
        if self.selected_pos().is_none() {
            self.selected = None;
            self.open = false;
        }
        let rows = self.shown.len();
        attrs(&self.grid, &[("aria-rowcount", &(rows + 1).to_string())])?;
        set_style(
            &self.canvas,
            "height",
            &format!("{}px", rows as f64 * ROW_HEIGHT),
        )?;
        self.show_counts()?;
        self.render_rows(true).map_err(js_error)?;
        self.render_detail().map_err(js_error)
    }

    /// Reads whole the records of `entries` (indices into `self.entries`)
    /// not read yet, all at once; those that cannot be read are counted.
    fn read_whole(&mut self, entries: impl Iterator<Item = usize>) {
        let missing: Vec<usize> = entries
            .filter(|&i| self.entries[i].full.get().is_none())
            .collect();
        if missing.is_empty() {
            return;
        }
        let values: Vec<JsValue> = missing
            .iter()
            .map(|&i| self.records.get(self.entries[i].index))
            .collect();
        for (record, i) in read_records(&values).into_iter().zip(missing) {
            let kind = record.and_then(kind_of);
            if kind.is_none() {
                self.unreadable += 1;
            }
            // Just checked: the cell was empty.
            let _ = self.entries[i].full.set(kind);
        }
    }

    /// The counts and the empty states around the table.
    fn show_counts(&self) -> Result<(), JsError> {
        let failures = self
            .shown
            .iter()
            .filter(|&&p| self.entries[p].severity() == Severity::Failure)
            .count();
        attrs(&self.root, &[("data-count", &failures.to_string())])?;
        let doc = &self.doc;
        if let Some(summary) = doc.get_element_by_id("summary") {
            let mut text = l10n::tf(self.lang, "ui_summary", &[("count", &failures.to_string())]);
            if self.unreadable > 0 {
                text.push_str(" · ");
                text.push_str(&l10n::tf(
                    self.lang,
                    "ui_unreadable",
                    &[("count", &self.unreadable.to_string())],
                ));
            }
            summary.set_text_content(Some(&text));
        }
        let filtering = !self.filter.is_empty();
        let total = self.records.length() as usize;
        let shown = if filtering { self.shown.len() } else { total };
        if let Some(empty) = doc.get_element_by_id("empty") {
            set_hidden(&empty, total > 0)?;
        }
        if let Some(nothing) = doc.get_element_by_id("filter-nothing") {
            set_hidden(&nothing, total == 0 || shown > 0)?;
        }
        if let Some(count) = doc.get_element_by_id("filter-count") {
            set_hidden(&count, !filtering)?;
            let text = if filtering {
                l10n::tf(
                    self.lang,
                    "ui_filter_count",
                    &[("shown", &shown.to_string()), ("total", &total.to_string())],
                )
            } else {
                String::new()
            };
            count.set_text_content(Some(&text));
        }
        if let Ok(scope) = by_id(doc, "export-scope") {
            let options = scope.children();
            for (i, (key, n)) in [
                ("ui_export_scope_shown", shown),
                ("ui_export_scope_all", total),
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(o) = options.item(i as u32) {
                    o.set_text_content(Some(&l10n::tf(
                        self.lang,
                        key,
                        &[("count", &n.to_string())],
                    )));
                }
            }
        }
        Ok(())
    }

    fn selected_pos(&self) -> Option<usize> {
        let key = self.selected.as_deref()?;
        self.shown.iter().position(|&p| self.entries[p].key == key)
    }

    fn head_height(&self) -> f64 {
        self.head_row
            .dyn_ref::<HtmlElement>()
            .map_or(ROW_HEIGHT, |h| f64::from(h.offset_height()))
    }

    /// The rows to have in the DOM for the current scroll position.
    fn visible_range(&self) -> (usize, usize) {
        let n = self.shown.len();
        let top = f64::from(self.grid.scroll_top());
        let height = f64::from(self.grid.client_height()) - self.head_height();
        let height = if height > 0.0 {
            height
        } else {
            ROWS_WHEN_HIDDEN as f64 * ROW_HEIGHT
        };
        let first = ((top / ROW_HEIGHT).floor() as usize).saturating_sub(OVERSCAN);
        let last = (((top + height) / ROW_HEIGHT).ceil() as usize + OVERSCAN).min(n);
        (first.min(last), last)
    }

    /// Puts the visible rows in the DOM (all of them again when `force`).
    fn render_rows(&mut self, force: bool) -> Result<(), JsValue> {
        let range = self.visible_range();
        if !force && self.range == Some(range) {
            return Ok(());
        }
        self.range = Some(range);
        self.canvas.set_text_content(None);
        let selected = self.selected_pos();
        for pos in range.0..range.1 {
            self.row(pos, selected == Some(pos)).map_err(to_js)?;
        }
        match selected.filter(|p| (range.0..range.1).contains(p)) {
            Some(_) => self
                .grid
                .set_attribute("aria-activedescendant", "cl-row-selected"),
            None => self.grid.remove_attribute("aria-activedescendant"),
        }
    }

    fn row(&self, pos: usize, selected: bool) -> Result<(), JsError> {
        let e = &self.entries[self.shown[pos]];
        let severity = e.severity();
        let row = add(
            &self.canvas,
            "div",
            if selected {
                "grid-row row selected"
            } else {
                "grid-row row"
            },
            None,
        )?;
        attrs(
            &row,
            &[
                ("role", "row"),
                ("aria-rowindex", &(pos + 2).to_string()),
                ("aria-selected", if selected { "true" } else { "false" }),
                ("data-pos", &pos.to_string()),
                ("data-severity", severity.id()),
            ],
        )?;
        if selected {
            attrs(&row, &[("id", "cl-row-selected")])?;
        }
        match e.mdn_id() {
            Some(mdn) => attrs(
                &row,
                &[
                    ("data-kind", "failure"),
                    ("data-reason", e.reason()),
                    ("data-mdn", mdn),
                ],
            )?,
            None => attrs(
                &row,
                &[("data-kind", "notice"), ("data-notice", e.reason())],
            )?,
        }
        set_style(&row, "top", &format!("{}px", pos as f64 * ROW_HEIGHT))?;
        let cell = |col: Col, text: Option<&str>| -> Result<Element, JsError> {
            let c = add(&row, "div", &format!("cell c-{}", col.id()), text)?;
            attrs(&c, &[("role", "gridcell")])?;
            Ok(c)
        };
        let icon = cell(Col::Severity, None)?;
        add(&icon, "span", &format!("sev sev-{}", severity.id()), None)?;
        add(
            &icon,
            "span",
            "sr-only",
            Some(&self.t(severity.label_key())),
        )?;
        cell(Col::Method, Some(e.method()))?;
        let url = cell(Col::Url, None)?;
        attrs(&url, &[("title", e.url())])?;
        let (host, path) = split_url(e.url());
        add(&url, "span", "c-host", Some(host))?;
        add(&url, "span", "c-path", Some(path))?;
        let status = e.status().map(|s| s.to_string()).unwrap_or_default();
        cell(Col::Status, Some(&status))?;
        cell(Col::Type, Some(e.resource_type()))?;
        cell(Col::Page, Some(e.page_origin()))?;
        // The hover text (the MDN id and the title) is built when the
        // pointer first reaches the cell: a title is a whole explanation.
        cell(Col::Reason, Some(e.reason()))?;
        cell(Col::Count, Some(&e.count().to_string()))?;
        cell(Col::Time, Some(&clock(e.time(), self.lang)))?;
        Ok(())
    }

    /// Builds (or hides) the detail pane for the selected row.
    fn render_detail(&mut self) -> Result<(), JsValue> {
        let entry = self
            .selected_pos()
            .filter(|_| self.open)
            .map(|p| self.shown[p]);
        let Some(i) = entry else {
            set_hidden(&self.detail, true).map_err(to_js)?;
            self.detail.set_text_content(None);
            self.detail_shows = None;
            self.copies.clear();
            return self.split.set_attribute("data-detail", "closed");
        };
        self.read_whole(std::iter::once(i));
        let e = &self.entries[i];
        let shows = (e.key.clone(), e.count(), e.time());
        if self.detail_shows.as_ref() != Some(&shows) {
            let record: Option<serde_json::Value> =
                serde_wasm_bindgen::from_value(self.records.get(e.index)).ok();
            let built = detail::build(
                &self.doc,
                e,
                self.lang,
                self.stack,
                self.tab,
                record.as_ref(),
            )
            .map_err(to_js)?;
            if self.firefox {
                detail::add_firefox_ids(&self.doc, &built.content, e, self.lang).map_err(to_js)?;
            }
            self.detail.set_text_content(None);
            self.detail.append_child(&built.content)?;
            self.copies = built.copies;
            self.detail_shows = Some(shows);
        }
        set_hidden(&self.detail, false).map_err(to_js)?;
        self.split.set_attribute("data-detail", "open")
    }

    /// Selects the row at `pos` (clamped), scrolls it into view, and shows
    /// it in the detail pane when that is open.
    fn select(&mut self, pos: usize) -> Result<(), JsValue> {
        let Some(last) = self.shown.len().checked_sub(1) else {
            return Ok(());
        };
        let pos = pos.min(last);
        self.selected = Some(self.entries[self.shown[pos]].key.clone());
        let head = self.head_height();
        let top = f64::from(self.grid.scroll_top());
        let height = f64::from(self.grid.client_height());
        let row_top = pos as f64 * ROW_HEIGHT;
        if row_top < top {
            self.grid.set_scroll_top(row_top as i32);
        } else if height > 0.0 && head + row_top + ROW_HEIGHT > top + height {
            self.grid
                .set_scroll_top((head + row_top + ROW_HEIGHT - height).ceil() as i32);
        }
        self.render_rows(true)?;
        self.render_detail()
    }

    fn open_detail(&mut self, open: bool) -> Result<(), JsValue> {
        self.open = open && self.selected.is_some();
        self.render_detail()?;
        // The table's height changed when the pane opened below it.
        self.render_rows(false)
    }

    /// Rows a Page Up / Page Down moves by.
    fn page_rows(&self) -> usize {
        let height = f64::from(self.grid.client_height()) - self.head_height();
        ((height / ROW_HEIGHT).floor() as usize).max(1)
    }

    fn on_grid_key(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let Some(key) = ev.dyn_ref::<KeyboardEvent>() else {
            return Ok(Call::Nothing);
        };
        if key.alt_key() || key.ctrl_key() || key.meta_key() {
            return Ok(Call::Nothing);
        }
        // Keys on the header's buttons are theirs.
        if closest(ev, ".grid-head").is_some() {
            return Ok(Call::Nothing);
        }
        let current = self.selected_pos();
        let last = self.shown.len().saturating_sub(1);
        let target = match key.key().as_str() {
            "ArrowDown" => Some(current.map_or(0, |p| p + 1)),
            "ArrowUp" => Some(current.map_or(0, |p| p.saturating_sub(1))),
            "Home" => Some(0),
            "End" => Some(last),
            "PageDown" => Some(current.map_or(0, |p| p + self.page_rows())),
            "PageUp" => Some(current.map_or(0, |p| p.saturating_sub(self.page_rows()))),
            "Enter" | "ArrowRight" => {
                if current.is_none() {
                    self.select(0)?;
                }
                self.open_detail(true)?;
                None
            }
            "Escape" if self.open => {
                // Handled here: DevTools must not also see it (it would
                // toggle its drawer and take the focus).
                ev.stop_propagation();
                self.open_detail(false)?;
                None
            }
            _ => return Ok(Call::Nothing),
        };
        ev.prevent_default();
        if let Some(pos) = target {
            self.select(pos)?;
        }
        Ok(Call::Nothing)
    }

    fn on_grid_click(&mut self, ev: &Event) -> Result<Call, JsValue> {
        if let Some(button) = closest(ev, "[data-sort]") {
            let id = button.get_attribute("data-sort").unwrap_or_default();
            if let Some(col) = Col::from_id(&id) {
                self.sort = self.sort.clicked(col);
                self.show_sort().map_err(to_js)?;
                self.refresh().map_err(to_js)?;
                if let Some(pos) = self.selected_pos() {
                    self.select(pos)?;
                }
            }
            return Ok(Call::Nothing);
        }
        if let Some(row) = closest(ev, ".row[data-pos]") {
            let pos = row
                .get_attribute("data-pos")
                .and_then(|p| p.parse::<usize>().ok());
            if let Some(pos) = pos {
                self.select(pos)?;
                self.open_detail(true)?;
            }
        }
        Ok(Call::Nothing)
    }

    /// Gives a reason cell its hover text: the MDN id and the title.
    fn on_hover(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let Some(cell) = closest(ev, ".c-reason.cell:not([title])") else {
            return Ok(Call::Nothing);
        };
        let pos = cell
            .closest(".row[data-pos]")?
            .and_then(|r| r.get_attribute("data-pos"))
            .and_then(|p| p.parse::<usize>().ok());
        if let Some(&i) = pos.and_then(|p| self.shown.get(p)) {
            self.read_whole(std::iter::once(i));
            let e = &self.entries[i];
            let hover = match e.mdn_id() {
                Some(mdn) => format!("{mdn} — {}", e.title(self.lang)),
                None => e.title(self.lang).to_owned(),
            };
            cell.set_attribute("title", &hover)?;
        }
        Ok(Call::Nothing)
    }

    fn on_pointer_down(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let Some(handle) = closest(ev, "[data-resize]") else {
            return Ok(Call::Nothing);
        };
        let Some(pointer) = ev.dyn_ref::<PointerEvent>() else {
            return Ok(Call::Nothing);
        };
        let i = handle
            .get_attribute("data-resize")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&i| i < self.widths.len());
        if let Some(i) = i {
            ev.prevent_default();
            // Without capture, a fast drag leaves the handle and is lost.
            let _ = handle.set_pointer_capture(pointer.pointer_id());
            self.drag = Some((i, f64::from(pointer.client_x()), self.widths[i]));
        }
        Ok(Call::Nothing)
    }

    fn on_pointer_move(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let (Some((i, x, width)), Some(pointer)) = (self.drag, ev.dyn_ref::<PointerEvent>()) else {
            return Ok(Call::Nothing);
        };
        self.widths[i] = (width + f64::from(pointer.client_x()) - x).max(MIN_WIDTH);
        self.apply_widths().map_err(to_js)?;
        Ok(Call::Nothing)
    }

    fn on_detail_click(&mut self, ev: &Event) -> Result<Call, JsValue> {
        if let Some(tab) = closest(ev, "[role=tab]") {
            let id = tab.get_attribute("data-tab").unwrap_or_default();
            if let Some(tab) = Tab::from_id(&id) {
                self.show_tab(tab, false)?;
            }
            return Ok(Call::Nothing);
        }
        let Some(button) = closest(ev, "button[data-action]") else {
            return Ok(Call::Nothing);
        };
        let action = button.get_attribute("data-action").unwrap_or_default();
        let record = || {
            self.selected_pos()
                .map(|p| self.records.get(self.entries[self.shown[p]].index))
        };
        Ok(match action.as_str() {
            "close" => {
                self.open_detail(false)?;
                focus(&self.grid);
                Call::Nothing
            }
            "json" | "md" => match record() {
                Some(r) => Call::Export(r, if action == "json" { "json" } else { "md" }),
                None => Call::Nothing,
            },
            "curl" | "copy" => {
                let text = button
                    .get_attribute("data-copy")
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| self.copies.get(i).cloned());
                let what = button
                    .get_attribute("data-what")
                    .unwrap_or_else(|| "curl".to_owned());
                match text {
                    Some(text) => Call::Copy(text, what),
                    None => Call::Nothing,
                }
            }
            _ => Call::Nothing,
        })
    }

    /// Shows one tab of the pane without rebuilding it.
    fn show_tab(&mut self, tab: Tab, focus_it: bool) -> Result<(), JsValue> {
        self.tab = tab;
        let nodes = self.detail.query_selector_all("[data-tab]")?;
        for i in 0..nodes.length() {
            let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let mine = el.get_attribute("data-tab").as_deref() == Some(tab.id());
            if el.get_attribute("role").as_deref() == Some("tab") {
                el.set_attribute("aria-selected", if mine { "true" } else { "false" })?;
                el.set_attribute("tabindex", if mine { "0" } else { "-1" })?;
                if mine && focus_it {
                    focus(&el);
                }
            } else {
                set_hidden(&el, !mine).map_err(to_js)?;
            }
        }
        Ok(())
    }

    fn on_detail_key(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let Some(key) = ev.dyn_ref::<KeyboardEvent>() else {
            return Ok(Call::Nothing);
        };
        if key.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            self.open_detail(false)?;
            focus(&self.grid);
            return Ok(Call::Nothing);
        }
        // The tab list: arrows move between tabs, as ARIA's pattern says.
        if closest(ev, "[role=tab]").is_none() {
            return Ok(Call::Nothing);
        }
        let tabs: Vec<Tab> = {
            let nodes = self.detail.query_selector_all("[role=tab]")?;
            (0..nodes.length())
                .filter_map(|i| nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
                .filter_map(|el| el.get_attribute("data-tab"))
                .filter_map(|id| Tab::from_id(&id))
                .collect()
        };
        let Some(now) = tabs.iter().position(|&t| t == self.tab) else {
            return Ok(Call::Nothing);
        };
        let next = match key.key().as_str() {
            "ArrowRight" => (now + 1) % tabs.len(),
            "ArrowLeft" => (now + tabs.len() - 1) % tabs.len(),
            "Home" => 0,
            "End" => tabs.len() - 1,
            _ => return Ok(Call::Nothing),
        };
        ev.prevent_default();
        self.show_tab(tabs[next], true)?;
        Ok(Call::Nothing)
    }

    fn on_detail_change(&mut self, ev: &Event) -> Result<Call, JsValue> {
        let Some(select) = closest(ev, "select[data-action=stack]") else {
            return Ok(Call::Nothing);
        };
        let id = select
            .dyn_ref::<web_sys::HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default();
        self.stack = Stack::from_id(&id);
        self.detail_shows = None;
        self.render_detail()?;
        // The rebuilt pane has a new picker: keep the keyboard on it.
        if let Ok(Some(picker)) = self.detail.query_selector("#stack") {
            focus(&picker);
        }
        Ok(Call::Stack(id))
    }
}
