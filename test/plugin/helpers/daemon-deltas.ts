/**
 * Deltas as the daemon makes them for `writer: "editor"` (docs/api.md): the reply rendered by the
 * shared ReplyBuilder after every token, each version diffed against the previous one.
 */
import { diffText, type Delta } from "../../../shared/protocol/delta";
import { ReplyBuilder } from "../../../shared/note/reply-builder";

export interface Script {
    deltas: Delta[];
    /** `done.reply`. */
    reply: string;
}

export function daemonDeltas(tokens: readonly string[], end: "finish" | "stop" | { error: string } = "finish"): Script {
    const builder = new ReplyBuilder();
    const deltas: Delta[] = [];
    let previous = "";
    const emit = (): void => {
        const next = builder.reply();
        const delta = diffText(previous, next);
        if (delta) deltas.push(delta);
        previous = next;
    };
    emit();
    for (const token of tokens) {
        builder.text(token);
        emit();
    }
    if (end === "finish") builder.finish();
    else if (end === "stop") builder.stop();
    else builder.fail(end.error);
    emit();
    return { deltas, reply: previous };
}

/** Splits text into tokens of 1–`max` characters, deterministically from `random`. */
export function tokenize(text: string, random: () => number, max = 6): string[] {
    const out: string[] = [];
    for (let i = 0; i < text.length;) {
        const n = 1 + Math.floor(random() * max);
        out.push(text.slice(i, i + n));
        i += n;
    }
    return out;
}
