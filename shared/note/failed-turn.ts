/**
 * The failed-turn rule (docs/notes.md), the one place both the daemon and the plugin take it from. A turn
 * that failed (or was stopped) before any text arrived leaves an assistant turn holding only Lodge's
 * callouts and no scaffold. It counts as absent, so saving again retries, and the retry's reply
 * replaces that assistant turn — heading and callouts — instead of stacking a second one under it.
 * Dependency-free (no YAML): the plugin bundles it.
 */
import { findFrontmatter } from "./frontmatter-bounds";
import { scanTurns } from "./turns";
import type { NoteTurn } from "./types";

/**
 * The note's last turn when it is an assistant turn of Lodge's callouts only (a failed or stopped
 * turn before any text), else null. A blank assistant heading the person wrote is not one: the
 * reply goes after it. Text the person typed below the callouts is a user turn of its own (see
 * scanTurns), so a failed turn followed by it is not trailing.
 */
export function trailingFailedTurn(text: string, turns: readonly NoteTurn[] = turnsOf(text)): NoteTurn | null {
    const last = turns[turns.length - 1];
    if (!last || last.role !== "assistant" || last.text !== "") return null;
    const headingEnd = text.indexOf("\n", last.start);
    if (headingEnd < 0 || headingEnd >= last.end) return null;
    return text.slice(headingEnd + 1, last.end).trim() === "" ? null : last;
}

/**
 * Where the reply to `text` starts (docs/api.md `anchor`): the reply replaces everything from there to
 * the end. Normally the note's trailing whitespace; after a failed turn, the whitespace before that
 * turn's heading, so the turn goes too.
 */
export function replyAnchor(text: string, turns?: readonly NoteTurn[]): number {
    const failed = trailingFailedTurn(text, turns);
    return (failed ? text.slice(0, failed.start) : text).trimEnd().length;
}

function turnsOf(text: string): NoteTurn[] {
    return scanTurns(text, findFrontmatter(text)?.end ?? 0);
}
