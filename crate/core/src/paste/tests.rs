//! Pasted text, one test per input shape.

use super::*;
use crate::reason::CorsError;

fn reason_of(text: &str) -> Option<CorsError> {
    match analyze(text) {
        Pasted::Console(line) => Some(line.reason),
        Pasted::Exchange { reports } => reports.iter().find_map(|r| match r {
            Report::Failure(f) => Some(f.reason),
            Report::Notice(_) => None,
        }),
        _ => None,
    }
}

#[test]
fn chromium_console_lines_name_their_reason_and_values() {
    use CorsError::*;
    let cases: [(&str, CorsError, &str); 8] = [
        ("Access to fetch at 'http://localhost:9000/api' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.", MissingAllowOriginHeader, ""),
        ("Access to XMLHttpRequest at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'http://other.test' that is not equal to the supplied origin.", AllowOriginMismatch, "http://other.test"),
        ("Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.", WildcardOriginNotAllowed, "*"),
        ("Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.", PreflightMissingAllowOriginHeader, ""),
        ("Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.", PreflightInvalidStatus, ""),
        ("Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response.", MethodDisallowedByPreflightResponse, "DELETE"),
        ("lab.js:12 Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: Request header field x-token is not allowed by Access-Control-Allow-Headers in preflight response.", HeaderDisallowedByPreflightResponse, "x-token"),
        ("Access to fetch at 'http://localhost:9000/x' from origin 'http://127.0.0.1:8000' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.", InvalidAllowCredentials, ""),
    ];
    for (text, reason, value) in cases {
        let Pasted::Console(line) = analyze(text) else {
            panic!("not read: {text}");
        };
        assert_eq!(line.reason, reason, "{text}");
        assert_eq!(line.value, value, "{text}");
        assert_eq!(line.origin, "http://127.0.0.1:8000");
        assert!(line.url.starts_with("http://localhost:9000/"));
        assert_eq!(line.finding().reason, reason);
    }
}

#[test]
fn firefox_console_lines_in_english_and_french_name_their_reason() {
    use CorsError::*;
    let cases: [(&str, CorsError, &str, Option<u16>); 6] = [
        ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:9000/api. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.", MissingAllowOriginHeader, "", Some(200)),
        ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:9000/api. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘http://other.test’).", AllowOriginMismatch, "http://other.test", None),
        ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:9000/api. (Reason: header ‘x-token’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).", HeaderDisallowedByPreflightResponse, "x-token", None),
        ("Blocage d’une requête multiorigine (Cross-Origin Request) : la politique « Same Origin » ne permet pas de consulter la ressource distante située sur http://localhost:9000/api. Raison : l’en-tête CORS « Access-Control-Allow-Origin » est manquant. Code d’état : 200.", MissingAllowOriginHeader, "", Some(200)),
        ("Blocage d’une requête multiorigine (Cross-Origin Request) : la politique « Same Origin » ne permet pas de consulter la ressource distante située sur http://localhost:9000/api. Raison : l’en-tête CORS « Access-Control-Allow-Origin » ne correspond pas à « http://other.test ».", AllowOriginMismatch, "http://other.test", None),
        ("Blocage d’une requête multiorigine (Cross-Origin Request) : la politique « Same Origin » ne permet pas de consulter la ressource distante située sur http://localhost:9000/api. Raison : la réponse CORS preflight n’a pas abouti. Code d’état : 404.", PreflightInvalidStatus, "", Some(404)),
    ];
    for (text, reason, value, status) in cases {
        let Pasted::Console(line) = analyze(text) else {
            panic!("not read: {text}");
        };
        assert_eq!(line.reason, reason, "{text}");
        assert_eq!(line.value, value, "{text}");
        assert_eq!(line.status, status, "{text}");
        assert_eq!(line.url, "http://localhost:9000/api", "{text}");
    }
}

#[test]
fn raw_headers_are_judged_by_the_engine() {
    use CorsError::*;
    let curl_v = "*   Trying 127.0.0.1:9000...\n* Connected to localhost (127.0.0.1) port 9000\n> GET /api HTTP/1.1\n> Host: localhost:9000\n> Origin: http://127.0.0.1:8000\n> Accept: */*\n>\n< HTTP/1.1 200 OK\n< Content-Type: application/json\n< \n";
    let devtools = "GET /api HTTP/1.1\nHost: localhost:9000\nOrigin: http://127.0.0.1:8000\nCookie: sid=1\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\n";
    let http2 = ":method: GET\n:authority: api.example\n:scheme: https\n:path: /v1\norigin: https://app.example\n\n:status: 200\naccess-control-allow-origin: https://other.example\n";
    let preflight = "OPTIONS /pf HTTP/1.1\nHost: localhost:9000\nOrigin: http://127.0.0.1:8000\nAccess-Control-Request-Method: PUT\n\nHTTP/1.1 404 Not Found\n";
    let passes = "GET /api HTTP/1.1\nHost: localhost:9000\nOrigin: http://127.0.0.1:8000\n\nHTTP/1.1 200 OK\nAccess-Control-Allow-Origin: http://127.0.0.1:8000\n";
    assert_eq!(reason_of(curl_v), Some(MissingAllowOriginHeader));
    assert_eq!(reason_of(devtools), Some(WildcardOriginNotAllowed));
    assert_eq!(reason_of(http2), Some(AllowOriginMismatch));
    assert_eq!(
        reason_of(preflight),
        Some(PreflightMissingAllowOriginHeader)
    );
    assert_eq!(
        analyze(passes),
        Pasted::Exchange {
            reports: Vec::new()
        }
    );
    let Pasted::Exchange { reports } = analyze(http2) else {
        panic!("judged");
    };
    let Some(Report::Failure(f)) = reports.first() else {
        panic!("a failure");
    };
    assert_eq!(f.url, "https://api.example/v1");
}

#[test]
fn text_that_is_neither_says_so() {
    assert_eq!(analyze("hello world"), Pasted::Unrecognised);
    assert_eq!(
        analyze("HTTP/1.1 200 OK\nContent-Type: text/plain\n"),
        Pasted::Unrecognised
    );
    assert_eq!(
        analyze("GET / HTTP/1.1\nHost: a\n\nHTTP/1.1 200 OK\n"),
        Pasted::NoOrigin
    );
}
