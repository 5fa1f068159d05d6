/**
 * `search_notes(query, limit=10)` (docs/context.md): whole words, all of them, `word*` for a prefix — the
 * syntax of the conversations search's `q` (docs/api.md), parsed by the same code — over the titles and
 * text of the notes an agent may see; paths, titles and a snippet per hit, best first (bm25, a title
 * word worth ten in the text).
 */
import { oneLine } from "../../shared/note/callouts";
import { parseWords } from "../services/conversation-filters";
import { textArg, type Tool, countArg, ToolError } from "./tool";
import type { VaultToolContext } from "./vault-context";

export const SEARCH_NOTES = "search_notes";
export const MAX_SEARCH_LIMIT = 50;

export const searchNotes: Tool<VaultToolContext> = {
    spec: {
        name: SEARCH_NOTES,
        description:
            "Search the notes in the user's vault by words in their titles and text. Every word must appear as a whole word; end a word with * " +
            "to match words that start with it (plan* finds plans, planning). Answers the best notes first: path, title and a snippet " +
            "with the matched words in **bold**. Read a note whole with read_note.",
        input_schema: {
            type: "object",
            properties: {
                query: { type: "string", description: "Words to find, separated by spaces, such as `budget 2025` or `meet* alice`." },
                limit: { type: "integer", description: `How many notes to answer at most (1–${MAX_SEARCH_LIMIT}, default 10).` },
            },
            required: ["query"],
        },
    },
    async run(ctx, args) {
        const query = textArg(args, "query");
        const limit = countArg(args, "limit", 10, 1, MAX_SEARCH_LIMIT);
        const words = parseWords(query, "query");
        if (words.length === 0) throw new ToolError("query is empty: give one or more words to search for");
        const { hits, complete } = await ctx.index.search(words, limit);
        const lines = complete
            ? []
            : ["(The index of the vault is still being built after the daemon started: notes not indexed yet are missing.)"];
        if (hits.length === 0) return [...lines, `No notes match "${query}".`].join("\n");
        lines.push(`${hits.length} ${hits.length === 1 ? "note matches" : "notes match"} "${query}", best first:`);
        hits.forEach((hit, i) => {
            lines.push(`${i + 1}. ${hit.path} — ${hit.title}`);
            const snippet = oneLine(hit.snippet ?? "", 400);
            if (snippet !== "") lines.push(`   ${snippet}`);
        });
        return lines.join("\n");
    },
};
