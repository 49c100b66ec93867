//! The verdict: `cors_check` and `preflight_check` on arbitrary header values,
//! origins, statuses, methods and requested headers. No panic, and the answer
//! never depends on anything but the input (run twice, same result).
#![no_main]

use arbitrary::Arbitrary;
use cors_lens_core::check::{cors_check, preflight_check, CheckInput, PreflightInput};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    request_origin: String,
    allow_origin: Option<String>,
    allow_credentials: Option<String>,
    credentials: bool,
    status: Option<u16>,
    redirected: bool,
    method: String,
    headers: Vec<String>,
    allow_methods: Option<String>,
    allow_headers: Option<String>,
}

fuzz_target!(|i: Input| {
    let cors = || CheckInput {
        request_origin: &i.request_origin,
        allow_origin: i.allow_origin.as_deref(),
        allow_credentials: i.allow_credentials.as_deref(),
        credentials: i.credentials,
    };
    let simple = cors_check(cors());
    assert_eq!(simple, cors_check(cors()));
    let preflight = || {
        preflight_check(PreflightInput {
            cors: cors(),
            status: i.status,
            redirected: i.redirected,
            method: &i.method,
            headers: &i.headers,
            allow_methods: i.allow_methods.as_deref(),
            allow_headers: i.allow_headers.as_deref(),
        })
    };
    let first = preflight();
    assert_eq!(first, preflight());
    // A preflight that passes passed the origin check too.
    if first.is_ok() && !i.redirected {
        assert!(simple.is_ok(), "preflight passed but the CORS check failed: {i:?}");
    }
});
