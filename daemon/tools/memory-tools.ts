/**
 * The memory tools (docs/memory.md): `memory_replace`, `memory_insert`, `memory_rethink`, `memory_create`,
 * their schemas (Letta's wording) and the one way to run them, the agent's MemoryService (which
 * checks, commits as the agent and syncs). Used by the daemon's tool loop and by the MCP server.
 */
import type { ToolCall, ToolResult, ToolSpec } from "../backends/types";
import { fromResult, type Tool } from "./tool";

/** What an agent's tools act on: its name, its memory and (for load_skill) its skills in this conversation. */
export interface AgentToolContext {
    agent: string;
    memory: { runTool(agent: string, call: ToolCall): Promise<ToolResult> };
    skills: { runLoad(call: ToolCall): Promise<ToolResult> };
}

const text = (description: string) => ({ type: "string", description });
const LABEL = text("Section of the memory to be edited, identified by its label.");

const SPECS: ToolSpec[] = [
    {
        name: "memory_replace",
        description:
            "The memory_replace command allows you to replace a specific string in a memory block with a new string. This is used for making precise edits. " +
            "Do NOT attempt to replace long strings, e.g. do not attempt to replace the entire contents of a memory block with a new string.",
        input_schema: {
            type: "object",
            properties: {
                label: LABEL,
                old_string: text("The text to replace (must match exactly, including whitespace and indentation)."),
                new_string: text("The new text to insert in place of the old text. Do not include line number prefixes."),
            },
            required: ["label", "old_string", "new_string"],
        },
    },
    {
        name: "memory_insert",
        description: "The memory_insert command allows you to insert text at a specific location in a memory block.",
        input_schema: {
            type: "object",
            properties: {
                label: LABEL,
                new_string: text("The text to insert. Do not include line number prefixes."),
                insert_line: {
                    type: "integer",
                    description:
                        "The line number after which to insert the text (0 for beginning of file). Defaults to -1 (end of the file).",
                },
            },
            required: ["label", "new_string"],
        },
    },
    {
        name: "memory_rethink",
        description:
            "The memory_rethink command allows you to completely rewrite the contents of a memory block. Use this tool to make large sweeping changes " +
            "(e.g. when you want to condense or reorganize the memory blocks), do NOT use this tool to make small precise edits " +
            "(e.g. add or remove a line, replace a specific string, etc).",
        input_schema: {
            type: "object",
            properties: {
                label: text("The memory block to be rewritten, identified by its label."),
                new_memory: text(
                    "The new memory contents with information integrated from existing memory blocks and the conversation context.",
                ),
            },
            required: ["label", "new_memory"],
        },
    },
    {
        name: "memory_create",
        description:
            "The memory_create command creates a new memory block. Use it for a new topic that fits no existing block; " +
            "labels are paths such as `projects/alpha`.",
        input_schema: {
            type: "object",
            properties: {
                label: text("The new block's label, a path such as `projects/alpha` (no < > : \" | ? * \\)."),
                description: text("What the block holds and when to use it; shown with the block."),
                value: text("The block's initial contents."),
            },
            required: ["label", "description", "value"],
        },
    },
];

export const MEMORY_TOOLS: ReadonlyArray<Tool<AgentToolContext>> = SPECS.map((spec) => ({
    spec,
    run: async (ctx, args) => fromResult(await ctx.memory.runTool(ctx.agent, { id: "", name: spec.name, input: args })),
}));
