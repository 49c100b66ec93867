//! ASP.NET Core: a named policy through `builder.Services.AddCors(...)` and
//! `app.UseCors(...)`. The middleware answers preflights itself; a custom
//! origin check (`SetIsOriginAllowed`) makes it add `Vary: Origin`.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

const POLICY: &str = "CorsLens";

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::Reflect {
        code.line(format!(
            "var allowedOrigins = new[] {{ \"{}\" }};",
            c.origin
        ));
    }
    code.line("builder.Services.AddCors(options =>");
    code.line("{");
    code.line(format!("    options.AddPolicy(\"{POLICY}\", policy =>"));
    code.line("    {");
    let ind = "        ";
    match v {
        Variant::Wildcard => {
            code.line(format!("{ind}policy.AllowAnyOrigin();"));
        }
        Variant::Reflect => {
            code.comment_at(ind, &c.t("cmt_aspnet_vary"));
            code.line(format!(
                "{ind}policy.SetIsOriginAllowed(origin => allowedOrigins.Contains(origin));"
            ));
        }
        Variant::Exact | Variant::SingleSource if c.vary_named(v) => {
            // With credentials, a custom check instead of `WithOrigins`: it
            // makes the middleware add `Vary: Origin`.
            code.comment_at(ind, &c.t("cmt_vary_credentials"));
            code.line(format!(
                "{ind}policy.SetIsOriginAllowed(origin => origin == \"{}\");",
                c.origin
            ));
        }
        Variant::Exact | Variant::SingleSource => {
            code.line(format!("{ind}policy.WithOrigins(\"{}\");", c.origin));
        }
    }
    if c.credentials {
        code.comment_at(ind, &c.t("cmt_credentials"));
        code.line(format!("{ind}policy.AllowCredentials();"));
    }
    if c.preflight {
        code.comment_at(ind, &c.t("cmt_middleware_preflight"));
        code.line(format!(
            "{ind}policy.WithMethods({});",
            quoted_list(&c.methods(), '"')
        ));
        code.line(format!(
            "{ind}policy.WithHeaders({});",
            quoted_list(&c.headers(), '"')
        ));
        code.line(format!(
            "{ind}policy.SetPreflightMaxAge(TimeSpan.FromSeconds({MAX_AGE}));"
        ));
    }
    code.line("    });");
    code.line("});");

    let mut pipeline = Code::new(Comment::Slash);
    pipeline.line(format!("app.UseCors(\"{POLICY}\");"));
    vec![(
        "",
        vec![
            c.part("aspnetcore-services", "place_aspnetcore_services", code),
            c.part("aspnetcore-pipeline", "place_aspnetcore_pipeline", pipeline),
        ],
    )]
}
