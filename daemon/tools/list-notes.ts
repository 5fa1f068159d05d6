/**
 * `list_notes(folder="", limit=200)` (docs/context.md): the notes under a folder, at any depth, in path
 * order, with their sizes (bytes) and modification times — from the vault index, which holds only
 * the notes an agent may see, brought up to date first.
 */
import { countArg, textArg, type Tool } from "./tool";
import { folderArg, type VaultToolContext } from "./vault-context";

export const LIST_NOTES = "list_notes";
export const MAX_LIST_LIMIT = 1000;

export const listNotes: Tool<VaultToolContext> = {
    spec: {
        name: LIST_NOTES,
        description:
            "List the notes of the user's vault under a folder (and its subfolders), in path order: path, size in bytes and when it was last modified.",
        input_schema: {
            type: "object",
            properties: {
                folder: {
                    type: "string",
                    description: 'A folder relative to the vault, such as "Projects"; "" (the default) for the whole vault.',
                },
                limit: { type: "integer", description: `How many notes to list at most (1–${MAX_LIST_LIMIT}, default 200).` },
            },
        },
    },
    async run(ctx, args) {
        const folder = folderArg(textArg(args, "folder", ""), ctx.visibility);
        const limit = countArg(args, "limit", 200, 1, MAX_LIST_LIMIT);
        const { notes, total, complete } = await ctx.index.list(folder, limit);
        const where = folder === "" ? "the vault" : `${folder}/`;
        const lines = complete
            ? []
            : ["(The index of the vault is still being built after the daemon started: notes not indexed yet are missing.)"];
        if (total === 0) return [...lines, `No notes in ${where}.`].join("\n");
        lines.push(`${total} ${total === 1 ? "note" : "notes"} in ${where} (path — bytes — modified):`);
        for (const n of notes) lines.push(`${n.path} — ${n.size} — ${new Date(Math.round(n.mtimeMs)).toISOString()}`);
        if (total > notes.length)
            lines.push(
                `(${total - notes.length} more not listed: raise limit, up to ${MAX_LIST_LIMIT}, or list a folder inside this one.)`,
            );
        return lines.join("\n");
    },
};
