/**
 * Runs one memory tool call for an agent: checks its arguments, applies Letta's semantics to the
 * block, and commits the result to `main` as `<agent> <agent@lodge.local>`, message `<tool>: <label>`.
 * Every failure the model can fix comes back as text (Letta's wording), never as a throw.
 */
import type { Logger } from "../log";
import type { BlockStore } from "../store/blocks";
import { blockFileText, charCount, DEFAULT_LIMIT, labelProblem, newFrontmatter, pathOf } from "./block-file";
import type { MemoryRepo } from "./repository";
import { syncBlocks } from "./sync";
import {
    CREATED,
    EDITED,
    EXISTS,
    insertAt,
    OVER_LIMIT,
    READ_ONLY,
    replaceOnce,
    TOOL_NAMES,
    UNKNOWN_LABEL,
    type Edit,
    type MemoryToolName,
} from "./tools";

export interface EditTarget {
    agent: string;
    repo: MemoryRepo;
    store: BlockStore;
    log: Logger;
}

export interface EditOutcome {
    content: string;
    isError: boolean;
}

type Args = Record<string, unknown>;

const failed = (content: string): EditOutcome => ({ content, isError: true });

/** The call's arguments, or the sentence that tells the model what is wrong with them. */
export function checkArgs(name: string, input: unknown): { tool: MemoryToolName; args: Args } | { error: string } {
    if (!(TOOL_NAMES as readonly string[]).includes(name))
        return { error: `Unknown tool ${name}; the memory tools are ${TOOL_NAMES.join(", ")}.` };
    const tool = name as MemoryToolName;
    // A copy: the call's input is also the history's tool_use block, which must stay as the model sent it.
    const args = { ...(input !== null && typeof input === "object" && !Array.isArray(input) ? input : {}) } as Args;
    const required: Record<MemoryToolName, string[]> = {
        memory_replace: ["label", "old_string", "new_string"],
        memory_insert: ["label", "new_string"],
        memory_rethink: ["label", "new_memory"],
        memory_create: ["label", "description", "value"],
    };
    const missing = required[tool].filter((key) => typeof args[key] !== "string");
    if (missing.length > 0)
        return { error: `Invalid arguments for ${tool}: ${missing.map((k) => `\`${k}\``).join(", ")} must be given as text.` };
    if (tool === "memory_insert") {
        const line = args.insert_line ?? -1;
        const n = typeof line === "string" && /^-?\d+$/.test(line.trim()) ? Number(line) : line;
        if (typeof n !== "number" || !Number.isInteger(n))
            return { error: "Invalid arguments for memory_insert: `insert_line` must be a whole number." };
        args.insert_line = n;
    }
    return { tool, args };
}

/** Applies a checked call. The caller holds the repository's lock. */
export async function applyEdit(t: EditTarget, tool: MemoryToolName, args: Args): Promise<EditOutcome> {
    const label = args.label as string;
    const existing = await t.store.get(t.agent, label);
    const block = existing?.attached ? existing : undefined;
    let frontmatter: string;
    let next: Edit;
    let limit: number;
    if (tool === "memory_create") {
        if (block) return failed(EXISTS(label));
        const problem = labelProblem(label);
        if (problem) return failed(`Invalid label \`${label}\`: ${problem}.`);
        frontmatter = newFrontmatter(args.description as string);
        next = { value: args.value as string };
        limit = DEFAULT_LIMIT;
    } else {
        if (!block)
            return failed(
                UNKNOWN_LABEL(
                    label,
                    (await t.store.attached(t.agent)).map((b) => b.label),
                ),
            );
        if (block.readOnly) return failed(READ_ONLY);
        frontmatter = block.frontmatter;
        limit = block.limit;
        if (tool === "memory_replace") next = replaceOnce(label, block.value, args.old_string as string, args.new_string as string);
        else if (tool === "memory_insert") next = insertAt(block.value, args.new_string as string, args.insert_line as number);
        else next = { value: args.new_memory as string };
    }
    if (next.error !== undefined) return failed(next.error);
    const size = charCount(next.value);
    if (size > limit) return failed(OVER_LIMIT(limit, size));
    const done = tool === "memory_create" ? CREATED(label) : EDITED(label);
    if (block && next.value === block.value) return { content: done, isError: false };
    const head = await t.repo.head();
    if (head === null) throw new Error(`memory ${t.agent}: main has no commit`);
    const who = { name: t.agent, email: `${t.agent}@lodge.local` };
    await t.repo.commitFile(head, pathOf(label), blockFileText(frontmatter, next.value), `${tool}: ${label}`, who);
    await syncBlocks(t.repo, t.store, t.agent, t.log);
    return { content: done, isError: false };
}
