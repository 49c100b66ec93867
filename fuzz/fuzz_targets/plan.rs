//! The complete fix (`fix::plan`): on arbitrary exchanges (preflight answer,
//! actual response, origin, method, requested headers, credentials) and each
//! way of allowing the origin, the loop ends within its cap, a plan said to
//! be complete leaves an exchange that passes the check, and every exchange
//! a browser can send (a token method and header names, an origin other than
//! `*`, no `*` with credentials) gets a complete plan.
#![no_main]

use arbitrary::Arbitrary;
use cors_lens_core::fix::plan::{plan_with, Answer, Exchange, PreflightAnswer, MAX_CHANGES};
use cors_lens_core::fix::Variant;
use cors_lens_core::http::is_token;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct AnswerIn {
    allow_origin: Option<String>,
    allow_credentials: Option<String>,
    vary_origin: bool,
}

#[derive(Arbitrary, Debug)]
struct PreflightIn {
    status: Option<u16>,
    redirected: bool,
    cors: AnswerIn,
    allow_methods: Option<String>,
    allow_headers: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    origin: String,
    credentials: bool,
    method: String,
    requested: Vec<String>,
    preflight: Option<PreflightIn>,
    response: AnswerIn,
    redirect_target: bool,
    redirect_refused_next: bool,
    variant: u8,
}

fn answer(a: AnswerIn) -> Answer {
    Answer {
        allow_origin: a.allow_origin,
        allow_credentials: a.allow_credentials,
        vary_origin: a.vary_origin,
    }
}

fuzz_target!(|i: Input| {
    let variant = [
        Variant::Exact,
        Variant::SingleSource,
        Variant::Reflect,
        Variant::Wildcard,
    ][usize::from(i.variant % 4)];
    let exchange = Exchange {
        origin: i.origin,
        credentials: i.credentials,
        method: i.method,
        requested: i.requested,
        preflight: i.preflight.map(|p| PreflightAnswer {
            status: p.status,
            redirected: p.redirected,
            cors: answer(p.cors),
            allow_methods: p.allow_methods,
            allow_headers: p.allow_headers,
        }),
        response: answer(i.response),
        redirect_target: i.redirect_target,
        redirect_refused_next: i.redirect_refused_next,
    };
    let plan = plan_with(&exchange, variant);
    assert!(plan.changes.len() <= MAX_CHANGES, "{plan:?}");
    assert_eq!(plan, plan_with(&exchange, variant), "the same plan twice");
    if plan.complete {
        assert_eq!(plan.fixed.first_failure(), None, "complete but failing: {plan:?}");
    }
    let browser_sendable = !exchange.redirect_target
        && !exchange.redirect_refused_next
        && exchange.origin != "*"
        && (exchange.preflight.is_none()
            || (is_token(&exchange.method) && exchange.requested.iter().all(|h| is_token(h))))
        && !(variant == Variant::Wildcard && exchange.credentials);
    if browser_sendable {
        assert!(plan.complete, "a sendable exchange left failing: {exchange:?} -> {plan:?}");
    }
});
