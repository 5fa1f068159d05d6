/**
 * Line-level markdown rules shared by the parser and the renderer: role headings, escaped role
 * headings and code fences (docs/notes.md). Both sides must agree on them exactly, or a reply written by
 * the renderer would read back differently.
 */
import type { Role } from "./types";

/** `#{1,6} User:` / `#{1,6} Assistant:`: case-insensitive, colon optional, trailing blanks allowed. */
const ROLE_HEADING = /^#{1,6}[ \t]+(user|assistant)[ \t]*:?[ \t]*\r?$/i;
/** The same line behind one or more backslashes: an escaped role line inside a reply. */
const ESCAPED_ROLE_HEADING = /^\\+#{1,6}[ \t]+(?:user|assistant)[ \t]*:?[ \t]*\r?$/i;
/** A fence opener: up to 3 spaces, then 3+ backticks (info string without backticks) or 3+ tildes. */
const FENCE_OPEN = /^ {0,3}(`{3,}(?!.*`)|~{3,})/;

/**
 * A Lodge callout header (thinking, tool, error, stopped, and the context info of docs/context.md): not part
 * of the assistant's text. Only an `[!info]` titled `context:` is Lodge's; a model may write others.
 */
const CALLOUT = /^> ?\[!(?:thinking|tool|error)\]|^> ?\[!warning\]-? *stopped[ \t]*\r?$|^> ?\[!info\]-? *context:/i;
/** The same header with backslashes before `[`: a reply's own text that looks like a Lodge callout. */
const ESCAPED_CALLOUT = /^> ?\\+\[!(?:thinking|tool|error)\]|^> ?\\+\[!warning\]-? *stopped[ \t]*\r?$|^> ?\\+\[!info\]-? *context:/i;

export interface Fence {
    char: "`" | "~";
    length: number;
}

const HASH = 35;
const BACKSLASH = 92;
const GT = 62;
const SPACE = 32;
const BACKTICK = 96;
const TILDE = 126;

/** The role of a role-heading line, or null. Cheap for the common line that does not start with `#`. */
export function roleOfHeading(line: string): Role | null {
    if (line.charCodeAt(0) !== HASH) return null;
    const m = ROLE_HEADING.exec(line);
    if (!m) return null;
    return m[1]!.toLowerCase() === "user" ? "user" : "assistant";
}

export function isCalloutHeader(line: string): boolean {
    return line.charCodeAt(0) === GT && CALLOUT.test(line);
}

/** The callouts Lodge ends a reply with (error, stopped): nothing of the reply ever follows them. */
const ENDING_CALLOUT = /^> ?\[!error\]|^> ?\[!warning\]-? *stopped[ \t]*\r?$/i;

export function isEndingCallout(line: string): boolean {
    return line.charCodeAt(0) === GT && ENDING_CALLOUT.test(line);
}

/**
 * A reply line, written so that it reads back as itself: a line that would read as a role heading
 * or a Lodge callout gets one more backslash (before the line, or before the callout's `[`).
 */
export function escapeReplyLine(line: string): string {
    const c = line.charCodeAt(0);
    if ((c === HASH || c === BACKSLASH) && (ROLE_HEADING.test(line) || ESCAPED_ROLE_HEADING.test(line))) return `\\${line}`;
    if (c === GT && (CALLOUT.test(line) || ESCAPED_CALLOUT.test(line))) {
        const bracket = line.search(/[\\[]/);
        return `${line.slice(0, bracket)}\\${line.slice(bracket)}`;
    }
    return line;
}

/** The inverse of escapeReplyLine. */
export function unescapeReplyLine(line: string): string {
    const c = line.charCodeAt(0);
    if (c === BACKSLASH && ESCAPED_ROLE_HEADING.test(line)) return line.slice(1);
    if (c === GT && ESCAPED_CALLOUT.test(line)) {
        const slash = line.indexOf("\\");
        return line.slice(0, slash) + line.slice(slash + 1);
    }
    return line;
}

/** The fence this line opens, or null. */
function fenceOpener(line: string): Fence | null {
    const c = line.charCodeAt(0);
    if (c !== BACKTICK && c !== TILDE && c !== SPACE) return null;
    const m = FENCE_OPEN.exec(line);
    if (!m) return null;
    const run = m[1]!;
    return { char: run[0] === "`" ? "`" : "~", length: run.length };
}

/** Whether this line closes `fence`: same character, at least as long, nothing after but blanks. */
function closesFence(line: string, fence: Fence): boolean {
    let i = 0;
    while (i < 3 && line.charCodeAt(i) === SPACE) i++;
    const code = fence.char === "`" ? BACKTICK : TILDE;
    let n = 0;
    while (line.charCodeAt(i + n) === code) n++;
    if (n < fence.length) return false;
    for (let j = i + n; j < line.length; j++) {
        const ch = line.charCodeAt(j);
        if (ch !== SPACE && ch !== 9 && ch !== 13) return false;
    }
    return true;
}

/** Fence state after one more line: the line opens a fence, closes the open one, or changes nothing. */
export function nextFence(line: string, open: Fence | null): Fence | null {
    if (open) return closesFence(line, open) ? null : open;
    return fenceOpener(line);
}

/** The line that closes `fence`, written by the renderer when a reply ends inside a code block. */
export function fenceCloser(fence: Fence): string {
    return fence.char.repeat(fence.length);
}

/** The note's line ending, from its first line break: a CRLF note gets CRLF in what Lodge writes into it. */
export function lineEnding(text: string): "\n" | "\r\n" {
    const nl = text.indexOf("\n");
    return nl > 0 && text.charCodeAt(nl - 1) === 13 ? "\r\n" : "\n";
}
