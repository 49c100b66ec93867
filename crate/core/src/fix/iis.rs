//! IIS (web.config, inside `<system.webServer>`): fixed headers through
//! `<httpProtocol><customHeaders>`, the preflight through a URL Rewrite
//! `CustomResponse`. IIS cannot echo an origin with custom headers: the
//! allow-list uses the `<cors>` element of the IIS CORS Module, which also
//! answers preflights itself.

use super::{Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let code = match v {
        Variant::Reflect => cors_module(c),
        _ => custom_headers(c, v),
    };
    let flavor = if v == Variant::Reflect {
        "cors-module"
    } else {
        ""
    };
    vec![(
        flavor,
        vec![c.part("iis-web-config", "place_iis_web_config", code)],
    )]
}

fn custom_headers(c: &Ctx, v: Variant) -> Code {
    let value = if v == Variant::Wildcard {
        "*"
    } else {
        c.origin.as_str()
    };
    let mut code = Code::new(Comment::Xml);
    code.comments(&c.lead(v));
    code.line("<httpProtocol>");
    code.line("  <customHeaders>");
    if v == Variant::SingleSource {
        code.comment_at("    ", &c.t("cmt_iis_remove"));
        code.line("    <remove name=\"Access-Control-Allow-Origin\" />");
        if c.credentials {
            code.line("    <remove name=\"Access-Control-Allow-Credentials\" />");
        }
    }
    code.line(format!(
        "    <add name=\"Access-Control-Allow-Origin\" value=\"{value}\" />"
    ));
    if c.credentials {
        code.comment_at("    ", &c.t("cmt_credentials"));
        code.line("    <add name=\"Access-Control-Allow-Credentials\" value=\"true\" />");
    }
    if c.vary_named(v) {
        code.comment_at("    ", &c.t("cmt_vary_credentials"));
        code.line("    <add name=\"Vary\" value=\"Origin\" />");
    }
    if c.preflight {
        code.comment_at("    ", &c.t("cmt_preflight"));
        code.line(format!(
            "    <add name=\"Access-Control-Allow-Methods\" value=\"{}\" />",
            c.methods_value()
        ));
        code.line(format!(
            "    <add name=\"Access-Control-Allow-Headers\" value=\"{}\" />",
            c.headers_value()
        ));
        code.line(format!(
            "    <add name=\"Access-Control-Max-Age\" value=\"{MAX_AGE}\" />"
        ));
    }
    code.line("  </customHeaders>");
    code.line("</httpProtocol>");
    if c.preflight {
        code.comment(&c.t("cmt_iis_rewrite"));
        code.line("<rewrite>");
        code.line("  <rules>");
        code.line("    <rule name=\"CORS preflight\" stopProcessing=\"true\">");
        code.line("      <match url=\".*\" />");
        code.line("      <conditions>");
        code.line("        <add input=\"{REQUEST_METHOD}\" pattern=\"^OPTIONS$\" />");
        code.line("      </conditions>");
        code.line(
            "      <action type=\"CustomResponse\" statusCode=\"204\" statusReason=\"No Content\" statusDescription=\"\" />",
        );
        code.line("    </rule>");
        code.line("  </rules>");
        code.line("</rewrite>");
    }
    code
}

fn cors_module(c: &Ctx) -> Code {
    let mut code = Code::new(Comment::Xml);
    code.comments(&c.lead(Variant::Reflect));
    code.comment(&c.t("cmt_iis_cors_module"));
    code.line("<cors enabled=\"true\">");
    let credentials = if c.credentials {
        " allowCredentials=\"true\""
    } else {
        ""
    };
    if c.preflight {
        code.line(format!(
            "  <add origin=\"{}\"{credentials} maxAge=\"{MAX_AGE}\">",
            c.origin
        ));
        code.comment_at("    ", &c.t("cmt_preflight"));
        code.line("    <allowMethods>");
        for m in c.methods() {
            code.line(format!("      <add method=\"{m}\" />"));
        }
        code.line("    </allowMethods>");
        code.line("    <allowHeaders allowAllRequestedHeaders=\"false\">");
        for h in c.headers() {
            code.line(format!("      <add header=\"{h}\" />"));
        }
        code.line("    </allowHeaders>");
        code.line("  </add>");
    } else {
        code.line(format!("  <add origin=\"{}\"{credentials} />", c.origin));
    }
    code.line("</cors>");
    code.comment(&c.t("cmt_vary"));
    code.line("<httpProtocol>");
    code.line("  <customHeaders>");
    code.line("    <add name=\"Vary\" value=\"Origin\" />");
    code.line("  </customHeaders>");
    code.line("</httpProtocol>");
    code
}
