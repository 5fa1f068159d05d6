/**
 * Which chat notes a connected Obsidian has open (docs/daemon.md: no note is answered twice). The plugin
 * follows `GET /v1/events?client=ID` and reports its open chat notes with `POST /v1/chat/open
 * {"client": ID, "filenames": […]}` whenever the set changes; the report counts only while a stream
 * with that client id is connected, and is dropped the moment the last one goes away (Obsidian quit,
 * the plugin disabled, the laptop asleep). The watcher leaves a change seen while its note was open
 * in a connected Obsidian to the plugin (docs/plugin.md, "Questions from other devices").
 */

/** A report for a client that never connects is forgotten after this long. */
const UNCONNECTED_MS = 60_000;
/** More open chat notes than this is not an editor's tabs: the report is refused. */
export const MAX_OPEN_NOTES = 1000;

interface Client {
    notes: Set<string>;
    streams: number;
    reportedAt: number;
}

export class OpenNotes {
    private readonly clients = new Map<string, Client>();

    /** An events stream of `client` is connected; call the result when it goes away. */
    connect(client: string): () => void {
        const entry = this.entry(client);
        entry.streams++;
        let done = false;
        return () => {
            if (done) return;
            done = true;
            entry.streams--;
            if (entry.streams <= 0 && this.clients.get(client) === entry) this.clients.delete(client);
        };
    }

    /** `client` has these notes open now (vault-relative paths), replacing what it said before. */
    report(client: string, notes: string[]): void {
        const entry = this.entry(client);
        entry.notes = new Set(notes);
        entry.reportedAt = Date.now();
        this.sweep();
    }

    /** Whether a connected Obsidian has `relative` open. */
    isOpen(relative: string): boolean {
        for (const entry of this.clients.values()) if (entry.streams > 0 && entry.notes.has(relative)) return true;
        return false;
    }

    /** Whether `client` has an events stream connected (its reports count). */
    connected(client: string): boolean {
        return (this.clients.get(client)?.streams ?? 0) > 0;
    }

    private entry(client: string): Client {
        let entry = this.clients.get(client);
        if (!entry) this.clients.set(client, (entry = { notes: new Set(), streams: 0, reportedAt: Date.now() }));
        return entry;
    }

    private sweep(): void {
        const now = Date.now();
        for (const [id, entry] of this.clients) if (entry.streams <= 0 && now - entry.reportedAt > UNCONNECTED_MS) this.clients.delete(id);
    }
}
