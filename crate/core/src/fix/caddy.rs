//! Caddy v2 (Caddyfile): the `header` directive, a `header Origin` request
//! matcher for the allow-list, `@preflight method OPTIONS` + `respond 204`.

use super::{Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let o = &c.origin;
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    match v {
        Variant::Exact | Variant::Wildcard => {
            let value = if v == Variant::Wildcard { "*" } else { o };
            code.line(format!("header Access-Control-Allow-Origin \"{value}\""));
            if c.credentials {
                code.comment(&c.t("cmt_credentials"));
                code.line("header Access-Control-Allow-Credentials \"true\"");
            }
        }
        Variant::SingleSource => {
            code.comment(&c.t("cmt_caddy_defer"));
            code.line("header {");
            code.line(format!("    Access-Control-Allow-Origin \"{o}\""));
            if c.credentials {
                code.line("    Access-Control-Allow-Credentials \"true\"");
            }
            code.line("    defer");
            code.line("}");
        }
        Variant::Reflect => {
            code.line(format!("@cors_allowed header Origin \"{o}\""));
            code.comment(&c.t("cmt_reflect_use"));
            code.line("header @cors_allowed Access-Control-Allow-Origin \"{header.Origin}\"");
            if c.credentials {
                code.line("header @cors_allowed Access-Control-Allow-Credentials \"true\"");
            }
            code.comment(&c.t("cmt_vary"));
            code.line("header +Vary Origin");
        }
    }
    if c.vary_named(v) {
        code.comment(&c.t("cmt_vary_credentials"));
        code.line("header +Vary Origin");
    }
    if c.preflight {
        code.comment(&c.t("cmt_preflight"));
        code.line("@preflight method OPTIONS");
        code.line(format!(
            "header @preflight Access-Control-Allow-Methods \"{}\"",
            c.methods_value()
        ));
        code.line(format!(
            "header @preflight Access-Control-Allow-Headers \"{}\"",
            c.headers_value()
        ));
        code.line(format!(
            "header @preflight Access-Control-Max-Age \"{MAX_AGE}\""
        ));
        code.line("respond @preflight 204");
    }
    vec![(
        "",
        vec![c.part("caddyfile-site", "place_caddyfile_site", code)],
    )]
}
