//! Django: django-cors-headers settings (`CORS_ALLOWED_ORIGINS`, ...); its
//! middleware answers preflights itself and always adds `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

/// django-cors-headers' `default_headers` (`corsheaders.defaults`).
const DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    code.line("INSTALLED_APPS += [\"corsheaders\"]");
    code.comment(&c.t("cmt_django_middleware"));
    code.line("MIDDLEWARE.insert(0, \"corsheaders.middleware.CorsMiddleware\")");
    match v {
        Variant::Wildcard => {
            code.line("CORS_ALLOW_ALL_ORIGINS = True");
        }
        Variant::Reflect => {
            code.comment(&c.t("cmt_middleware_reflect"));
            code.line(format!("CORS_ALLOWED_ORIGINS = [\"{}\"]", c.origin));
        }
        Variant::Exact | Variant::SingleSource => {
            code.line(format!("CORS_ALLOWED_ORIGINS = [\"{}\"]", c.origin));
        }
    }
    if c.credentials {
        code.comment(&c.t("cmt_credentials"));
        code.line("CORS_ALLOW_CREDENTIALS = True");
    }
    if c.preflight {
        code.comment(&c.t("cmt_middleware_preflight"));
        code.line(format!(
            "CORS_ALLOW_METHODS = [{}]",
            quoted_list(&c.methods(), '"')
        ));
        let extra: Vec<String> = c
            .requested
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .filter(|h| !DEFAULT_HEADERS.contains(&h.as_str()))
            .collect();
        if extra.is_empty() {
            code.comment(&c.t("cmt_django_headers"));
        } else {
            code.comment(&c.t("cmt_django_extra_headers"));
            code.line("from corsheaders.defaults import default_headers");
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            code.line(format!(
                "CORS_ALLOW_HEADERS = (*default_headers, {})",
                quoted_list(&extra, '"')
            ));
        }
        code.line(format!("CORS_PREFLIGHT_MAX_AGE = {MAX_AGE}"));
    }
    vec![(
        "django-cors-headers",
        vec![c.part("django-settings", "place_django_settings", code)],
    )]
}
