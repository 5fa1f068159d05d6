/**
 * The parts a reply is made of, in the order they happen (docs/notes.md): streamed text, a folded
 * `[!thinking]` callout, `[!tool]` callouts, and fixed blocks such as the context callout. Each renders
 * on its own; ReplyBuilder puts a blank line between them.
 */
import { calloutHeader, quoteLine } from "./callouts";
import { type Fence, escapeReplyLine } from "./markdown-lines";
import { StreamedLines } from "./streamed-lines";

export type Part =
    | { kind: "text"; lines: StreamedLines }
    | { kind: "thinking"; lines: StreamedLines }
    | { kind: "tool"; title: string; summary: string }
    /** Fixed text written whole, such as the context callout. */
    | { kind: "block"; text: string };

const THINKING_HEADER = calloutHeader("thinking", true, "");

function escapeRoleLine(line: string, fence: Fence | null): string {
    return fence ? line : escapeReplyLine(line);
}

/** A new streamed part: text escapes role lines and closes an open fence; thinking is quoted. */
export function streamedPart(kind: "text" | "thinking", nl: string): Extract<Part, { kind: "text" | "thinking" }> {
    return kind === "text"
        ? { kind, lines: new StreamedLines(escapeRoleLine, "", true, nl) }
        : { kind, lines: new StreamedLines(quoteLine, "> ", false, nl) };
}

/** A part's rendering from `from` on (a text part's finished lines are not rendered again). */
export function renderPart(part: Part, from: number, nl: string): string {
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
export function stableLength(part: Part, nl: string): number {
    if (part.kind === "block") return part.text.replace(/\n/g, nl).length;
    if (part.kind === "tool" || part.lines.isEmpty()) return 0;
    return part.kind === "thinking" ? THINKING_HEADER.length + nl.length + part.lines.stable() : part.lines.stable();
}
