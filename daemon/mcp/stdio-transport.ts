/**
 * The stdio side of an MCP client (docs/mcp.md): the server as a child process in a process group of its
 * own, so stopping it also stops what it started (`npx` runs the real server as its child); JSON-RPC
 * lines on stdout, capped (a server that floods its output is cut off, never buffered without end);
 * stderr drained into a short tail for error messages. Not the SDK's StdioClientTransport, which
 * kills only the direct child and inherits stderr into the daemon's own.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

const MAX_LINE_BYTES = 8 * 1024 * 1024;
const STDERR_TAIL = 2000;
/** After stdin closes, how long the server has to exit before SIGTERM, then SIGKILL, to its group. */
const EXIT_GRACE_MS = 500;

export interface StdioServer {
    command: string;
    args: string[];
    env: NodeJS.ProcessEnv;
    cwd?: string;
}

export class GroupStdioTransport implements Transport {
    onclose?: () => void;
    onerror?: (error: Error) => void;
    onmessage?: (message: JSONRPCMessage) => void;
    private child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
    private readonly buffer = new ReadBuffer({ maxBufferSize: MAX_LINE_BYTES });
    private stderrTail = "";
    private exited: Promise<void> = Promise.resolve();

    constructor(private readonly server: StdioServer) {}

    /** The end of what the server wrote on stderr (for a person reading why it failed). */
    get stderr(): string {
        return this.stderrTail.trim();
    }

    start(): Promise<void> {
        return new Promise((resolve, reject) => {
            const child = spawn(this.server.command, this.server.args, {
                cwd: this.server.cwd,
                env: this.server.env,
                detached: true,
                stdio: ["pipe", "pipe", "pipe"],
            });
            this.child = child;
            this.exited = new Promise((done) => child.once("close", () => done()));
            child.once("error", (err) => {
                reject(err);
                this.onerror?.(err);
            });
            child.once("spawn", () => resolve());
            child.once("close", () => {
                this.child = null;
                this.onclose?.();
            });
            child.stdin.on("error", () => undefined); // a server that exits mid-write: "close" says so
            child.stderr.setEncoding("utf8").on("data", (s: string) => (this.stderrTail = (this.stderrTail + s).slice(-STDERR_TAIL)));
            child.stdout.on("data", (chunk: Buffer) => this.read(chunk));
        });
    }

    private read(chunk: Buffer): void {
        try {
            this.buffer.append(chunk);
        } catch {
            this.onerror?.(new Error(`the server wrote more than ${MAX_LINE_BYTES} bytes without a line break; it was stopped`));
            void this.close();
            return;
        }
        for (;;) {
            let message: JSONRPCMessage | null;
            try {
                message = this.buffer.readMessage();
            } catch {
                continue; // a line that is not JSON-RPC (a server's log on stdout): skipped
            }
            if (message === null) return;
            this.onmessage?.(message);
        }
    }

    send(message: JSONRPCMessage): Promise<void> {
        const child = this.child;
        if (!child) return Promise.reject(new Error("the server is not running"));
        return new Promise((resolve) => (child.stdin.write(serializeMessage(message)) ? resolve() : child.stdin.once("drain", resolve)));
    }

    async close(): Promise<void> {
        const child = this.child;
        if (!child || child.pid === undefined) return;
        const group = (signal: NodeJS.Signals): void => {
            try {
                process.kill(-child.pid!, signal);
            } catch {
                // the group is gone
            }
        };
        const wait = (ms: number): Promise<boolean> =>
            Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
        child.stdin.end();
        if (!(await wait(EXIT_GRACE_MS))) {
            group("SIGTERM");
            if (!(await wait(EXIT_GRACE_MS))) group("SIGKILL");
        }
        // Whatever the server left in its group (npx's child) goes with it.
        group("SIGKILL");
        this.buffer.clear();
    }
}
