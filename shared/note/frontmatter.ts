/**
 * Frontmatter: find the block, read it safely, and change the two keys the daemon writes without
 * touching anything else (docs/notes.md).
 *
 * Reading goes through gray-matter with every code engine refused (gray-matter evaluates `---js`
 * blocks by default) and a YAML engine that caps aliases, so an alias bomb is refused instead of
 * expanding. Writing edits lines in place: gray-matter's own stringify reformats the whole block.
 *
 * What is parsed is capped first (64 KB, 1,000 top-level keys), and repeated keys are found with one
 * pass over each map: the YAML library's own unique-key check is quadratic, and a note or a pushed
 * block with 100k keys held the daemon for minutes.
 */
import matter from "gray-matter";
import YAML from "yaml";
import { LodgeError } from "../errors";
import { findFrontmatter } from "./frontmatter-bounds";
import type { Frontmatter, NoteSettings } from "./types";

const MAX_ALIASES = 100;
const MAX_FRONTMATTER_BYTES = 64 * 1024;
const MAX_TOP_LEVEL_KEYS = 1000;

function refuseCode(): never {
    throw new LodgeError("invalid_frontmatter", "executable frontmatter (---js) is refused; frontmatter must be YAML");
}

function parseYaml(source: string): unknown {
    const doc = YAML.parseDocument(source, { uniqueKeys: false });
    if (doc.errors.length > 0) throw doc.errors[0]!;
    YAML.visit(doc, {
        Map(_, map) {
            const seen = new Set<unknown>();
            for (const pair of map.items) {
                if (!YAML.isScalar(pair.key)) continue;
                const key = pair.key.value;
                if (seen.has(key))
                    throw new LodgeError(
                        "invalid_frontmatter",
                        `frontmatter is not valid YAML: the key "${String(key).slice(0, 100)}" appears twice; map keys must be unique`,
                    );
                seen.add(key);
            }
        },
    });
    return doc.toJS({ maxAliasCount: MAX_ALIASES });
}

const fmt = (n: number): string => n.toLocaleString("en-US");

/** UTF-8 bytes of a string (shared/ has neither Buffer nor TextEncoder in its types). */
function utf8Length(text: string): number {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // A surrogate pair is 4 bytes: 2 for each half.
        n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
    }
    return n;
}

/** Refuses, before any parsing, frontmatter too large to be settings. */
function checkSize(yaml: string): void {
    // UTF-8 never has fewer bytes than UTF-16 code units, so the length alone rules out most of a huge block.
    const bytes = yaml.length > MAX_FRONTMATTER_BYTES ? yaml.length : utf8Length(yaml);
    if (bytes > MAX_FRONTMATTER_BYTES) {
        throw new LodgeError(
            "invalid_frontmatter",
            `the frontmatter is over 64 KB (${fmt(Math.ceil(bytes / 1024))} KB); Lodge reads at most 64 KB of frontmatter, so move long text into the note's body`,
        );
    }
    // A line that starts at column 0 with something other than a comment or a list item starts a top-level key.
    let keys = 0;
    for (const line of yaml.split("\n")) if (/^(?![\s#]|-(\s|$))./.test(line)) keys++;
    if (keys > MAX_TOP_LEVEL_KEYS) {
        throw new LodgeError(
            "invalid_frontmatter",
            `the frontmatter has ${fmt(keys)} top-level keys; at most ${fmt(MAX_TOP_LEVEL_KEYS)} are allowed`,
        );
    }
}

const MATTER_OPTIONS = {
    language: "yaml",
    engines: {
        yaml: { parse: (s: string) => parseYaml(s) ?? {}, stringify: (d: object) => YAML.stringify(d) },
        js: refuseCode,
        javascript: refuseCode,
        coffee: refuseCode,
        coffeescript: refuseCode,
        cson: refuseCode,
    },
};

/** Reads the frontmatter block, or null when the note has none. Throws `invalid_frontmatter`. */
export function readFrontmatter(text: string): Frontmatter | null {
    const bounds = findFrontmatter(text);
    if (!bounds) return null;
    if (bounds.lang !== "" && bounds.lang.toLowerCase() !== "yaml") {
        if (/^(js|javascript|coffee|coffeescript|cson)$/i.test(bounds.lang)) refuseCode();
        throw new LodgeError("invalid_frontmatter", `frontmatter language "${bounds.lang}" is not supported; use YAML`);
    }
    const block = text.slice(0, bounds.end);
    checkSize(text.slice(bounds.yamlStart, bounds.closeStart));
    let data: unknown;
    try {
        // Only the block goes to gray-matter: the body may be megabytes and is not its business.
        // CRLF is normalised here: gray-matter splits on "\n" and would leave "\r" in values.
        data = matter(`${text.slice(0, bounds.closeStart)}---\n`.replace(/\r\n/g, "\n"), MATTER_OPTIONS).data;
    } catch (err) {
        if (err instanceof LodgeError) throw err;
        throw new LodgeError("invalid_frontmatter", `frontmatter is not valid YAML: ${describe(err)}`);
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
        throw new LodgeError("invalid_frontmatter", "frontmatter must be a mapping of keys to values");
    }
    return { block, end: bounds.end, data: data as Record<string, unknown> };
}

function describe(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    return message.split("\n")[0]!.slice(0, 300);
}

/** The keys the daemon reads, checked for type. Unknown keys are the person's and are left alone. */
export function noteSettings(data: Record<string, unknown>): NoteSettings {
    const settings: NoteSettings = {};
    const problems: string[] = [];
    const text = (key: "agent" | "model" | "system" | "conversation_id" | "title"): void => {
        const v = data[key];
        if (v === undefined || v === null || v === "") return;
        if (typeof v === "string") settings[key] = v;
        // A title or an id YAML read as a number is still that text.
        else if ((key === "title" || key === "conversation_id") && (typeof v === "number" || typeof v === "boolean"))
            settings[key] = String(v);
        else problems.push(`"${key}" must be text`);
    };
    text("agent");
    text("model");
    text("system");
    text("conversation_id");
    text("title");
    const temperature = data.temperature;
    if (temperature !== undefined && temperature !== null) {
        if (typeof temperature === "number" && temperature >= 0 && temperature <= 2) settings.temperature = temperature;
        else problems.push(`"temperature" must be a number from 0 to 2`);
    }
    const maxTokens = data.max_tokens;
    if (maxTokens !== undefined && maxTokens !== null) {
        if (typeof maxTokens === "number" && Number.isInteger(maxTokens) && maxTokens > 0) settings.max_tokens = maxTokens;
        else problems.push(`"max_tokens" must be a positive whole number`);
    }
    if (problems.length > 0) throw new LodgeError("invalid_frontmatter", `frontmatter: ${problems.join("; ")}`);
    return settings;
}
