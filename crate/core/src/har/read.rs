//! Reads a HAR 1.2 file one entry at a time: serde visits `log.entries`
//! element by element, so a 100 MB file is never held as a JSON tree, only
//! the entry being read.

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// One `log.entries[]` element: the fields the adapter reads, every one
/// optional (HAR writers differ); the rest is skipped unread.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Entry {
    pub pageref: Option<String>,
    /// `null` where the writer had no time (Chromium's DevTools, for a
    /// request it reports before its timing): read as "".
    #[serde(rename = "startedDateTime", deserialize_with = "any_text")]
    pub started: String,
    pub request: Request,
    pub response: Response,
    /// Chromium's DevTools export: who started the request.
    #[serde(rename = "_initiator")]
    pub initiator: Option<Initiator>,
    /// Chromium's DevTools export and Playwright: `fetch`, `xhr`, `image`,
    /// `preflight`, `document`...
    #[serde(rename = "_resourceType")]
    pub resource_type: Option<String>,
    /// Some writers put the error on the entry.
    #[serde(rename = "_error")]
    pub error: Option<String>,
    pub timings: Timings,
    /// The whole request, in milliseconds (a request held for its
    /// preflight includes the wait).
    #[serde(deserialize_with = "any_ms")]
    pub time: f64,
}

/// An HTTP status; anything but a whole number counts as none (`0`).
fn any_status<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
        .unwrap_or(0))
}

/// A duration in milliseconds; anything but a number counts as absent (`-1`).
fn any_ms<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(serde_json::Value::deserialize(d)?.as_f64().unwrap_or(-1.0))
}

/// The phases of an entry before its request went out, in milliseconds
/// (`-1`, or absent, when they do not apply): Chromium counts the wait for
/// the request's preflight in `blocked`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub blocked: f64,
    pub dns: f64,
    pub connect: f64,
}

impl<'de> Deserialize<'de> for Timings {
    /// Whatever the writer put: a field that is not a number counts as absent.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timings, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let ms = |name: &str| v.get(name).and_then(|t| t.as_f64()).unwrap_or(-1.0);
        Ok(Timings {
            blocked: ms("blocked"),
            dns: ms("dns"),
            connect: ms("connect"),
        })
    }
}

impl Timings {
    /// How long after its start the request was sent.
    pub fn before_sending(&self) -> f64 {
        [self.blocked, self.dns, self.connect]
            .into_iter()
            .filter(|t| t.is_finite() && *t > 0.0)
            .sum()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Request {
    #[serde(deserialize_with = "any_text")]
    pub method: String,
    #[serde(deserialize_with = "any_text")]
    pub url: String,
    pub headers: Vec<NameValue>,
    pub cookies: Vec<NameValue>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Response {
    /// `0` or `-1` when no response arrived (or anything but a number).
    #[serde(deserialize_with = "any_status")]
    pub status: i64,
    pub headers: Vec<NameValue>,
    #[serde(rename = "redirectURL", deserialize_with = "any_text")]
    pub redirect_url: String,
    /// Chromium's DevTools export: the network error (`net::ERR_FAILED`).
    #[serde(rename = "_error")]
    pub error: Option<String>,
    /// Playwright's `recordHar`: the same.
    #[serde(rename = "_failureText")]
    pub failure_text: Option<String>,
}

/// A header or cookie. Values that are not strings (some writers put numbers)
/// are read as their JSON text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameValue {
    pub name: String,
    #[serde(deserialize_with = "any_text")]
    pub value: String,
}

/// Chromium's `_initiator`: `{type, url, stack}`; anything else is ignored.
#[derive(Clone, Debug, Default)]
pub struct Initiator {
    pub kind: String,
    pub url: Option<String>,
}

impl<'de> Deserialize<'de> for Initiator {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Initiator, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Object {
                #[serde(rename = "type", default)]
                kind: String,
                #[serde(default)]
                url: Option<String>,
            },
            Other(IgnoredAny),
        }
        Ok(match Shape::deserialize(d)? {
            Shape::Object { kind, url } => Initiator { kind, url },
            Shape::Other(_) => Initiator::default(),
        })
    }
}

fn any_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// Why a file could not be read as a HAR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HarError {
    /// Not text: a NUL byte or bytes that are not UTF-8 near the start.
    Binary,
    /// Not JSON (the line and column of the first error).
    NotJson { line: usize, column: usize },
    /// JSON, but no `log.entries` list (or an entry of the wrong shape).
    NotHar { detail: String },
    /// The file ends in the middle (a download or copy cut short).
    Truncated,
    /// The file could not be read at all.
    Io(String),
}

impl HarError {
    /// A stable key for the message (`har_error_` + key in the catalog).
    pub fn key(&self) -> &'static str {
        match self {
            HarError::Binary => "binary",
            HarError::NotJson { .. } => "not_json",
            HarError::NotHar { .. } => "not_har",
            HarError::Truncated => "truncated",
            HarError::Io(_) => "io",
        }
    }
}

/// Reads `reader` as a HAR and calls `each` on every entry, in file order.
/// Returns how many entries there were.
pub fn entries<R: Read>(reader: R, each: &mut dyn FnMut(Entry)) -> Result<usize, HarError> {
    let mut sniff = Sniff::new(reader);
    let mut de = serde_json::Deserializer::from_reader(&mut sniff);
    let result = Root { each }.deserialize(&mut de).and_then(|n| {
        de.end()?;
        Ok(n)
    });
    match result {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(HarError::NotHar {
            detail: "no log.entries list".to_owned(),
        }),
        Err(e) => Err(classify(&e, sniff.binary, sniff.io.take())),
    }
}

fn classify(e: &serde_json::Error, binary: bool, io: Option<String>) -> HarError {
    use serde_json::error::Category;
    if binary {
        return HarError::Binary;
    }
    match e.classify() {
        Category::Io => HarError::Io(io.unwrap_or_else(|| e.to_string())),
        Category::Eof => HarError::Truncated,
        Category::Syntax => HarError::NotJson {
            line: e.line(),
            column: e.column(),
        },
        Category::Data => HarError::NotHar {
            detail: e.to_string(),
        },
    }
}

/// The reader, watching its first 4 KB for binary content.
struct Sniff<R> {
    inner: R,
    seen: usize,
    head: Vec<u8>,
    binary: bool,
    io: Option<String>,
}

const SNIFF_BYTES: usize = 4096;

impl<R: Read> Sniff<R> {
    fn new(inner: R) -> Sniff<R> {
        Sniff {
            inner,
            seen: 0,
            head: Vec::new(),
            binary: false,
            io: None,
        }
    }
}

impl<R: Read> Read for Sniff<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf).inspect_err(|e| {
            self.io = Some(e.to_string());
        })?;
        if self.seen < SNIFF_BYTES {
            let take = n.min(SNIFF_BYTES - self.seen);
            self.head.extend_from_slice(&buf[..take]);
            self.seen += take;
            let text_so_far = match std::str::from_utf8(&self.head) {
                Ok(_) => true,
                // A character cut at the end of what was read so far is fine.
                Err(e) => e.error_len().is_none(),
            };
            self.binary = self.head.contains(&0) || !text_so_far;
        }
        Ok(n)
    }
}

/// The top-level object: `log` read by [`Log`], the rest skipped.
struct Root<'a> {
    each: &'a mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object with a `log`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        let mut count = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" && count.is_none() {
                count = map.next_value_seed(Log { each: self.each })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(count)
    }
}

struct Log<'a> {
    each: &'a mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for Log<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Log<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR `log` object with `entries`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        let mut count = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" && count.is_none() {
                count = Some(map.next_value_seed(Entries {
                    each: &mut *self.each,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(count)
    }
}

struct Entries<'a> {
    each: &'a mut dyn FnMut(Entry),
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of HAR entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut n = 0;
        while let Some(entry) = seq.next_element::<Entry>()? {
            (self.each)(entry);
            n += 1;
        }
        Ok(n)
    }
}
