/**
 * "Send after idle" (off by default): a chat note is sent once the person has stopped typing in it
 * for `idleMs`. Only the person's edits start the timer (the registry skips the plugin's own), and
 * the send itself re-checks everything a save would (chat note, not busy, a user turn with text), so
 * a finished reply — which ends with an empty user turn — never re-fires.
 */
import type { EditorView } from "@codemirror/view";
import type { LodgeSettings } from "./settings";

export interface IdleSenderDeps {
    settings: () => LodgeSettings;
    /** The note a view shows, or null. */
    pathOf: (view: EditorView) => string | null;
    send: (path: string, view: EditorView) => void;
    setTimer: (callback: () => void, ms: number) => number;
    clearTimer: (id: number) => void;
}

export class IdleSender {
    private readonly timers = new Map<string, number>();

    constructor(private readonly deps: IdleSenderDeps) {}

    /** The person changed the document in `view`. */
    onUserEdit(view: EditorView): void {
        const settings = this.deps.settings();
        if (!settings.sendAfterIdle) return;
        const path = this.deps.pathOf(view);
        if (path === null) return;
        const previous = this.timers.get(path);
        if (previous !== undefined) this.deps.clearTimer(previous);
        this.timers.set(
            path,
            this.deps.setTimer(() => {
                this.timers.delete(path);
                // The tab may show another note by now: send only if it still shows this one.
                if (this.deps.settings().sendAfterIdle && this.deps.pathOf(view) === path) this.deps.send(path, view);
            }, settings.idleMs),
        );
    }

    dispose(): void {
        for (const id of this.timers.values()) this.deps.clearTimer(id);
        this.timers.clear();
    }
}
