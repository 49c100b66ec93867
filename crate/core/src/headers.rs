//! Header lists as `webRequest` hands them over: ordered name/value pairs,
//! names compared without regard to case, values possibly binary.

/// One header line. `webRequest` gives either `value` or `binaryValue`
/// (bytes); binary values are kept as lossy UTF-8 text so nothing is lost
/// silently and nothing can panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

impl Header {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// An ordered list of header lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<Header>);

impl Headers {
    /// Every value of `name`, in order, one per header line.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The value of `name` as the network stack combines repeated lines:
    /// joined with `", "`. `None` when the header is absent.
    pub fn combined(&self, name: &str) -> Option<String> {
        let mut values = self.all(name).peekable();
        values.peek()?;
        Some(values.collect::<Vec<_>>().join(", "))
    }

    /// The first value of `name`.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.first(name).is_some()
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        Headers(iter.into_iter().map(|(n, v)| Header::new(n, v)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_lines_combine_with_comma_space_and_names_ignore_case() {
        let headers: Headers = [
            ("access-control-allow-origin", "http://a"),
            ("Content-Type", "text/plain"),
            ("Access-Control-Allow-Origin", "http://b"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            headers.combined("ACCESS-CONTROL-ALLOW-ORIGIN").as_deref(),
            Some("http://a, http://b")
        );
        assert_eq!(headers.first("content-type"), Some("text/plain"));
        assert_eq!(headers.combined("vary"), None);
        assert!(!headers.contains("vary"));
    }
}
