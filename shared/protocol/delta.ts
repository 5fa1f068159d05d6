/**
 * Edits of the reply text (docs/api.md): delete `delete` code units at `at`, then insert `insert`.
 * The daemon computes one per change by comparing the reply before and after; the cost follows
 * the change, not the reply, because replies change at their end.
 */
export interface Delta {
    at: number;
    delete: number;
    insert: string;
}

export function applyDelta(text: string, delta: Delta): string {
    return text.slice(0, delta.at) + delta.insert + text.slice(delta.at + delta.delete);
}

/**
 * The delta as a range edit: replace `from`..`to` by `insert` (CodeMirror's ChangeSpec, the plugin's
 * TextEdit). `offset`: where the delta's text starts in the document it is applied to.
 */
export function deltaEdit(delta: Delta, offset = 0): { from: number; to: number; insert: string } {
    return { from: offset + delta.at, to: offset + delta.at + delta.delete, insert: delta.insert };
}

const PROBE = 256;

/** The smallest single edit turning `before` into `after`, or null when they are equal. */
export function diffText(before: string, after: string): Delta | null {
    if (before === after) return null;
    const limit = Math.min(before.length, after.length);
    let prefix = commonPrefix(before, after, limit);
    // Never split a surrogate pair: the insert would carry half a character.
    if (prefix > 0 && isHighSurrogate(before.charCodeAt(prefix - 1))) prefix--;
    let suffix = 0;
    const maxSuffix = limit - prefix;
    while (suffix < maxSuffix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
    if (suffix > 0 && isLowSurrogate(after.charCodeAt(after.length - suffix))) suffix--;
    return { at: prefix, delete: before.length - prefix - suffix, insert: after.slice(prefix, after.length - suffix) };
}

function commonPrefix(a: string, b: string, limit: number): number {
    // Replies grow at the end: one native comparison usually settles all but the last few hundred units.
    let low = 0;
    const probe = limit - PROBE;
    if (probe > 0) {
        if (a.startsWith(b.slice(0, probe))) {
            low = probe;
        } else {
            let high = probe;
            while (high - low > PROBE) {
                const mid = (low + high) >>> 1;
                if (a.startsWith(b.slice(0, mid))) low = mid;
                else high = mid;
            }
        }
    }
    while (low < limit && a.charCodeAt(low) === b.charCodeAt(low)) low++;
    return low;
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
    return code >= 0xdc00 && code <= 0xdfff;
}
