//! Flask: the flask-cors extension (`CORS(app, ...)`), which answers
//! preflights itself and echoes a listed origin with `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut code = Code::new(Comment::Hash);
    code.comments(&c.lead(v));
    code.line("from flask_cors import CORS");
    code.line("");
    let origins = match v {
        Variant::Reflect => {
            code.line(format!("ALLOWED_ORIGINS = [\"{}\"]", c.origin));
            code.comment(&c.t("cmt_middleware_reflect"));
            "ALLOWED_ORIGINS".to_owned()
        }
        Variant::Wildcard => "\"*\"".to_owned(),
        Variant::Exact | Variant::SingleSource => format!("\"{}\"", c.origin),
    };
    code.line("CORS(");
    code.line("    app,");
    code.line(format!("    origins={origins},"));
    if c.credentials {
        code.comment_at("    ", &c.t("cmt_credentials"));
        code.line("    supports_credentials=True,");
    }
    if c.preflight {
        code.comment_at("    ", &c.t("cmt_middleware_preflight"));
        code.line(format!("    methods=[{}],", quoted_list(&c.methods(), '"')));
        code.line(format!(
            "    allow_headers=[{}],",
            quoted_list(&c.headers(), '"')
        ));
        code.line(format!("    max_age={MAX_AGE},"));
    }
    code.line(")");
    vec![(
        "flask-cors",
        vec![c.part("flask-app", "place_flask_app", code)],
    )]
}
