//! Writing code: lines with comments in each language's syntax, and the
//! quoting and escaping the stacks share.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comment {
    /// `# text` (Nginx, Apache, Caddy, Python).
    Hash,
    /// `// text` (JavaScript, Java, C#, Go, Rust).
    Slash,
    /// `<!-- text -->` (XML).
    Xml,
}

/// Lines of code being written, with comments in the language's syntax.
pub(crate) struct Code {
    style: Comment,
    lines: Vec<String>,
}

impl Code {
    pub fn new(style: Comment) -> Code {
        Code {
            style,
            lines: Vec::new(),
        }
    }

    /// A comment line at the given indentation.
    pub fn comment_at(&mut self, indent: &str, text: &str) -> &mut Code {
        let line = match self.style {
            Comment::Hash => format!("{indent}# {text}"),
            Comment::Slash => format!("{indent}// {text}"),
            // `--` may not appear inside an XML comment.
            Comment::Xml => format!("{indent}<!-- {} -->", text.replace("--", "- -")),
        };
        self.lines.push(line);
        self
    }

    /// A comment line, not indented.
    pub fn comment(&mut self, text: &str) -> &mut Code {
        self.comment_at("", text)
    }

    /// Several comment lines, not indented.
    pub fn comments(&mut self, texts: &[String]) -> &mut Code {
        for text in texts {
            self.comment(text);
        }
        self
    }

    /// A line of code.
    pub fn line(&mut self, line: impl Into<String>) -> &mut Code {
        self.lines.push(line.into());
        self
    }

    pub fn finish(&self) -> String {
        self.lines.join("\n")
    }
}

/// Quotes and comma-joins values: `"a", "b"` with the given quote.
pub(crate) fn quoted_list(values: &[&str], quote: char) -> String {
    values
        .iter()
        .map(|v| format!("{quote}{v}{quote}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes regular-expression metacharacters (Apache `SetEnvIf` patterns).
pub(crate) fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if "\\.^$|?*+()[]{}".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
