//! Apache httpd: mod_headers `Header always set` (error responses keep the
//! headers), `SetEnvIf` for the allow-list, mod_rewrite for the preflight.

use super::{regex_escape, Code, Comment, Ctx, Part, Variant, MAX_AGE};

const CREDENTIALS: &str = "Header always set Access-Control-Allow-Credentials \"true\"";

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let o = &c.origin;
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    code.comment(&c.t("cmt_always"));
    match v {
        Variant::Exact => {
            code.line(format!(
                "Header always set Access-Control-Allow-Origin \"{o}\""
            ));
            if c.credentials {
                code.comment(&c.t("cmt_credentials"));
                code.line(CREDENTIALS);
            }
        }
        Variant::SingleSource => {
            code.comment(&c.t("cmt_apache_unset"));
            code.line("Header unset Access-Control-Allow-Origin");
            if c.credentials {
                code.line("Header unset Access-Control-Allow-Credentials");
            }
            code.line(format!(
                "Header always set Access-Control-Allow-Origin \"{o}\""
            ));
            if c.credentials {
                code.line(CREDENTIALS);
            }
        }
        Variant::Reflect => {
            code.comment(&c.t("cmt_apache_allowlist"));
            code.line(format!(
                "SetEnvIf Origin \"^{}$\" CORS_ORIGIN=$0",
                regex_escape(o)
            ));
            code.comment(&c.t("cmt_reflect_use"));
            code.line(
                "Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN",
            );
            if c.credentials {
                code.line(format!("{CREDENTIALS} env=CORS_ORIGIN"));
            }
            code.comment(&c.t("cmt_vary"));
            code.line("Header always merge Vary Origin");
        }
        Variant::Wildcard => {
            code.line("Header always set Access-Control-Allow-Origin \"*\"");
        }
    }
    if c.vary_named(v) {
        code.comment(&c.t("cmt_vary_credentials"));
        code.line("Header always merge Vary Origin");
    }
    if c.preflight {
        code.comment(&c.t("cmt_preflight"));
        code.line(format!(
            "Header always set Access-Control-Allow-Methods \"{}\"",
            c.methods_value()
        ));
        code.line(format!(
            "Header always set Access-Control-Allow-Headers \"{}\"",
            c.headers_value()
        ));
        code.line(format!(
            "Header always set Access-Control-Max-Age \"{MAX_AGE}\""
        ));
        code.comment(&c.t("cmt_apache_rewrite"));
        code.line("RewriteEngine On");
        code.line("RewriteCond %{REQUEST_METHOD} OPTIONS");
        code.line("RewriteRule ^ - [R=204,L]");
    }
    vec![(
        "",
        vec![c.part("apache-location", "place_apache_location", code)],
    )]
}
