//! FastAPI (Starlette): `app.add_middleware(CORSMiddleware, ...)`, which
//! answers preflights itself and echoes a listed origin with `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    code.line("from fastapi.middleware.cors import CORSMiddleware");
    code.line("");
    let origins = match v {
        Variant::Reflect => {
            code.line(format!("ALLOWED_ORIGINS = [\"{}\"]", c.origin));
            code.comment(&c.t("cmt_middleware_reflect"));
            "ALLOWED_ORIGINS".to_owned()
        }
        Variant::Wildcard => "[\"*\"]".to_owned(),
        Variant::Exact | Variant::SingleSource => format!("[\"{}\"]", c.origin),
    };
    code.line("app.add_middleware(");
    code.line("    CORSMiddleware,");
    code.line(format!("    allow_origins={origins},"));
    if c.credentials {
        code.comment_at("    ", &c.t("cmt_credentials"));
        code.line("    allow_credentials=True,");
    }
    if c.preflight {
        code.comment_at("    ", &c.t("cmt_middleware_preflight"));
        code.line(format!(
            "    allow_methods=[{}],",
            quoted_list(&c.methods(), '"')
        ));
        code.line(format!(
            "    allow_headers=[{}],",
            quoted_list(&c.headers(), '"')
        ));
        code.line(format!("    max_age={MAX_AGE},"));
    }
    code.line(")");
    vec![("", vec![c.part("fastapi-app", "place_fastapi_app", code)])]
}
