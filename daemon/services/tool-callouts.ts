/**
 * What a `[!tool]` callout tells the person (docs/notes.md): the title names the call, the second line sums
 * up its result in a few words. The result itself is written for the model (Letta's sentences for
 * the memory tools, whole files for a read); the history keeps it, the note shows the gist.
 */
import { firstLine, oneLine } from "../../shared/note/callouts";
import type { ToolCall, ToolResult } from "../backends/types";

/** Short text for a tool callout's title: what the call was about. */
export function toolHint(call: ToolCall): string {
    const input = inputOf(call);
    for (const key of ["label", "command", "file_path", "path", "pattern", "url", "name"]) {
        if (typeof input[key] === "string") return oneLine(input[key], 80);
    }
    const first = Object.values(input).find((v) => typeof v === "string");
    return typeof first === "string" ? oneLine(first, 80) : "";
}

/** What the memory tools did, said for the person; other tools get their result's first line. */
const OWN_TOOLS: Record<string, (input: Record<string, unknown>) => string> = {
    memory_replace: (input) => `edited block ${String(input.label)}`,
    memory_insert: (input) => `edited block ${String(input.label)}`,
    memory_rethink: (input) => `edited block ${String(input.label)}`,
    memory_create: (input) => `created block ${String(input.label)}`,
};

/** The callout's second line for a finished call. `call` is unknown when a backend reports a result alone. */
export function toolSummary(call: ToolCall | undefined, result: ToolResult): string {
    if (result.is_error) return `error: ${firstLine(result.content) || "failed"}`;
    // Claude Code calls the same tools through Lodge's MCP server (docs/mcp.md), under its prefix.
    const own = call ? OWN_TOOLS[call.name.replace(/^mcp__lodge__/, "")] : undefined;
    if (own) return own(inputOf(call!));
    return firstLine(result.content) || "ok";
}

function inputOf(call: ToolCall): Record<string, unknown> {
    const input = call.input;
    return typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}
