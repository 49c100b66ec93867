//! Spring MVC: `@CrossOrigin` on a controller, or a global `CorsRegistry`
//! mapping through `WebMvcConfigurer.addCorsMappings`. Spring answers
//! preflights itself and adds `Vary: Origin`; its default methods are GET,
//! HEAD and POST, so a non-simple method is listed.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

/// Methods with a `RequestMethod` constant.
const REQUEST_METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
];

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    vec![
        ("annotation", annotation(c, v)),
        ("registry", registry(c, v)),
    ]
}

fn origin_value(c: &Ctx, v: Variant) -> String {
    match v {
        Variant::Wildcard => "\"*\"".to_owned(),
        _ => format!("\"{}\"", c.origin),
    }
}

fn annotation(c: &Ctx, v: Variant) -> Vec<Part> {
    // Without `methods`, @CrossOrigin allows the methods the handler is
    // mapped to; list them only when each has a RequestMethod constant.
    let listable = c
        .method
        .as_ref()
        .map_or(true, |m| REQUEST_METHODS.contains(&m.as_str()));
    let methods = (c.preflight && listable).then(|| {
        c.methods()
            .iter()
            .map(|m| format!("RequestMethod.{m}"))
            .collect::<Vec<_>>()
            .join(", ")
    });

    let mut imports = Code::new(Comment::Slash);
    imports.line("import org.springframework.web.bind.annotation.CrossOrigin;");
    if methods.is_some() {
        imports.line("import org.springframework.web.bind.annotation.RequestMethod;");
    }

    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::Reflect {
        code.comment(&c.t("cmt_middleware_reflect"));
    }
    let mut args: Vec<(Option<String>, String)> = Vec::new();
    let origins = if v == Variant::Reflect {
        format!("{{{}}}", origin_value(c, v))
    } else {
        origin_value(c, v)
    };
    args.push((None, format!("origins = {origins}")));
    if c.credentials {
        args.push((
            Some(c.t("cmt_credentials")),
            "allowCredentials = \"true\"".to_owned(),
        ));
    }
    if c.preflight {
        let mut note = Some(c.t("cmt_middleware_preflight"));
        if let Some(m) = methods {
            args.push((note.take(), format!("methods = {{{m}}}")));
        }
        args.push((
            note,
            format!("allowedHeaders = {{{}}}", quoted_list(&c.headers(), '"')),
        ));
        args.push((None, format!("maxAge = {MAX_AGE}")));
    }
    code.line("@CrossOrigin(");
    let n = args.len();
    for (i, (note, arg)) in args.iter().enumerate() {
        if let Some(note) = note {
            code.comment_at("    ", note);
        }
        let comma = if i + 1 == n { "" } else { "," };
        code.line(format!("    {arg}{comma}"));
    }
    code.line(")");
    vec![
        c.part("spring-imports", "place_spring_imports", imports),
        c.part("spring-controller", "place_spring_controller", code),
    ]
}

fn registry(c: &Ctx, v: Variant) -> Vec<Part> {
    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    code.comment(&c.t("cmt_spring_security"));
    code.line("import org.springframework.context.annotation.Configuration;");
    code.line("import org.springframework.web.servlet.config.annotation.CorsRegistry;");
    code.line("import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;");
    code.line("");
    code.line("@Configuration");
    code.line("public class CorsConfig implements WebMvcConfigurer {");
    code.line("");
    code.line("    @Override");
    code.line("    public void addCorsMappings(CorsRegistry registry) {");
    let ind = "                ";
    let mut calls: Vec<(Option<String>, String)> = Vec::new();
    if v == Variant::Reflect {
        calls.push((
            Some(c.t("cmt_middleware_reflect")),
            format!(".allowedOrigins({})", origin_value(c, v)),
        ));
    } else {
        calls.push((None, format!(".allowedOrigins({})", origin_value(c, v))));
    }
    if c.credentials {
        calls.push((
            Some(c.t("cmt_credentials")),
            ".allowCredentials(true)".to_owned(),
        ));
    }
    if c.preflight {
        calls.push((
            Some(c.t("cmt_middleware_preflight")),
            format!(".allowedMethods({})", quoted_list(&c.methods(), '"')),
        ));
        calls.push((
            None,
            format!(".allowedHeaders({})", quoted_list(&c.headers(), '"')),
        ));
        calls.push((None, format!(".maxAge({MAX_AGE})")));
    }
    code.line("        registry.addMapping(\"/**\")");
    let n = calls.len();
    for (i, (note, call)) in calls.into_iter().enumerate() {
        if let Some(note) = note {
            code.comment_at(ind, &note);
        }
        let end = if i + 1 == n { ";" } else { "" };
        code.line(format!("{ind}{call}{end}"));
    }
    code.line("    }");
    code.line("}");
    vec![c.part("spring-config", "place_spring_config", code)]
}
