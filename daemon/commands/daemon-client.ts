/**
 * How `lodge chat` and `lodge acp` reach the running daemon (docs/frontends.md): its URL from
 * `<data>/daemon.json`, a `messages` token from the data folder (the CLI's own, else the plugin's, else
 * a new one), and its turn route `POST /v1/frontends/chat` read as server-sent events.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { LodgeError, type ErrorCode } from "../../shared/errors";
import { ROUTES, type CancelRequest } from "../../shared/protocol/api";
import { EventDecoder, isTerminal } from "../../shared/protocol/events";
import {
    FRONTEND_CHAT_ROUTE,
    FRONTEND_EVENTS,
    type FrontendChatRequest,
    type FrontendEnd,
    type FrontendStreamEvent,
} from "../../shared/protocol/frontends";
import { dataFiles, defaultDataDir } from "../paths";
import { withTokens } from "./tokens";

export interface DaemonConnection {
    url: string;
    token: string;
    data: string;
}

const cliTokenFile = (data: string): string => resolve(data, "cli-token");

/** Finds the daemon for `dataDir` and a token it takes. Throws a LodgeError saying how to start one. */
export async function connectDaemon(dataDir: string | undefined): Promise<DaemonConnection> {
    const data = resolve(dataDir ?? defaultDataDir());
    const notRunning = new LodgeError(
        "backend_unavailable",
        `no Lodge daemon is running for ${data}: start one with \`lodge start${dataDir ? ` --data ${data}` : ""}\` and try again`,
    );
    const info = await readFile(dataFiles(data).daemonInfo, "utf8").then(
        (t) => JSON.parse(t) as { url?: unknown },
        () => null,
    );
    if (typeof info?.url !== "string") throw notRunning;
    const url = info.url;
    if (
        !(await fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
        ))
    )
        throw notRunning;
    for (const file of [cliTokenFile(data), dataFiles(data).pluginToken]) {
        const token = (await readFile(file, "utf8").catch(() => "")).trim();
        if (token && (await accepted(url, token))) return { url, token, data };
    }
    // Neither token works (revoked, or never made): the CLI makes its own, as `lodge token create` would.
    const token = await withTokens(data, (tokens) => tokens.create("cli", ["messages"], true));
    await writeFile(cliTokenFile(data), `${token}\n`, { mode: 0o600 });
    await chmod(cliTokenFile(data), 0o600);
    return { url, token, data };
}

async function accepted(url: string, token: string): Promise<boolean> {
    const res = await fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
    await res?.body?.cancel();
    return res?.status === 200;
}

/** A JSON request to the daemon; a Lodge error answer becomes a LodgeError with the daemon's message. */
export async function daemonJson<T>(conn: DaemonConnection, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${conn.url}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { authorization: `Bearer ${conn.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) throw errorOf(res.status, answer);
    return answer as T;
}

function errorOf(status: number, answer: unknown): LodgeError {
    const error = (answer as { error?: { code?: string; message?: string } } | null)?.error;
    return new LodgeError(
        (error?.code as ErrorCode | undefined) ?? "internal_error",
        error?.message ?? `the daemon answered HTTP ${status}`,
    );
}

/** Runs a turn, handing each event to `onEvent`; resolves with the terminal one (`done` or `error`). */
export async function streamTurn(
    conn: DaemonConnection,
    request: FrontendChatRequest,
    onEvent: (event: FrontendStreamEvent) => void,
): Promise<FrontendEnd> {
    const res = await fetch(`${conn.url}${FRONTEND_CHAT_ROUTE}`, {
        method: "POST",
        headers: { authorization: `Bearer ${conn.token}`, "content-type": "application/json" },
        body: JSON.stringify(request),
    });
    if (!res.ok || !res.headers.get("content-type")?.startsWith("text/event-stream"))
        throw errorOf(res.status, await res.json().catch(() => null));
    const decoder = new EventDecoder<FrontendStreamEvent>(FRONTEND_EVENTS);
    const text = new TextDecoder();
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const event of decoder.push(text.decode(bytes, { stream: true }))) {
            onEvent(event);
            if (isTerminal(event)) return event;
        }
    }
    throw new LodgeError(
        "backend_unavailable",
        "the daemon closed the connection before the turn ended; the turn goes on there and is kept in its note",
    );
}

/** Stops the turn running on `note` (`POST /v1/chat/cancel`). */
export async function cancelTurn(conn: DaemonConnection, note: string): Promise<void> {
    const body: CancelRequest = { filename: note };
    await daemonJson(conn, ROUTES.chatCancel, body).catch(() => undefined);
}
