/**
 * What a streaming turn needs from its surroundings (Obsidian's workspace and vault, the clock and
 * animation frames), as ports: plugin/obsidian/* implements them for Obsidian, the tests in memory.
 */
import type { EditorView } from "@codemirror/view";
import type { DoneEvent } from "../../shared/protocol/events";
import type { EditorRegistry } from "./editor-attachment";

/** Finds the editors that show a note. */
export interface EditorPort {
    /** A CodeMirror view showing the note at `path`, or null when no open tab shows it. */
    viewFor(path: string): EditorView | null;
    /** Whether `view` (still) belongs to a tab showing `path`. */
    shows(view: EditorView, path: string): boolean;
    /** Asks Obsidian to save the note's editor soon (its own debounced save, not the save command). */
    requestSave(path: string): void;
}

/** Writes a note that no editor shows. */
export interface FilePort {
    /** Atomic read-modify-write of the note (`Vault.process`). */
    process(path: string, fn: (data: string) => string): Promise<void>;
}

/**
 * Runs a callback before the next paint, or `delayMs` from now when given (then without waiting for
 * another frame); returns a cancel function.
 */
export type FrameScheduler = (callback: () => void, delayMs?: number) => () => void;

export interface TurnDeps {
    editors: EditorPort;
    files: FilePort;
    registry: EditorRegistry;
    frame: FrameScheduler;
    /** Milliseconds on a monotonic clock, and a pause: injected so tests control time. */
    now: () => number;
    delay: (ms: number) => Promise<void>;
}

/** How a turn ended, for the manager's notices and status. */
export type TurnEnd = { kind: "done"; event: DoneEvent } | { kind: "error"; code: string; message: string } | { kind: "dropped" };
