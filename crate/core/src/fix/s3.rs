//! AWS S3: the bucket's CORS configuration (JSON for
//! `aws s3api put-bucket-cors`). S3 answers preflights itself, echoes a
//! listed origin with `Vary: Origin` and `Access-Control-Allow-Credentials:
//! true`, and sends `*` for the rule `"*"`. JSON has no comments: the notes
//! go into the part's label.

use super::{quoted_list, Code, Comment, Ctx, Part, Variant, MAX_AGE};

/// The only methods an S3 CORS rule accepts.
const S3_METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

pub(super) fn render(c: &Ctx, v: Variant) -> Vec<(&'static str, Vec<Part>)> {
    let origin = if v == Variant::Wildcard {
        "*"
    } else {
        c.origin.as_str()
    };
    let methods: Vec<&str> = c
        .methods()
        .into_iter()
        .filter(|m| S3_METHODS.contains(m))
        .collect();

    let mut code = Code::new(Comment::Hash);
    code.line("{");
    code.line("  \"CORSRules\": [");
    code.line("    {");
    let mut fields = vec![
        format!("\"AllowedOrigins\": [\"{origin}\"]"),
        format!("\"AllowedMethods\": [{}]", quoted_list(&methods, '"')),
    ];
    if c.preflight {
        fields.push(format!(
            "\"AllowedHeaders\": [{}]",
            quoted_list(&c.headers(), '"')
        ));
        fields.push(format!("\"MaxAgeSeconds\": {MAX_AGE}"));
    }
    let n = fields.len();
    for (i, field) in fields.iter().enumerate() {
        let comma = if i + 1 == n { "" } else { "," };
        code.line(format!("      {field}{comma}"));
    }
    code.line("    }");
    code.line("  ]");
    code.line("}");

    let mut notes = vec![c.t("place_s3_cors_json")];
    notes.extend(c.lead(v));
    if v != Variant::Wildcard {
        notes.push(c.t("note_s3_echo"));
    }
    if v == Variant::SingleSource {
        notes.push(c.t("note_s3_single"));
    }
    if c.preflight {
        if c.method
            .as_ref()
            .is_some_and(|m| !S3_METHODS.contains(&m.as_str()))
        {
            notes.push(c.t("note_s3_methods"));
        }
        notes.push(c.t("note_s3_preflight"));
    }
    let mut part = c.part("s3-cors-json", "place_s3_cors_json", code);
    part.label = notes.join(" ");
    vec![("", vec![part])]
}
