/**
 * One run of the CLI as a child process in a process group of its own, so that stopping it (a
 * cancelled turn, a silent CLI) also stops every tool process it started (process-tree.ts). A stopped
 * run says nothing more: lines still in the pipe are dropped. Stdin is closed (docs/claude-code.md), so the
 * CLI never waits for input (reference README §2); only a prompt too long for an argument is written
 * there, and stdin is closed after it.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { killTree } from "./process-tree";

export interface CliRunOptions {
    path: string;
    args: string[];
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** Text for stdin, then closed; null: stdin is closed from the start (the usual case). */
    stdin: string | null;
    signal: AbortSignal;
    /** How long the CLI may print nothing before it is stopped; asked again after every line. */
    silenceMs: () => number;
    onLine: (line: string) => void;
}

export interface CliExit {
    code: number | null;
    /** The start of what the CLI wrote on stderr. */
    stderr: string;
    /** Why the daemon stopped it, if it did. */
    stopped?: "cancelled" | "silent";
    /** A spawn failure (ENOENT, EACCES): the program could not be started at all. */
    spawnError?: NodeJS.ErrnoException;
}

/** After the CLI exits, a grandchild still holding its stdout must not keep the turn open. */
const DRAIN_MS = 1000;
const STDERR_KEEP = 4000;

export function runCli(o: CliRunOptions): Promise<CliExit> {
    return new Promise((resolve) => {
        const child = spawn(o.path, o.args, {
            cwd: o.cwd,
            env: o.env,
            detached: true,
            stdio: [o.stdin === null ? "ignore" : "pipe", "pipe", "pipe"],
        }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
        let stderr = "";
        let stopped: CliExit["stopped"];
        let code: number | null = null;
        let settled = false;
        let silence: NodeJS.Timeout | undefined;

        const finish = (exit: CliExit): void => {
            if (settled) return;
            settled = true;
            clearTimeout(silence);
            o.signal.removeEventListener("abort", onAbort);
            resolve(exit);
        };
        const killGroup = (sig: NodeJS.Signals): void => {
            if (child.pid === undefined) return;
            try {
                process.kill(-child.pid, sig);
            } catch {
                // the group is already gone
            }
        };
        const stop = (why: NonNullable<CliExit["stopped"]>): void => {
            if (stopped || child.pid === undefined) return;
            stopped = why;
            // Not SIGTERM: the CLI takes it as "interrupt the tool" and goes on with the turn.
            void killTree(child.pid);
        };
        const armSilence = (): void => {
            clearTimeout(silence);
            silence = setTimeout(() => stop("silent"), o.silenceMs());
        };
        const onAbort = (): void => stop("cancelled");

        child.once("error", (err: NodeJS.ErrnoException) => finish({ code: null, stderr, spawnError: err }));
        if (child.pid === undefined) return; // spawn failed; "error" follows
        o.signal.addEventListener("abort", onAbort, { once: true });
        if (o.signal.aborted) onAbort();
        armSilence();

        if (o.stdin !== null && child.stdin) {
            child.stdin.on("error", () => undefined); // the CLI may exit before reading its prompt (bad arguments)
            child.stdin.end(o.stdin);
        }
        child.stderr.setEncoding("utf8").on("data", (s: string) => {
            if (stderr.length < STDERR_KEEP) stderr += s.slice(0, STDERR_KEEP - stderr.length);
        });
        const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
        lines.on("line", (line) => {
            if (stopped) return;
            armSilence();
            o.onLine(line);
        });
        child.once("exit", (exitCode) => {
            code = exitCode;
            clearTimeout(silence);
            // Whatever the CLI left running in its group (a tool's background process) ends with the turn.
            killGroup("SIGKILL");
            setTimeout(() => {
                child.stdout.destroy();
                child.stderr.destroy();
            }, DRAIN_MS).unref();
        });
        child.once("close", () => finish({ code, stderr, stopped }));
    });
}
