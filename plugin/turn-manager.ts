/**
 * Starts, follows and stops turns: at most one per note, each bound to its file. Knows nothing of
 * Obsidian beyond the ports in stream/ports.ts, so tests drive it with a real CodeMirror state and a
 * fake daemon transport.
 */
import { isChatNote, nothingToSend, noteAgent, rejoinAnchor } from "./chat-note";
import { DaemonError, DaemonUnreachableError, type DaemonClient } from "./daemon-client";
import type { DoneEvent } from "../shared/protocol/events";
import type { LodgeSettings } from "./settings";
import type { TurnDeps, TurnEnd } from "./stream/ports";
import { ReplyTurn } from "./stream/reply-turn";
import type { EditorView } from "@codemirror/view";
import type { StreamEvent } from "../shared/protocol/events";

/** `external`: a change Obsidian did not make (a sync tool) brought a question into an open note. */
export type SendOrigin = "save" | "idle" | "command" | "external";

export type Status = { kind: "idle" } | { kind: "streaming"; agents: string[] } | { kind: "offline" };

export interface TurnManagerDeps extends TurnDeps {
    client: DaemonClient;
    settings: () => LodgeSettings;
    status: (status: Status) => void;
    /** The one error funnel (a Notice with the daemon's message). */
    report: (error: unknown) => void;
    notice: (message: string) => void;
    /** Saves the note's editor to disk now (before the daemon may write the file itself). */
    saveNow: (path: string) => Promise<void>;
    /** A stream started: docs/memory.md refreshes the agent list then. */
    onStreamStart?: () => void;
    /** A turn ended with `done` (its usage goes to the status bar's tooltip). */
    onDone?: (event: DoneEvent) => void;
}

interface Running {
    turn: ReplyTurn;
    abort: AbortController;
    /** The name the daemon knows the turn by (the path when it was sent). */
    filename: string;
}

const NOTHING_TO_SEND: Record<string, string> = {
    empty: "This note is empty: write a question first.",
    last_turn_assistant: "The last turn is already a reply: write a new user turn first.",
    blank_user_turn: "The last user turn is empty: write your question under it first.",
};

export class TurnManager {
    private readonly running = new Map<string, Running>();
    private offline = false;
    private published = "";

    constructor(private readonly deps: TurnManagerDeps) {}

    isBusy(path: string): boolean {
        return this.running.has(path);
    }

    /** Paths of the notes with a turn running. */
    get busyPaths(): string[] {
        return [...this.running.keys()];
    }

    /**
     * Sends the note that `view` shows, when it should be: a chat note (for saves and idle sends),
     * not already streaming, and with text in its last user turn. Resolves when the turn has ended.
     */
    async send(path: string, view: EditorView, origin: SendOrigin): Promise<TurnEnd | null> {
        const text = view.state.doc.toString();
        const settings = this.deps.settings();
        if (origin !== "command" && !isChatNote(path, text, settings.chatFolder)) return null;
        if (this.running.has(path)) {
            if (origin === "command") this.deps.notice("A reply is already streaming into this note.");
            return null;
        }
        const reason = nothingToSend(text);
        if (reason) {
            if (origin === "command") this.deps.notice(NOTHING_TO_SEND[reason] ?? "Nothing to send.");
            return null;
        }
        const agent = noteAgent(text) === null && settings.defaultAgent !== "" ? settings.defaultAgent : undefined;
        const end = await this.run(
            path,
            view,
            (signal) => this.deps.client.stream({ filename: path, content: text, writer: "editor", ...(agent ? { agent } : {}) }, signal),
            undefined,
            origin === "external",
        );
        // Sent because a sync tool brought the question: a turn already running on it (the watcher's) is followed instead.
        if (end === "in_progress" && origin === "external") return this.rejoin(path, view);
        return end === "in_progress" ? null : end;
    }

    /**
     * Follows a turn that started elsewhere (the watcher, another device, before Obsidian restarted)
     * into the editor that shows the note, as the editor that holds it (docs/daemon.md; docs/plugin.md).
     * Resolves with null when no turn runs there, or when the editor's text after the reply's
     * anchor is not a reply this turn could have written (the person typed a new turn below it):
     * then the daemon keeps writing the file.
     */
    async rejoin(path: string, view: EditorView): Promise<TurnEnd | null> {
        if (this.running.has(path)) return null;
        const anchor = rejoinAnchor(view.state.doc.toString());
        if (anchor === null) return null;
        const end = await this.run(path, view, (signal) => this.deps.client.follow(path, signal), anchor);
        return end === "in_progress" ? null : end;
    }

    private async run(
        path: string,
        view: EditorView,
        open: (signal: AbortSignal) => Promise<AsyncIterable<StreamEvent>>,
        rejoining?: number,
        quietBusy = false,
    ): Promise<TurnEnd | "in_progress" | null> {
        const entry: Running = {
            turn: new ReplyTurn(this.deps, path, view, view.state.doc.toString(), rejoining),
            abort: new AbortController(),
            filename: path,
        };
        this.running.set(path, entry);
        this.publish();
        try {
            return await this.follow(entry, open, rejoining, quietBusy);
        } finally {
            this.running.delete(entry.turn.path);
            this.publish();
        }
    }

    /** Asks the daemon to stop the note's turn; the stopped reply then arrives as usual. */
    async stop(path: string): Promise<boolean> {
        const entry = this.running.get(path);
        if (!entry) return false;
        try {
            return (await this.deps.client.cancel(entry.filename)).cancelled;
        } catch (err) {
            this.deps.report(err);
            return false;
        }
    }

    /** A note was renamed: its turn follows it. */
    rename(oldPath: string, newPath: string): void {
        const entry = this.running.get(oldPath);
        if (!entry) return;
        this.running.delete(oldPath);
        entry.turn.path = newPath;
        this.running.set(newPath, entry);
    }

    /**
     * The plugin unloads: what arrived is put in place and saved, then the streams are closed, so the
     * daemon finishes each turn into the file on disk (docs/api.md) instead of it being lost.
     */
    async unload(): Promise<void> {
        await Promise.all(
            [...this.running.values()].map(async (entry) => {
                await entry.turn.abandon();
                await this.deps.saveNow(entry.turn.path).catch(() => undefined);
                entry.abort.abort();
            }),
        );
    }

    private async follow(
        entry: Running,
        open: (signal: AbortSignal) => Promise<AsyncIterable<StreamEvent>>,
        rejoining: number | undefined,
        quietBusy: boolean,
    ): Promise<TurnEnd | "in_progress" | null> {
        const { turn, abort } = entry;
        let end: TurnEnd | null = null;
        let started = false;
        try {
            const events = await open(abort.signal);
            this.setOffline(false);
            this.deps.onStreamStart?.();
            for await (const event of events) {
                started = true;
                try {
                    end = await turn.handle(event);
                } catch (err) {
                    // Not the connection: the reply could not be put in place (the note was deleted…).
                    await turn.abandon();
                    this.deps.report(err);
                    return null;
                }
                if (event.event === "start") this.publish();
                if (end) break;
            }
        } catch (err) {
            if (abort.signal.aborted) return null;
            if (!started) {
                // Refused or unreachable before the turn began: the note was not touched.
                turn.discard();
                if (quietBusy && err instanceof DaemonError && err.code === "in_progress") return "in_progress";
                // Nothing to rejoin (the turn ended meanwhile, 404), or no daemon: the note is as it was.
                if (rejoining !== undefined) return null;
                if (err instanceof DaemonUnreachableError) this.setOffline(true);
                this.deps.report(err);
                return null;
            }
            if (end !== null) return end;
        }
        if (end === null) {
            // The stream broke off: the daemon finishes the turn and writes the note itself (docs/api.md).
            end = await turn.abandon();
            if (abort.signal.aborted) return end;
            await this.deps.saveNow(turn.path).catch(() => undefined);
            this.deps.notice("Lost the connection to the Lodge daemon. It finishes the reply in the file.");
        } else if (end.kind === "error") {
            this.deps.report(new DaemonError(end.code, end.message, 200));
        } else if (end.kind === "done") {
            this.deps.onDone?.(end.event);
        }
        return end;
    }

    private setOffline(offline: boolean): void {
        this.offline = offline;
        this.publish();
    }

    /** Any request that reached the daemon: it is not offline. */
    markOnline(): void {
        this.setOffline(false);
    }

    markOffline(): void {
        this.setOffline(true);
    }

    private publish(): void {
        let status: Status;
        if (this.running.size > 0) {
            const agents = [...this.running.values()].map((r) => r.turn.agent).filter((a): a is string => a !== null);
            status = { kind: "streaming", agents: [...new Set(agents)] };
        } else {
            status = this.offline ? { kind: "offline" } : { kind: "idle" };
        }
        const key = JSON.stringify(status);
        if (key === this.published) return;
        this.published = key;
        this.deps.status(status);
    }
}
