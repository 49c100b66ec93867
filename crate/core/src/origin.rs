//! Origins: parsing a URL's origin and checking whether a header value is a
//! serialized origin, with the `url` crate doing the URL work.

use url::Url;

/// The origin of a URL, serialized as browsers send it in `Origin`
/// (`scheme://host[:port]`, default ports omitted), or `None` for URLs whose
/// origin is opaque (`data:`, `about:`, `file:`, ...).
pub fn of_url(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    match parsed.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

/// Whether `value` is, by itself, a serialized tuple origin: a scheme, a
/// host, an optional port, and nothing else (no path, not even `/`).
///
/// This mirrors how Chromium tells `InvalidAllowOriginValue` from
/// `AllowOriginMismatch`: the value must parse as a URL whose origin
/// serializes back to exactly the value.
pub fn is_serialized_origin(value: &str) -> bool {
    if value.is_empty() || value.len() > 2048 {
        return false;
    }
    match Url::parse(value) {
        Ok(url) => match url.origin() {
            origin @ url::Origin::Tuple(..) => origin.ascii_serialization() == value,
            url::Origin::Opaque(_) => false,
        },
        Err(_) => false,
    }
}

/// Whether `value` parses as an absolute URL at all. Chromium uses this test
/// (a valid `GURL`) to tell `InvalidAllowOriginValue` from
/// `AllowOriginMismatch`: `http://a.test/` is a valid URL naming the wrong
/// origin, `a.test` is not a URL.
pub fn parses_as_url(value: &str) -> bool {
    Url::parse(value).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_url_drops_default_ports_path_and_case() {
        let cases = [
            (
                "http://localhost:8080/api?x=1",
                Some("http://localhost:8080"),
            ),
            ("http://localhost:80/api", Some("http://localhost")),
            ("https://Example.COM:443/", Some("https://example.com")),
            ("https://example.com:8443", Some("https://example.com:8443")),
            (
                "http://127.0.0.1:3000/x#frag",
                Some("http://127.0.0.1:3000"),
            ),
            ("data:text/plain,hi", None),
            ("about:blank", None),
            ("not a url", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(of_url(url).as_deref(), want, "of_url({url:?})");
        }
    }

    #[test]
    fn serialized_origin_accepts_only_scheme_host_port() {
        let cases = [
            ("http://127.0.0.1:8080", true),
            ("https://example.com", true),
            ("http://127.0.0.1:8080/", false),
            ("http://127.0.0.1:8080/path", false),
            ("HTTP://EXAMPLE.COM", false),
            ("http://example.com:80", false),
            ("example.com", false),
            ("null", false),
            ("*", false),
            ("", false),
            (" http://example.com", false),
            ("<img src=x onerror=alert(1)>", false),
        ];
        for (value, want) in cases {
            assert_eq!(
                is_serialized_origin(value),
                want,
                "is_serialized_origin({value:?})"
            );
        }
    }
}
