/**
 * What a tool is here (docs/context.md, docs/mcp.md): a schema and an implementation, written once, which the model
 * backends' tool loop (through a turn's ToolBox) and the MCP server both call. A tool's failure is an
 * answer the model reads (`is_error`), never a failed turn.
 */
import { LodgeError } from "../../shared/errors";
import type { ToolBox, ToolCall, ToolResult, ToolSpec } from "../backends/types";
import type { Logger } from "../log";

/** A mistake the caller can fix: its message goes back to the model as the tool's error result. */
export class ToolError extends Error {
    override readonly name = "ToolError";
}

export interface Tool<Ctx> {
    spec: ToolSpec;
    /** The tool's text answer. Throws ToolError (or LodgeError) for what the caller got wrong. */
    run(ctx: Ctx, input: Record<string, unknown>): Promise<string>;
}

/** The arguments as an object (models sometimes send nothing for a tool without required arguments). */
export function argsOf(name: string, input: unknown): Record<string, unknown> {
    if (input === undefined || input === null) return {};
    if (typeof input !== "object" || Array.isArray(input)) throw new ToolError(`${name}: the arguments must be an object of named values`);
    return input as Record<string, unknown>;
}

export function textArg(args: Record<string, unknown>, key: string, fallback?: string): string {
    const value = args[key] ?? fallback;
    if (typeof value !== "string") throw new ToolError(value === undefined ? `${key} is required` : `${key} must be text`);
    return value;
}

/** A whole number from `min` to `max`; a number written as text ("10") is taken too. */
export function countArg(args: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
    const raw = args[key];
    if (raw === undefined || raw === null) return fallback;
    const value = typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        throw new ToolError(`${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
    }
    return value;
}

/** Runs one call of `tool`: its answer, or its mistake or failure as an error result (never a throw). */
export async function runTool<Ctx>(tool: Tool<Ctx>, ctx: Ctx, call: ToolCall, log: Logger): Promise<ToolResult> {
    const answer = (content: string, isError: boolean): ToolResult => ({ tool_use_id: call.id, content, is_error: isError });
    try {
        return answer(await tool.run(ctx, argsOf(call.name, call.input)), false);
    } catch (err) {
        if (err instanceof ToolError || err instanceof LodgeError) return answer(err.message, true);
        log.error(`${call.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return answer(`${call.name} failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
}

/** A tool whose implementation answers a ToolResult: its text, or its error text as a ToolError. */
export function fromResult(result: ToolResult): string {
    if (result.is_error) throw new ToolError(result.content);
    return result.content;
}

/** A ToolBox over these tools: each call runs its tool; mistakes and failures become error results. */
export function toolBox<Ctx>(tools: ReadonlyArray<Tool<Ctx>>, ctx: Ctx, log: Logger): ToolBox {
    const byName = new Map(tools.map((t) => [t.spec.name, t]));
    return {
        specs: tools.map((t) => t.spec),
        run: (call: ToolCall): Promise<ToolResult> => {
            const tool = byName.get(call.name);
            if (!tool) return Promise.resolve({ tool_use_id: call.id, content: `there is no tool named ${call.name}`, is_error: true });
            return runTool(tool, ctx, call, log);
        },
    };
}

/** Two tool boxes as one: `first`'s tools, then `second`'s; a call goes to the box that offers its name. */
export function joinToolBoxes(first: ToolBox | undefined, second: ToolBox | undefined): ToolBox | undefined {
    if (!first || !second) return first ?? second;
    const mine = new Set(second.specs.map((s) => s.name));
    return {
        specs: [...first.specs.filter((s) => !mine.has(s.name)), ...second.specs],
        run: (call) => (mine.has(call.name) ? second.run(call) : first.run(call)),
    };
}
