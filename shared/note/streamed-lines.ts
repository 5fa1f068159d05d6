/**
 * One streamed block of a reply (its text, or its thinking) as note lines, as the chunks arrive
 * (docs/notes.md). Each line goes through a mapping (role lines escaped, thinking quoted); the
 * rendering is always a well-formed note tail: an open code fence is closed, and it never ends in
 * whitespace.
 */
import { type Fence, fenceCloser, nextFence } from "./markdown-lines";

/** A line's rendering: the line with `insert` put in at `at` (an escape, a quote marker), or replaced whole. */
export type LineMap = (line: string, fence: Fence | null) => string;

/**
 * Streams lines through `mapLine`. The rendering never ends in whitespace: trailing blank lines wait
 * until text follows them. The cost of each chunk follows the chunk (issue 9): finished lines are
 * kept as pieces and never rendered again, and the unfinished last line is kept as its chunks; only a
 * line that starts like a heading, an escape, a callout or a fence (which a later character can change)
 * is rendered whole while it grows.
 */
export class StreamedLines {
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
        const volatile =
            this.tailTrimmed === 0 ? 0 : this.pending.length + (plain ? this.plainPrefix.length + this.tailTrimmed : mapped.length);
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
                        if (take(chunkStart + chunk.length > this.tailTrimmed ? chunk.slice(0, this.tailTrimmed - chunkStart) : chunk))
                            return;
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
