/**
 * The plugin's side of docs/daemon.md (docs/plugin.md, "Questions from other devices"): it follows
 * `GET /v1/events?client=ID`, tells the daemon which chat notes it has open (`POST /v1/chat/open`,
 * which counts only while that stream lasts), rejoins turns running on notes it shows (started by
 * the watcher, another device, or before Obsidian restarted), and sends a question that a change
 * Obsidian did not make (a sync tool's write, merged into the open editor) brought into an open note.
 * Knows nothing of Obsidian: main.ts hands in the editors, the file reader and the timers.
 */
import { nothingToSend } from "./chat-note";
import type { DaemonClient } from "./daemon-client";
import type { TurnManager } from "./turn-manager";
import type { DaemonEvent } from "../shared/protocol/events";
import type { EditorView } from "@codemirror/view";

/** After a foreign change, the editor is looked at once it has been quiet this long (Obsidian merges in steps). */
const FOREIGN_QUIET_MS = 300;
const REPORT_DELAY_MS = 100;
const RECONNECT_MS = [1000, 2000, 5000, 10_000, 30_000];

export interface DeviceLinkDeps {
    client: DaemonClient;
    turns: Pick<TurnManager, "isBusy" | "rejoin" | "send">;
    /** The notes open in editors, with their views. */
    openNotes: () => Array<{ path: string; view: EditorView }>;
    pathOf: (view: EditorView) => string | null;
    isChat: (path: string, text: string) => boolean;
    /** The note's text on disk, or null. */
    readFile: (path: string) => Promise<string | null>;
    configChanged: () => void;
    setTimer: (callback: () => void, ms: number) => number;
    clearTimer: (id: number) => void;
    report: (error: unknown) => void;
}

export class DeviceLink {
    /** This Obsidian's id for the daemon: a report counts while a stream with this id is connected. */
    readonly id = `obsidian-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    private connected = false;
    private stopped = false;
    private abort: AbortController | null = null;
    /** Notes with a turn running on the daemon, from `event: turn`. */
    private readonly running = new Set<string>();
    private reported = "";
    private reportTimer: number | null = null;
    private readonly foreign = new Map<string, number>();
    private wake: (() => void) | null = null;

    constructor(private readonly deps: DeviceLinkDeps) {}

    start(): void {
        void this.loop();
    }

    stop(): void {
        this.stopped = true;
        this.abort?.abort();
        this.wake?.();
        if (this.reportTimer !== null) this.deps.clearTimer(this.reportTimer);
        for (const id of this.foreign.values()) this.deps.clearTimer(id);
        this.foreign.clear();
    }

    /** Tabs opened, closed or switched: report the open chat notes, and follow a running turn on one just opened. */
    notesChanged(): void {
        if (this.reportTimer !== null) return;
        this.reportTimer = this.deps.setTimer(() => {
            this.reportTimer = null;
            void this.report();
            this.rejoinOpen(false);
        }, REPORT_DELAY_MS);
    }

    /** An editor's document changed by neither the person nor the plugin: Obsidian merged a change from disk. */
    foreignChange(view: EditorView): void {
        const path = this.deps.pathOf(view);
        if (path === null) return;
        const pending = this.foreign.get(path);
        if (pending !== undefined) this.deps.clearTimer(pending);
        this.foreign.set(
            path,
            this.deps.setTimer(() => {
                this.foreign.delete(path);
                void this.answerForeign(path).catch((err: unknown) => this.deps.report(err));
            }, FOREIGN_QUIET_MS),
        );
    }

    private async answerForeign(path: string): Promise<void> {
        // Not connected: the daemon's watcher answers it (no report of ours counts).
        if (!this.connected || this.deps.turns.isBusy(path)) return;
        const open = this.deps.openNotes().find((n) => n.path === path);
        if (!open) return;
        if (this.running.has(path)) return void this.deps.turns.rejoin(path, open.view);
        const text = open.view.state.doc.toString();
        if (!this.deps.isChat(path, text) || nothingToSend(text) !== null) return;
        // The file must ask it too: a note the daemon already answered on disk is not sent again.
        const disk = await this.deps.readFile(path);
        if (disk === null || nothingToSend(disk) !== null) return;
        await this.deps.turns.send(path, open.view, "external");
    }

    private chatNotes(): Array<{ path: string; view: EditorView }> {
        return this.deps.openNotes().filter((n) => this.deps.isChat(n.path, n.view.state.doc.toString()));
    }

    private async report(force = false): Promise<void> {
        if (!this.connected) return;
        const paths = [...new Set(this.chatNotes().map((n) => n.path))].sort();
        const key = JSON.stringify(paths);
        if (!force && key === this.reported) return;
        this.reported = key;
        try {
            await this.deps.client.reportOpen(this.id, paths);
        } catch {
            this.reported = "";
        }
    }

    /** Follows the turns running on open notes; `probe`: ask the daemon for each (after a (re)connect, events missed). */
    private rejoinOpen(probe: boolean): void {
        for (const { path, view } of this.chatNotes()) {
            if (this.deps.turns.isBusy(path) || (!probe && !this.running.has(path))) continue;
            void this.deps.turns.rejoin(path, view);
        }
    }

    private onEvent(event: DaemonEvent): void {
        if (event.event === "config") return this.deps.configChanged();
        const { filename, state } = event.data;
        if (state !== "started") return void this.running.delete(filename);
        this.running.add(filename);
        const open = this.chatNotes().find((n) => n.path === filename);
        if (open && !this.deps.turns.isBusy(filename)) void this.deps.turns.rejoin(filename, open.view);
    }

    private async loop(): Promise<void> {
        let failures = 0;
        while (!this.stopped) {
            this.abort = new AbortController();
            try {
                const events = await this.deps.client.events(this.id, this.abort.signal);
                failures = 0;
                this.connected = true;
                await this.report(true);
                this.rejoinOpen(true);
                for await (const event of events) this.onEvent(event);
            } catch {
                // The daemon is down or restarting: try again later, quietly (sends say so themselves).
            }
            this.connected = false;
            this.running.clear();
            if (this.stopped) break;
            const wait = RECONNECT_MS[Math.min(failures++, RECONNECT_MS.length - 1)]!;
            await new Promise<void>((resolve) => {
                this.wake = resolve;
                this.deps.setTimer(resolve, wait);
            });
        }
    }
}
