/**
 * Send on save. Obsidian has no save event (obsidian-api #32) and autosaves constantly through
 * `Vault.modify`, so listening to file changes would send half-written questions and re-fire on the
 * plugin's own edits. What the person presses, Ctrl/Cmd+S, runs the command `editor:save-file`; the
 * plugin wraps that command's callback (as the Linter plugin does) and calls `onSave` after Obsidian's
 * own save has run. Autosave never goes through the command, so it never sends.
 *
 * `app.commands` is not in Obsidian's public typings; this module is the one place that touches it,
 * and it does nothing when the command is missing or shaped differently (the "send this note"
 * command still works then).
 */

/** The callbacks an Obsidian command may have (obsidian.d.ts `Command`), loosely typed. */
export interface CommandLike {
    callback?: (...args: unknown[]) => unknown;
    checkCallback?: (checking: boolean, ...args: unknown[]) => unknown;
    editorCallback?: (...args: unknown[]) => unknown;
    editorCheckCallback?: (checking: boolean, ...args: unknown[]) => unknown;
}

export const SAVE_COMMAND_ID = "editor:save-file";

/**
 * Wraps the save command so `onSave` runs once per save the person asks for. Returns the function
 * that puts the original callback back (on unload).
 */
export function hookSaveCommand(commands: Record<string, CommandLike> | undefined, onSave: () => void): () => void {
    const command = commands?.[SAVE_COMMAND_ID];
    if (!command) return () => undefined;
    for (const key of ["checkCallback", "editorCheckCallback"] as const) {
        const original = command[key];
        if (typeof original !== "function") continue;
        const wrapped = (checking: boolean, ...args: unknown[]): unknown => {
            const result = original.call(command, checking, ...args);
            // Obsidian asks with checking=true whether the command is available; only a run saves.
            if (!checking && result !== false) onSave();
            return result;
        };
        command[key] = wrapped;
        return () => {
            if (command[key] === wrapped) command[key] = original;
        };
    }
    for (const key of ["callback", "editorCallback"] as const) {
        const original = command[key];
        if (typeof original !== "function") continue;
        const wrapped = (...args: unknown[]): unknown => {
            const result = original.apply(command, args);
            onSave();
            return result;
        };
        command[key] = wrapped;
        return () => {
            if (command[key] === wrapped) command[key] = original;
        };
    }
    return () => undefined;
}
