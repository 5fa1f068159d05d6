/**
 * Errors of the OpenAI-compatible routes (docs/frontends.md) in that API's shape,
 * `{"error":{"message","type","code"}}`, so its clients show the message; the code stays Lodge's.
 */
import type { LodgeError } from "../../shared/errors";

/** The paths whose errors take this shape. */
export const OPENAI_PATHS = ["/v1/models", "/v1/chat/completions"];

export function isOpenAiPath(path: string): boolean {
    return OPENAI_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

function typeOf(status: number): string {
    if (status === 401) return "authentication_error";
    if (status === 403) return "permission_error";
    if (status === 404) return "not_found_error";
    if (status === 409) return "conflict_error";
    if (status === 429 || status === 503) return "rate_limit_error";
    return status >= 500 ? "server_error" : "invalid_request_error";
}

export function openAiErrorBody(error: LodgeError): { error: { message: string; type: string; code: string; param: null } } {
    return { error: { message: error.message, type: typeOf(error.status), code: error.code, param: null } };
}
