/**
 * A block as a file (docs/memory.md): `label.md`, YAML frontmatter with `description`, `limit`, `read_only`,
 * `metadata`, and the body as the value. Parsing either gives the block or says, in one line per
 * problem, what a person must fix; the same rules check a push and read it into the database.
 */
import YAML from "yaml";
import { LodgeError } from "../../shared/errors";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { readFrontmatter } from "../../shared/note/frontmatter";

export const DEFAULT_LIMIT = 20000;
/** A block file larger than this is refused before it is decoded (the default limit is 20,000 characters). */
export const MAX_BLOCK_FILE_BYTES = 1024 * 1024;
const KEYS = ["description", "limit", "read_only", "metadata"];

export interface BlockFile {
    label: string;
    value: string;
    description: string | null;
    limit: number;
    readOnly: boolean;
    metadata: Record<string, unknown>;
    /** The file's text before the value (frontmatter block and its closing line), kept byte for byte for write-back. */
    frontmatter: string;
}

export type Parsed = { block: BlockFile; problems?: undefined } | { block?: undefined; problems: string[] };

/** Markdown files are blocks, except under `skills/` (those are skills, docs/memory.md). */
export function isBlockPath(path: string): boolean {
    return path.endsWith(".md") && !path.startsWith("skills/");
}

export const labelOf = (path: string): string => path.slice(0, -".md".length);
export const pathOf = (label: string): string => `${label}.md`;

/** Characters as a person counts them (code points, as Letta's Python `len`). */
export function charCount(text: string): number {
    let n = 0;
    for (const _ of text) n++;
    return n;
}

/**
 * Why a label cannot name a block, or null. Labels become prompt tags (no `<`, `>`) and file paths
 * that every clone can check out, Windows included (none of `:"|?*\` nor control characters).
 */
export function labelProblem(label: string): string | null {
    if (label === "") return "a block needs a name";
    if (/[<>:"|?*\\\u0000-\u001f\u007f]/u.test(label))
        return "a block's path must not contain control characters nor any of < > : \" | ? * \\";
    if (label.split("/").some((part) => part === "" || part === "." || part === ".." || part.trim() !== part)) {
        return "a block's path must not have empty, '.' or '..' parts, nor parts starting or ending with a space";
    }
    if (label.startsWith("skills/")) return "files under skills/ are skills, not memory blocks";
    return null;
}

/** Reads a block file; `path` is its path in the repository. */
export function parseBlockFile(path: string, bytes: Buffer): Parsed {
    const label = labelOf(path);
    const bad = labelProblem(label);
    if (bad) return { problems: [bad] };
    if (bytes.length > MAX_BLOCK_FILE_BYTES)
        return { problems: [`the file is ${bytes.length} bytes; a block file may have at most ${MAX_BLOCK_FILE_BYTES}`] };
    let text: string;
    try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // also drops a leading BOM
    } catch {
        return { problems: ["the file is not UTF-8 text"] };
    }
    if (text.includes("\0")) return { problems: ["the file contains NUL bytes; a block is text"] };
    const bounds = findFrontmatter(text);
    if (!bounds && /^---[ \t]*\r?\n/.test(text)) return { problems: ["the frontmatter opened on line 1 is never closed by a '---' line"] };
    let data: Record<string, unknown> = {};
    try {
        data = readFrontmatter(text)?.data ?? {};
    } catch (err) {
        return { problems: [err instanceof LodgeError ? err.message : String(err)] };
    }
    const problems: string[] = [];
    for (const key of Object.keys(data)) {
        if (!KEYS.includes(key)) problems.push(`unknown frontmatter key "${key}" (a block knows ${KEYS.join(", ")})`);
    }
    const { description, limit, read_only: readOnly, metadata } = data;
    if (description !== undefined && description !== null && typeof description !== "string") problems.push(`"description" must be text`);
    const limitOk = limit === undefined || limit === null || (typeof limit === "number" && Number.isInteger(limit) && limit > 0);
    if (!limitOk) problems.push(`"limit" must be a whole number of characters above 0`);
    if (readOnly !== undefined && readOnly !== null && typeof readOnly !== "boolean") problems.push(`"read_only" must be true or false`);
    if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata)))
        problems.push(`"metadata" must be a mapping`);
    const end = bounds?.end ?? 0;
    // The file's last line break ends the file, not the value (editors add it; the prompt should not show it).
    const value = text.slice(end).replace(/\n$/, "");
    const chars = charCount(value);
    const max = typeof limit === "number" ? limit : DEFAULT_LIMIT;
    if (limitOk && chars > max) problems.push(`the value is ${chars} characters, over its limit of ${max}`);
    if (problems.length > 0) return { problems };
    return {
        block: {
            label,
            value,
            description: typeof description === "string" ? description : null,
            limit: max,
            readOnly: readOnly === true,
            metadata: (metadata as Record<string, unknown> | null | undefined) ?? {},
            frontmatter: text.slice(0, end),
        },
    };
}

/** The file for a block: its frontmatter text as the person left it, then the value and a final line break. */
export function blockFileText(frontmatter: string, value: string): string {
    return value === "" ? frontmatter : `${frontmatter}${value}\n`;
}

/** The frontmatter of a block the agent creates. */
export function newFrontmatter(description: string): string {
    return `---\n${YAML.stringify({ description }, { lineWidth: 0 })}---\n`;
}
