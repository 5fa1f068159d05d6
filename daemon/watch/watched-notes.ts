/**
 * What the watcher knows of each note, one WatchedNote per note in one Map, and when each is looked at:
 * `watch_idle_ms` after its last change, or when its hold ends (a turn from elsewhere holds its note
 * while it runs and for AFTER_TURN_MS after). The looks at one note run one after another.
 */
export interface WatchedNote {
    /** A chat note outside the folders, watched on its own (chokidar watches the file itself). */
    elsewhere: boolean;
    /** Fires the look after the last change. */
    timer?: NodeJS.Timeout;
    /** Not looked at before this time: Infinity while a turn from elsewhere runs. */
    holdUntil?: number;
    /** When it first changed since its last look (the SeenMarker never passes it). */
    changedAt?: number;
    /** Its last change came while a connected Obsidian had it open: what is on disk is the editor's text. */
    editorOnly: boolean;
    /** Changed while no daemon ran, waiting for its first look. */
    missed: boolean;
    /** The look under way, and the ones queued behind it. */
    reaction?: Promise<void>;
    /** When the watcher's recent turns on it started (the loop ceiling). */
    recentTurns: number[];
    /** Over the loop ceiling: left alone until a turn on it comes from elsewhere. */
    paused: boolean;
    /** The last refusal's message: a note that keeps failing the same way says so once. */
    lastRefusal?: string;
}

function blankNote(elsewhere: boolean): WatchedNote {
    return { elsewhere, editorOnly: false, missed: false, recentTurns: [], paused: false };
}

export class WatchedNotes {
    private readonly notes = new Map<string, WatchedNote>();
    private closing = false;

    /** `look` reads the note and acts on it; it never throws (a failure is `failed`'s). */
    constructor(
        private readonly look: (absolute: string) => Promise<void>,
        private readonly failed: (err: unknown) => void,
    ) {}

    get closed(): boolean {
        return this.closing;
    }

    get(absolute: string): WatchedNote | undefined {
        return this.notes.get(absolute);
    }

    /** The note's state, made on first use. */
    note(absolute: string): WatchedNote {
        let note = this.notes.get(absolute);
        if (!note) this.notes.set(absolute, (note = blankNote(false)));
        return note;
    }

    /** The chat notes outside the folders (absolute paths). */
    elsewhere(): string[] {
        return [...this.notes].filter(([, n]) => n.elsewhere).map(([p]) => p);
    }

    /** A change on disk: the note is looked at `delay` after it, or when its hold ends. */
    changed(absolute: string, editorOnly: boolean, delay: number, at = Date.now()): void {
        const note = this.note(absolute);
        note.editorOnly = editorOnly;
        note.changedAt ??= at;
        this.schedule(absolute, delay);
    }

    /** Looks at the note after `delay`, or when its hold ends; a running turn's end schedules the look itself. */
    schedule(absolute: string, delay: number): void {
        const note = this.note(absolute);
        clearTimeout(note.timer);
        note.timer = undefined;
        if (note.holdUntil === Infinity) return;
        const wait = note.holdUntil === undefined ? delay : Math.max(delay, note.holdUntil - Date.now());
        note.timer = setTimeout(() => this.idle(absolute), wait);
    }

    /**
     * A turn from elsewhere runs on the note: it is held until `after` ms past the turn's end, then
     * looked at. A person is there, so the loop ceiling starts over.
     */
    heldByTurn(absolute: string, finished: Promise<unknown>, after: number): WatchedNote {
        const note = this.note(absolute);
        note.recentTurns = [];
        note.paused = false;
        note.holdUntil = Infinity;
        this.schedule(absolute, 0);
        const ended = (): void => {
            if (this.closing) return;
            this.note(absolute).holdUntil = Date.now() + after;
            this.schedule(absolute, after);
        };
        void finished.then(ended, ended);
        return note;
    }

    /** The note is gone: forgotten (a look under way finishes, and finds nothing). True when it was watched on its own. */
    gone(absolute: string): boolean {
        const note = this.notes.get(absolute);
        if (!note) return false;
        clearTimeout(note.timer);
        if (note.reaction) this.notes.set(absolute, { ...blankNote(false), reaction: note.reaction });
        else this.notes.delete(absolute);
        return note.elsewhere;
    }

    /** When the earliest change not looked at yet happened (Infinity: none). */
    earliestChange(): number {
        return Math.min(Infinity, ...[...this.notes.values()].map((n) => n.changedAt ?? Infinity));
    }

    /** No more looks start; resolves once the ones under way are done. */
    async close(): Promise<void> {
        this.closing = true;
        for (const note of this.notes.values()) clearTimeout(note.timer);
        await Promise.all([...this.notes.values()].map((n) => n.reaction ?? Promise.resolve()));
    }

    private idle(absolute: string): void {
        const note = this.notes.get(absolute);
        if (!note || this.closing) return;
        note.timer = undefined;
        note.changedAt = undefined;
        if ((note.holdUntil ?? 0) <= Date.now()) note.holdUntil = undefined;
        const next = (note.reaction ?? Promise.resolve()).then(() => this.look(absolute)).catch((err: unknown) => this.failed(err));
        note.reaction = next;
        void next.finally(() => {
            const current = this.notes.get(absolute);
            if (current?.reaction === next) current.reaction = undefined;
        });
    }
}
