/**
 * The memory tools the model sees (SPEC §6) and what each does to a block's value, with Letta's
 * semantics and error wording (letta/functions/function_sets/base.py and
 * services/tool_executor/core_tool_executor.py). Pure: the service reads and commits the blocks.
 */
import type { ToolSpec } from "../backends/model-client";

export const TOOL_NAMES = ["memory_replace", "memory_insert", "memory_rethink", "memory_create"] as const;
export type MemoryToolName = (typeof TOOL_NAMES)[number];

const text = (description: string) => ({ type: "string", description });
const LABEL = text("Section of the memory to be edited, identified by its label.");

export const MEMORY_TOOL_SPECS: ToolSpec[] = [
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
                    description: "The line number after which to insert the text (0 for beginning of file). Defaults to -1 (end of the file).",
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
                new_memory: text("The new memory contents with information integrated from existing memory blocks and the conversation context."),
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

export type Edit = { value: string; error?: undefined } | { value?: undefined; error: string };

/** `memory_replace`: exactly one occurrence of `oldString` becomes `newString`. */
export function replaceOnce(label: string, current: string, oldString: string, newString: string): Edit {
    const first = oldString === "" ? -1 : current.indexOf(oldString);
    if (first < 0) {
        return { error: `No replacement was performed, old_string \`${oldString}\` did not appear verbatim in memory block with label \`${label}\`.` };
    }
    if (current.indexOf(oldString, first + 1) >= 0) {
        const lines = current.split("\n").flatMap((line, i) => (line.includes(oldString) ? [i + 1] : []));
        return { error: `No replacement was performed. Multiple occurrences of old_string \`${oldString}\` in lines [${lines.join(", ")}]. Please ensure it is unique.` };
    }
    return { value: current.slice(0, first) + newString + current.slice(first + oldString.length) };
}

/** `memory_insert`: `newString` goes after line `insertLine` (0 = the top, -1 = the end). */
export function insertAt(current: string, newString: string, insertLine: number): Edit {
    const lines = current === "" ? [] : current.split("\n");
    const n = lines.length;
    if (insertLine !== -1 && (insertLine < 0 || insertLine > n)) {
        return { error: `Invalid \`insert_line\` parameter: ${insertLine}. It should be within the range of lines of the memory block: [0, ${n}], or -1 to append to the end of the memory block.` };
    }
    const at = insertLine === -1 ? n : insertLine;
    return { value: [...lines.slice(0, at), ...newString.split("\n"), ...lines.slice(at)].join("\n") };
}

export const EDITED = (label: string): string =>
    `The core memory block with label \`${label}\` has been edited. Review the changes and make sure they are as expected ` +
    "(correct indentation, no duplicate lines, etc). Edit the memory block again if necessary.";
export const CREATED = (label: string): string => `The core memory block with label \`${label}\` has been created.`;
export const READ_ONLY = "Error This block is read-only and cannot be edited.";
export const OVER_LIMIT = (limit: number, requested: number): string => `Edit failed: Exceeds ${limit} character limit (requested ${requested})`;
export const UNKNOWN_LABEL = (label: string, labels: string[]): string => `Block field ${label} does not exist (available sections = ${labels.join(", ")})`;
export const EXISTS = (label: string): string => `Memory block '${label}' already exists`;
