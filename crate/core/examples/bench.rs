//! Bench: how fast the engine assembles requests and decides verdicts,
//! natively. Prints figures; nothing is asserted. Run with `make bench`,
//! which compares them with the same workload in wasm
//! (`scripts/bench-wasm.mjs` reads `target/bench/native.json`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use cors_lens_core::workload;
use cors_lens_core::Engine;

/// Requests per timed batch: events are built before each batch, untimed, as
/// the wasm bench does; the median batch is the figure.
const BATCH: usize = 100;

fn main() {
    let n = 100_000;
    let mut engine = Engine::new();
    // Warm up on other request ids.
    for e in (n..n + 500).flat_map(workload::request) {
        black_box(engine.ingest(e));
    }
    let mut findings = 0usize;
    let mut total = Duration::ZERO;
    let mut per_event = Vec::new();
    for first in (0..n).step_by(BATCH) {
        let events: Vec<_> = (first..first + BATCH).flat_map(workload::request).collect();
        let count = events.len();
        let start = Instant::now();
        for event in events {
            if black_box(engine.ingest(event)).is_some() {
                findings += 1;
            }
        }
        let took = start.elapsed();
        total += took;
        per_event.push(took.as_secs_f64() * 1e6 / count as f64);
    }
    per_event.sort_by(f64::total_cmp);
    let median = per_event[per_event.len() / 2];
    let count = n * 3;
    println!("engine (native, release): {n} requests, {count} events, {findings} findings");
    println!(
        "  {:.0} ms total, {:.2} µs per event (median of {} batches), {:.0} events/s",
        total.as_secs_f64() * 1e3,
        median,
        per_event.len(),
        count as f64 / total.as_secs_f64()
    );
    println!(
        "  {} requests still in flight (bounded), peak resident memory {}",
        engine.in_flight(),
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let json = format!(
        "{{\"usPerEvent\":{median},\"eventsPerSecond\":{}}}\n",
        count as f64 / total.as_secs_f64()
    );
    if let Err(e) =
        std::fs::create_dir_all(&out).and_then(|()| std::fs::write(out.join("native.json"), json))
    {
        eprintln!("could not write target/bench/native.json: {e}");
    }
}

/// The process's peak resident set (Linux: `VmHWM` in /proc/self/status).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.1} MB", kb / 1024.0))
}
