/**
 * Retries before the first token (docs/api.md): HTTP 429, 500, 502, 503, 504, 529 and refused or
 * dropped connections are tried again up to 3 times, with exponential back-off that honours
 * `retry-after`, 30 s at most in all. After the first token nothing is retried.
 */
import { BackendFailure } from "./types";

export const RETRY_STATUSES = new Set([429, 500, 502, 503, 504, 529]);
/** Rate limits, overloads and unreachable servers: the person should wait, not fix something. */
const UNAVAILABLE_STATUSES = new Set([429, 503, 529]);

export interface RetryPolicy {
    retries: number;
    baseMs: number;
    maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
    retries: 3,
    // A knob for tests and impatient developers; not part of the contract.
    baseMs: Number(process.env.LODGE_RETRY_BASE_MS ?? 500),
    maxTotalMs: 30_000,
};

/** What a failed call looked like, from whichever SDK raised it. */
export interface CallError {
    status?: number;
    /** True when no HTTP answer came at all (refused, reset, timed out). */
    connection: boolean;
    retryAfterMs?: number;
    message: string;
}

export function classify(err: CallError): BackendFailure {
    const code =
        err.connection || (err.status !== undefined && UNAVAILABLE_STATUSES.has(err.status)) ? "backend_unavailable" : "backend_error";
    return new BackendFailure(code, err.message, err.status);
}

export function isRetryable(err: CallError): boolean {
    return err.connection || (err.status !== undefined && RETRY_STATUSES.has(err.status));
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(get: (name: string) => string | null | undefined): number | undefined {
    const ms = Number(get("retry-after-ms"));
    if (get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
    const value = get("retry-after");
    if (!value) return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Calls `attempt` until it succeeds, fails for good, or has produced output. `attempt` reports its
 * first output through `started`; once it has, its failure is final.
 */
export async function withRetry<T>(
    policy: RetryPolicy,
    signal: AbortSignal,
    toCallError: (err: unknown) => CallError | null,
    attempt: (started: () => void) => Promise<T>,
): Promise<T> {
    const began = Date.now();
    for (let tries = 0; ; tries++) {
        let started = false;
        try {
            return await attempt(() => (started = true));
        } catch (err) {
            if (signal.aborted) throw err;
            const info = toCallError(err);
            if (!info) throw err;
            if (started || tries >= policy.retries || !isRetryable(info)) throw classify(info);
            const delay = info.retryAfterMs ?? policy.baseMs * 2 ** tries * (1 + Math.random() * 0.2);
            if (Date.now() - began + delay > policy.maxTotalMs) throw classify(info);
            await sleep(delay, signal);
        }
    }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done, { once: true });
    });
}
