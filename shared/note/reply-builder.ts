/**
 * Renders an assistant reply into note markdown as it streams (docs/notes.md): text, thinking and tool
 * callouts in the order they happen (reply-parts.ts), then an error or stopped callout, then the
 * scaffold for the next user turn (after a failure or a stop, only when some text arrived). At every
 * moment the rendering is a well-formed note tail: role lines are escaped and an open code fence is
 * closed, so the partial reply never swallows the scaffold or a heading.
 */
import type { Delta } from "../protocol/delta";
import { calloutHeader, firstLine, oneLine, quoteLine } from "./callouts";
import { ReplyDeltas } from "./reply-deltas";
import { type Part, renderPart, streamedPart } from "./reply-parts";
import { cleanText } from "./sanitize";

export const REPLY_HEAD = "\n\n### Assistant:\n\n";
export const SCAFFOLD = "\n\n### User:\n\n";
const STOPPED_CALLOUT = "> [!warning]- stopped";

export interface ReplyOptions {
    /** Line breaks as `\r\n`: the reply goes into a note written with CRLF. */
    crlf?: boolean;
}

/** The reply as it streams; `delta()` gives the edit since the last call (reply-deltas.ts). */
export class ReplyBuilder {
    private readonly parts: Part[] = [];
    private ending = "";
    private scaffold = false;
    private split = false;
    private readonly nl: string;
    private readonly deltas = new ReplyDeltas();

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
        this.deltas.prepended();
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
        this.deltas.touch(this.parts.length);
        this.parts.push({
            kind: "tool",
            title: oneLine(cleanText(hint ? `${name} ${hint}` : name)),
            summary: firstLine(cleanText(summary)),
        });
        return this.parts.length - 1;
    }

    toolSummary(handle: number, summary: string): void {
        const part = this.parts[handle];
        if (part?.kind !== "tool") return;
        this.deltas.touch(handle);
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
        this.end(
            details === ""
                ? header
                : `${header}\n${details
                      .split("\n")
                      .map((line) => quoteLine(line.trimEnd()))
                      .join("\n")}`,
            this.hasText(),
        );
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
        return this.deltas.next(this.parts, {
            head: this.eol(REPLY_HEAD),
            ending: this.ending && this.eol(this.ending),
            scaffold: this.scaffold ? this.eol(SCAFFOLD) : "",
            nl: this.nl,
        });
    }

    private end(ending: string, scaffold: boolean): void {
        this.deltas.touch(this.parts.length);
        this.ending = ending;
        this.scaffold = scaffold;
    }

    private eol(text: string): string {
        return this.nl === "\n" ? text : text.replace(/\n/g, this.nl);
    }

    private streamed(kind: "text" | "thinking", chunk: string): void {
        if (chunk === "") return;
        let last = this.parts[this.parts.length - 1];
        if (last?.kind !== kind || this.split) {
            this.split = false;
            last = streamedPart(kind, this.nl);
            this.parts.push(last);
        }
        this.deltas.touch(this.parts.length - 1);
        last.lines.append(chunk);
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
