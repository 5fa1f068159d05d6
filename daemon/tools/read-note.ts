/**
 * `read_note(path, offset=0)` (docs/context.md): a note's text, frontmatter included, at most 40,000
 * characters a call, with its total length and how to read on. Characters are Unicode code points.
 * The path is resolved as every request's filename is (vault/vault.ts: nothing outside the vault, no
 * hidden folder or file), then asked about at vault/visibility.ts: excluded notes are refused.
 */
import { LodgeError } from "../../shared/errors";
import type { NotePath } from "../vault/vault";
import { countArg, textArg, type Tool, ToolError } from "./tool";
import { refusal, type VaultToolContext } from "./vault-context";

export const READ_NOTE = "read_note";
export const READ_CHARS = 40_000;

/** The UTF-16 index of code point number `n` (or the end). */
function codeUnitIndex(text: string, n: number): number {
    let i = 0;
    for (let count = 0; count < n && i < text.length; count++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    return i;
}

function codePoints(text: string): number {
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
            const d = text.charCodeAt(i + 1);
            if (d >= 0xdc00 && d <= 0xdfff) {
                n--;
                i++;
            }
        }
    }
    return n;
}

async function resolveNote(ctx: VaultToolContext, path: string): Promise<NotePath> {
    try {
        return await ctx.vault.resolve(path);
    } catch (err) {
        if (err instanceof LodgeError)
            throw new ToolError(`path "${path}" is refused: ${err.message.replace(/^filename is (refused: )?/, "")}`);
        throw err;
    }
}

export const readNote: Tool<VaultToolContext> = {
    spec: {
        name: READ_NOTE,
        description:
            `Read a note of the user's vault: its text with the frontmatter, at most ${READ_CHARS.toLocaleString("en-US")} characters a call. ` +
            "The answer says the note's total length; for a longer note call again with the offset it gives.",
        input_schema: {
            type: "object",
            properties: {
                path: {
                    type: "string",
                    description: "The note's path relative to the vault, as search_notes and list_notes give it (`.md` may be left out).",
                },
                offset: { type: "integer", description: "The character to start at (default 0)." },
            },
            required: ["path"],
        },
    },
    async run(ctx, args) {
        const path = textArg(args, "path");
        if (path.trim() === "") throw new ToolError("path is required: the note's path relative to the vault");
        const offset = countArg(args, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
        const note = await resolveNote(ctx, path);
        const byPath = ctx.visibility.pathRule(note.relative);
        if (byPath) throw refusal(`"${note.relative}"`, byPath);
        let text: string | null;
        try {
            text = await ctx.vault.read(note);
        } catch (err) {
            if (err instanceof LodgeError) throw new ToolError(`"${note.relative}" cannot be read: ${err.message}`);
            throw err;
        }
        if (text === null)
            throw new ToolError(`there is no note "${note.relative}" in the vault; search_notes and list_notes give the paths that exist`);
        const byText = ctx.visibility.note(note.relative, text);
        if (byText) throw refusal(`"${note.relative}"`, byText);
        const total = codePoints(text);
        if (offset > total || (offset === total && total > 0))
            throw new ToolError(`offset ${offset} is past the end of "${note.relative}", which has ${total} characters`);
        const start = codeUnitIndex(text, offset);
        const end = start + codeUnitIndex(text.slice(start, start + 2 * READ_CHARS), READ_CHARS);
        const next = offset + codePoints(text.slice(start, end));
        const head =
            offset === 0 && next === total
                ? `${note.relative} — ${total} characters, the whole note:`
                : `${note.relative} — characters ${offset} to ${next} of ${total}` +
                  (next < total ? ` (call read_note with offset ${next} to read on):` : ", the end of the note:");
        return `${head}\n\n${text.slice(start, end)}`;
    },
};
