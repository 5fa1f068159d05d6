/**
 * A CGI bridge to the system's `git http-backend` (smart HTTP). Both bodies stream; gzip request
 * bodies go to git as they are (it inflates them itself when told `HTTP_CONTENT_ENCODING`); a chunked
 * push has no CONTENT_LENGTH and git reads to the end; the `Git-Protocol` header becomes GIT_PROTOCOL
 * so protocol v2 works. Tested gotchas: reference/dependencies.md §3.
 */
import type { Socket } from "node:net";
import { PassThrough, Transform } from "node:stream";
import { spawnHttpBackend } from "./git-process";
import type { GitHttpAnswer, GitHttpRequest } from "./git-http";
import { drainBody, HeadKeeper, overLimit, RECEIVE_PACK_RESULT, refusalAnswer } from "./push-refusal";

export interface BackendRun {
    projectRoot: string;
    /** `/<repo>.git/<service>` under the project root. */
    pathInfo: string;
    request: GitHttpRequest;
    env?: Record<string, string>;
    /** Given the daemon's end of fd 3, which git passes on to the push hook. */
    hook?: (socket: Socket) => void;
    /** Runs once git has exited, before the response ends: `git push` returns only after it. */
    beforeEnd?: () => Promise<void>;
    maxBodyBytes: number;
    timeLimitMs: number;
    warn: (message: string) => void;
}

/** Starts the CGI; `answer` resolves with its headers, `finished` once the response body has ended. */
export function runHttpBackend(run: BackendRun): { answer: Promise<GitHttpAnswer>; finished: Promise<void> } {
    const { request } = run;
    const child = spawnHttpBackend(
        {
            ...run.env,
            GIT_PROJECT_ROOT: run.projectRoot,
            GIT_HTTP_EXPORT_ALL: "1",
            PATH_INFO: run.pathInfo,
            REQUEST_METHOD: request.method,
            QUERY_STRING: request.query,
            CONTENT_TYPE: request.contentType ?? "",
            REMOTE_USER: request.user,
            REMOTE_ADDR: "127.0.0.1",
            ...(request.contentLength !== undefined && { CONTENT_LENGTH: request.contentLength }),
            ...(request.contentEncoding && { HTTP_CONTENT_ENCODING: request.contentEncoding }),
            ...(request.gitProtocol && { GIT_PROTOCOL: request.gitProtocol }),
        },
        run.hook !== undefined,
    );
    if (run.hook) run.hook(child.stdio[3] as Socket);
    const timer = setTimeout(() => {
        run.warn(`git http-backend ${request.service} ran over ${run.timeLimitMs} ms; stopped`);
        child.kill("SIGKILL");
    }, run.timeLimitMs);
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr = (stderr + s).slice(-4000)));
    child.stdin.on("error", () => undefined); // git stops reading when it refuses a request
    // A push over the limit is read to its end and answered in receive-pack's words (push-refusal.ts);
    // anything else over it is cut off.
    const refusable = request.service === "git-receive-pack";
    const kept = new HeadKeeper();
    let refusal: Promise<Buffer> | null = null;
    const limited = limitBytes(run.maxBodyBytes, kept, refusable, () => {
        child.kill("SIGKILL");
        if (!refusable) return;
        run.warn(`push refused: over ${run.maxBodyBytes} bytes (http.max_body_mb)`);
        request.body.unpipe(limited);
        child.stdout.unpipe(body);
        child.stdout.resume(); // what git wrote is dropped, so its pipes close and "close" comes
        refusal = drainBody(request.body, kept.head);
        resolveRefused();
    });
    limited.on("error", (err: Error) => run.warn(`git ${request.service}: ${err.message}; stopped`));
    request.body.pipe(limited).pipe(child.stdin);
    // A client that hangs up mid-request leaves git waiting for the rest of its input: stop it, or the
    // push would hold the repository's lock until the time limit.
    request.body.once("close", () => {
        if (!request.body.readableEnded) child.kill("SIGTERM");
    });

    const body = new PassThrough();
    // A client that goes away must not leave git blocked on a full pipe (it holds the repository's lock).
    body.on("close", () => child.stdout.resume());
    let resolveRefused = (): void => undefined;
    const answer = new Promise<GitHttpAnswer>((resolve, reject) => {
        let head = Buffer.alloc(0);
        resolveRefused = () => {
            child.stdout.off("data", onData);
            resolve({ status: 200, headers: { "Content-Type": RECEIVE_PACK_RESULT, "Cache-Control": "no-cache" }, body });
        };
        const onData = (chunk: Buffer): void => {
            head = Buffer.concat([head, chunk]);
            const split = headerEnd(head);
            if (!split) return;
            child.stdout.off("data", onData);
            const answer = parseHeaders(head.subarray(0, split.at).toString("latin1"));
            body.write(head.subarray(split.at + split.length));
            child.stdout.pipe(body, { end: false });
            resolve({ ...answer, body });
        };
        child.stdout.on("data", onData);
        child.on("error", reject);
        child.on("close", () => reject(new Error(`git http-backend answered nothing: ${stderr.trim() || "no message"}`)));
    });
    const finished = new Promise<void>((resolve) => {
        child.on("close", (code) => {
            clearTimeout(timer);
            if (refusal) {
                // Nothing reached the repository: no sync, only the answer once the body has been read.
                void refusal.then((head) => {
                    body.end(refusalAnswer(head, overLimit(run.maxBodyBytes)));
                    resolve();
                });
                return;
            }
            if (code !== 0) run.warn(`git http-backend ${request.service} exited with ${code ?? "a signal"}: ${stderr.trim()}`);
            const end = (): void => {
                body.end();
                resolve();
            };
            (run.beforeEnd ? run.beforeEnd() : Promise.resolve()).then(end, (err: unknown) => {
                run.warn(`after git ${request.service}: ${err instanceof Error ? err.message : String(err)}`);
                end();
            });
        });
        child.on("error", () => {
            clearTimeout(timer);
            resolve();
        });
    });
    return { answer, finished };
}

function headerEnd(buffer: Buffer): { at: number; length: number } | null {
    const crlf = buffer.indexOf("\r\n\r\n");
    const lf = buffer.indexOf("\n\n");
    if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, length: 4 };
    return lf >= 0 ? { at: lf, length: 2 } : null;
}

function parseHeaders(text: string): { status: number; headers: Record<string, string> } {
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
    }
    return { status, headers };
}

/**
 * Passes bytes through (keeping the first ones) until `max`, then calls `over` and stops: with an
 * error, or silently when the caller reads the rest itself (`quiet`).
 */
function limitBytes(max: number, kept: HeadKeeper, quiet: boolean, over: () => void): Transform {
    let stopped = false;
    let seen = 0;
    return new Transform({
        transform(chunk: Buffer, _encoding, done) {
            if (stopped) return void done();
            seen += chunk.length;
            kept.keep(chunk);
            if (seen > max) {
                stopped = true;
                over();
                if (quiet) return void done();
                done(new Error(`request body over ${max} bytes`));
                return;
            }
            done(null, chunk);
        },
    });
}
