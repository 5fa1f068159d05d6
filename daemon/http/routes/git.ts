/**
 * Git smart HTTP for agent memory (docs/memory.md): `/v1/git/<agent>/state.git/…`, HTTP Basic auth with a
 * `memory` token as the password. Thin: the memory service runs git; this maps HTTP in and out.
 */
import type Router from "@koa/router";
import type { Context, Next } from "koa";
import { LodgeError } from "../../../shared/errors";
import type { MemoryService } from "../../memory/memory-service";
import type { TokenService } from "../../services/tokens";
import type { LodgeState } from "../guards";

export interface GitRouteDeps {
    memory: MemoryService;
    tokens: TokenService;
}

const PREFIX = "/v1/git/:agent/state.git";

/**
 * Basic auth, any user name, a token with scope `memory` as the password (a Bearer header works too).
 * Without valid credentials: 401 with `WWW-Authenticate: Basic`, which makes git ask for them.
 */
export function requireBasicToken(tokens: TokenService) {
    return async (ctx: Context, next: Next): Promise<void> => {
        const header = ctx.get("Authorization");
        const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
        const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
        const decoded = basic ? Buffer.from(basic[1]!, "base64").toString("utf8") : "";
        const secret = basic ? decoded.slice(decoded.indexOf(":") + 1) : (bearer?.[1] ?? "");
        const token = secret ? await tokens.verify(secret) : null;
        if (!token) {
            ctx.set("WWW-Authenticate", 'Basic realm="lodge"');
            throw new LodgeError("unauthorized", "git needs credentials: any user name and a token with the memory scope as the password");
        }
        if (!token.scopes.includes("memory")) throw new LodgeError("forbidden", 'this token lacks the "memory" scope');
        (ctx.state as LodgeState).token = token;
        await next();
    };
}

export function gitRoutes(router: Router, deps: GitRouteDeps): void {
    const auth = requireBasicToken(deps.tokens);
    const serve = async (ctx: Context & { params: Record<string, string | undefined> }, service: string): Promise<void> => {
        const answer = await deps.memory.serveGit(ctx.params.agent ?? "", {
            method: ctx.method,
            service,
            query: ctx.querystring,
            contentType: ctx.get("Content-Type") || undefined,
            contentLength: ctx.req.headers["content-length"],
            contentEncoding: ctx.get("Content-Encoding") || undefined,
            gitProtocol: ctx.get("Git-Protocol") || undefined,
            body: ctx.req,
            user: (ctx.state as LodgeState).token?.name ?? "lodge",
        });
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
    };
    router.get(`${PREFIX}/info/refs`, auth, (ctx) => serve(ctx, "info/refs"));
    router.post(`${PREFIX}/git-upload-pack`, auth, (ctx) => serve(ctx, "git-upload-pack"));
    router.post(`${PREFIX}/git-receive-pack`, auth, (ctx) => serve(ctx, "git-receive-pack"));
}
