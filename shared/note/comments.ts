/**
 * Obsidian comments, `%% … %%` inline or across lines, are notes to oneself: Obsidian hides them in
 * reading view and Lodge never sends them to a model. Inside fenced code and inline code `%%` is text
 * (R's modulo, a shell's `%%`), and a `%%` without a closing one is text too, so a stray pair of
 * percent signs never swallows the rest of a turn. Role headings are found before comments are
 * dropped: a comment cannot hide one.
 */
import { type Fence, nextFence } from "./markdown-lines";

const BACKTICK = 96;
const PERCENT = 37;

/** The text with every closed comment removed; a comment that filled its lines takes those lines with it. */
export function dropComments(text: string): string {
    if (!text.includes("%%")) return text;
    let out = "";
    let fence: Fence | null = null;
    let i = 0;
    // Fences open and close only on a whole line; after a comment that ends mid-line, the rest is not one.
    let atLineStart = true;
    while (i < text.length) {
        const lineEnd = lineEndOf(text, i);
        if (atLineStart) {
            const line = text.slice(i, lineEnd);
            const next = nextFence(line, fence);
            if (fence || next) {
                fence = next;
                out += text.slice(i, lineEnd + 1);
                i = lineEnd + 1;
                continue;
            }
        }
        const cut = commentStart(text, i, lineEnd);
        if (cut < 0) {
            out += text.slice(i, lineEnd + 1);
            i = lineEnd + 1;
            atLineStart = true;
            continue;
        }
        const close = text.indexOf("%%", cut + 2);
        if (close < 0) return out + text.slice(i); // no closing `%%`: the rest is text
        out += text.slice(i, cut);
        const closeLineEnd = lineEndOf(text, close);
        const lineSoFar = out.slice(out.lastIndexOf("\n") + 1);
        if (lineSoFar.trim() === "" && text.slice(close + 2, closeLineEnd).trim() === "") {
            // The comment fills whole lines: drop them, line breaks included.
            out = out.slice(0, out.length - lineSoFar.length);
            i = closeLineEnd + 1;
            atLineStart = true;
        } else {
            i = close + 2;
            atLineStart = false;
        }
    }
    return out;
}

/** Where a comment opens between `from` and `lineEnd`, skipping inline code; -1 when none does. */
function commentStart(text: string, from: number, lineEnd: number): number {
    let j = from;
    while (j < lineEnd) {
        const c = text.charCodeAt(j);
        if (c === BACKTICK) j = afterCodeSpan(text, j, lineEnd);
        else if (c === PERCENT && text.charCodeAt(j + 1) === PERCENT) return j;
        else j++;
    }
    return -1;
}

function lineEndOf(text: string, from: number): number {
    const end = text.indexOf("\n", from);
    return end < 0 ? text.length : end;
}

/** Past the inline code span that starts at `at`, or just past its backticks when nothing closes it on the line. */
function afterCodeSpan(text: string, at: number, lineEnd: number): number {
    let n = 0;
    while (text.charCodeAt(at + n) === BACKTICK) n++;
    let k = at + n;
    while (k < lineEnd) {
        if (text.charCodeAt(k) !== BACKTICK) {
            k++;
            continue;
        }
        let m = 0;
        while (text.charCodeAt(k + m) === BACKTICK) m++;
        if (m === n) return k + m;
        k += m;
    }
    return at + n;
}
