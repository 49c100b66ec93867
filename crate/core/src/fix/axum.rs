//! axum with tower-http's `CorsLayer`, which answers preflights itself and
//! always adds `Vary: Origin`.

use super::{Code, Comment, Ctx, Part, Variant, MAX_AGE};

/// Methods with an `http::Method` constant.
const METHOD_CONSTANTS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

fn method(m: &str) -> String {
    if METHOD_CONSTANTS.contains(&m) {
        format!("Method::{m}")
    } else {
        format!("Method::from_bytes(b\"{m}\").unwrap()")
    }
}

/// A request header name as axum code: the `http::header` constant for the
/// two fixed ones, `HeaderName::from_static` (which wants lower case) for
/// the names the page asked for (already reduced to safe characters).
fn header(h: &str) -> String {
    match h {
        "Content-Type" => "header::CONTENT_TYPE".to_owned(),
        "Authorization" => "header::AUTHORIZATION".to_owned(),
        other => format!(
            "HeaderName::from_static(\"{}\")",
            other.to_ascii_lowercase()
        ),
    }
}

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut imports = Code::new(Comment::Slash);
    let mut http = Vec::new();
    if c.preflight {
        http.push("header");
        if !c.requested.is_empty() {
            http.push("HeaderName");
        }
    }
    if v != Variant::Wildcard {
        http.push("HeaderValue");
    }
    if c.preflight {
        http.push("Method");
    }
    match http.as_slice() {
        [] => {}
        [one] => {
            imports.line(format!("use axum::http::{one};"));
        }
        many => {
            imports.line(format!("use axum::http::{{{}}};", many.join(", ")));
        }
    }
    if c.preflight {
        imports.line("use std::time::Duration;");
    }
    imports.line(match v {
        Variant::Wildcard => "use tower_http::cors::{Any, CorsLayer};",
        Variant::Reflect => "use tower_http::cors::{AllowOrigin, CorsLayer};",
        _ => "use tower_http::cors::CorsLayer;",
    });

    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    let parsed = format!("\"{}\".parse::<HeaderValue>().unwrap()", c.origin);
    let ind = "    ";
    code.line("let cors = CorsLayer::new()");
    match v {
        Variant::Wildcard => {
            code.line(format!("{ind}.allow_origin(Any)"));
        }
        Variant::Reflect => {
            code.comment_at(ind, &c.t("cmt_middleware_reflect"));
            code.line(format!("{ind}.allow_origin(AllowOrigin::list([{parsed}]))"));
        }
        Variant::Exact | Variant::SingleSource => {
            code.line(format!("{ind}.allow_origin({parsed})"));
        }
    }
    if c.credentials {
        code.comment_at(ind, &c.t("cmt_credentials"));
        code.line(format!("{ind}.allow_credentials(true)"));
    }
    if c.preflight {
        code.comment_at(ind, &c.t("cmt_middleware_preflight"));
        let methods: Vec<String> = c.methods().into_iter().map(method).collect();
        code.line(format!("{ind}.allow_methods([{}])", methods.join(", ")));
        let headers: Vec<String> = c.headers().into_iter().map(header).collect();
        code.line(format!("{ind}.allow_headers([{}])", headers.join(", ")));
        code.line(format!("{ind}.max_age(Duration::from_secs({MAX_AGE}))"));
    }
    // Close the statement on the last line.
    let mut text = code.finish();
    text.push(';');
    let mut code = Code::new(Comment::Slash);
    code.line(text);
    code.line("let app = app.layer(cors);");
    vec![(
        "",
        vec![
            c.part("rust-imports", "place_rust_imports", imports),
            c.part("axum-router", "place_axum_router", code),
        ],
    )]
}
