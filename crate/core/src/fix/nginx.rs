//! Nginx: `add_header ... always` (without `always` error responses lose the
//! headers), a `map` for the allow-list, and an `if` block for the preflight.
//! Inside an `if`, `add_header` replaces every outer `add_header`, so the
//! preflight branch repeats each CORS header.

use super::{Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let o = &c.origin;
    let mut parts = Vec::new();
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    code.comment(&c.t("cmt_always"));

    // The CORS headers of every answer, preflight included.
    let mut headers: Vec<String> = Vec::new();
    match v {
        Variant::Exact => {
            headers.push(format!(
                "add_header Access-Control-Allow-Origin \"{o}\" always;"
            ));
        }
        Variant::SingleSource => {
            code.comment(&c.t("cmt_nginx_hide"));
            code.line("proxy_hide_header Access-Control-Allow-Origin;");
            if c.credentials {
                code.line("proxy_hide_header Access-Control-Allow-Credentials;");
            }
            headers.push(format!(
                "add_header Access-Control-Allow-Origin \"{o}\" always;"
            ));
        }
        Variant::Reflect => {
            let mut map = Code::new(Comment::Hash);
            map.comment(&c.t("cmt_nginx_map"))
                .line("map $http_origin $cors_origin {")
                .line("    default \"\";")
                .line(format!("    \"{o}\" $http_origin;"))
                .line("}");
            parts.push(c.part("nginx-http", "place_nginx_http", map));
            code.comment(&c.t("cmt_reflect_use"));
            headers.push("add_header Access-Control-Allow-Origin $cors_origin always;".to_owned());
        }
        Variant::Wildcard => {
            headers.push("add_header Access-Control-Allow-Origin \"*\" always;".to_owned());
        }
    }
    if c.credentials {
        headers.push("add_header Access-Control-Allow-Credentials \"true\" always;".to_owned());
    }
    if v == Variant::Reflect || c.vary_named(v) {
        headers.push("add_header Vary Origin always;".to_owned());
    }

    for h in &headers {
        if c.credentials && h.contains("Allow-Credentials") {
            code.comment(&c.t("cmt_credentials"));
        }
        if h.starts_with("add_header Vary") {
            code.comment(&c.t("cmt_vary"));
        }
        code.line(h.clone());
    }

    if c.preflight {
        code.comment(&c.t("cmt_preflight"));
        code.comment(&c.t("cmt_nginx_if"));
        code.line("if ($request_method = OPTIONS) {");
        for h in &headers {
            code.line(format!("    {h}"));
        }
        code.line(format!(
            "    add_header Access-Control-Allow-Methods \"{}\" always;",
            c.methods_value()
        ));
        code.line(format!(
            "    add_header Access-Control-Allow-Headers \"{}\" always;",
            c.headers_value()
        ));
        code.line(format!(
            "    add_header Access-Control-Max-Age {MAX_AGE} always;"
        ));
        code.line("    return 204;");
        code.line("}");
    }
    parts.push(c.part("nginx-location", "place_nginx_location", code));
    vec![("", parts)]
}
