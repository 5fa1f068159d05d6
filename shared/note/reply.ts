/**
 * Renders an assistant reply into note markdown as it streams (docs/notes.md): text, thinking and tool
 * callouts in the order they happen, then an error or stopped callout, then the scaffold for the
 * next user turn (after a failure or a stop, only when some text arrived). At every moment the
 * rendering is a well-formed note tail: role lines are escaped and an open code fence is closed, so
 * the partial reply never swallows the scaffold or a heading.
 */
import { type Delta, diffText } from "../protocol/delta";
import { type Fence, escapeReplyLine, fenceCloser, nextFence } from "./markdown-lines";
import { cleanText } from "./sanitize";

export const REPLY_HEAD = "\n\n### Assistant:\n\n";
export const SCAFFOLD = "\n\n### User:\n\n";
export const STOPPED_CALLOUT = "> [!warning]- stopped";

/** A line's rendering: the line with `insert` put in at `at` (an escape, a quote marker), or replaced whole. */
type LineMap = (line: string, fence: Fence | null) => string;

/**
 * Streams lines through `mapLine`. The rendering never ends in whitespace: trailing blank lines wait
 * until text follows them. The cost of each chunk follows the chunk (issue 9): finished lines are
 * kept as pieces and never rendered again, and the unfinished last line is kept as its chunks; only a
 * line that starts like a heading, an escape, a callout or a fence (which a later character can change)
 * is rendered whole while it grows.
 */
class StreamedLines {
    private started = false;
    /** Rendered finished lines through the last one with text: never changes, only grows. */
    private readonly content: string[] = [];
    private contentLength = 0;
    /** Rendered whitespace after `content` (trailing blanks of its last line, line breaks, blank lines). */
    private pending = "";
    private fence: Fence | null = null;
    /** The unfinished last line, raw, as it arrived. */
    private tail: string[] = [];
    private tailLength = 0;
    /** Length of the tail without its trailing whitespace. */
    private tailTrimmed = 0;

    constructor(
        private readonly mapLine: LineMap,
        /** What `mapLine` puts before a line that does not start specially (see `plainTail`). */
        private readonly plainPrefix: string,
        private readonly closeFences: boolean,
        private readonly nl: string,
    ) {}

    append(chunk: string): void {
        if (!this.started) {
            // Leading whitespace is dropped before line rules apply: trimming it later could turn
            // "   ### User:" into a heading that was never escaped.
            chunk = chunk.replace(/^\s+/, "");
            if (chunk === "") return;
            this.started = true;
        }
        let from = 0;
        let nl: number;
        while ((nl = chunk.indexOf("\n", from)) >= 0) {
            this.tail.push(chunk.slice(from, nl));
            this.commitLine(this.tail.join(""));
            this.tail = [];
            this.tailLength = 0;
            this.tailTrimmed = 0;
            from = nl + 1;
        }
        if (from < chunk.length) {
            const rest = from === 0 ? chunk : chunk.slice(from);
            const trimmed = rest.trimEnd().length;
            if (trimmed > 0) this.tailTrimmed = this.tailLength + trimmed;
            this.tail.push(rest);
            this.tailLength += rest.length;
        }
    }

    private commitLine(line: string): void {
        const mapped = this.mapLine(line, this.fence);
        if (line.trim() !== "") {
            const text = mapped.trimEnd();
            const piece = this.pending + text;
            this.content.push(piece);
            this.contentLength += piece.length;
            this.pending = mapped.slice(text.length) + this.nl;
        } else {
            this.pending += mapped + this.nl;
        }
        this.fence = nextFence(line, this.fence);
    }

    /**
     * Whether the unfinished line renders as `plainPrefix` + itself, whatever follows, and leaves the
     * fence state as it is: it does not start (after up to three spaces) with a character that could
     * make it a heading, an escaped line, a callout, or a fence's opener or closer.
     */
    private plainTail(): boolean {
        const head = (this.tail[0] ?? "").length >= 4 ? this.tail[0]! : this.tail.join("").slice(0, 4);
        if (/^ {0,3}[`~]/.test(head) || (/^ {0,3}$/.test(head) && head.length < 4)) return false;
        return this.fence !== null || !/^[#\\>]/.test(head);
    }

    isEmpty(): boolean {
        return this.contentLength === 0 && this.tailTrimmed === 0;
    }

    /** Length of the rendering's start that no later chunk changes. */
    stable(): number {
        if (this.tailTrimmed === 0 || !this.plainTail()) return this.contentLength;
        return this.contentLength + this.pending.length + this.plainPrefix.length + this.tailTrimmed;
    }

    /** The rendering from `offset` on; cheap when `offset` is near the end. */
    renderFrom(offset: number): string {
        let fence = this.fence;
        let mapped = "";
        const plain = this.tailTrimmed > 0 && this.plainTail();
        if (this.tailTrimmed > 0 && !plain) {
            const line = this.tail.join("");
            this.tail = [line];
            mapped = this.mapLine(line.slice(0, this.tailTrimmed), this.fence);
            fence = nextFence(line, this.fence);
        }
        const volatile = this.tailTrimmed === 0 ? 0 : this.pending.length + (plain ? this.plainPrefix.length + this.tailTrimmed : mapped.length);
        const length = this.contentLength + volatile;
        const closer = length > 0 && fence && this.closeFences ? this.nl + fenceCloser(fence) : "";
        // Collected from the end back to `offset`, so a long reply's start is never touched.
        const rev: string[] = [];
        let end = length + closer.length;
        const take = (piece: string): boolean => {
            const start = end - piece.length;
            rev.push(start >= offset ? piece : piece.slice(offset - start));
            end = start;
            return end <= offset;
        };
        const collect = (): void => {
            if (take(closer)) return;
            if (this.tailTrimmed > 0) {
                if (plain) {
                    let chunkEnd = this.tailLength;
                    for (let i = this.tail.length - 1; i >= 0; i--) {
                        const chunk = this.tail[i]!;
                        const chunkStart = chunkEnd - chunk.length;
                        chunkEnd = chunkStart;
                        if (chunkStart >= this.tailTrimmed) continue;
                        if (take(chunkStart + chunk.length > this.tailTrimmed ? chunk.slice(0, this.tailTrimmed - chunkStart) : chunk)) return;
                    }
                    if (take(this.plainPrefix)) return;
                } else if (take(mapped)) {
                    return;
                }
                if (take(this.pending)) return;
            }
            for (let i = this.content.length - 1; i >= 0; i--) if (take(this.content[i]!)) return;
        };
        collect();
        return rev.reverse().join("");
    }

    render(): string {
        return this.renderFrom(0);
    }
}

function escapeRoleLine(line: string, fence: Fence | null): string {
    return fence ? line : escapeReplyLine(line);
}

function quoteLine(line: string): string {
    return line === "" ? ">" : `> ${line}`;
}

/** One line, for callout titles: breaks collapsed, length capped. */
export function oneLine(text: string, max = 200): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** The first line with text, shortened: what a callout shows of a longer text. */
export function firstLine(text: string, max = 120): string {
    return oneLine(/[^\r\n]*\S[^\r\n]*/.exec(text)?.[0] ?? "", max);
}

/** A callout's header line: `> [!kind]` (folded: `> [!kind]-`), then the title if any, no trailing blanks. */
function calloutHeader(kind: string, folded: boolean, title: string): string {
    const head = `> [!${kind}]${folded ? "-" : ""}`;
    return title === "" ? head : `${head} ${title}`;
}

type Part =
    | { kind: "text"; lines: StreamedLines }
    | { kind: "thinking"; lines: StreamedLines }
    | { kind: "tool"; title: string; summary: string }
    /** Fixed text written whole, such as the context callout. */
    | { kind: "block"; text: string };

const THINKING_HEADER = calloutHeader("thinking", true, "");

export interface ReplyOptions {
    /** Line breaks as `\r\n`: the reply goes into a note written with CRLF. */
    crlf?: boolean;
}

/**
 * The reply as it streams. `delta()` gives the edit since the last call with a cost that follows the
 * change, not the reply (issue 9: re-rendering and diffing the whole reply per chunk was quadratic):
 * parts before the first changed one are not rendered again, and a text part's finished lines never.
 */
export class ReplyBuilder {
    private readonly parts: Part[] = [];
    private ending = "";
    private scaffold = false;
    private split = false;
    private readonly nl: string;
    /** First part changed since the last delta (parts.length: only the ending; past it: nothing). */
    private dirty = 0;
    /** Per part, at the last delta: its rendered length and the length of its start no chunk changes. */
    private readonly sentLengths: number[] = [];
    private readonly sentStable: number[] = [];
    private sentLength = 0;
    private sentAny = false;
    /** The emitted reply from `sentTailAt` on: what the next delta is diffed against. */
    private sentTail = "";
    private sentTailAt = 0;

    constructor(options: ReplyOptions = {}) {
        this.nl = options.crlf ? "\r\n" : "\n";
    }

    /**
     * Starts the reply with the folded `[!info]- context: …` callout (docs/context.md): the title, then one
     * line per item. Called before anything streams; an empty title means no callout.
     */
    info(title: string, lines: readonly string[]): void {
        if (title === "") return;
        const text = [calloutHeader("info", true, `context: ${oneLine(title)}`), ...lines.map((l) => `> - ${oneLine(l, 300)}`)].join("\n");
        // First in the reply, ahead of whatever parts exist: everything from it on is sent again.
        this.parts.unshift({ kind: "block", text });
        this.sentLengths.unshift(0);
        this.sentStable.unshift(0);
        this.dirty = 0;
    }

    text(chunk: string): void {
        this.streamed("text", chunk);
    }

    /** The next text starts a block of its own (a new assistant message after a tool round). */
    breakText(): void {
        this.split = true;
    }

    thinking(chunk: string): void {
        this.streamed("thinking", chunk);
    }

    /** Adds a `[!tool]` callout; returns its handle for `toolSummary`. The summary shows its first line. */
    tool(name: string, hint: string, summary = ""): number {
        this.touch(this.parts.length);
        this.parts.push({ kind: "tool", title: oneLine(cleanText(hint ? `${name} ${hint}` : name)), summary: firstLine(cleanText(summary)) });
        return this.parts.length - 1;
    }

    toolSummary(handle: number, summary: string): void {
        const part = this.parts[handle];
        if (part?.kind !== "tool") return;
        this.touch(handle);
        part.summary = firstLine(cleanText(summary));
    }

    /**
     * Ends the reply with an `[!error]` callout (the text so far is kept): the message's first line
     * is the title; further lines are details, and only a callout with details is folded.
     */
    fail(message: string): void {
        const [first = "", ...rest] = cleanText(message).trim().split("\n");
        const details = rest.join("\n").trim();
        const header = calloutHeader("error", details !== "", oneLine(first, 300) || "error");
        this.end(details === "" ? header : `${header}\n${details.split("\n").map((line) => quoteLine(line.trimEnd())).join("\n")}`, this.hasText());
    }

    /** Ends the reply with the stopped warning. */
    stop(): void {
        this.end(STOPPED_CALLOUT, this.hasText());
    }

    /**
     * Whether any reply text arrived. A reply cut short after some text still ends with the scaffold
     * (the person goes on from there); one cut short before any text does not: it is a failed turn,
     * which the next save retries in its place (failed-turn.ts).
     */
    hasText(): boolean {
        return this.parts.some((part) => part.kind === "text" && !part.lines.isEmpty());
    }

    /** Ends the reply normally: the scaffold for the next user turn follows. */
    finish(): void {
        this.end(this.ending, true);
    }

    /** The body: what goes between the assistant heading and the scaffold, trimmed. */
    body(): string {
        const blocks: string[] = [];
        for (const part of this.parts) {
            const block = renderPart(part, 0, this.nl);
            if (block !== "") blocks.push(block);
        }
        if (this.ending) blocks.push(this.eol(this.ending));
        return blocks.join(this.nl + this.nl);
    }

    /** The reply as it goes into the note: from `\n\n### Assistant:` through the scaffold once finished. */
    reply(): string {
        return this.eol(REPLY_HEAD) + this.body() + (this.scaffold ? this.eol(SCAFFOLD) : "");
    }

    /** The edit turning the reply as of the last call (nothing, before the first) into the reply now, or null. */
    delta(): Delta | null {
        const sep = this.nl + this.nl;
        const first = Math.min(this.dirty, this.parts.length);
        let at = this.eol(REPLY_HEAD).length;
        let blocks = 0;
        for (let i = 0; i < first; i++) {
            const length = this.sentLengths[i]!;
            if (length > 0) at += (blocks++ > 0 ? sep.length : 0) + length;
        }
        const pieces: string[] = [];
        for (let i = first; i < this.parts.length; i++) {
            const part = this.parts[i]!;
            const shown = i === first && (this.sentLengths[i] ?? 0) > 0;
            // A part shown before is unchanged through its stable start (parts shown never vanish).
            const from = shown ? this.sentStable[i]! : 0;
            const block = renderPart(part, from, this.nl);
            if (shown) {
                at += (blocks > 0 ? sep.length : 0) + from;
                pieces.push(block);
            } else if (block !== "") {
                pieces.push((blocks > 0 ? sep : "") + block);
            }
            this.sentLengths[i] = from + block.length;
            this.sentStable[i] = stableLength(part, this.nl);
            if (from + block.length > 0) blocks++;
        }
        if (this.ending) pieces.push((blocks > 0 ? sep : "") + this.eol(this.ending));
        if (this.scaffold) pieces.push(this.eol(SCAFFOLD));
        let tail = pieces.join("");
        let delta: Delta | null;
        if (!this.sentAny) {
            // The first delta: everything, the assistant heading included (parts are all new).
            tail = this.eol(REPLY_HEAD) + tail;
            at = 0;
            delta = { at: 0, delete: 0, insert: tail };
        } else if (at >= this.sentTailAt) {
            const d = diffText(this.sentTail.slice(at - this.sentTailAt), tail);
            delta = d && { ...d, at: d.at + at };
        } else {
            delta = { at, delete: this.sentLength - at, insert: tail };
        }
        this.sentAny = true;
        this.sentTail = tail;
        this.sentTailAt = at;
        this.sentLength = at + tail.length;
        this.dirty = Number.MAX_SAFE_INTEGER;
        return delta;
    }

    private end(ending: string, scaffold: boolean): void {
        this.touch(this.parts.length);
        this.ending = ending;
        this.scaffold = scaffold;
    }

    private touch(index: number): void {
        if (index < this.dirty) this.dirty = index;
    }

    private eol(text: string): string {
        return this.nl === "\n" ? text : text.replace(/\n/g, this.nl);
    }

    private streamed(kind: "text" | "thinking", chunk: string): void {
        if (chunk === "") return;
        let last = this.parts[this.parts.length - 1];
        if (last?.kind !== kind || this.split) {
            this.split = false;
            last = kind === "text"
                ? { kind, lines: new StreamedLines(escapeRoleLine, "", true, this.nl) }
                : { kind, lines: new StreamedLines(quoteLine, "> ", false, this.nl) };
            this.parts.push(last);
        }
        this.touch(this.parts.length - 1);
        last.lines.append(chunk);
    }
}

/** A part's rendering from `from` on (a text part's finished lines are not rendered again). */
function renderPart(part: Part, from: number, nl: string): string {
    switch (part.kind) {
        case "text":
            return part.lines.renderFrom(from);
        case "thinking": {
            if (part.lines.isEmpty()) return "";
            const head = THINKING_HEADER + nl;
            return from >= head.length ? part.lines.renderFrom(from - head.length) : head.slice(from) + part.lines.render();
        }
        case "tool": {
            const header = calloutHeader("tool", true, part.title);
            return (part.summary ? `${header}${nl}> ${part.summary}` : header).slice(from);
        }
        case "block":
            return part.text.replace(/\n/g, nl).slice(from);
    }
}

/** How much of a part's rendering no later chunk changes. */
function stableLength(part: Part, nl: string): number {
    if (part.kind === "block") return part.text.replace(/\n/g, nl).length;
    if (part.kind === "tool" || part.lines.isEmpty()) return 0;
    return part.kind === "thinking" ? THINKING_HEADER.length + nl.length + part.lines.stable() : part.lines.stable();
}

/** Renders a finished reply's text as the note shows it (for comparing stored history with a note). */
export function renderReplyText(texts: readonly string[]): string {
    const builder = new ReplyBuilder();
    for (const text of texts) {
        builder.breakText();
        builder.text(text);
    }
    return builder.body();
}
