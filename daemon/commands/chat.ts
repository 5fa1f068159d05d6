/**
 * `lodge chat [MESSAGE] [--agent A] [--note PATH] [--continue] [--json]` (docs/frontends.md): a turn of a
 * logged conversation (or of a vault note) run by the daemon, its reply streamed to standard output
 * as it arrives. No MESSAGE on a terminal: a prompt loop (Ctrl+C stops a reply, Ctrl+D ends).
 */
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { LodgeError } from "../../shared/errors";
import type { FrontendChatRequest, FrontendEnd } from "../../shared/protocol/frontends";
import { cancelTurn, connectDaemon, type DaemonConnection, streamTurn } from "./daemon-client";

export interface ChatOptions {
    message?: string;
    agent?: string;
    note?: string;
    continue?: boolean;
    json?: boolean;
    data?: string;
}

interface Io {
    stdin: NodeJS.ReadStream;
    stdout: NodeJS.WriteStream;
    stderr: NodeJS.WriteStream;
}

/** The conversation `--continue` picks up: the last one `lodge chat` had, kept in the data folder. */
const lastFile = (conn: DaemonConnection): string => resolve(conn.data, "chat-last.json");

async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

/** Runs the command; resolves with the exit code. */
export async function chatCommand(o: ChatOptions, io: Io = process): Promise<number> {
    // A reader that stops early (`| head`): leave quietly; the daemon finishes the turn and keeps it.
    io.stdout.on("error", (err: NodeJS.ErrnoException) => {
        if (err.code === "EPIPE") process.exit(0);
    });
    const conn = await connectDaemon(o.data);
    let conversationId: string | undefined;
    if (o.continue && o.note === undefined) {
        const last = await readFile(lastFile(conn), "utf8").then(
            (t) => JSON.parse(t) as { conversation_id?: string },
            () => null,
        );
        if (!last?.conversation_id)
            throw new LodgeError(
                "not_found",
                'there is no earlier `lodge chat` conversation to continue: start one with `lodge chat "your question"`',
            );
        conversationId = last.conversation_id;
    }
    const session = new ChatSession(conn, o, io, conversationId);
    if (o.message === undefined && io.stdin.isTTY) return session.loop();
    const message = o.message === undefined || o.message === "-" ? await readStdin(io.stdin) : o.message;
    const end = await session.turn(message, true);
    return end.event === "done" ? (end.data.status === "ok" ? 0 : 130) : 1;
}

class ChatSession {
    private running: { note: string | null; stopping: boolean } | null = null;

    constructor(
        private readonly conn: DaemonConnection,
        private readonly o: ChatOptions,
        private readonly io: Io,
        private conversationId: string | undefined,
    ) {}

    /** One turn; a Ctrl+C while it runs stops it (a second one leaves at once). */
    async turn(message: string, once: boolean): Promise<FrontendEnd> {
        const { stdout, stderr } = this.io;
        const request: FrontendChatRequest = {
            frontend: "cli",
            message,
            agent: this.o.agent,
            note: this.o.note,
            conversation_id: this.o.note ? undefined : this.conversationId,
        };
        const state: { note: string | null; stopping: boolean } = { note: null, stopping: false };
        this.running = state;
        const interrupt = (): void => {
            if (state.stopping) process.exit(130);
            state.stopping = true;
            if (state.note) void cancelTurn(this.conn, state.note);
        };
        if (once) process.on("SIGINT", interrupt);
        let reply = "";
        let atLineStart = true;
        try {
            const end = await streamTurn(this.conn, request, (event) => {
                if (event.event === "start") {
                    state.note = event.data.note;
                    if (state.stopping) void cancelTurn(this.conn, state.note);
                } else if (event.event === "text") {
                    reply += event.data.text;
                    if (!this.o.json && event.data.text !== "") {
                        stdout.write(event.data.text);
                        atLineStart = event.data.text.endsWith("\n");
                    }
                } else if (event.event === "tool_call" && !this.o.json && stderr.isTTY) {
                    stderr.write(`${atLineStart ? "" : "\n"}\x1b[2m[tool ${event.data.name}]\x1b[0m\n`);
                    atLineStart = true;
                }
            });
            if (end.event === "error") throw new LodgeError(end.data.code, end.data.message);
            if (this.o.note === undefined) {
                this.conversationId = end.data.conversation_id;
                await writeFile(
                    lastFile(this.conn),
                    `${JSON.stringify({ conversation_id: end.data.conversation_id, note: end.data.note })}\n`,
                );
            }
            if (this.o.json)
                stdout.write(
                    `${JSON.stringify({ status: end.data.status, agent: end.data.agent, conversation_id: end.data.conversation_id, note: end.data.note, reply, usage: end.data.usage })}\n`,
                );
            else {
                if (!atLineStart) stdout.write("\n");
                if (end.data.status === "cancelled") stderr.write("[stopped]\n");
            }
            return end;
        } finally {
            if (once) process.off("SIGINT", interrupt);
            this.running = null;
        }
    }

    /** The prompt loop on a terminal: each line is a turn of one conversation. */
    async loop(): Promise<number> {
        const { stdin, stdout, stderr } = this.io;
        const rl = createInterface({ input: stdin, output: stdout, prompt: "you> " });
        rl.on("SIGINT", () => {
            if (this.running) {
                this.running.stopping = true;
                if (this.running.note) void cancelTurn(this.conn, this.running.note);
            } else {
                stdout.write("\n(Ctrl+D ends the chat)\n");
                rl.prompt();
            }
        });
        rl.prompt();
        for await (const line of rl) {
            if (line.trim() !== "") {
                try {
                    await this.turn(line, false);
                } catch (err) {
                    stderr.write(`lodge: ${err instanceof Error ? err.message : String(err)}\n`);
                }
            }
            rl.prompt();
        }
        stdout.write("\n");
        return 0;
    }
}
