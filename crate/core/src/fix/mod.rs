//! Server fixes: for one finding and the server stack the user picked, the
//! configuration that makes the browser accept the response, written for this
//! request's own origin and method.
//!
//! One file per stack renders that stack's syntax; this module decides once
//! per finding what every stack must say (`Ctx`): which variants, the origin
//! as it may appear in code, whether credentials are involved, and whether a
//! preflight must be answered. Only comments, titles and placement labels are
//! localised; code is never taken from the catalogs.
//!
//! Values taken from the request are attacker-controlled: the origin and the
//! method are written into code only when they consist of characters that
//! cannot end a string, a line, a comment or a pattern in any of the stacks.

mod apache;
mod aspnetcore;
mod axum;
mod caddy;
mod cloudflare;
mod code;
mod django;
mod express;
mod fastapi;
mod flask;
mod go;
mod iis;
mod in_code;
mod nginx;
pub mod plan;
mod s3;
mod spring;

pub(crate) use code::{quoted_list, regex_escape, Code, Comment};
pub(crate) use in_code::header_in_code;
use in_code::{needs_preflight, normalized_method, MAX_CODE_HEADERS};
pub use in_code::{usable_in_code, PLACEHOLDER_ORIGIN};

use crate::finding::Finding;
use crate::http;
use crate::l10n::{t, tf, Lang};
use crate::reason::CorsError;

/// A server, framework or platform a fix is written for.
///
/// To add one: a variant, its entry in `ALL`, its id and name, a module with
/// a `render` function, and its arm in `snippets` (the compiler lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stack {
    Nginx,
    Apache,
    Caddy,
    Iis,
    Express,
    Flask,
    Django,
    FastApi,
    Spring,
    AspNetCore,
    Go,
    Axum,
    S3,
    CloudflareWorker,
}

impl Stack {
    /// Every stack, in the order the picker lists them (Nginx and Apache
    /// first, as MDN's CORS page does).
    pub const ALL: [Stack; 14] = [
        Stack::Nginx,
        Stack::Apache,
        Stack::Caddy,
        Stack::Iis,
        Stack::Express,
        Stack::Flask,
        Stack::Django,
        Stack::FastApi,
        Stack::Spring,
        Stack::AspNetCore,
        Stack::Go,
        Stack::Axum,
        Stack::S3,
        Stack::CloudflareWorker,
    ];

    /// A stable lowercase identifier for the picker, exports and CSS classes.
    pub fn id(self) -> &'static str {
        match self {
            Stack::Nginx => "nginx",
            Stack::Apache => "apache",
            Stack::Caddy => "caddy",
            Stack::Iis => "iis",
            Stack::Express => "express",
            Stack::Flask => "flask",
            Stack::Django => "django",
            Stack::FastApi => "fastapi",
            Stack::Spring => "spring",
            Stack::AspNetCore => "aspnetcore",
            Stack::Go => "go",
            Stack::Axum => "axum",
            Stack::S3 => "s3",
            Stack::CloudflareWorker => "cloudflare-worker",
        }
    }

    /// The stack for an identifier from `id`.
    pub fn from_id(id: &str) -> Option<Stack> {
        Stack::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The product name, shown in titles and the picker (not localised).
    pub fn name(self) -> &'static str {
        match self {
            Stack::Nginx => "Nginx",
            Stack::Apache => "Apache",
            Stack::Caddy => "Caddy",
            Stack::Iis => "IIS",
            Stack::Express => "Express",
            Stack::Flask => "Flask",
            Stack::Django => "Django",
            Stack::FastApi => "FastAPI",
            Stack::Spring => "Spring",
            Stack::AspNetCore => "ASP.NET Core",
            Stack::Go => "Go net/http",
            Stack::Axum => "axum / tower-http",
            Stack::S3 => "AWS S3",
            Stack::CloudflareWorker => "Cloudflare Workers",
        }
    }
}

/// The kinds of fix a finding can call for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Name this one origin.
    Exact,
    /// Name this one origin, after removing a duplicate sent by another layer.
    SingleSource,
    /// Echo the request's origin when it is on an allow-list, with `Vary`.
    Reflect,
    /// `*`, for public data without credentials.
    Wildcard,
}

impl Variant {
    /// A stable identifier for exports and CSS classes.
    pub fn id(self) -> &'static str {
        match self {
            Variant::Exact => "exact",
            Variant::SingleSource => "single-source",
            Variant::Reflect => "reflect",
            Variant::Wildcard => "wildcard",
        }
    }
}

/// One way to fix the finding in one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub stack: Stack,
    pub variant: Variant,
    /// Which of a stack's ways this is (`"cors-package"`, `"by-hand"`, ...),
    /// `""` when the stack has one way only.
    pub flavor: &'static str,
    /// Localised, e.g. "Nginx — allow this origin".
    pub title: String,
    /// The pieces of code and where each goes, in the order to apply them.
    pub parts: Vec<Part>,
}

/// A piece of code and where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Machine id of the place (`"nginx-location"`, `"express-app"`, ...):
    /// the code is valid on its own at that place.
    pub placement: &'static str,
    /// Localised: where this goes.
    pub label: String,
    /// Code; only its comments are localised.
    pub code: String,
}

/// The fixes for `f` in `stack`, one snippet per variant (and per flavor
/// when the stack has several idiomatic ways).
pub fn snippets(f: &Finding, stack: Stack, lang: Lang) -> Vec<Snippet> {
    let ctx = Ctx::new(f, lang);
    let ctx = &ctx;
    variants(f)
        .into_iter()
        .flat_map(|v| {
            let out = match stack {
                Stack::Nginx => nginx::render(ctx, v),
                Stack::Apache => apache::render(ctx, v),
                Stack::Caddy => caddy::render(ctx, v),
                Stack::Iis => iis::render(ctx, v),
                Stack::Express => express::render(ctx, v),
                Stack::Flask => flask::render(ctx, v),
                Stack::Django => django::render(ctx, v),
                Stack::FastApi => fastapi::render(ctx, v),
                Stack::Spring => spring::render(ctx, v),
                Stack::AspNetCore => aspnetcore::render(ctx, v),
                Stack::Go => go::render(ctx, v),
                Stack::Axum => axum::render(ctx, v),
                Stack::S3 => s3::render(ctx, v),
                Stack::CloudflareWorker => cloudflare::render(ctx, v),
            };
            out.into_iter().map(move |(flavor, parts)| Snippet {
                stack,
                variant: v,
                flavor,
                title: ctx.title(stack, v, flavor),
                parts,
            })
        })
        .collect()
}

/// The variants a finding calls for, in the order they are offered.
pub fn variants(f: &Finding) -> Vec<Variant> {
    match f.reason {
        // The CORS headers passed: the fix is where the redirect leads, which
        // the explanation says; no CORS configuration would change the verdict.
        // Local Network Access: decided before the request leaves, on where
        // it goes; no header helps (the explanation says what does).
        CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::InsecureLocalNetwork
        | CorsError::LocalNetworkAccessPermissionDenied => return Vec::new(),
        CorsError::MultipleAllowOriginValues | CorsError::PreflightMultipleAllowOriginValues => {
            return vec![Variant::SingleSource]
        }
        CorsError::WildcardOriginNotAllowed
        | CorsError::MissingAllowOriginHeader
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch
        | CorsError::InvalidAllowCredentials
        | CorsError::PreflightDisallowedRedirect
        | CorsError::PreflightWildcardOriginNotAllowed
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch
        | CorsError::PreflightInvalidAllowCredentials
        | CorsError::PreflightInvalidStatus
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse
        | CorsError::MethodDisallowedByPreflightResponse
        | CorsError::HeaderDisallowedByPreflightResponse => {}
    }
    let mut out = vec![Variant::Exact];
    if f.origin != "null" {
        out.push(Variant::Reflect);
    }
    if !credentials_involved(f) {
        out.push(Variant::Wildcard);
    }
    out
}

/// Whether credentials are involved: then Allow-Credentials is added and `*`
/// is never offered. Known from the request (a cookie), from the reason
/// (only credentials fail it), or from the answer (it already said
/// `Access-Control-Allow-Credentials: true`).
pub fn credentials_involved(f: &Finding) -> bool {
    // The reasons only a request with credentials can meet.
    let only_with_credentials = match f.reason {
        CorsError::InvalidAllowCredentials
        | CorsError::PreflightInvalidAllowCredentials
        | CorsError::WildcardOriginNotAllowed
        | CorsError::PreflightWildcardOriginNotAllowed => true,
        CorsError::MissingAllowOriginHeader
        | CorsError::MultipleAllowOriginValues
        | CorsError::InvalidAllowOriginValue
        | CorsError::AllowOriginMismatch
        | CorsError::RedirectContainsCredentials
        | CorsError::CorsDisabledScheme
        | CorsError::InsecureLocalNetwork
        | CorsError::LocalNetworkAccessPermissionDenied
        | CorsError::PreflightDisallowedRedirect
        | CorsError::PreflightMissingAllowOriginHeader
        | CorsError::PreflightMultipleAllowOriginValues
        | CorsError::PreflightInvalidAllowOriginValue
        | CorsError::PreflightAllowOriginMismatch
        | CorsError::PreflightInvalidStatus
        | CorsError::InvalidAllowMethodsPreflightResponse
        | CorsError::InvalidAllowHeadersPreflightResponse
        | CorsError::MethodDisallowedByPreflightResponse
        | CorsError::HeaderDisallowedByPreflightResponse => false,
    };
    // The answer already allowed credentials: the server means to serve
    // credentialed requests, and the fix that replaces its CORS block must
    // keep that (webRequest never tells the request's credentials mode).
    let server_allows = f.allow_credentials.as_deref() == Some("true");
    f.credentials.included() || only_with_credentials || server_allows
}

/// How long browsers may cache a preflight answer, in seconds.
pub(crate) const MAX_AGE: u32 = 600;

/// What every stack must say, decided once per finding.
pub(crate) struct Ctx {
    pub lang: Lang,
    /// The origin as written into code (the placeholder when unusable).
    pub origin: String,
    /// `origin` is the placeholder.
    pub placeholder: bool,
    /// The request went through a cross-origin redirect (`Origin: null`).
    pub null_origin: bool,
    /// Credentials are involved: add Allow-Credentials, never `*`.
    pub credentials: bool,
    /// The request is preflighted: answer `OPTIONS` with 204, the allowed
    /// methods and headers, and a max age. True for every preflight reason,
    /// for a non-simple method and when the page asked for request headers
    /// (a POST with `Content-Type: application/json` is preflighted too).
    pub preflight: bool,
    /// The request's non-simple method, to allow besides GET, HEAD and POST;
    /// `None` for a simple method or one that cannot be written safely.
    pub method: Option<String>,
    /// The request headers the page asked for that can be written safely,
    /// spelled for code and without Content-Type and Authorization.
    pub requested: Vec<String>,
    /// Allow the Authorization request header: credentials are involved or
    /// the page asked for it (`*` never covers it with credentials).
    pub authorization: bool,
}

impl Ctx {
    fn new(f: &Finding, lang: Lang) -> Ctx {
        let null_origin = f.origin == "null";
        let usable = null_origin || usable_in_code(&f.origin);
        // A method that cannot be written safely was not one fetch() could
        // send with a preflight in practice: it is never listed, and alone
        // it asks for no preflight block.
        let method = normalized_method(&f.method).filter(|m| needs_preflight(m));
        // The captured exchange: the requested headers of the preflight too
        // when the actual request failed (the snippet replaces the whole CORS
        // block, so what already passed must stay allowed).
        let exchange = plan::Exchange::of(f);
        let mut requested: Vec<String> = Vec::new();
        for name in exchange.requested.iter().filter_map(|h| header_in_code(h)) {
            let fixed = ["Content-Type", "Authorization"].contains(&name.as_str());
            if !fixed && !requested.contains(&name) && requested.len() < MAX_CODE_HEADERS {
                requested.push(name);
            }
        }
        let authorization = credentials_involved(f)
            || exchange
                .requested
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case("authorization"));
        let preflight = f.reason.is_preflight()
            || f.preflight.is_some()
            || method.is_some()
            || !exchange.requested.is_empty();
        Ctx {
            lang,
            origin: if usable {
                f.origin.clone()
            } else {
                PLACEHOLDER_ORIGIN.to_owned()
            },
            placeholder: !usable,
            null_origin,
            credentials: credentials_involved(f),
            preflight,
            method,
            requested,
            authorization,
        }
    }

    /// A catalog message.
    pub fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }

    /// A catalog message with placeholders.
    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        tf(self.lang, key, args)
    }

    /// The methods to allow: the simple ones and the request's own.
    pub fn methods(&self) -> Vec<&str> {
        let mut out = http::CORS_SAFELISTED_METHODS.to_vec();
        if let Some(m) = &self.method {
            out.push(m);
        }
        out
    }

    /// `methods` as a header value.
    pub fn methods_value(&self) -> String {
        self.methods().join(", ")
    }

    /// The request headers to allow: Content-Type, Authorization when
    /// credentials are involved or the page asked for it, then every other
    /// header the page asked for.
    pub fn headers(&self) -> Vec<&str> {
        let mut out = vec!["Content-Type"];
        if self.authorization {
            out.push("Authorization");
        }
        out.extend(self.requested.iter().map(String::as_str));
        out
    }

    /// `headers` as a header value.
    pub fn headers_value(&self) -> String {
        self.headers().join(", ")
    }

    /// Whether a variant that names one fixed origin adds `Vary: Origin`:
    /// with credentials (the complete fix's last change, `plan::Change::VaryOrigin`),
    /// so that a shared cache never hands one origin's credentialed answer to
    /// another. The reflecting variant always adds it.
    pub fn vary_named(&self, v: Variant) -> bool {
        self.credentials && matches!(v, Variant::Exact | Variant::SingleSource)
    }

    /// The localised comment lines that open a snippet of `variant`.
    pub fn lead(&self, v: Variant) -> Vec<String> {
        let mut out = Vec::new();
        if self.placeholder && v != Variant::Wildcard {
            out.push(self.tf("cmt_placeholder", &[("placeholder", PLACEHOLDER_ORIGIN)]));
        }
        out.push(self.t(match v {
            Variant::Exact if self.null_origin => "cmt_exact_null",
            Variant::Exact => "cmt_exact",
            Variant::SingleSource => "cmt_single_layer",
            Variant::Reflect => "cmt_allowlist",
            Variant::Wildcard => "cmt_wildcard",
        }));
        out
    }

    fn title(&self, stack: Stack, v: Variant, flavor: &str) -> String {
        let key = match v {
            Variant::Exact if self.null_origin => "snip_exact_null",
            Variant::Exact => "snip_exact",
            Variant::SingleSource => "snip_single",
            Variant::Reflect => "snip_reflect",
            Variant::Wildcard => "snip_wildcard",
        };
        let name = match flavor_name(flavor, self.lang) {
            Some(f) => format!("{} ({f})", stack.name()),
            None => stack.name().to_owned(),
        };
        self.tf(key, &[("stack", &name)])
    }

    /// A part with its localised label.
    pub fn part(&self, placement: &'static str, label_key: &str, code: Code) -> Part {
        Part {
            placement,
            label: self.t(label_key),
            code: code.finish(),
        }
    }
}

/// How a flavor is named in titles.
fn flavor_name(flavor: &str, lang: Lang) -> Option<String> {
    Some(match flavor {
        "" => return None,
        "cors-package" => "cors".to_owned(),
        "by-hand" | "net-http" => t(lang, "flavor_by_hand"),
        "annotation" => "@CrossOrigin".to_owned(),
        "registry" => "CorsRegistry".to_owned(),
        "rs-cors" => "github.com/rs/cors".to_owned(),
        "cors-module" => t(lang, "flavor_iis_cors_module"),
        other => other.to_owned(),
    })
}

#[cfg(test)]
mod tests;
