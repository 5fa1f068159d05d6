/**
 * A Chat Completions request body (docs/frontends.md), read and checked: what Lodge takes (`model` = agent,
 * `messages`, `stream`, `stream_options.include_usage`, `temperature`, `max_tokens` /
 * `max_completion_tokens`) and what it refuses (client tools, `n > 1`, images by URL).
 */
import { LodgeError } from "../../shared/errors";
import type { ConversationTurn } from "../../shared/note/types";

export interface CompletionRequest {
    model: string;
    /** The turns before the new message (system messages taken out). */
    earlier: ConversationTurn[];
    message: string;
    system?: string;
    stream: boolean;
    includeUsage: boolean;
    temperature?: number;
    maxTokens?: number;
}

const bad = (message: string): LodgeError => new LodgeError("bad_request", message);

export function readCompletionRequest(body: unknown): CompletionRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw bad("the body must be a JSON object");
    const b = body as Record<string, unknown>;
    if (typeof b.model !== "string" || b.model === "")
        throw bad('"model" is required: the name of a Lodge agent (GET /v1/models lists them)');
    const present = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);
    if (present(b.tools) || present(b.functions))
        throw bad('"tools" and "functions" are not supported: the agent\'s own tools run in the daemon');
    if (b.n !== undefined && b.n !== null && b.n !== 1) throw bad('"n" must be 1: Lodge answers with one choice');
    if (!Array.isArray(b.messages) || b.messages.length === 0) throw bad('"messages" must be a non-empty list of {role, content}');
    const system: string[] = [];
    const turns: ConversationTurn[] = [];
    b.messages.forEach((m: unknown, i: number) => {
        if (typeof m !== "object" || m === null) throw bad(`messages[${i}] must be an object with "role" and "content"`);
        const { role, content, tool_calls: toolCalls } = m as Record<string, unknown>;
        if (role === "system" || role === "developer") return void system.push(textOf(content, i));
        if (role !== "user" && role !== "assistant") {
            throw bad(
                `messages[${i}].role is ${JSON.stringify(role)}: only "system", "developer", "user" and "assistant" are taken (tool results come from the agent's own tools)`,
            );
        }
        if (present(toolCalls)) throw bad(`messages[${i}] has tool_calls: client tools are not supported`);
        const text = content === null && role === "assistant" ? "" : textOf(content, i);
        if (text.trim() !== "") turns.push({ role, text });
    });
    const last = turns.pop();
    if (!last || last.role !== "user" || (b.messages[b.messages.length - 1] as { role?: unknown }).role !== "user") {
        throw bad("the last message must be the user's, with text: it is what the agent answers");
    }
    return {
        model: b.model,
        earlier: turns,
        message: last.text,
        system: system.length > 0 ? system.join("\n\n") : undefined,
        stream: readBool(b.stream, "stream"),
        includeUsage:
            typeof b.stream_options === "object" &&
            b.stream_options !== null &&
            (b.stream_options as { include_usage?: unknown }).include_usage === true,
        temperature: readNumber(b.temperature, "temperature", 0, 2, false),
        maxTokens: readNumber(b.max_completion_tokens ?? b.max_tokens, "max_tokens", 1, Number.MAX_SAFE_INTEGER, true),
    };
}

function readBool(v: unknown, name: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") throw bad(`"${name}" must be true or false`);
    return v;
}

function readNumber(v: unknown, name: string, min: number, max: number, whole: boolean): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || v < min || v > max || (whole && !Number.isInteger(v))) {
        throw bad(`"${name}" must be a ${whole ? "whole " : ""}number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : " up"}`);
    }
    return v;
}

/** A message's text: a string, or the text parts of a list. Images by URL are refused: nothing is fetched. */
function textOf(content: unknown, i: number): string {
    if (typeof content === "string") return content;
    if (!Array.isArray(content)) throw bad(`messages[${i}].content must be text or a list of content parts`);
    const texts: string[] = [];
    for (const part of content as unknown[]) {
        const p = part as { type?: unknown; text?: unknown; image_url?: { url?: unknown } };
        if (p?.type === "text" && typeof p.text === "string") texts.push(p.text);
        else if (p?.type === "image_url") {
            const url = typeof p.image_url?.url === "string" ? p.image_url.url : "";
            throw bad(
                url.startsWith("data:")
                    ? `messages[${i}] holds an image: images are not taken through this API yet; put the image in the vault and link it from a note`
                    : `messages[${i}] holds an image by URL: Lodge fetches nothing from the internet on a message's behalf`,
            );
        } else throw bad(`messages[${i}].content has a part of type ${JSON.stringify(p?.type)}: only "text" parts are taken`);
    }
    return texts.join("\n\n");
}
