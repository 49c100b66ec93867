//! Express 4: the `cors` package (which answers preflights itself and adds
//! `Vary: Origin` when it names an origin), or a middleware by hand.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    vec![("cors-package", package(c, v)), ("by-hand", by_hand(c, v))]
}

fn package(c: &Ctx, v: Variant) -> Vec<Part> {
    let mut imports = Code::new(Comment::Slash);
    imports.line("const cors = require('cors');");

    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    let origin = match v {
        Variant::Reflect => {
            code.line(format!("const allowedOrigins = ['{}'];", c.origin));
            code.comment(&c.t("cmt_middleware_reflect"));
            "allowedOrigins".to_owned()
        }
        Variant::Wildcard => "'*'".to_owned(),
        Variant::Exact | Variant::SingleSource => format!("'{}'", c.origin),
    };
    code.line("app.use(cors({");
    code.line(format!("  origin: {origin},"));
    if c.credentials {
        code.comment_at("  ", &c.t("cmt_credentials"));
        code.line("  credentials: true,");
    }
    if c.preflight {
        code.comment_at("  ", &c.t("cmt_middleware_preflight"));
        code.line(format!("  methods: [{}],", quoted_list(&c.methods(), '\'')));
        code.line(format!(
            "  allowedHeaders: [{}],",
            quoted_list(&c.headers(), '\'')
        ));
        code.line(format!("  maxAge: {MAX_AGE},"));
    }
    code.line("}));");
    vec![
        c.part("js-imports", "place_js_imports_cors", imports),
        c.part("express-app", "place_express_app", code),
    ]
}

fn by_hand(c: &Ctx, v: Variant) -> Vec<Part> {
    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::Reflect {
        code.line(format!("const allowedOrigins = ['{}'];", c.origin));
    }
    code.line("app.use((req, res, next) => {");
    match v {
        Variant::Reflect => {
            code.line("  const origin = req.get('Origin');");
            code.comment_at("  ", &c.t("cmt_reflect_use"));
            code.line("  if (origin && allowedOrigins.includes(origin)) {");
            code.line("    res.set('Access-Control-Allow-Origin', origin);");
            if c.credentials {
                code.line("    res.set('Access-Control-Allow-Credentials', 'true');");
            }
            code.line("  }");
            code.comment_at("  ", &c.t("cmt_vary"));
            code.line("  res.vary('Origin');");
        }
        _ => {
            let value = if v == Variant::Wildcard {
                "*"
            } else {
                c.origin.as_str()
            };
            code.line(format!(
                "  res.set('Access-Control-Allow-Origin', '{value}');"
            ));
            if c.credentials {
                code.comment_at("  ", &c.t("cmt_credentials"));
                code.line("  res.set('Access-Control-Allow-Credentials', 'true');");
            }
            if c.vary_named(v) {
                code.comment_at("  ", &c.t("cmt_vary_credentials"));
                code.line("  res.vary('Origin');");
            }
        }
    }
    if c.preflight {
        code.comment_at("  ", &c.t("cmt_preflight"));
        code.line("  if (req.method === 'OPTIONS') {");
        code.line(format!(
            "    res.set('Access-Control-Allow-Methods', '{}');",
            c.methods_value()
        ));
        code.line(format!(
            "    res.set('Access-Control-Allow-Headers', '{}');",
            c.headers_value()
        ));
        code.line(format!(
            "    res.set('Access-Control-Max-Age', '{MAX_AGE}');"
        ));
        code.line("    return res.sendStatus(204);");
        code.line("  }");
    }
    code.line("  next();");
    code.line("});");
    vec![c.part("express-app", "place_express_app", code)]
}
