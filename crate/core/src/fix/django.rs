//! Django: django-cors-headers settings (`CORS_ALLOWED_ORIGINS`, ...); its
//! middleware answers preflights itself and always adds `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

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
    if c.preflight.is_some() {
        code.comment(&c.t("cmt_middleware_preflight"));
        code.line(format!(
            "CORS_ALLOW_METHODS = [{}]",
            quoted_list(&c.methods(), '"')
        ));
        code.comment(&c.t("cmt_django_headers"));
        code.line(format!("CORS_PREFLIGHT_MAX_AGE = {MAX_AGE}"));
    }
    vec![(
        "django-cors-headers",
        vec![c.part("django-settings", "place_django_settings", code)],
    )]
}
