/**
 * Text a note can hold (issue 9): a model's reply may carry NUL and other control characters (a note
 * with NUL is refused as binary ever after), lone surrogates (written to disk as U+FFFD, so the stored
 * history would disagree with the note) and line breaks CodeMirror breaks on but the note rules do not
 * (`\r`, U+2028, U+2029). Every reply text goes through this one cleaner as it arrives, so the deltas,
 * the note and the stored history all hold the same text: C0 controls other than tab and line feed are
 * dropped, lone surrogates become U+FFFD, and every line break becomes `\n`.
 */

const UNFIT =
    /\r\n?|[\u2028\u2029]|[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function replace(match: string): string {
    if (match.charCodeAt(0) === 13 || match === "\u2028" || match === "\u2029") return "\n";
    return match.length === 1 && match.charCodeAt(0) >= 0xd800 ? "\ufffd" : "";
}

/** The whole text, cleaned. Streaming the same text through a TextCleaner gives the same result. */
export function cleanText(text: string): string {
    return text.replace(UNFIT, replace);
}

/**
 * Cleans a text that arrives in chunks: a chunk ending in `\r` or a high surrogate keeps that last
 * character back until the next chunk says whether it is `\r\n` or a pair.
 */
export class TextCleaner {
    private held = "";

    push(chunk: string): string {
        let text = this.held + chunk;
        this.held = "";
        const last = text.charCodeAt(text.length - 1);
        if (last === 13 || (last >= 0xd800 && last <= 0xdbff)) {
            this.held = text.slice(-1);
            text = text.slice(0, -1);
        }
        return cleanText(text);
    }

    /** What was held back, cleaned: the text has ended. */
    end(): string {
        const rest = this.held;
        this.held = "";
        return cleanText(rest);
    }
}
