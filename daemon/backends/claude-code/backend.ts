/**
 * `backend: claude-code` (docs/claude-code.md): each turn runs the real `claude` CLI once, headless. The first
 * turn of a session fixes its id with `--session-id`; after every turn the session's transcript goes
 * into the database, and the next turn restores it into the daemon's own folder and resumes from
 * that file, so nothing depends on `~/.claude`, the working directory or where the vault lives.
 * When no stored session has seen the history (first use, a forked note, a refused transcript), the
 * turn starts a new session whose prompt carries the earlier turns.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { AgentConfig } from "../../config";
import { addSecret, type Logger } from "../../log";
import type { CanonicalMessage } from "../../messages";
import type { TranscriptStore } from "../../store/transcripts";
import { type Backend, BackendFailure, type TurnInput, type TurnSink } from "../types";
import { type CliExit, runCli } from "./cli-process";
import { type CliSetup, cliArgs, type TurnMcp, resolveSetup, spawnFailure, MAX_ARG_PROMPT_BYTES } from "./cli-setup";
import { historyFingerprint, newMessageText, promptWithHistory } from "./history-prompt";
import { type CliResult, StreamJsonReader } from "./stream-reader";
import { newSessionTranscriptPath, stripTranscript } from "./transcript";

export interface ClaudeCodeDeps {
    store: TranscriptStore;
    /** The daemon's data folder: transcripts are restored under `<data>/claude-code/<conversation>/`. */
    data: string;
    vault: string;
    env: NodeJS.ProcessEnv;
    log: Logger;
    /** MCP for one turn (docs/mcp.md): Lodge's server with a token made for the turn, and the agent's servers. */
    mcp?: (input: TurnInput) => Promise<TurnMcp | null>;
}

/** Claude Code's Bash tool gives up after 10 minutes; until then a running tool may keep the CLI quiet. */
const TOOL_SILENCE_MS = 11 * 60_000;

interface Attempt {
    setup: CliSetup;
    mcp: TurnMcp | null;
    scratch: string;
    prompt: string;
    session: { resume: string; id: string } | { fresh: string };
}

export class ClaudeCodeBackend implements Backend {
    constructor(
        private readonly agent: AgentConfig,
        private readonly deps: ClaudeCodeDeps,
    ) {}

    async run(input: TurnInput, sink: TurnSink): Promise<void> {
        const setup = await resolveSetup(this.agent, this.deps.env, this.deps.vault);
        // The database holds the transcripts; the files here (the restored session, a long system
        // prompt) only live for the turn, in a folder of the turn's own.
        const folder = join(this.deps.data, "claude-code", input.conversationId);
        const scratch = join(folder, randomUUID());
        await mkdir(scratch, { recursive: true, mode: 0o700 });
        let mcp: TurnMcp | null = null;
        try {
            mcp = (await this.deps.mcp?.(input)) ?? null;
            await this.runIn(scratch, setup, mcp, input, sink);
        } finally {
            // The turn's token dies with the turn, however it ended.
            await mcp
                ?.done()
                .catch((err: unknown) => this.deps.log.warn(`claude-code: the turn's MCP token was not revoked: ${String(err)}`));
            await rm(scratch, { recursive: true, force: true });
            await rmdir(folder).catch(() => undefined); // another turn may be using it
        }
    }

    private async runIn(scratch: string, setup: CliSetup, mcp: TurnMcp | null, input: TurnInput, sink: TurnSink): Promise<void> {
        const message = newMessageText(input.history);
        const earlier = input.history.slice(0, -1);
        const stored = earlier.length > 0 ? await this.deps.store.find(input.conversationId, historyFingerprint(earlier)) : undefined;
        if (stored) {
            const file = join(scratch, `${stored.sessionId}.jsonl`);
            await writeFile(file, stored.transcript, { mode: 0o600 });
            const outcome = await this.attempt(input, sink, {
                setup,
                mcp,
                scratch,
                prompt: message,
                session: { resume: file, id: stored.sessionId },
            });
            if (outcome !== "refused") return;
            this.deps.log.warn(
                `claude-code: session ${stored.sessionId} of ${input.conversationId} was refused; starting a new one with the history in the prompt`,
            );
        }
        const prompt = promptWithHistory(earlier, message);
        await this.attempt(input, sink, { setup, mcp, scratch, prompt, session: { fresh: randomUUID() } });
    }

    private async attempt(input: TurnInput, sink: TurnSink, a: Attempt): Promise<"done" | "refused"> {
        const emitted: CanonicalMessage[] = [];
        const reader = new StreamJsonReader({ ...sink, message: (m) => (emitted.push(m), sink.message(m)) });
        const timeout = input.agent.request_timeout_ms;
        const exit = await runCli({
            path: a.setup.path,
            args: await cliArgs(
                input,
                "resume" in a.session ? ["--resume", a.session.resume] : ["--session-id", a.session.fresh],
                a.scratch,
                a.prompt,
                a.mcp,
            ),
            cwd: a.setup.cwd,
            env: a.setup.env,
            stdin: Buffer.byteLength(a.prompt) <= MAX_ARG_PROMPT_BYTES ? null : a.prompt,
            signal: input.signal,
            silenceMs: () => (reader.toolRunning ? Math.max(timeout, TOOL_SILENCE_MS) : timeout),
            onLine: (line) => reader.line(line),
        });
        reader.end();
        if (reader.toolRunning)
            reader.abandonTools(exit.stopped === "cancelled" ? "stopped" : "no result: the Claude Code CLI ended first");
        if (exit.spawnError) throw spawnFailure(a.setup.path, exit.spawnError);
        if (exit.stopped === "cancelled") return "done"; // the turn knows it was cancelled; the note says so
        if (exit.stopped === "silent") {
            throw new BackendFailure(
                "backend_unavailable",
                `the Claude Code CLI printed nothing for ${Math.round(timeout / 1000)} s and was stopped`,
            );
        }
        if ("resume" in a.session && !reader.shown && refusedSession(reader.result, exit)) return "refused";
        if (reader.result?.isError) throw resultFailure(reader.result, exit);
        if (exit.code !== 0 || !reader.result) throw exitFailure(exit);
        // Only a turn that ended well is kept. A failed one leaves the stored session as it was: its
        // file ends in a synthetic error, or a tool round the history does not have, and the next turn
        // resumes more faithfully from the last good state.
        await this.keepTranscript(input, a, reader, emitted).catch((err: unknown) =>
            this.deps.log.warn(`claude-code: the transcript of ${input.conversationId} was not saved: ${String(err)}`),
        );
        return "done";
    }

    /** Saves the session as the CLI left it, stripped, as having seen this turn's whole history. */
    private async keepTranscript(input: TurnInput, a: Attempt, reader: StreamJsonReader, emitted: CanonicalMessage[]): Promise<void> {
        const sessionId = reader.sessionId ?? ("resume" in a.session ? a.session.id : a.session.fresh);
        const candidates =
            "resume" in a.session
                ? [join(dirname(a.session.resume), `${sessionId}.jsonl`)]
                : [
                      ...(reader.memoryPath ? [join(dirname(reader.memoryPath.replace(/\/+$/, "")), `${sessionId}.jsonl`)] : []),
                      newSessionTranscriptPath(a.setup.env, homedir(), a.setup.cwd, sessionId),
                  ];
        let raw: string | null = null;
        for (const file of candidates) if ((raw = await readFile(file, "utf8").catch(() => null)) !== null) break;
        if (raw === null) return this.deps.log.warn(`claude-code: no transcript for session ${sessionId} at ${candidates.join(" or ")}`);
        const stripped = stripTranscript(raw);
        if (!stripped.hasAssistant) return;
        const seen = [...input.history, ...emitted];
        await this.deps.store.save({
            conversationId: input.conversationId,
            sessionId,
            coversCount: seen.length,
            coversHash: historyFingerprint(seen),
            entries: stripped.entries,
            transcript: stripped.text,
        });
    }
}

/** The CLI would not resume the file: "No conversation found with session ID …". */
function refusedSession(result: CliResult | undefined, exit: CliExit): boolean {
    return /No conversation found/i.test(`${result?.text ?? ""}\n${exit.stderr}`);
}

function resultFailure(result: CliResult, exit: CliExit): BackendFailure {
    const text = result.text.trim() || firstLines(exit.stderr) || "the Claude Code CLI reported an error without a message";
    const status = result.apiErrorStatus ?? undefined;
    const unavailable = status === 429 || status === 503 || status === 529 || /Unable to connect|overloaded|rate.?limit/i.test(text);
    return new BackendFailure(unavailable ? "backend_unavailable" : "backend_error", `Claude Code: ${text}`, status);
}

function exitFailure(exit: CliExit): BackendFailure {
    const said = firstLines(exit.stderr);
    const how = exit.code === null ? "was stopped by a signal" : `exited with code ${exit.code}`;
    return new BackendFailure("backend_error", said ? `Claude Code: ${said}` : `the Claude Code CLI ${how} without an answer`);
}

function firstLines(text: string): string {
    return text.trim().split("\n").slice(0, 3).join(" ").slice(0, 500);
}

/** What main.ts registers for `backend: claude-code`. */
export function claudeCodeBackends(deps: ClaudeCodeDeps): (agent: AgentConfig) => Backend {
    return (agent) => {
        // Keys given to the CLI through the agent's env stay out of the daemon's log like any other key.
        for (const [name, value] of Object.entries(agent.env ?? {})) if (/KEY|TOKEN|SECRET/i.test(name)) addSecret(value);
        return new ClaudeCodeBackend(agent, deps);
    };
}
