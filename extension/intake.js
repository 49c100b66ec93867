// @ts-check
// The worker's intake of webRequest events before they reach the engine,
// and the problems it reports: the numbers that bound them and the order
// events are fed in. Pure; tested in tests/unit/intake.test.mjs.

/**
 * A worker woken by a request gets that request's events after some of the
 * requests that followed it (measured in Chromium with the lifecycle
 * test: about 10 ms later), and the engine needs each request's events in
 * order: an `onErrorOccurred` before its `onSendHeaders` loses the finding.
 * So for this long (ms) after the worker starts, events wait and are fed
 * sorted by the browser's `timeStamp`, even once wasm is ready.
 */
export const START_HOLD_MS = 250;
/** More than this many events waiting for the engine means it is not coming. */
export const MAX_QUEUED = 50000;
/** Most problems of the extension itself kept for the panel; the oldest go. */
export const MAX_PROBLEMS = 20;
/** Unfinished requests the engine forgot are said at most this often (ms). */
export const FORGOTTEN_NOTICE_MS = 10000;

/** @typedef {[string, {timeStamp?: unknown, requestId?: string}]} QueuedEvent a listener's name and its details */
/** @typedef {{key: string, detail: string, time: number}} Problem `key` names a localised message */

/**
 * Queued events in the order they are fed: by the browser's `timeStamp`
 * (missing ones first), arrival order among equals.
 * @template {QueuedEvent} T
 * @param {T[]} queue
 * @returns {T[]}
 */
export function byTimeStamp(queue) {
  /** @param {QueuedEvent} e */
  const at = ([, details]) => (Number.isFinite(details?.timeStamp) ? /** @type {number} */ (details.timeStamp) : 0);
  return [...queue].sort((a, b) => at(a) - at(b));
}

/**
 * Adds a problem, keeping the last MAX_PROBLEMS.
 * @param {Problem[]} problems changed in place
 * @param {Problem} problem
 */
export function addProblem(problems, problem) {
  problems.push(problem);
  if (problems.length > MAX_PROBLEMS) problems.splice(0, problems.length - MAX_PROBLEMS);
}

/**
 * Whether to say the engine forgot requests: when it forgot more than was
 * last said, FORGOTTEN_NOTICE_MS after the last time. Returns the new
 * `{said, at}` state and whether to say it. A smaller count than said is a
 * fresh engine (after a restart): counting starts again.
 * @param {{said: number, at: number}} state
 * @param {number} forgotten the engine's count
 * @param {number} now
 * @returns {{state: {said: number, at: number}, say: boolean}}
 */
export function noteForgotten(state, forgotten, now) {
  const said = forgotten < state.said ? 0 : state.said;
  if (forgotten > said && now - state.at > FORGOTTEN_NOTICE_MS) return { state: { said: forgotten, at: now }, say: true };
  return { state: { said, at: state.at }, say: false };
}
