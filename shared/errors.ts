/**
 * Error codes of the HTTP API (docs/api.md) with their status. Public names: never rename one.
 * Both sides use LodgeError: services throw it, the daemon's error funnel turns it into
 * `{"error": {"code", "message"}}`, and the plugin shows its message to the person.
 */
export const ERROR_STATUS = {
    unauthorized: 401,
    forbidden: 403,
    bad_request: 400,
    path_outside_vault: 400,
    invalid_frontmatter: 400,
    no_agent: 400,
    unknown_agent: 404,
    not_found: 404,
    in_progress: 409,
    payload_too_large: 413,
    backend_unavailable: 503,
    backend_error: 502,
    host_not_allowed: 403,
    /** A bug on the daemon's side; the message says what failed, the log has the stack. */
    internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
    error: { code: ErrorCode; message: string };
}

export class LodgeError extends Error {
    override readonly name = "LodgeError";

    constructor(
        readonly code: ErrorCode,
        message: string,
    ) {
        super(message);
    }

    get status(): number {
        return ERROR_STATUS[this.code];
    }

    toBody(): ErrorBody {
        return { error: { code: this.code, message: this.message } };
    }
}
