/**
 * `lodge acp [--agent A]` (docs/frontends.md): an Agent Client Protocol agent over stdio, so editors and
 * Obsidian plugins that speak ACP use Lodge's agents. A session is a Lodge conversation (its id is
 * the conversation's), logged as a chat note with `frontend: acp`; every turn runs in the daemon
 * through `POST /v1/frontends/chat`, as `lodge chat`'s do. Standard output carries JSON-RPC only.
 */
import type * as Acp from "@agentclientprotocol/sdk";
import { randomUUID } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { LodgeError } from "../../shared/errors";
import type { ConversationWithMessages } from "../../shared/protocol/api";
import { VERSION } from "../version";
import { replayUpdates, promptText, updateOf } from "./acp-updates";
import { cancelTurn, connectDaemon, type DaemonConnection, daemonJson, streamTurn } from "./daemon-client";

export interface AcpOptions {
    agent?: string;
    data?: string;
}

interface Session {
    id: string;
    /** The note of the turn running now (known once the daemon started it), and whether it was cancelled. */
    running: { note: string | null; cancelled: boolean } | null;
}

export async function acpCommand(o: AcpOptions): Promise<void> {
    // The SDK is an ES module: imported at run time, so the CommonJS bundle loads it on every Node version.
    const acp = await import("@agentclientprotocol/sdk");
    const sessions = new Map<string, Session>();
    let daemon: Promise<DaemonConnection> | null = null;
    // Connect on first use, so a client hears "no daemon" as an answer to its request, not as a dead process.
    const conn = (): Promise<DaemonConnection> =>
        (daemon ??= connectDaemon(o.data).catch((err: unknown) => {
            daemon = null;
            throw acp.RequestError.internalError(undefined, err instanceof Error ? err.message : String(err));
        }));
    const session = (id: string): Session => {
        let s = sessions.get(id);
        if (!s) sessions.set(id, (s = { id, running: null }));
        return s;
    };

    const app = acp
        .agent({ name: "lodge" })
        .onRequest(acp.methods.agent.initialize, () => ({
            protocolVersion: acp.PROTOCOL_VERSION,
            agentCapabilities: { loadSession: true, promptCapabilities: { embeddedContext: true } },
            agentInfo: { name: "lodge", title: "Lodge", version: VERSION },
            authMethods: [],
        }))
        .onRequest(acp.methods.agent.session.new, async () => {
            await conn();
            return { sessionId: session(randomUUID()).id };
        })
        .onRequest(acp.methods.agent.session.load, async ({ params, client }) => {
            const c = await conn();
            const conversation = await daemonJson<ConversationWithMessages>(
                c,
                `/v1/conversations/${encodeURIComponent(params.sessionId)}`,
            ).catch((err: unknown) => {
                if (sessions.has(params.sessionId)) return null; // a session of this process with no turn yet
                if (err instanceof LodgeError && err.code === "not_found") throw acp.RequestError.resourceNotFound(params.sessionId);
                throw acp.RequestError.internalError(undefined, err instanceof Error ? err.message : String(err));
            });
            session(params.sessionId);
            for (const update of replayUpdates(conversation?.messages ?? []))
                await client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update });
            return {};
        })
        .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
            const c = await conn();
            const s = session(params.sessionId);
            if (s.running) throw acp.RequestError.invalidRequest(undefined, "a prompt is already running in this session; cancel it first");
            const running = { note: null as string | null, cancelled: false };
            s.running = running;
            let sent: Promise<void> = Promise.resolve();
            const notify = (update: Acp.SessionUpdate): void => {
                sent = sent
                    .then(() => client.notify(acp.methods.client.session.update, { sessionId: s.id, update }))
                    .catch(() => undefined);
            };
            try {
                const end = await streamTurn(
                    c,
                    { frontend: "acp", message: promptText(params.prompt), agent: o.agent, conversation_id: s.id },
                    (event) => {
                        if (event.event === "start") {
                            running.note = event.data.note;
                            if (running.cancelled) void cancelTurn(c, event.data.note);
                        }
                        const update = updateOf(event);
                        if (update) notify(update);
                    },
                );
                await sent;
                if (end.event === "error") throw acp.RequestError.internalError({ code: end.data.code }, end.data.message);
                return { stopReason: end.data.status === "cancelled" ? "cancelled" : "end_turn" } as const;
            } finally {
                s.running = null;
            }
        })
        .onNotification(acp.methods.agent.session.cancel, async ({ params }) => {
            const running = sessions.get(params.sessionId)?.running;
            if (!running) return;
            running.cancelled = true;
            if (running.note) await cancelTurn(await conn(), running.note);
        });

    const stream = acp.ndJsonStream(
        Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
        Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    );
    const connection = app.connect(stream);
    await connection.closed;
}
