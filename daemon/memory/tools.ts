/**
 * What each memory tool (docs/memory.md; schemas in tools/memory-tools.ts) does to a block's value, with Letta's
 * semantics and error wording (letta/functions/function_sets/base.py and
 * services/tool_executor/core_tool_executor.py). Pure: the service reads and commits the blocks.
 */
export const TOOL_NAMES = ["memory_replace", "memory_insert", "memory_rethink", "memory_create"] as const;
export type MemoryToolName = (typeof TOOL_NAMES)[number];

export type Edit = { value: string; error?: undefined } | { value?: undefined; error: string };

/** `memory_replace`: exactly one occurrence of `oldString` becomes `newString`. */
export function replaceOnce(label: string, current: string, oldString: string, newString: string): Edit {
    const first = oldString === "" ? -1 : current.indexOf(oldString);
    if (first < 0) {
        return {
            error: `No replacement was performed, old_string \`${oldString}\` did not appear verbatim in memory block with label \`${label}\`.`,
        };
    }
    if (current.indexOf(oldString, first + 1) >= 0) {
        const lines = current.split("\n").flatMap((line, i) => (line.includes(oldString) ? [i + 1] : []));
        return {
            error: `No replacement was performed. Multiple occurrences of old_string \`${oldString}\` in lines [${lines.join(", ")}]. Please ensure it is unique.`,
        };
    }
    return { value: current.slice(0, first) + newString + current.slice(first + oldString.length) };
}

/** `memory_insert`: `newString` goes after line `insertLine` (0 = the top, -1 = the end). */
export function insertAt(current: string, newString: string, insertLine: number): Edit {
    const lines = current === "" ? [] : current.split("\n");
    const n = lines.length;
    if (insertLine !== -1 && (insertLine < 0 || insertLine > n)) {
        return {
            error: `Invalid \`insert_line\` parameter: ${insertLine}. It should be within the range of lines of the memory block: [0, ${n}], or -1 to append to the end of the memory block.`,
        };
    }
    const at = insertLine === -1 ? n : insertLine;
    return { value: [...lines.slice(0, at), ...newString.split("\n"), ...lines.slice(at)].join("\n") };
}

export const EDITED = (label: string): string =>
    `The core memory block with label \`${label}\` has been edited. Review the changes and make sure they are as expected ` +
    "(correct indentation, no duplicate lines, etc). Edit the memory block again if necessary.";
export const CREATED = (label: string): string => `The core memory block with label \`${label}\` has been created.`;
export const READ_ONLY = "Error This block is read-only and cannot be edited.";
export const OVER_LIMIT = (limit: number, requested: number): string =>
    `Edit failed: Exceeds ${limit} character limit (requested ${requested})`;
export const UNKNOWN_LABEL = (label: string, labels: string[]): string =>
    `Block field ${label} does not exist (available sections = ${labels.join(", ")})`;
export const EXISTS = (label: string): string => `Memory block '${label}' already exists`;
