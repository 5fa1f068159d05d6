/**
 * What the file watcher must not react to: texts the daemon itself put on disk (a turn's `content`
 * write, its reply) and texts a turn already started on (a plugin's save that the watcher sees a moment
 * after the plugin sent it). Each is remembered by hash, per note, for a while; the watcher's first
 * look at a note holding that exact text takes the record, so the same text written again later by
 * someone else (a reply deleted to get another one) is a change like any other.
 */
import { createHash } from "node:crypto";
import { type NotePath, Vault } from "../vault/vault";

const hash = (text: string): string => createHash("sha256").update(text, "utf8").digest("base64");

export class OwnTexts {
    /** note (absolute path) → text hash → when the record lapses. */
    private readonly notes = new Map<string, Map<string, number>>();
    /** Long enough for the change event of a write to be seen after the idle time (the watcher sets idle + 60 s). */
    keepMs = 60_000;

    remember(absolute: string, text: string): void {
        const now = Date.now();
        let records = this.notes.get(absolute);
        if (!records) this.notes.set(absolute, (records = new Map<string, number>()));
        for (const [h, until] of records) if (until <= now) records.delete(h);
        const h = hash(text);
        records.delete(h); // kept in the order written: a later text supersedes the earlier ones
        records.set(h, now + this.keepMs);
        if (this.notes.size > 1000) this.sweep(now);
    }

    /**
     * True when `text` is one the daemon wrote or already answered. That record is used up, and so are
     * the ones before it: the note has moved past them.
     */
    take(absolute: string, text: string): boolean {
        const records = this.notes.get(absolute);
        const h = hash(text);
        const until = records?.get(h);
        if (!records || until === undefined) return false;
        for (const key of records.keys()) {
            records.delete(key);
            if (key === h) break;
        }
        if (records.size === 0) this.notes.delete(absolute);
        return until > Date.now();
    }

    forget(absolute: string): void {
        this.notes.delete(absolute);
    }

    private sweep(now: number): void {
        for (const [note, records] of this.notes) {
            for (const [h, until] of records) if (until <= now) records.delete(h);
            if (records.size === 0) this.notes.delete(note);
        }
    }
}

/** The vault with every write remembered before it lands, so the watcher knows the daemon's own writes. */
export class RecordingVault extends Vault {
    readonly own = new OwnTexts();

    override async write(note: NotePath, text: string): Promise<void> {
        this.own.remember(note.absolute, text);
        await super.write(note, text);
    }
}
