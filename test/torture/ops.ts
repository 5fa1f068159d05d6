/**
 * The write paths the torture test kills the daemon in: a daemon-written turn, an editor turn whose
 * client leaves, a turn whose model edits memory, a git push to the memory repository, and a turn the
 * watcher starts for a chat note changed on disk. Each op is prepared (untimed), then started.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FakeReply, RecordedRequest } from "../fakes/fake-llm";
import { eventually, stream } from "../helpers/client";
import type { StartedDaemon } from "../helpers/daemon";
import { gitCli, gitOk, memoryUrl } from "../helpers/git-memory";
import { lastQuestion, replyFor, SCAFFOLD } from "./note-check";

export const KINDS = ["daemon", "editor", "memory", "push", "watch"] as const;
export type Kind = (typeof KINDS)[number];

export interface Op {
    kind: Kind;
    /** The note it writes (vault-relative), and the text a request's `content` puts there first. */
    note?: string;
    content?: string;
    /** Starts the op; resolves when it has finished (for the untimed runs). */
    start(): Promise<void>;
}

/** The fake model: a scripted reply per question id; memory questions first create, then edit, a block. */
export function answer(req: RecordedRequest): FakeReply {
    const messages: any[] = req.body?.messages ?? [];
    const textOf = (m: any): string =>
        typeof m.content === "string"
            ? m.content
            : m.content
                  .filter((b: any) => b.type === "text")
                  .map((b: any) => b.text)
                  .join("\n");
    let id = "none";
    for (let i = messages.length - 1; i >= 0; i--) {
        const found = messages[i].role === "user" ? lastQuestion(textOf(messages[i])) : null;
        if (found) {
            id = found;
            break;
        }
    }
    const last = messages.at(-1);
    const results = Array.isArray(last?.content) ? last.content.filter((b: any) => b.type === "tool_result") : [];
    if (id.startsWith("m")) {
        const label = `torture/${id}`;
        if (results.length === 0)
            return { toolCalls: [{ name: "memory_create", input: { label, description: "a torture block", value: "count 0" } }] };
        const called: string[] = (messages.at(-2)?.content ?? []).filter((b: any) => b.type === "tool_use").map((b: any) => b.name);
        if (called.includes("memory_create"))
            return { toolCalls: [{ name: "memory_replace", input: { label, old_string: "count 0", new_string: "count 1" } }] };
    }
    return { text: replyFor(id), chunkSize: 6, chunkDelayMs: 4 };
}

const FOLDER: Record<Kind, string> = { daemon: "Notes", editor: "Notes", memory: "Notes", push: "", watch: "Chats" };

export class Ops {
    private counter = 0;

    constructor(
        private readonly vault: string,
        private readonly clone: string,
        private readonly token: string,
        private readonly random: () => number,
    ) {}

    /** A note of this kind to ask in: an answered one (ends with the scaffold) half the time, else a new one. */
    private pickNote(kind: Kind, known: Map<string, string>): { note: string; before: string } {
        const settled = [...known].filter(([path, text]) => path.startsWith(`${FOLDER[kind]}/${kind}-`) && text.endsWith(SCAFFOLD));
        if (settled.length > 0 && this.random() < 0.5) {
            const [note, before] = settled[Math.floor(this.random() * settled.length)]!;
            return { note, before };
        }
        const n = this.counter++;
        // Some new notes carry a key of their own, which every write must keep.
        return { note: `${FOLDER[kind]}/${kind}-${n}.md`, before: n % 3 === 0 ? "---\ntags: [torture]\n---\n" : "" };
    }

    async prepare(kind: Kind, d: StartedDaemon, tag: string, known: Map<string, string>): Promise<Op> {
        if (kind === "push") return this.preparePush(d, tag);
        const { note, before } = this.pickNote(kind, known);
        const content = `${before}Question Q-${kind[0]}${tag}: tell me more, please.\n`;
        const path = join(this.vault, note);
        // Waiting ends when the daemon dies: a killed round waits for nothing.
        const dead = (): boolean => d.child.exitCode !== null || d.child.signalCode !== null;
        const answered = (): Promise<unknown> =>
            eventually(() => dead() || (existsSync(path) && readFileSync(path, "utf8").endsWith(SCAFFOLD)), 10_000, `the reply in ${note}`);
        if (kind === "watch") {
            // Another device's sync tool: the file changes on disk and nobody asks the daemon.
            return {
                kind,
                note,
                content,
                start: async () => {
                    mkdirSync(dirname(path), { recursive: true });
                    writeFileSync(path, content);
                    await answered();
                },
            };
        }
        if (kind === "editor") {
            const leaveAfter = Math.floor(this.random() * 6);
            return {
                kind,
                note,
                content,
                start: async () => {
                    await stream(d, { filename: note, content, writer: "editor" }, (_e, _r, i) => (i >= leaveAfter ? "stop" : undefined));
                    await answered();
                },
            };
        }
        return {
            kind,
            note,
            content,
            start: async () => {
                const r = await stream(d, { filename: note, content, writer: "daemon" });
                if (r.terminal?.event !== "done") throw new Error(`${kind} turn on ${note}: ${JSON.stringify(r.terminal ?? r.body)}`);
            },
        };
    }

    /** A commit in the clone on top of what the server has, pushed when started. */
    private async preparePush(d: StartedDaemon, tag: string): Promise<Op> {
        await gitOk(this.clone, ["remote", "set-url", "origin", memoryUrl(d, "assistant", this.token)]);
        await gitOk(this.clone, ["fetch", "--quiet", "origin"]);
        await gitOk(this.clone, ["reset", "--quiet", "--hard", "origin/main"]);
        const block = `---\ndescription: pushed in round ${tag}\n---\n${`Pushed text ${tag}. `.repeat(400)}\n`;
        mkdirSync(join(this.clone, "pushed"), { recursive: true });
        writeFileSync(join(this.clone, "pushed", `p${tag}.md`), block);
        await gitOk(this.clone, ["add", "-A"]);
        await gitOk(this.clone, ["commit", "--quiet", "-m", `push ${tag}`]);
        return {
            kind: "push",
            start: async () => {
                const r = await gitCli(this.clone, ["push", "--quiet", "origin", "HEAD:main"]);
                if (r.code !== 0) throw new Error(`git push failed: ${r.stderr}`);
            },
        };
    }
}
