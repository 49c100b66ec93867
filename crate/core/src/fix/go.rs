//! Go: a `net/http` middleware written by hand (sets the headers, answers
//! OPTIONS), or `github.com/rs/cors`, which answers preflights itself and
//! always adds `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    vec![("net-http", by_hand(c, v)), ("rs-cors", rs_cors(c, v))]
}

fn by_hand(c: &Ctx, v: Variant) -> Vec<Part> {
    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::Reflect {
        code.line("var allowedOrigins = map[string]bool{");
        code.line(format!("\t\"{}\": true,", c.origin));
        code.line("}");
        code.line("");
    }
    code.line("func withCORS(next http.Handler) http.Handler {");
    code.line("\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {");
    code.line("\t\th := w.Header()");
    match v {
        Variant::Reflect => {
            code.comment_at("\t\t", &c.t("cmt_vary"));
            code.line("\t\th.Add(\"Vary\", \"Origin\")");
            code.comment_at("\t\t", &c.t("cmt_reflect_use"));
            code.line("\t\tif origin := r.Header.Get(\"Origin\"); allowedOrigins[origin] {");
            code.line("\t\t\th.Set(\"Access-Control-Allow-Origin\", origin)");
            if c.credentials {
                code.line("\t\t\th.Set(\"Access-Control-Allow-Credentials\", \"true\")");
            }
            code.line("\t\t}");
        }
        _ => {
            let value = if v == Variant::Wildcard {
                "*"
            } else {
                c.origin.as_str()
            };
            code.line(format!(
                "\t\th.Set(\"Access-Control-Allow-Origin\", \"{value}\")"
            ));
            if c.credentials {
                code.comment_at("\t\t", &c.t("cmt_credentials"));
                code.line("\t\th.Set(\"Access-Control-Allow-Credentials\", \"true\")");
            }
            if c.vary_named(v) {
                code.comment_at("\t\t", &c.t("cmt_vary_credentials"));
                code.line("\t\th.Add(\"Vary\", \"Origin\")");
            }
        }
    }
    if c.preflight {
        code.comment_at("\t\t", &c.t("cmt_preflight"));
        code.line("\t\tif r.Method == http.MethodOptions {");
        code.line(format!(
            "\t\t\th.Set(\"Access-Control-Allow-Methods\", \"{}\")",
            c.methods_value()
        ));
        code.line(format!(
            "\t\t\th.Set(\"Access-Control-Allow-Headers\", \"{}\")",
            c.headers_value()
        ));
        code.line(format!(
            "\t\t\th.Set(\"Access-Control-Max-Age\", \"{MAX_AGE}\")"
        ));
        code.line("\t\t\tw.WriteHeader(http.StatusNoContent)");
        code.line("\t\t\treturn");
        code.line("\t\t}");
    }
    code.line("\t\tnext.ServeHTTP(w, r)");
    code.line("\t})");
    code.line("}");

    let mut main = Code::new(Comment::Slash);
    main.line("http.ListenAndServe(\":8080\", withCORS(mux))");
    vec![
        c.part("go-toplevel", "place_go_toplevel", code),
        c.part("go-main", "place_go_main", main),
    ]
}

fn rs_cors(c: &Ctx, v: Variant) -> Vec<Part> {
    let mut imports = Code::new(Comment::Slash);
    imports.line("import \"github.com/rs/cors\"");

    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::Reflect {
        code.comment(&c.t("cmt_middleware_reflect"));
    }
    let origins = match v {
        Variant::Wildcard => "\"*\"".to_owned(),
        _ => format!("\"{}\"", c.origin),
    };
    // gofmt aligns the values of consecutive key-value lines.
    let mut fields: Vec<(Option<String>, &str, String)> =
        vec![(None, "AllowedOrigins", format!("[]string{{{origins}}}"))];
    if c.credentials {
        fields.push((
            Some(c.t("cmt_credentials")),
            "AllowCredentials",
            "true".to_owned(),
        ));
    }
    if c.preflight {
        fields.push((
            Some(c.t("cmt_middleware_preflight")),
            "AllowedMethods",
            format!("[]string{{{}}}", quoted_list(&c.methods(), '"')),
        ));
        fields.push((
            None,
            "AllowedHeaders",
            format!("[]string{{{}}}", quoted_list(&c.headers(), '"')),
        ));
        fields.push((None, "MaxAge", MAX_AGE.to_string()));
    }
    let width = fields.iter().map(|(_, k, _)| k.len()).max().unwrap_or(0) + 1;
    code.line("c := cors.New(cors.Options{");
    for (note, key, value) in &fields {
        if let Some(note) = note {
            code.comment_at("\t", note);
        }
        code.line(format!("\t{:<width$} {value},", format!("{key}:")));
    }
    code.line("})");
    code.line("http.ListenAndServe(\":8080\", c.Handler(mux))");
    vec![
        c.part("go-imports", "place_go_imports", imports),
        c.part("go-main", "place_go_main", code),
    ]
}
