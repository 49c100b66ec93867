//! Table-driven tests of the redaction rules: what is replaced, and what
//! holds no secret and must come out as it went in.

use super::*;
use crate::headers::Headers;

#[test]
fn header_names_are_secret_by_class() {
    let cases = [
        ("Cookie", true),
        ("set-cookie", true),
        ("Authorization", true),
        ("Proxy-Authorization", true),
        ("X-Authorization", true),
        ("Authentication", true),
        ("X-API-Key", true),
        ("X-Auth-Token", true),
        ("X-Client-Secret", true),
        ("X-Session-Id", true),
        ("X-Amz-Signature", true),
        ("X-Amz-Security-Token", true),
        ("X-Goog-Api-Key", true),
        ("Ocp-Apim-Subscription-Key", true),
        ("X-Functions-Key", true),
        ("X-Client-Credential", true),
        ("Cf-Access-Jwt-Assertion", true),
        ("X-Goog-Iap-Jwt-Assertion", true),
        ("X-Firebase-AppCheck", true),
        ("DPoP", true),
        ("X-CSRF-Token", true),
        ("X-XSRF-TOKEN", true),
        ("X-Password", true),
        ("X-Hub-Sig", true),
        ("X-Otp", true),
        ("PHPSESSID", true),
        ("Origin", false),
        ("Access-Control-Allow-Origin", false),
        ("Access-Control-Allow-Credentials", false),
        ("Access-Control-Allow-Headers", false),
        ("Access-Control-Request-Headers", false),
        ("Content-Type", false),
        ("Keep-Alive", false),
        ("Vary", false),
        (":authority", false),
        ("X-Keyword", false),
        ("Monkey", false),
        // Pieces across separators, words at case changes, the last word.
        ("X-Au_th.Tok-en", true),
        ("xApiKey", true),
        ("X-Api-KEY", true),
        ("X-Hub-Sig", true),
        ("X-Sign", false),
        ("X-Émoji-Key", true),
        ("X-Émoji-Keys", false),
        // Names longer than the matcher's stack buffer.
        (&*format!("X-{}-Session", "Long".repeat(20)), true),
        (&*format!("X-{}-Key", "Long".repeat(20)), true),
        (&*format!("X-{}", "Long".repeat(20)), false),
    ];
    for (name, secret) in cases {
        assert_eq!(is_secret_header(name), secret, "{name}");
        let out = redact_header(name, "s3cr3t");
        assert_eq!(out == MARKER, secret, "{name}: {out}");
    }
}

#[test]
fn url_parameters_are_secret_by_class() {
    let cases = [
        ("code", true),
        ("state", true),
        ("RelayState", true),
        ("ticket", true),
        ("sid", true),
        ("PHPSESSID", true),
        ("jsessionid", true),
        ("password", true),
        ("pw", true),
        ("otp", true),
        ("SAMLResponse", true),
        ("X-Amz-Signature", true),
        ("X-Amz-Credential", true),
        ("access_token", true),
        ("id_token", true),
        ("client_secret", true),
        ("apiKey", true),
        ("api_key", true),
        ("sig", true),
        ("code_verifier", true),
        ("%74oken", true),
        ("q", false),
        ("lab", false),
        ("page", false),
        ("keyword", false),
        ("redirect_uri", false),
    ];
    for (name, secret) in cases {
        assert_eq!(is_secret_param(name), secret, "{name}");
    }
}

#[test]
fn urls_lose_userinfo_and_secret_parameter_values() {
    let cases = [
        ("http://a.test/x?lab=1", "http://a.test/x?lab=1"),
        (
            "http://user:pass@a.test:8080/x",
            "http://[redacted]@a.test:8080/x",
        ),
        ("http://user@a.test/", "http://[redacted]@a.test/"),
        ("//user:pass@a.test/x", "//[redacted]@a.test/x"),
        ("http://a.test/p@th?q=1", "http://a.test/p@th?q=1"),
        ("http://a.test?q=@x", "http://a.test?q=@x"),
        (
            "http://a.test/?token=abc&lab=2",
            "http://a.test/?token=[redacted]&lab=2",
        ),
        (
            "http://a.test/?code=abc;state=def;lab=2",
            "http://a.test/?code=[redacted];state=[redacted];lab=2",
        ),
        (
            "http://a.test/app;jsessionid=ABC123/x;v=2?q=1",
            "http://a.test/app;jsessionid=[redacted]/x;v=2?q=1",
        ),
        (
            "http://a.test/?client_secret=s&password=p&X-Amz-Signature=z&sessionid=1",
            "http://a.test/?client_secret=[redacted]&password=[redacted]&X-Amz-Signature=[redacted]&sessionid=[redacted]",
        ),
        // Encoded names are read as the server reads them.
        ("http://a.test/?%74oken=abc", "http://a.test/?%74oken=[redacted]"),
        ("http://a.test/?%2574oken=abc", "http://a.test/?%2574oken=[redacted]"),
        ("http://a.test/?api+key=abc", "http://a.test/?api+key=[redacted]"),
        // A name without a value has nothing to hide.
        ("http://a.test/?token", "http://a.test/?token"),
        (
            "http://u:p@a.test/cb#access_token=t&state=s",
            "http://[redacted]@a.test/cb#access_token=[redacted]&state=[redacted]",
        ),
        (
            "http://a.test/#/cb?code=c&lab=1",
            "http://a.test/#/cb?code=[redacted]&lab=1",
        ),
        (
            "http://a.test/?next=http://u:p@b.test/?token=t",
            "http://a.test/?next=http://[redacted]@b.test/?token=[redacted]",
        ),
        (
            "http://a.test/v/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln/x",
            "http://a.test/v/[redacted]/x",
        ),
        ("/cb;jsessionid=abc", "/cb;jsessionid=[redacted]"),
        ("http://a.test/?q=%", "http://a.test/?q=%"),
        ("not a url ?key=v", "not a url ?key=[redacted]"),
        ("", ""),
    ];
    for (input, want) in cases {
        assert_eq!(redact_url(input), want, "{input}");
        assert_eq!(redact_url(want), want, "idempotent on {want}");
    }
}

#[test]
fn header_values_that_look_like_credentials_are_replaced_in_any_header() {
    let jwt =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let cases = [
        ("X-Custom", "Bearer abc.def".to_owned(), "Bearer [redacted]"),
        (
            "X-Custom",
            "Basic dXNlcjpwYXNz".to_owned(),
            "Basic [redacted]",
        ),
        ("X-Forward", "  token 123".to_owned(), "  token [redacted]"),
        ("X-Custom", jwt.to_owned(), MARKER),
        ("X-Custom", format!("v={jwt}; next"), "v=[redacted]; next"),
        (
            "X-Trace",
            "sk_live_51HqLyjWDarjtT1zdp7dcXyZab".to_owned(),
            MARKER,
        ),
        (
            "Referer",
            "http://u:p@a.test/?token=t".to_owned(),
            "http://[redacted]@a.test/?token=[redacted]",
        ),
        (
            "Location",
            "/login#access_token=abc".to_owned(),
            "/login#access_token=[redacted]",
        ),
        (
            "Link",
            "<https://u:p@a.test/x>; rel=next".to_owned(),
            "<https://[redacted]@a.test/x>; rel=next",
        ),
        (
            "Refresh",
            "0; url=https://a.test/?code=c".to_owned(),
            "0; url=https://a.test/?code=[redacted]",
        ),
        (
            "Refresh",
            "0; URL=/cb#id_token=t".to_owned(),
            "0; URL=/cb#id_token=[redacted]",
        ),
        (
            "Cookie",
            "sid=abc; theme=dark".to_owned(),
            "sid=[redacted]; theme=[redacted]",
        ),
        (
            "Set-Cookie",
            "sid=abc; Path=/; SameSite=None; Secure".to_owned(),
            "sid=[redacted]; Path=/; SameSite=None; Secure",
        ),
        (
            "WWW-Authenticate",
            r#"Digest realm="api", qop="auth", nonce="dcd98b7102dd2f0e", opaque="5ccc069c""#
                .to_owned(),
            r#"Digest realm="api", qop="auth", nonce="[redacted]", opaque="[redacted]""#,
        ),
        (
            "WWW-Authenticate",
            r#"Bearer realm="example", error="invalid_token""#.to_owned(),
            r#"Bearer realm="example", error="invalid_token""#,
        ),
        (
            "WWW-Authenticate",
            "Negotiate oRswGaADCgEAoxIEEAEAAABDh+CIwTbjqQAAAAA=".to_owned(),
            "Negotiate [redacted]",
        ),
        ("WWW-Authenticate", "Negotiate".to_owned(), "Negotiate"),
    ];
    for (name, value, want) in cases {
        let got = redact_header(name, &value);
        assert_eq!(got, want, "{name}: {value}");
        assert_eq!(
            redact_header(name, &got),
            got,
            "idempotent on {name}: {got}"
        );
    }
}

#[test]
fn values_without_a_secret_come_out_unchanged() {
    let cases = [
        ("Access-Control-Allow-Origin", "https://app.example.com @team"),
        ("Access-Control-Allow-Origin", "https://app.example.com"),
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Origin", "null"),
        ("Access-Control-Allow-Origin", "http://a.test, http://b.test"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, POST, PATCH"),
        (
            "Access-Control-Allow-Headers",
            "Authorization, X-Api-Key, Content-Type, DPoP",
        ),
        ("Access-Control-Expose-Headers", "X-Request-Id, ETag"),
        ("Vary", "Origin, Cookie, Authorization"),
        ("Content-Type", "application/json; charset=utf-8"),
        (
            "Content-Type",
            "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
        ),
        (
            "Content-Type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("Date", "Tue, 15 Nov 1994 08:12:31 GMT"),
        ("ETag", "\"33a64df551425fcc55e4d42a148795d9f25f89d4\""),
        ("X-Request-Id", "3f2a9c1e-7b4d-4e8a-9f10-2b3c4d5e6f70"),
        (
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        ),
        ("Cache-Control", "no-store, max-age=0"),
        ("Origin", "http://127.0.0.1:8080"),
        ("Referer", "http://127.0.0.1:8080/lab.html?scenario=missing-acao"),
        ("X-Note", "Basic"),
        ("X-Note", "see https://docs.example.com/cors#vary for details"),
    ];
    for (name, value) in cases {
        assert_eq!(redact_header(name, value), value, "{name}");
    }
    // Free values (origins, details, failed parameters) too.
    for v in ["https://app.example.com @team", "null", "net::ERR_FAILED"] {
        assert_eq!(redact_value(v), v);
    }
}

#[test]
fn userinfo_can_be_stripped_for_commands() {
    let cases = [
        ("http://u:p@a.test/x?y=1", "http://a.test/x?y=1", true),
        ("http://[redacted]@a.test/x", "http://a.test/x", true),
        ("//u:p@a.test/x", "//a.test/x", true),
        ("http://a.test/x@y", "http://a.test/x@y", false),
        ("http://a.test?x=@y", "http://a.test?x=@y", false),
    ];
    for (url, want, had) in cases {
        assert_eq!(strip_userinfo(url), (want.to_owned(), had), "{url}");
    }
}

#[test]
fn a_finding_is_redacted_everywhere_it_quotes_a_value() {
    let list: Headers = [("Authorization", "Bearer X"), ("Accept", "*/*")]
        .into_iter()
        .collect();
    let mut f = Finding {
        request_id: "1".into(),
        tab_id: 1,
        time_ms: 0.0,
        method: "GET".into(),
        url: "http://u:p@a.test/?token=T".into(),
        resource_type: "xmlhttprequest".into(),
        origin: "http://page.test".into(),
        page_origin: "http://page.test".into(),
        status: Some(200),
        reason: crate::reason::CorsError::AllowOriginMismatch,
        failed_parameter: "Bearer abcdef".into(),
        allow_origin: vec![
            "Bearer abcdef".into(),
            "https://app.example.com @team".into(),
        ],
        allow_credentials: None,
        allow_methods: None,
        allow_headers: None,
        requested_headers: vec![],
        credentials: crate::finding::Credentials::Unknown,
        redirects: vec!["http://a.test/?code=C".into()],
        endpoint_allowed_before: false,
        exchange: Seen {
            method: "GET".into(),
            url: "http://a.test/?sid=S".into(),
            status: Some(200),
            request_headers: list.0.clone(),
            response_headers: vec![],
        },
        preflight: None,
        count: 1,
    };
    finding(&mut f);
    assert_eq!(f.url, "http://[redacted]@a.test/?token=[redacted]");
    assert_eq!(f.failed_parameter, "Bearer [redacted]");
    assert_eq!(
        f.allow_origin,
        ["Bearer [redacted]", "https://app.example.com @team"]
    );
    assert_eq!(f.redirects, ["http://a.test/?code=[redacted]"]);
    assert_eq!(f.exchange.url, "http://a.test/?sid=[redacted]");
    assert_eq!(f.exchange.request_headers[0].value, MARKER);
    assert_eq!(f.exchange.request_headers[1].value, "*/*");
}

#[test]
fn odd_input_never_panics_and_redaction_is_idempotent() {
    let odd = [
        "Negotiate\u{a0}abc",
        "Digest\u{3000}nonce=\"x\"",
        "\u{a0}Bearer\u{a0}x",
        "é://ü:p@h/é;é=é?é=é#é=é",
        "//",
        "://@",
        "http://@/",
        "a=b=c; ;;=",
        "\"unterminated, nonce=\"x",
        "eyJ.eyJ.",
        "?&;#=&;",
        "url=",
    ];
    let names = [
        "WWW-Authenticate",
        "Set-Cookie",
        "Cookie",
        "Refresh",
        "Location",
        "X-Other",
        "Authentication-Info",
    ];
    for v in odd {
        for name in names {
            let once = redact_header(name, v);
            assert_eq!(redact_header(name, &once), once, "{name}: {v:?}");
        }
        let once = redact_url(v);
        assert_eq!(redact_url(&once), once, "{v:?}");
        let _ = strip_userinfo(v);
        let _ = redact_value(v);
    }
}
