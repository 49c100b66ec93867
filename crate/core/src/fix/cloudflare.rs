//! Cloudflare Workers: a module Worker in front of the server that answers
//! the preflight and copies the server's response (responses from `fetch`
//! are immutable) to set the CORS headers on it.

use super::{Code, Comment, Ctx, Part, Variant, MAX_AGE};

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let mut code = Code::new(Comment::Slash);
    code.comments(&c.lead(v));
    if v == Variant::SingleSource {
        code.comment(&c.t("cmt_worker_set"));
    }
    if v == Variant::Reflect {
        code.line(format!("const ALLOWED_ORIGINS = [\"{}\"];", c.origin));
        code.line("");
    }
    code.line("export default {");
    code.line("  async fetch(request, env, ctx) {");
    let ind = "    ";
    match v {
        Variant::Reflect => {
            code.line(format!(
                "{ind}const origin = request.headers.get(\"Origin\");"
            ));
            code.line(format!("{ind}const cors = {{}};"));
            code.comment_at(ind, &c.t("cmt_reflect_use"));
            code.line(format!(
                "{ind}if (origin !== null && ALLOWED_ORIGINS.includes(origin)) {{"
            ));
            code.line(format!(
                "{ind}  cors[\"Access-Control-Allow-Origin\"] = origin;"
            ));
            if c.credentials {
                code.line(format!(
                    "{ind}  cors[\"Access-Control-Allow-Credentials\"] = \"true\";"
                ));
            }
            code.line(format!("{ind}}}"));
        }
        _ => {
            let value = if v == Variant::Wildcard {
                "*"
            } else {
                c.origin.as_str()
            };
            code.line(format!("{ind}const cors = {{"));
            code.line(format!(
                "{ind}  \"Access-Control-Allow-Origin\": \"{value}\","
            ));
            if c.credentials {
                code.comment_at("      ", &c.t("cmt_credentials"));
                code.line(format!(
                    "{ind}  \"Access-Control-Allow-Credentials\": \"true\","
                ));
            }
            code.line(format!("{ind}}};"));
        }
    }
    let vary = v == Variant::Reflect || c.vary_named(v);
    if vary {
        code.comment_at(ind, &c.t("cmt_vary"));
        code.line(format!("{ind}const vary = \"Origin\";"));
    }
    if c.preflight {
        code.comment_at(ind, &c.t("cmt_preflight"));
        code.line(format!("{ind}if (request.method === \"OPTIONS\") {{"));
        code.line(format!("{ind}  return new Response(null, {{"));
        code.line(format!("{ind}    status: 204,"));
        code.line(format!("{ind}    headers: {{"));
        code.line(format!("{ind}      ...cors,"));
        if vary {
            code.line(format!("{ind}      Vary: vary,"));
        }
        code.line(format!(
            "{ind}      \"Access-Control-Allow-Methods\": \"{}\",",
            c.methods_value()
        ));
        code.line(format!(
            "{ind}      \"Access-Control-Allow-Headers\": \"{}\",",
            c.headers_value()
        ));
        code.line(format!(
            "{ind}      \"Access-Control-Max-Age\": \"{MAX_AGE}\","
        ));
        code.line(format!("{ind}    }},"));
        code.line(format!("{ind}  }});"));
        code.line(format!("{ind}}}"));
    }
    code.comment_at(ind, &c.t("cmt_worker_clone"));
    code.line(format!("{ind}const upstream = await fetch(request);"));
    code.line(format!(
        "{ind}const response = new Response(upstream.body, upstream);"
    ));
    code.line(format!(
        "{ind}for (const [name, value] of Object.entries(cors)) {{"
    ));
    code.line(format!("{ind}  response.headers.set(name, value);"));
    code.line(format!("{ind}}}"));
    if vary {
        code.line(format!("{ind}response.headers.append(\"Vary\", vary);"));
    }
    code.line(format!("{ind}return response;"));
    code.line("  },");
    code.line("};");
    vec![(
        "",
        vec![c.part("worker-module", "place_worker_module", code)],
    )]
}
