use super::*;
use crate::finding::Credentials;

const ORIGIN: &str = "http://127.0.0.1:8080";

fn finding(reason: CorsError, origin: &str, method: &str, credentials: Credentials) -> Finding {
    Finding {
        method: method.to_owned(),
        origin: origin.to_owned(),
        credentials,
        ..crate::testing::finding(reason)
    }
}

/// The placements each stack may use.
fn placements(stack: Stack) -> &'static [&'static str] {
    match stack {
        Stack::Nginx => &["nginx-http", "nginx-location"],
        Stack::Apache => &["apache-location"],
        Stack::Caddy => &["caddyfile-site"],
        Stack::Iis => &["iis-web-config"],
        Stack::Express => &["js-imports", "express-app"],
        Stack::Flask => &["flask-app"],
        Stack::Django => &["django-settings"],
        Stack::FastApi => &["fastapi-app"],
        Stack::Spring => &["spring-imports", "spring-controller", "spring-config"],
        Stack::AspNetCore => &["aspnetcore-services", "aspnetcore-pipeline"],
        Stack::Go => &["go-imports", "go-toplevel", "go-main"],
        Stack::Axum => &["rust-imports", "axum-router"],
        Stack::S3 => &["s3-cors-json"],
        Stack::CloudflareWorker => &["worker-module"],
    }
}

/// How each stack spells "any origin".
const ANY_ORIGIN: &[&str] = &[
    "\"*\"",
    "'*'",
    "AllowAnyOrigin",
    "CORS_ALLOW_ALL_ORIGINS",
    "allow_origin(Any)",
];

/// English words that must not leak into French titles, labels and comments.
const ENGLISH_MARKERS: &[&str] = &[
    "The ",
    " the ",
    " was ",
    " with ",
    "browser",
    "server",
    "request",
    "allow this",
    "only for public",
    "Replace",
    "never ",
    "must ",
    " only",
    "Inside",
];

fn is_comment(line: &str) -> bool {
    let l = line.trim_start();
    l.starts_with('#') || l.starts_with("//") || l.starts_with("<!--")
}

/// All code of a snippet, parts joined.
fn code(s: &Snippet) -> String {
    s.parts
        .iter()
        .map(|p| p.code.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The code of a snippet without its comment lines.
fn bare_code(s: &Snippet) -> String {
    code(s)
        .lines()
        .filter(|l| !is_comment(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Localised text of a snippet: title, labels and comment lines.
fn prose(s: &Snippet) -> Vec<String> {
    let mut out = vec![s.title.clone()];
    out.extend(s.parts.iter().map(|p| p.label.clone()));
    out.extend(code(s).lines().filter(|l| is_comment(l)).map(str::to_owned));
    out
}

/// The method as the browser sends it, and whether it needs a preflight,
/// computed from the `http` rules independently of the module's filter.
fn expected_method(method: &str) -> (String, bool) {
    let safe = !method.is_empty()
        && method.len() <= 32
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let normalized = crate::http::normalize_method(method);
    let preflight = safe && !crate::http::is_cors_safelisted_method(&normalized);
    (normalized, preflight)
}

/// django-cors-headers' `default_headers`.
const DJANGO_DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// Whether a requested header name may be written into code, computed
/// independently of the module: letters, digits, `-`, `_` and `.` only
/// (a subset of the HTTP token characters), at most 64 of them.
fn expected_header_ok(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().any(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The requested header names the code must allow, lowercase.
fn expected_headers(requested: &[String]) -> Vec<String> {
    requested
        .iter()
        .filter(|h| expected_header_ok(h))
        .map(|h| h.trim().to_ascii_lowercase())
        .collect()
}

/// Whether a stack can name this method in its configuration.
fn method_listable(stack: Stack, flavor: &str, method: &str) -> bool {
    match (stack, flavor) {
        (Stack::S3, _) => ["GET", "PUT", "POST", "DELETE", "HEAD"].contains(&method),
        (Stack::Spring, "annotation") => [
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
        ]
        .contains(&method),
        _ => true,
    }
}

/// The invariants every snippet keeps, whatever the finding, stack and
/// language.
fn check(f: &Finding, stack: Stack, lang: Lang) -> Vec<Snippet> {
    let out = snippets(f, stack, lang);
    let short = |v: &str| v.chars().take(40).collect::<String>();
    let ctx = format!(
        "{:?}/{stack:?}/{lang:?}/{}/{}/{:?}",
        f.reason,
        short(&f.origin),
        short(&f.method),
        f.credentials
    );
    let credentials = f.credentials.included()
        || matches!(
            f.reason.base(),
            CorsError::InvalidAllowCredentials | CorsError::WildcardOriginNotAllowed
        );
    let null_origin = f.origin == "null";
    let usable = null_origin || usable_in_code(&f.origin);
    let (method, method_preflight) = expected_method(&f.method);
    // Every preflight reason, a non-simple method and requested headers
    // (a POST with Content-Type: application/json) all need the preflight
    // answered.
    let preflight = f.reason.is_preflight() || method_preflight || !f.requested_headers.is_empty();
    let requested = expected_headers(&f.requested_headers);

    // Which variants, in order.
    let mut want = Vec::new();
    if !f.reason.fixed_by_headers() {
        // The headers passed, or were never read: no CORS configuration is offered.
    } else if f.reason.base() == CorsError::MultipleAllowOriginValues {
        want.push(Variant::SingleSource);
    } else {
        want.push(Variant::Exact);
        if !null_origin {
            want.push(Variant::Reflect);
        }
        if !credentials {
            want.push(Variant::Wildcard);
        }
    }
    let mut got: Vec<Variant> = out.iter().map(|s| s.variant).collect();
    got.dedup();
    assert_eq!(got, want, "{ctx}: variants");

    for s in &out {
        let sctx = format!("{ctx}/{:?}/{}", s.variant, s.flavor);
        let all = code(s);
        let bare = bare_code(s);
        let labels = s
            .parts
            .iter()
            .map(|p| p.label.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let shown = format!("{all}\n{labels}");
        assert_eq!(s.stack, stack, "{sctx}");
        assert!(
            s.title.starts_with(stack.name()),
            "{sctx}: title {}",
            s.title
        );
        assert!(!s.parts.is_empty(), "{sctx}: no part");
        for p in &s.parts {
            assert!(
                placements(stack).contains(&p.placement),
                "{sctx}: placement {}",
                p.placement
            );
            assert!(!p.code.trim().is_empty(), "{sctx}: empty code");
            assert!(!p.label.is_empty(), "{sctx}: empty label");
        }
        // No catalog key fell through untranslated.
        for text in prose(s) {
            for prefix in ["cmt_", "place_", "note_s3", "flavor_", "snip_"] {
                assert!(!text.contains(prefix), "{sctx}: key in {text:?}");
            }
            assert!(!text.contains('$') || text.contains("$http_origin"));
        }
        // XML comments may not contain `--`.
        for line in all.lines().filter(|l| l.trim_start().starts_with("<!--")) {
            let inner = line
                .trim()
                .trim_start_matches("<!--")
                .trim_end_matches("-->");
            assert!(!inner.contains("--"), "{sctx}: {line}");
        }

        // `*` only as the wildcard variant, never with credentials.
        let any = ANY_ORIGIN.iter().any(|m| bare.contains(m));
        assert_eq!(
            any,
            s.variant == Variant::Wildcard,
            "{sctx}: any-origin marker:\n{all}"
        );
        let sets_credentials = bare.to_ascii_lowercase().contains("credentials");
        if s.variant == Variant::Wildcard || !credentials {
            assert!(!sets_credentials, "{sctx}: credentials set:\n{all}");
        } else if stack == Stack::S3 {
            assert!(
                labels.contains("Access-Control-Allow-Credentials"),
                "{sctx}"
            );
        } else {
            assert!(sets_credentials, "{sctx}: credentials missing:\n{all}");
            // ASP.NET Core says AllowCredentials(); the others write true.
            assert!(
                stack == Stack::AspNetCore || bare.to_ascii_lowercase().contains("true"),
                "{sctx}: credentials not true:\n{all}"
            );
        }

        // Reflection always with Vary, and always from an allow-list.
        if s.variant == Variant::Reflect {
            assert!(
                shown.to_ascii_lowercase().contains("vary"),
                "{sctx}: reflection without Vary:\n{all}"
            );
            let listed = bare.contains(&f.origin) || bare.contains(&regex_escape(&f.origin));
            assert!(listed || !usable, "{sctx}: no allow-list");
        }

        // Nginx: `always` on every add_header; Apache: `Header always`.
        match stack {
            Stack::Nginx => {
                for line in bare.lines().filter(|l| l.contains("add_header")) {
                    assert!(line.ends_with(" always;"), "{sctx}: {line}");
                }
            }
            Stack::Apache => {
                for line in bare.lines().map(str::trim) {
                    if line.starts_with("Header ") {
                        assert!(
                            line.starts_with("Header always ") || line.starts_with("Header unset "),
                            "{sctx}: {line}"
                        );
                    }
                }
            }
            _ => {}
        }

        // A preflight answer exactly when the request is preflighted.
        let max_age = bare.contains(&MAX_AGE.to_string());
        assert_eq!(max_age, preflight, "{sctx}: preflight block:\n{all}");
        if preflight {
            // The method is listed when it can be written safely (a
            // hostile method leaves GET, HEAD and POST only).
            let safe = normalized_method(&f.method).is_some();
            if safe && method_listable(stack, s.flavor, &method) {
                assert!(bare.contains(&method), "{sctx}: method {method}:\n{all}");
            } else if safe && stack == Stack::S3 {
                assert!(labels.contains(&t(lang, "note_s3_methods")), "{sctx}");
            }
            // Django's default CORS_ALLOW_HEADERS has both (said in a comment).
            let folded = all.to_ascii_lowercase().replace('_', "-");
            assert!(folded.contains("content-type"), "{sctx}: Content-Type");
            let asked_authorization = f
                .requested_headers
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case("authorization"));
            if credentials || asked_authorization {
                assert!(folded.contains("authorization"), "{sctx}: Authorization");
            }
            // Every requested header the code may name is allowed by name
            // (Django's defaults already hold a few).
            // axum spells the fixed ones as constants (CONTENT_TYPE).
            let bare_folded = bare.to_ascii_lowercase().replace('_', "-");
            for name in &requested {
                let in_default =
                    stack == Stack::Django && DJANGO_DEFAULT_HEADERS.contains(&name.as_str());
                assert!(
                    in_default || bare_folded.contains(&name.replace('_', "-")),
                    "{sctx}: requested header {name}:\n{all}"
                );
            }
        }
        // Requested headers the code may not name never reach it.
        for name in &f.requested_headers {
            if !expected_header_ok(name) && !name.trim().is_empty() {
                assert!(
                    !all.contains(name.as_str()),
                    "{sctx}: hostile header {name:?} in code"
                );
            }
        }

        // The request's origin, or the placeholder with a note.
        if s.variant != Variant::Wildcard {
            if usable {
                let quoted = format!("\"{}\"", f.origin);
                let single = format!("'{}'", f.origin);
                assert!(
                    bare.contains(&quoted)
                        || bare.contains(&single)
                        || bare.contains(&regex_escape(&f.origin)),
                    "{sctx}: origin missing:\n{all}"
                );
            } else {
                assert!(
                    bare.contains(PLACEHOLDER_ORIGIN)
                        || bare.contains(&regex_escape(PLACEHOLDER_ORIGIN)),
                    "{sctx}: placeholder"
                );
                let note = tf(
                    lang,
                    "cmt_placeholder",
                    &[("placeholder", PLACEHOLDER_ORIGIN)],
                );
                assert!(shown.contains(&note), "{sctx}: placeholder note");
            }
        }
        if !usable && !f.origin.is_empty() {
            assert!(!shown.contains(&f.origin), "{sctx}: hostile origin in code");
            assert!(
                !s.title.contains(&f.origin),
                "{sctx}: hostile origin in title"
            );
        }

        if lang == Lang::Fr {
            for text in prose(s) {
                for marker in ENGLISH_MARKERS {
                    assert!(
                        !text.contains(marker),
                        "{sctx}: English {marker:?} in {text:?}"
                    );
                }
            }
        }
    }
    out
}

#[test]
fn every_stack_fixes_every_finding_in_both_languages() {
    let credential_modes = [
        Credentials::Unknown,
        Credentials::IncludeFromCookie,
        Credentials::IncludeFromFailure,
    ];
    let methods = [
        "GET", "head", "POST", "PUT", "delete", "PATCH", "patch", "PROPFIND",
    ];
    let mut count = 0;
    for stack in Stack::ALL {
        for reason in CorsError::ALL {
            for credentials in credential_modes {
                for method in methods {
                    for lang in Lang::ALL {
                        let f = finding(reason, ORIGIN, method, credentials);
                        count += check(&f, stack, lang).len();
                    }
                }
            }
        }
    }
    assert!(count > 1000, "{count} snippets checked");
}

#[test]
fn every_stack_answers_the_preflight_with_the_requested_headers() {
    let header_sets: [&[&str]; 5] = [
        &[],
        &["content-type"],
        &["x-api-key"],
        &["authorization", "x-requested-with"],
        &["content-type", "x-api-key", "x-trace.id", "x_custom"],
    ];
    let mut count = 0;
    for stack in Stack::ALL {
        for reason in CorsError::ALL {
            for credentials in [Credentials::Unknown, Credentials::IncludeFromCookie] {
                for method in ["GET", "POST", "PATCH"] {
                    for headers in header_sets {
                        for lang in Lang::ALL {
                            let mut f = finding(reason, ORIGIN, method, credentials);
                            f.requested_headers = headers.iter().map(|h| (*h).to_owned()).collect();
                            count += check(&f, stack, lang).len();
                        }
                    }
                }
            }
        }
    }
    assert!(count > 1000, "{count} snippets checked");
}

#[test]
fn a_preflight_block_appears_for_every_preflighted_request() {
    // (reason, method, requested headers, preflight block expected)
    let cases: [(CorsError, &str, &[&str], bool); 8] = [
        (CorsError::MissingAllowOriginHeader, "GET", &[], false),
        (CorsError::MissingAllowOriginHeader, "POST", &[], false),
        (CorsError::MissingAllowOriginHeader, "PUT", &[], true),
        // A JSON POST is preflighted for its Content-Type.
        (
            CorsError::MissingAllowOriginHeader,
            "POST",
            &["content-type"],
            true,
        ),
        (
            CorsError::PreflightMissingAllowOriginHeader,
            "POST",
            &[],
            true,
        ),
        (CorsError::PreflightInvalidStatus, "GET", &[], true),
        (CorsError::PreflightDisallowedRedirect, "X\nY", &[], true),
        (
            CorsError::HeaderDisallowedByPreflightResponse,
            "GET",
            &["x-api-key"],
            true,
        ),
    ];
    for (reason, method, headers, want) in cases {
        for stack in Stack::ALL {
            let mut f = finding(reason, ORIGIN, method, Credentials::Unknown);
            f.requested_headers = headers.iter().map(|h| (*h).to_owned()).collect();
            for s in check(&f, stack, Lang::En) {
                assert_eq!(
                    bare_code(&s).contains(&MAX_AGE.to_string()),
                    want,
                    "{reason:?} {method:?} {headers:?} {stack:?}"
                );
            }
        }
    }
}

#[test]
fn preflight_headers_are_named_in_each_stack() {
    let mut f = finding(
        CorsError::HeaderDisallowedByPreflightResponse,
        ORIGIN,
        "PUT",
        Credentials::IncludeFromCookie,
    );
    f.requested_headers = vec!["content-type".to_owned(), "x-api-key".to_owned()];
    // (stack, a line that must appear)
    let cases = [
        (
            Stack::Nginx,
            "    add_header Access-Control-Allow-Headers \"Content-Type, Authorization, X-Api-Key\" always;",
        ),
        (
            Stack::Express,
            "  allowedHeaders: ['Content-Type', 'Authorization', 'X-Api-Key'],",
        ),
        (
            Stack::Axum,
            "    .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, HeaderName::from_static(\"x-api-key\")])",
        ),
        (
            Stack::Axum,
            "use axum::http::{header, HeaderName, HeaderValue, Method};",
        ),
        (
            Stack::Django,
            "CORS_ALLOW_HEADERS = (*default_headers, \"x-api-key\")",
        ),
        (
            Stack::Django,
            "from corsheaders.defaults import default_headers",
        ),
        (
            Stack::S3,
            "      \"AllowedHeaders\": [\"Content-Type\", \"Authorization\", \"X-Api-Key\"],",
        ),
        (
            Stack::Spring,
            "    methods = {RequestMethod.GET, RequestMethod.HEAD, RequestMethod.POST, RequestMethod.PUT},",
        ),
    ];
    for (stack, line) in cases {
        let all: Vec<String> = check(&f, stack, Lang::En).iter().map(code).collect();
        assert!(
            all.iter().any(|c| c.lines().any(|l| l == line)),
            "{stack:?}: missing line {line:?} in {all:#?}"
        );
    }
    // A header already in Django's defaults is not repeated.
    f.requested_headers = vec!["x-requested-with".to_owned()];
    for s in check(&f, Stack::Django, Lang::En) {
        assert!(!code(&s).contains("CORS_ALLOW_HEADERS ="), "{}", code(&s));
    }
}

#[test]
fn header_names_are_spelled_for_code_or_dropped() {
    let long = "x".repeat(65);
    let cases: [(&str, Option<&str>); 14] = [
        ("x-api-key", Some("X-Api-Key")),
        ("X-API-KEY", Some("X-Api-Key")),
        ("content-type", Some("Content-Type")),
        (" x-trace.id ", Some("X-Trace.id")),
        ("x_custom", Some("X_custom")),
        ("", None),
        ("-", None),
        ("x-evil\"quote", None),
        ("x-evil'apos", None),
        ("x-evil$var", None),
        ("*", None),
        ("x evil", None),
        ("x-evil%{ENV}e", None),
        (&long, None),
    ];
    for (name, want) in cases {
        assert_eq!(header_in_code(name).as_deref(), want, "{name:?}");
        assert_eq!(expected_header_ok(name), want.is_some(), "{name:?}");
    }
}

#[test]
fn hostile_header_names_never_reach_the_code() {
    let huge = "x-evil".repeat(20 * 1024);
    let hostile = [
        "x-evil\"; add_header X 1",
        "x-evil'); require('child_process')//",
        "x-evil$http_cookie",
        "x-evil%{HTTP_COOKIE}e",
        "x-evil`tick`",
        "x-evil#hash",
        "x-evil*",
        "x-evil -->",
        "x-evil\nline",
        "x-evil{origin}",
        "x-evil<img src=x>",
        &huge,
    ];
    for stack in Stack::ALL {
        for lang in Lang::ALL {
            let mut f = finding(
                CorsError::HeaderDisallowedByPreflightResponse,
                ORIGIN,
                "PUT",
                Credentials::Unknown,
            );
            f.requested_headers = hostile.iter().map(|h| (*h).to_owned()).collect();
            f.requested_headers.push("x-fine".to_owned());
            for s in check(&f, stack, lang) {
                let folded = code(&s).to_ascii_lowercase();
                assert!(!folded.contains("x-evil"), "{stack:?}:\n{}", code(&s));
                assert!(folded.contains("x-fine"), "{stack:?}:\n{}", code(&s));
            }
        }
    }
}

#[test]
fn hostile_origins_and_methods_never_reach_the_code() {
    let huge = "x".repeat(100 * 1024);
    let long_origin = format!("http://{}.example", "a".repeat(400));
    let origins = [
        "http://a\n\"; evil; #{origin}",
        "<img src=x onerror=alert(1)>",
        "http://a.example\" always; add_header X 1",
        "http://a.example'); require('child_process')//",
        "http://a.example --> <x>",
        "http://a.example}",
        "http://a.example$x",
        "",
        &huge,
        &long_origin,
    ];
    for stack in Stack::ALL {
        for origin in origins {
            for lang in Lang::ALL {
                for method in ["GET", "PUT"] {
                    let f = finding(
                        CorsError::AllowOriginMismatch,
                        origin,
                        method,
                        Credentials::Unknown,
                    );
                    check(&f, stack, lang);
                }
            }
        }
        for method in ["PU\"T", "DEL'ETE", "X\nY", "{x}", &huge] {
            let f = finding(
                CorsError::MissingAllowOriginHeader,
                ORIGIN,
                method,
                Credentials::Unknown,
            );
            for s in check(&f, stack, Lang::En) {
                assert!(
                    !code(&s).contains(method),
                    "{stack:?}: method {method:?} in code"
                );
            }
        }
    }
}

#[test]
fn null_origin_is_allowed_exactly_and_never_reflected() {
    for stack in Stack::ALL {
        for lang in Lang::ALL {
            for credentials in [Credentials::Unknown, Credentials::IncludeFromCookie] {
                let f = finding(CorsError::AllowOriginMismatch, "null", "GET", credentials);
                let out = check(&f, stack, lang);
                let exact = out.iter().find(|s| s.variant == Variant::Exact);
                let exact = exact.unwrap_or_else(|| panic!("{stack:?}: no exact"));
                assert!(code(exact).contains("null"), "{stack:?}");
                assert!(exact
                    .title
                    .contains(&tf(lang, "snip_exact_null", &[("stack", "")])));
                assert!(!out.iter().any(|s| s.variant == Variant::Reflect));
            }
        }
    }
}

#[test]
fn snippets_have_the_documented_lines() {
    // (stack, method, credentials, lines that must appear)
    let cases: &[(Stack, &str, Credentials, &[&str])] = &[
        (
            Stack::Nginx,
            "GET",
            Credentials::IncludeFromFailure,
            &[
                "add_header Access-Control-Allow-Origin \"http://127.0.0.1:8080\" always;",
                "add_header Access-Control-Allow-Credentials \"true\" always;",
                "    \"http://127.0.0.1:8080\" $http_origin;",
                "add_header Access-Control-Allow-Origin $cors_origin always;",
                "add_header Vary Origin always;",
            ],
        ),
        (
            Stack::Nginx,
            "PUT",
            Credentials::Unknown,
            &[
                "if ($request_method = OPTIONS) {",
                "    add_header Access-Control-Allow-Origin \"http://127.0.0.1:8080\" always;",
                "    add_header Access-Control-Allow-Methods \"GET, HEAD, POST, PUT\" always;",
                "    add_header Access-Control-Allow-Headers \"Content-Type\" always;",
                "    add_header Access-Control-Max-Age 600 always;",
                "    return 204;",
                "add_header Access-Control-Allow-Origin \"*\" always;",
            ],
        ),
        (
            Stack::Apache,
            "GET",
            Credentials::IncludeFromCookie,
            &[
                "Header always set Access-Control-Allow-Origin \"http://127.0.0.1:8080\"",
                "Header always set Access-Control-Allow-Credentials \"true\"",
                "SetEnvIf Origin \"^http://127\\.0\\.0\\.1:8080$\" CORS_ORIGIN=$0",
                "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN",
                "Header always merge Vary Origin",
            ],
        ),
        (
            Stack::Apache,
            "DELETE",
            Credentials::Unknown,
            &[
                "Header always set Access-Control-Allow-Methods \"GET, HEAD, POST, DELETE\"",
                "RewriteCond %{REQUEST_METHOD} OPTIONS",
                "RewriteRule ^ - [R=204,L]",
            ],
        ),
        (
            Stack::Caddy,
            "PUT",
            Credentials::IncludeFromCookie,
            &[
                "header Access-Control-Allow-Origin \"http://127.0.0.1:8080\"",
                "@cors_allowed header Origin \"http://127.0.0.1:8080\"",
                "header @cors_allowed Access-Control-Allow-Origin \"{header.Origin}\"",
                "@preflight method OPTIONS",
                "respond @preflight 204",
            ],
        ),
        (
            Stack::Express,
            "PUT",
            Credentials::IncludeFromCookie,
            &[
                "const cors = require('cors');",
                "  origin: 'http://127.0.0.1:8080',",
                "  credentials: true,",
                "  methods: ['GET', 'HEAD', 'POST', 'PUT'],",
                "  origin: allowedOrigins,",
                "    return res.sendStatus(204);",
            ],
        ),
        (
            Stack::Flask,
            "GET",
            Credentials::IncludeFromCookie,
            &["    origins=\"http://127.0.0.1:8080\",", "    supports_credentials=True,"],
        ),
        (
            Stack::Django,
            "GET",
            Credentials::IncludeFromCookie,
            &[
                "CORS_ALLOWED_ORIGINS = [\"http://127.0.0.1:8080\"]",
                "CORS_ALLOW_CREDENTIALS = True",
                "MIDDLEWARE.insert(0, \"corsheaders.middleware.CorsMiddleware\")",
            ],
        ),
        (
            Stack::FastApi,
            "PATCH",
            Credentials::Unknown,
            &[
                "app.add_middleware(",
                "    allow_origins=[\"http://127.0.0.1:8080\"],",
                "    allow_methods=[\"GET\", \"HEAD\", \"POST\", \"PATCH\"],",
                "    allow_origins=[\"*\"],",
            ],
        ),
        (
            Stack::Spring,
            "PUT",
            Credentials::IncludeFromCookie,
            &[
                "    origins = \"http://127.0.0.1:8080\",",
                "    allowCredentials = \"true\",",
                "    methods = {RequestMethod.GET, RequestMethod.HEAD, RequestMethod.POST, RequestMethod.PUT},",
                "        registry.addMapping(\"/**\")",
                "                .allowedOrigins(\"http://127.0.0.1:8080\")",
                "                .maxAge(600);",
            ],
        ),
        (
            Stack::AspNetCore,
            "GET",
            Credentials::IncludeFromCookie,
            &[
                // With credentials, the exact origin through a custom check,
                // which makes the middleware add Vary: Origin.
                "        policy.SetIsOriginAllowed(origin => origin == \"http://127.0.0.1:8080\");",
                "        policy.AllowCredentials();",
                "app.UseCors(\"CorsLens\");",
            ],
        ),
        (
            Stack::Go,
            "PUT",
            Credentials::IncludeFromCookie,
            &[
                "\t\th.Set(\"Access-Control-Allow-Origin\", \"http://127.0.0.1:8080\")",
                "\t\tif r.Method == http.MethodOptions {",
                "\t\t\tw.WriteHeader(http.StatusNoContent)",
                "\tAllowedOrigins:   []string{\"http://127.0.0.1:8080\"},",
                "\tAllowCredentials: true,",
            ],
        ),
        (
            Stack::Axum,
            "PROPFIND",
            Credentials::IncludeFromCookie,
            &[
                "    .allow_origin(\"http://127.0.0.1:8080\".parse::<HeaderValue>().unwrap())",
                "    .allow_credentials(true)",
                "    .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::from_bytes(b\"PROPFIND\").unwrap()])",
                "let app = app.layer(cors);",
            ],
        ),
        (
            Stack::CloudflareWorker,
            "PUT",
            Credentials::Unknown,
            &[
                "      \"Access-Control-Allow-Origin\": \"http://127.0.0.1:8080\",",
                "    if (request.method === \"OPTIONS\") {",
                "    response.headers.append(\"Vary\", vary);",
            ],
        ),
        (
            Stack::Iis,
            "GET",
            Credentials::IncludeFromCookie,
            &[
                "    <add name=\"Access-Control-Allow-Origin\" value=\"http://127.0.0.1:8080\" />",
                "  <add origin=\"http://127.0.0.1:8080\" allowCredentials=\"true\" />",
                "    <add name=\"Vary\" value=\"Origin\" />",
            ],
        ),
    ];
    for (stack, method, credentials, lines) in cases {
        let f = finding(
            CorsError::MissingAllowOriginHeader,
            ORIGIN,
            method,
            *credentials,
        );
        let all: Vec<String> = check(&f, *stack, Lang::En).iter().map(code).collect();
        for line in *lines {
            assert!(
                all.iter().any(|c| c.lines().any(|l| l == *line)),
                "{stack:?}: missing line {line:?} in {all:#?}"
            );
        }
    }
}

#[test]
fn multiple_values_are_sent_from_one_place() {
    let cases = [
        (
            Stack::Nginx,
            "proxy_hide_header Access-Control-Allow-Origin;",
        ),
        (Stack::Apache, "Header unset Access-Control-Allow-Origin"),
        (Stack::Caddy, "    defer"),
        (
            Stack::Iis,
            "    <remove name=\"Access-Control-Allow-Origin\" />",
        ),
    ];
    for (stack, line) in cases {
        let f = finding(
            CorsError::MultipleAllowOriginValues,
            ORIGIN,
            "GET",
            Credentials::Unknown,
        );
        let out = check(&f, stack, Lang::En);
        assert!(code(&out[0]).lines().any(|l| l == line), "{stack:?}");
    }
    for stack in Stack::ALL {
        let f = finding(
            CorsError::MultipleAllowOriginValues,
            ORIGIN,
            "GET",
            Credentials::Unknown,
        );
        for lang in Lang::ALL {
            for s in check(&f, stack, lang) {
                assert!(
                    prose(&s).join("\n").contains(&t(lang, "cmt_single_layer")),
                    "{stack:?}: no single-layer note"
                );
            }
        }
    }
}

#[test]
fn s3_configuration_is_valid_json() {
    for method in ["GET", "PUT", "PATCH"] {
        for credentials in [Credentials::Unknown, Credentials::IncludeFromCookie] {
            let f = finding(
                CorsError::MissingAllowOriginHeader,
                ORIGIN,
                method,
                credentials,
            );
            for s in check(&f, Stack::S3, Lang::Fr) {
                let json: serde_json::Value = serde_json::from_str(&s.parts[0].code)
                    .unwrap_or_else(|e| panic!("{method}: {e}\n{}", s.parts[0].code));
                let rule = &json["CORSRules"][0];
                assert!(rule["AllowedOrigins"].is_array());
                let methods = rule["AllowedMethods"].as_array().map(Vec::len);
                assert!(methods.unwrap_or(0) >= 2, "{method}");
                assert_eq!(rule["MaxAgeSeconds"].is_u64(), method != "GET");
            }
        }
    }
}

#[test]
fn s3_configuration_with_requested_headers_is_valid_json() {
    for reason in CorsError::ALL {
        let mut f = finding(reason, ORIGIN, "GET", Credentials::Unknown);
        f.requested_headers = vec!["x-api-key".to_owned(), "x-evil\"".to_owned()];
        for s in check(&f, Stack::S3, Lang::En) {
            let json: serde_json::Value = serde_json::from_str(&s.parts[0].code)
                .unwrap_or_else(|e| panic!("{reason:?}: {e}\n{}", s.parts[0].code));
            let rule = &json["CORSRules"][0];
            let want = if credentials_involved(&f) {
                serde_json::json!(["Content-Type", "Authorization", "X-Api-Key"])
            } else {
                serde_json::json!(["Content-Type", "X-Api-Key"])
            };
            assert_eq!(rule["AllowedHeaders"], want, "{reason:?}");
            assert!(rule["MaxAgeSeconds"].is_u64(), "{reason:?}");
        }
    }
}

#[test]
fn many_requested_headers_are_capped() {
    let mut f = finding(
        CorsError::HeaderDisallowedByPreflightResponse,
        ORIGIN,
        "PUT",
        Credentials::Unknown,
    );
    f.requested_headers = (0..200).map(|i| format!("x-h{i}")).collect();
    f.requested_headers.push("X-H0".to_owned());
    let ctx = Ctx::new(&f, Lang::En);
    assert_eq!(ctx.requested.len(), MAX_CODE_HEADERS);
    assert_eq!(ctx.requested[0], "X-H0");
    assert_eq!(ctx.headers().len(), MAX_CODE_HEADERS + 1);
}

#[test]
fn stacks_have_distinct_ids_and_names_that_round_trip() {
    assert_eq!(Stack::ALL[0], Stack::Nginx);
    assert_eq!(Stack::ALL[1], Stack::Apache);
    for (i, a) in Stack::ALL.iter().enumerate() {
        assert_eq!(Stack::from_id(a.id()), Some(*a));
        for b in &Stack::ALL[i + 1..] {
            assert_ne!(a.name(), b.name());
            assert_ne!(a.id(), b.id());
        }
    }
    let ids: Vec<&str> = Stack::ALL.iter().map(|s| s.id()).collect();
    assert_eq!(
        ids,
        [
            "nginx",
            "apache",
            "caddy",
            "iis",
            "express",
            "flask",
            "django",
            "fastapi",
            "spring",
            "aspnetcore",
            "go",
            "axum",
            "s3",
            "cloudflare-worker"
        ]
    );
    for bad in ["", "Nginx", "node", "cloudflare"] {
        assert_eq!(Stack::from_id(bad), None, "{bad:?}");
    }
    let variants = [
        (Variant::Exact, "exact"),
        (Variant::SingleSource, "single-source"),
        (Variant::Reflect, "reflect"),
        (Variant::Wildcard, "wildcard"),
    ];
    for (v, id) in variants {
        assert_eq!(v.id(), id);
    }
}

#[test]
fn methods_are_normalized_as_fetch_does() {
    let cases = [
        ("get", Some("GET"), false),
        ("Post", Some("POST"), false),
        ("delete", Some("DELETE"), true),
        ("PATCH", Some("PATCH"), true),
        ("patch", Some("patch"), true),
        ("PROPFIND", Some("PROPFIND"), true),
        ("", None, false),
        ("PU T", None, false),
    ];
    for (method, normalized, preflight) in cases {
        let got = normalized_method(method);
        assert_eq!(got.as_deref(), normalized, "{method:?}");
        assert_eq!(
            got.is_some_and(|m| needs_preflight(&m)),
            preflight,
            "{method:?}"
        );
    }
}
