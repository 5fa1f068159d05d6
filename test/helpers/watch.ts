/**
 * The watcher's own word that it has seen a change: with `LODGE_DEBUG=1` the daemon logs one line per look
 * at a changed note, with the note's size on disk and what the look found (daemon/watch/note-look.ts).
 * Tests wait for that line instead of sleeping, also to show that something did not happen: the look at
 * the note's latest bytes is logged, and it started nothing.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FakeLlm, RecordedRequest } from "../fakes/fake-llm";
import { eventually } from "./client";
import { defaultConfig, logLines, type StartedDaemon } from "./daemon";

/** The daemon's environment for tests that wait on the watcher's looks. */
export const WATCH_TRACE = { LODGE_DEBUG: "1" };

export interface Look {
    /** The note's size when it was looked at; null when the look did not get as far as reading it. */
    bytes: number | null;
    found: string;
}

/** Every look at `name` (vault-relative) logged so far, oldest first. */
export function looksAt(d: StartedDaemon, name: string): Look[] {
    const marker = `watch: looked at ${name}`;
    const looks: Look[] = [];
    for (const { msg: line } of logLines(d.stderr())) {
        const at = line.indexOf(marker);
        if (at < 0) continue;
        const m = /^(?: \((\d+) bytes\))?: (.*)$/.exec(line.slice(at + marker.length));
        if (m) looks.push({ bytes: m[1] === undefined ? null : Number(m[1]), found: m[2]! });
    }
    return looks;
}

/**
 * Waits until the watcher has looked at `name` as it is on disk now (same size), in look number `since`
 * or a later one, and says what that look found. `since`: the number of looks before the write (looksAt),
 * so an earlier look at a text of the same size does not count.
 */
export async function lookedAt(d: StartedDaemon, name: string, since: number, timeoutMs = 10_000): Promise<string> {
    const bytes = statSync(join(d.vault, name)).size;
    const look = await eventually(
        () =>
            looksAt(d, name)
                .slice(since)
                .find((l) => l.bytes === bytes),
        timeoutMs,
        `the watcher's look at ${name} (${bytes} bytes)`,
    );
    return look.found;
}

/** The watcher tests' idle time (`chats.watch_idle_ms`). */
export const WATCH_IDLE_MS = 200;
export const SCAFFOLD = "\n\n### User:\n\n";
/** What a look at a text the daemon wrote itself (or a turn started on) finds. */
export const OWN = /^the daemon's own text/;

export function watchConfig(fake: FakeLlm, watch = true): Record<string, unknown> {
    return { ...defaultConfig(fake), chats: { folders: ["Chats", "Later/Inbox"], watch, watch_idle_ms: WATCH_IDLE_MS } };
}

/** The model requests whose messages mention `marker`. */
export function requestsAbout(fake: FakeLlm, marker: string): RecordedRequest[] {
    return fake.requests.filter((r) => r.api === "anthropic" && JSON.stringify(r.body?.messages ?? []).includes(marker));
}

/** The text of the last user message a request sent. */
export function lastUserText(req: RecordedRequest): string {
    const last = (req.body.messages as any[]).filter((m) => m.role === "user").at(-1);
    return typeof last.content === "string" ? last.content : last.content.map((b: any) => b.text ?? "").join("");
}

/** Notes in the daemon's vault, written and read as another program does. */
export function vaultFiles(daemon: () => StartedDaemon) {
    const file = (name: string): string => join(daemon().vault, name);
    const read = (name: string): string => readFileSync(file(name), "utf8");
    return {
        file,
        read,
        put: (name: string, text: string | Buffer): void => {
            mkdirSync(dirname(file(name)), { recursive: true });
            writeFileSync(file(name), text);
        },
        /** Waits until the note ends with the scaffold a reply leaves, and gives its text. */
        answered: (name: string): Promise<string> =>
            eventually(() => read(name).endsWith(SCAFFOLD) && read(name), 5000, `a reply in ${name}`),
    };
}
