/**
 * What a kill -9 may leave in a note (SPEC §11): the note as it was (or as the request's `content` made
 * it), or that text plus one complete or partial reply — never half a file, never a reply twice. The
 * scripted replies are known from the question (`replyFor`), so a partial reply must be a prefix of it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import YAML from "yaml";

export const REPLY_HEAD = "\n\n### Assistant:\n\n";
export const SCAFFOLD = "\n\n### User:\n\n";
const WRITTEN_KEYS = ["agent", "conversation_id"];

/** The reply the fake model gives to the question whose id is `id`. */
export function replyFor(id: string): string {
    const lines: string[] = [];
    for (let i = 1; i <= 10; i++) lines.push(`Answer ${id}, line ${i}: the quick brown fox jumps.`);
    return lines.join("\n");
}

/** The id of the last question (`Q-…`) in a text, or null. */
export function lastQuestion(text: string): string | null {
    const all = [...text.matchAll(/Q-([a-z0-9-]+)/g)];
    return all.length ? all[all.length - 1]![1]! : null;
}

function split(text: string): { fm: Record<string, unknown> | null; body: string } {
    if (!text.startsWith("---\n")) return { fm: null, body: text };
    const end = text.indexOf("\n---\n", 3);
    if (end < 0) return { fm: null, body: text };
    return { fm: (YAML.parse(text.slice(4, end + 1)) as Record<string, unknown> | null) ?? {}, body: text.slice(end + 5) };
}

function withoutWritten(fm: Record<string, unknown> | null): Record<string, unknown> {
    const rest = { ...(fm ?? {}) };
    for (const key of WRITTEN_KEYS) delete rest[key];
    return rest;
}

/** The reply's text with Lodge's callouts (tool calls) removed. */
function replyText(rest: string): string {
    return rest
        .split("\n")
        .filter((line) => !line.startsWith(">"))
        .join("\n")
        .replace(/\n{3,}/g, "\n\n")
        .trim();
}

/** The tools the fake model calls for a question: memory questions (ids `m…`) create then edit a block. */
export function toolsFor(id: string): string[] {
    return id.startsWith("m") ? ["memory_create", "memory_replace"] : [];
}

/** Why `now` is not `before` plus a complete or partial reply, or null when it is. */
export function replyProblem(before: string, now: string): string | null {
    const a = split(before);
    const b = split(now);
    if (JSON.stringify(withoutWritten(a.fm)) !== JSON.stringify(withoutWritten(b.fm)))
        return "frontmatter keys other than agent and conversation_id changed";
    if (b.fm?.agent !== "assistant" || typeof b.fm.conversation_id !== "string")
        return "the reply's frontmatter lacks agent or conversation_id";
    const head = a.body.trimEnd() + REPLY_HEAD;
    if (!b.body.startsWith(head)) return "the text before the reply is not the old text";
    const rest = b.body.slice(head.length);
    if (/^#{1,6} (User|Assistant):?\s*$/im.test(rest.endsWith(SCAFFOLD) ? rest.slice(0, -SCAFFOLD.length) : rest))
        return "a second role heading inside the reply";
    const id = lastQuestion(a.body);
    if (id === null) return "no question to answer";
    const want = replyFor(id);
    if (rest.endsWith(SCAFFOLD)) {
        if (replyText(rest.slice(0, -SCAFFOLD.length)) !== want) return "a complete reply with the wrong text";
        for (const tool of toolsFor(id)) if (!rest.includes(`> [!tool]- ${tool}`)) return `a complete reply without its ${tool} callout`;
        return null;
    }
    const got = replyText(rest);
    if (!want.startsWith(got)) return `a partial reply that is not a prefix of the reply (${JSON.stringify(got.slice(-80))})`;
    return null;
}

/** Every file under `dir` (hidden ones included), relative paths → text. */
export function snapshot(dir: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (d: string): void => {
        for (const entry of readdirSync(d, { withFileTypes: true })) {
            const path = join(d, entry.name);
            if (entry.isDirectory()) walk(path);
            else out.set(relative(dir, path), readFileSync(path, "utf8"));
        }
    };
    walk(dir);
    return out;
}

export function tempFiles(files: Iterable<string>): string[] {
    return [...files].filter((f) => /(^|\/)\.[^/]+\.[0-9a-z]+\.tmp$/i.test(f) || f.endsWith(".tmp"));
}
