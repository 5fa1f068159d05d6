/**
 * The `<memory_blocks>` section of the system prompt, in Letta's standard layout
 * (letta/schemas/memory.py `_render_memory_blocks_standard`): one element per label, the raw label
 * as its tag, `read_only=true` only for read-only blocks.
 */
import { charCount } from "./block-file";

export interface PromptBlock {
    label: string;
    value: string;
    description: string | null;
    limit: number;
    readOnly: boolean;
}

export function renderMemoryBlocks(blocks: PromptBlock[]): string {
    if (blocks.length === 0) return "";
    const parts = blocks.map((b) => {
        const metadata = [...(b.readOnly ? ["- read_only=true"] : []), `- chars_current=${charCount(b.value)}`, `- chars_limit=${b.limit}`];
        return [
            `<${b.label}>`,
            "<description>",
            // Letta's sync gives a block without a description "<label> block"; so does this.
            b.description ?? `${b.label} block`,
            "</description>",
            "<metadata>",
            ...metadata,
            "</metadata>",
            "<value>",
            b.value,
            "</value>",
            `</${b.label}>`,
        ].join("\n");
    });
    return `<memory_blocks>\nThe following memory blocks are currently engaged in your core memory unit:\n\n${parts.join("\n\n")}\n\n</memory_blocks>`;
}

/** The system prompt of a memory agent: its own (or the note's) system, then the blocks. */
export function withMemory(base: string, blocks: PromptBlock[]): string {
    const section = renderMemoryBlocks(blocks);
    if (section === "") return base;
    return base === "" ? section : `${base}\n\n${section}`;
}
