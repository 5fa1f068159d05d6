/**
 * The watcher's own word that it has seen a change: with `LODGE_DEBUG=1` the daemon logs one line per look
 * at a changed note, with the note's size on disk and what the look found (daemon/watch/note-look.ts).
 * Tests wait for that line instead of sleeping, also to show that something did not happen: the look at
 * the note's latest bytes is logged, and it started nothing.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "./client";
import type { StartedDaemon } from "./daemon";

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
    for (const line of d.stderr().split("\n")) {
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
    const look = await eventually(() => looksAt(d, name).slice(since).find((l) => l.bytes === bytes), timeoutMs, `the watcher's look at ${name} (${bytes} bytes)`);
    return look.found;
}
