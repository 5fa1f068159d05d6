/**
 * The reply's deltas (docs/api.md `delta`): what was sent so far, and the edit from it to the reply now,
 * with a cost that follows the change, not the reply (issue 9: re-rendering and diffing the whole reply
 * per chunk was quadratic). Parts before the first changed one are not rendered again, and a text
 * part's finished lines never.
 */
import { type Delta, diffText } from "../protocol/delta";
import { type Part, renderPart, stableLength } from "./reply-parts";

/** The reply's rendering around its parts: the heading before them, the ending and the scaffold after. */
export interface ReplyFrame {
    head: string;
    /** The ending callout ("" for none). */
    ending: string;
    /** The scaffold for the next user turn ("" for none). */
    scaffold: string;
    nl: string;
}

export class ReplyDeltas {
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

    /** Part `index` changed (the parts' count: the ending changed). */
    touch(index: number): void {
        if (index < this.dirty) this.dirty = index;
    }

    /** A part was put before all others: everything from it on is sent again. */
    prepended(): void {
        this.sentLengths.unshift(0);
        this.sentStable.unshift(0);
        this.dirty = 0;
    }

    /** The edit turning the reply as of the last call (nothing, before the first) into the reply now, or null. */
    next(parts: readonly Part[], frame: ReplyFrame): Delta | null {
        const sep = frame.nl + frame.nl;
        const first = Math.min(this.dirty, parts.length);
        let at = frame.head.length;
        let blocks = 0;
        for (let i = 0; i < first; i++) {
            const length = this.sentLengths[i]!;
            if (length > 0) at += (blocks++ > 0 ? sep.length : 0) + length;
        }
        const pieces: string[] = [];
        for (let i = first; i < parts.length; i++) {
            const part = parts[i]!;
            const shown = i === first && (this.sentLengths[i] ?? 0) > 0;
            // A part shown before is unchanged through its stable start (parts shown never vanish).
            const from = shown ? this.sentStable[i]! : 0;
            const block = renderPart(part, from, frame.nl);
            if (shown) {
                at += (blocks > 0 ? sep.length : 0) + from;
                pieces.push(block);
            } else if (block !== "") {
                pieces.push((blocks > 0 ? sep : "") + block);
            }
            this.sentLengths[i] = from + block.length;
            this.sentStable[i] = stableLength(part, frame.nl);
            if (from + block.length > 0) blocks++;
        }
        if (frame.ending) pieces.push((blocks > 0 ? sep : "") + frame.ending);
        pieces.push(frame.scaffold);
        let tail = pieces.join("");
        let delta: Delta | null;
        if (!this.sentAny) {
            // The first delta: everything, the assistant heading included (parts are all new).
            tail = frame.head + tail;
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
}
