/**
 * The middleware every request passes (docs/api.md "Security of the HTTP surface"): the error funnel,
 * the Host allow-list (DNS rebinding), CORS for the Obsidian app's origins, and bearer tokens.
 */
import type { Context, Next } from "koa";
import { LodgeError } from "../../shared/errors";
import { type Logger, redact } from "../log";
import type { Scope, TokenInfo, TokenService } from "../services/tokens";

export interface LodgeState {
    token?: TokenInfo;
}

/** How a route family spells an error body; Lodge's own `{"error":{"code","message"}}` when none. */
export type ErrorShape = (error: LodgeError) => unknown;

/**
 * The one place errors become answers: LodgeError → its code and status; anything else → 500, logged.
 * `shapeFor` picks another body shape by path (the OpenAI-compatible routes, docs/frontends.md).
 */
export function errorFunnel(log: Logger, shapeFor: (path: string) => ErrorShape | undefined = () => undefined) {
    return async (ctx: Context, next: Next): Promise<void> => {
        try {
            await next();
            if (ctx.status === 404 && ctx.body === undefined) throw new LodgeError("not_found", `no route ${ctx.method} ${ctx.path}`);
        } catch (err) {
            const known = err instanceof LodgeError ? err : fromHttpError(err);
            if (!known) log.error(`${ctx.method} ${ctx.path} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
            const e = known ?? new LodgeError("internal_error", err instanceof Error ? err.message : "internal error");
            ctx.status = (err as { status?: number }).status === 405 ? 405 : e.status;
            ctx.body = shapeFor(ctx.path)?.(e) ?? redactBody(e.toBody());
            if (e.code === "unauthorized" && !ctx.response.get("WWW-Authenticate")) ctx.set("WWW-Authenticate", 'Bearer realm="lodge"');
        }
    };
}

/** `--log-level debug`: one line per request once its answer starts (a stream's status, not its end). */
export function requestLog(log: Logger) {
    return async (ctx: Context, next: Next): Promise<void> => {
        const started = performance.now();
        try {
            await next();
        } finally {
            log.debug(`${ctx.method} ${ctx.path} ${ctx.status} in ${Math.round(performance.now() - started)} ms`);
        }
    };
}

/** Error answers pass the log's redaction: an API key a library put into a message never leaves the daemon. */
function redactBody<T extends { error: { message: string } }>(body: T): T {
    return { ...body, error: { ...body.error, message: redact(body.error.message) } };
}

/** http-errors thrown by the router (405) and Koa itself, mapped to the contract's codes. */
function fromHttpError(err: unknown): LodgeError | null {
    const status = (err as { status?: unknown; expose?: unknown }).status;
    if (typeof status !== "number") return null;
    const message = (err as Error).message;
    if (status === 404) return new LodgeError("not_found", message);
    if (status === 413) return new LodgeError("payload_too_large", message);
    if (status >= 400 && status < 500) return new LodgeError("bad_request", message);
    return null;
}

/** Requests whose Host is not this daemon's own name are refused before anything else happens. */
export function hostGuard(allowed: (host: string) => boolean) {
    return async (ctx: Context, next: Next): Promise<void> => {
        const host = (ctx.get("Host") || "").toLowerCase();
        if (!allowed(host)) throw new LodgeError("host_not_allowed", `host "${host}" is not allowed`);
        await next();
    };
}

export function hostAllowList(getPort: () => number, extra: string[]): (host: string) => boolean {
    return (host) => {
        const port = getPort();
        // The loopback names only with this daemon's port (a bare name is what a client sends for
        // port 80); configured names with the port, or exactly as configured ("name:port").
        const loopback = ["127.0.0.1", "localhost", "[::1]"].some((name) => host === `${name}:${port}` || (port === 80 && host === name));
        return loopback || extra.some((name) => host === `${name.toLowerCase()}:${port}` || host === name.toLowerCase());
    };
}

export const DEFAULT_ORIGINS = ["app://obsidian.md", "capacitor://localhost", "http://localhost", "https://localhost"];

/** CORS: the header echoes the one allowed origin; preflights get 204; other origins get no CORS headers. */
export function cors(origins: string[]) {
    const allowed = new Set([...DEFAULT_ORIGINS, ...origins]);
    return async (ctx: Context, next: Next): Promise<void> => {
        const origin = ctx.get("Origin");
        const ok = origin !== "" && allowed.has(origin);
        if (ok) {
            ctx.set("Access-Control-Allow-Origin", origin);
            ctx.set("Access-Control-Expose-Headers", "ETag");
        }
        ctx.vary("Origin");
        if (ctx.method === "OPTIONS" && ctx.get("Access-Control-Request-Method")) {
            if (ok) {
                ctx.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                // If-None-Match: the plugin asks GET /v1/config conditionally (docs/memory.md); Mcp-*: MCP clients (docs/mcp.md).
                ctx.set(
                    "Access-Control-Allow-Headers",
                    "Authorization, Content-Type, If-None-Match, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID",
                );
                ctx.set("Access-Control-Max-Age", "600");
            }
            ctx.status = 204;
            return;
        }
        await next();
    };
}

/** Bearer token with the given scope (or one of them); sets `ctx.state.token`. */
export function requireToken(tokens: TokenService, scope: Scope | readonly Scope[]) {
    const wanted: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
    return async (ctx: Context, next: Next): Promise<void> => {
        const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get("Authorization"));
        const token = match ? await tokens.verify(match[1]!) : null;
        if (!token) throw new LodgeError("unauthorized", "a valid token is required: Authorization: Bearer TOKEN");
        if (!wanted.some((s) => token.scopes.includes(s))) {
            throw new LodgeError("forbidden", `this token lacks the ${wanted.map((s) => `"${s}"`).join(" or ")} scope`);
        }
        (ctx.state as LodgeState).token = token;
        await next();
    };
}
