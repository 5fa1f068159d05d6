/**
 * Turns what the official SDKs throw into one CallError shape, so retry and classification do not
 * care which SDK was talking. Both SDKs raise `APIError` (with `status` and `headers`) for HTTP
 * answers and `APIConnectionError` (no status) when no answer came.
 */
import { type CallError, retryAfterMs } from "./retry";

/** Error types an in-stream error event carries, mapped to the status the same failure has over HTTP. */
const STREAM_ERROR_STATUS: Record<string, number> = {
    overloaded_error: 529,
    rate_limit_error: 429,
    api_error: 500,
    timeout_error: 504,
};

export function sdkCallError(err: unknown, provider: string): CallError | null {
    if (!(err instanceof Error)) return { connection: true, message: `${provider}: ${String(err)}` };
    const e = err as Error & { status?: unknown; headers?: unknown; error?: unknown };
    const headers = e.headers instanceof Headers ? e.headers : undefined;
    if (typeof e.status === "number") {
        return {
            status: e.status,
            connection: false,
            retryAfterMs: headers ? retryAfterMs((n) => headers.get(n)) : undefined,
            message: `${provider} answered ${e.status}${bodyDetail(e.error) ?? `: ${detail(e)}`}`,
        };
    }
    const streamType = streamErrorType(e.error);
    if (streamType) {
        return {
            status: STREAM_ERROR_STATUS[streamType],
            connection: false,
            message: `${provider} stream error (${streamType}): ${detail(e)}`,
        };
    }
    if (err instanceof SyntaxError) return { connection: false, message: `${provider} sent a malformed stream: ${err.message}` };
    if (/connection|fetch failed|ECONNREFUSED|ECONNRESET|socket|terminated|network/i.test(`${e.name} ${e.message}`)) {
        return { connection: true, message: `${provider} could not be reached or dropped the connection (${e.message})` };
    }
    return { connection: false, message: `${provider}: ${e.message}` };
}

function streamErrorType(body: unknown): string | undefined {
    if (typeof body !== "object" || body === null) return undefined;
    const inner = (body as { error?: { type?: unknown } }).error ?? body;
    const type = (inner as { type?: unknown }).type;
    return typeof type === "string" && type in STREAM_ERROR_STATUS ? type : undefined;
}

/** " (type): message" from the error body both APIs send, when it is there. */
function bodyDetail(body: unknown): string | undefined {
    if (typeof body !== "object" || body === null) return undefined;
    const inner = ((body as { error?: unknown }).error ?? body) as { type?: unknown; message?: unknown };
    if (typeof inner.message !== "string") return undefined;
    return `${typeof inner.type === "string" ? ` (${inner.type})` : ""}: ${inner.message.replace(/\s+/g, " ").slice(0, 300)}`;
}

function detail(e: Error): string {
    return e.message.replace(/\s+/g, " ").slice(0, 300);
}
