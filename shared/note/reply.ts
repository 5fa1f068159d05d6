/**
 * Renders an assistant reply into note markdown as it streams (SPEC §3): text, thinking and tool
 * callouts in the order they happen, then an error or stopped callout, then the scaffold for the
 * next user turn (after a failure or a stop, only when some text arrived). At every moment the
 * rendering is a well-formed note tail: role lines are escaped and an open code fence is closed, so
 * the partial reply never swallows the scaffold or a heading.
 */
import { type Fence, escapeReplyLine, fenceCloser, nextFence } from "./markdown-lines";

export const REPLY_HEAD = "\n\n### Assistant:\n\n";
export const SCAFFOLD = "\n\n### User:\n\n";
export const STOPPED_CALLOUT = "> [!warning]- stopped";

/**
 * Streams lines through `mapLine`, re-rendering only the unfinished last line on each read. The
 * rendering never ends in whitespace: trailing blank lines wait until text follows them.
 */
class StreamedLines {
    private raw = "";
    private doneLength = 0;
    private doneOut = "";
    /** Length of `doneOut` through the last line with text (its trailing blanks excluded). */
    private contentEnd = 0;
    private fence: Fence | null = null;

    constructor(
        private readonly mapLine: (line: string, fence: Fence | null) => string,
        private readonly closeFences: boolean,
    ) {}

    append(chunk: string): void {
        // Leading whitespace is dropped before line rules apply: trimming it later could turn
        // "   ### User:" into a heading that was never escaped.
        this.raw += this.raw === "" ? chunk.replace(/^\s+/, "") : chunk;
        let nl: number;
        while ((nl = this.raw.indexOf("\n", this.doneLength)) >= 0) {
            const line = this.raw.slice(this.doneLength, nl);
            const mapped = this.mapLine(line, this.fence);
            if (line.trim() !== "") this.contentEnd = this.doneOut.length + mapped.trimEnd().length;
            this.doneOut += mapped + "\n";
            this.fence = nextFence(line, this.fence);
            this.doneLength = nl + 1;
        }
    }

    render(): string {
        const tail = this.raw.slice(this.doneLength);
        let out: string;
        let fence = this.fence;
        if (tail.trim() === "") {
            out = this.doneOut.slice(0, this.contentEnd);
        } else {
            out = this.doneOut + this.mapLine(tail.trimEnd(), this.fence);
            fence = nextFence(tail, this.fence);
        }
        if (out === "" || !fence || !this.closeFences) return out;
        return `${out}\n${fenceCloser(fence)}`;
    }
}

function escapeRoleLine(line: string, fence: Fence | null): string {
    return fence ? line : escapeReplyLine(line);
}

function quoteLine(line: string): string {
    return line === "" || line === "\r" ? ">" : `> ${line}`;
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
    | { kind: "tool"; title: string; summary: string };

export class ReplyBuilder {
    private readonly parts: Part[] = [];
    private ending = "";
    private scaffold = false;
    private split = false;
    private infoBlock = "";

    /**
     * Starts the reply with the folded `[!info]- context: …` callout (SPEC §12): the title, then one
     * line per item. Called before anything streams; an empty title means no callout.
     */
    info(title: string, lines: readonly string[]): void {
        this.infoBlock = title === "" ? "" : [calloutHeader("info", true, `context: ${oneLine(title)}`), ...lines.map((l) => `> - ${oneLine(l, 300)}`)].join("\n");
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
        this.parts.push({ kind: "tool", title: oneLine(hint ? `${name} ${hint}` : name), summary: firstLine(summary) });
        return this.parts.length - 1;
    }

    toolSummary(handle: number, summary: string): void {
        const part = this.parts[handle];
        if (part?.kind === "tool") part.summary = firstLine(summary);
    }

    /**
     * Ends the reply with an `[!error]` callout (the text so far is kept): the message's first line
     * is the title; further lines are details, and only a callout with details is folded.
     */
    fail(message: string): void {
        const [first = "", ...rest] = message.trim().split(/\r?\n/);
        const details = rest.join("\n").trim();
        const header = calloutHeader("error", details !== "", oneLine(first, 300) || "error");
        this.ending = details === "" ? header : `${header}\n${details.split(/\r?\n/).map((line) => quoteLine(line.trimEnd())).join("\n")}`;
        this.scaffold = this.hasText();
    }

    /** Ends the reply with the stopped warning. */
    stop(): void {
        this.ending = STOPPED_CALLOUT;
        this.scaffold = this.hasText();
    }

    /**
     * Whether any reply text arrived. A reply cut short after some text still ends with the scaffold
     * (the person goes on from there); one cut short before any text does not: it is a failed turn,
     * which the next save retries in its place (failed-turn.ts).
     */
    hasText(): boolean {
        return this.parts.some((part) => part.kind === "text" && part.lines.render() !== "");
    }

    /** Ends the reply normally: the scaffold for the next user turn follows. */
    finish(): void {
        this.scaffold = true;
    }

    /** The body: what goes between the assistant heading and the scaffold, trimmed. */
    body(): string {
        const blocks: string[] = this.infoBlock ? [this.infoBlock] : [];
        for (const part of this.parts) {
            const block = renderPart(part);
            if (block !== "") blocks.push(block);
        }
        if (this.ending) blocks.push(this.ending);
        return blocks.join("\n\n");
    }

    /** The reply as it goes into the note: from `\n\n### Assistant:` through the scaffold once finished. */
    reply(): string {
        return REPLY_HEAD + this.body() + (this.scaffold ? SCAFFOLD : "");
    }

    private streamed(kind: "text" | "thinking", chunk: string): void {
        if (chunk === "") return;
        let last = this.parts[this.parts.length - 1];
        if (last?.kind !== kind || this.split) {
            this.split = false;
            last = kind === "text"
                ? { kind, lines: new StreamedLines(escapeRoleLine, true) }
                : { kind, lines: new StreamedLines(quoteLine, false) };
            this.parts.push(last);
        }
        last.lines.append(chunk);
    }
}

function renderPart(part: Part): string {
    switch (part.kind) {
        case "text":
            return part.lines.render();
        case "thinking": {
            const quoted = part.lines.render();
            return quoted === "" ? "" : `${calloutHeader("thinking", true, "")}\n${quoted}`;
        }
        case "tool": {
            const header = calloutHeader("tool", true, part.title);
            return part.summary ? `${header}\n> ${part.summary}` : header;
        }
    }
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
