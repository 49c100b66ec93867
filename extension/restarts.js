// @ts-check
// How often the worker may restart a crashed engine: a token bucket, so that
// a rare crash is always survived and a crash on every event pauses
// observation for a while instead of restarting thousands of times a minute
// (or, as before, stopping it for the rest of the session). Pure: the worker
// passes the time in, and the unit tests (tests/unit/) drive it without a browser.

/** Restarts allowed in a row with no crash before them. */
export const RESTART_BURST = 10;
/** The bucket refills at RESTART_BURST per this many ms: at most 10 restarts a minute, sustained. */
export const RESTART_REFILL_MS = 60000;
/** How long observation pauses once the bucket is empty (ms); it then resumes with a fresh engine. */
export const RESTART_PAUSE_MS = 60000;

/**
 * @typedef {{tokens: number, at: number}} Bucket
 * `tokens` left as of `at` (a `Date.now()` time).
 */

/** A full bucket at time `now`. */
export function fullBucket(now, burst = RESTART_BURST) {
  return { tokens: burst, at: now };
}

/** The tokens at `now`: what was left plus what refilled since, never more than `burst`. A clock going back refills nothing. */
export function tokensAt(bucket, now, { burst = RESTART_BURST, refillMs = RESTART_REFILL_MS } = {}) {
  const elapsed = Math.max(0, now - bucket.at);
  return Math.min(burst, bucket.tokens + (elapsed * burst) / refillMs);
}

/**
 * A crash at `now`: whether the engine may restart, and the bucket after.
 * With a whole token left, one is spent and `restart` is true. Without, the
 * bucket is left as it is (the pause refills it) and `restart` is false:
 * the caller pauses for `pauseMs` and restarts after, by `resumeAt`.
 * Returns `{bucket, restart, resumeAt}` (resumeAt: null when restarting now).
 */
export function takeRestart(bucket, now, { burst = RESTART_BURST, refillMs = RESTART_REFILL_MS, pauseMs = RESTART_PAUSE_MS } = {}) {
  const tokens = tokensAt(bucket, now, { burst, refillMs });
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, restart: true, resumeAt: null };
  return { bucket: { tokens, at: now }, restart: false, resumeAt: now + pauseMs };
}
