/**
 * Frontmatter: find the block, read it safely, and change the two keys the daemon writes without
 * touching anything else (SPEC §3).
 *
 * Reading goes through gray-matter with every code engine refused (gray-matter evaluates `---js`
 * blocks by default) and a YAML engine that caps aliases, so an alias bomb is refused instead of
 * expanding. Writing edits lines in place: gray-matter's own stringify reformats the whole block.
 */
import matter from "gray-matter";
import YAML from "yaml";
import { LodgeError } from "../errors";
import { findFrontmatter } from "./frontmatter-bounds";
import type { Frontmatter, NoteSettings } from "./types";

const MAX_ALIASES = 100;

function refuseCode(): never {
    throw new LodgeError("invalid_frontmatter", "executable frontmatter (---js) is refused; frontmatter must be YAML");
}

function parseYaml(source: string): unknown {
    return YAML.parse(source, { maxAliasCount: MAX_ALIASES, uniqueKeys: true });
}

const MATTER_OPTIONS = {
    language: "yaml",
    engines: {
        yaml: { parse: (s: string) => (parseYaml(s) ?? {}), stringify: (d: object) => YAML.stringify(d) },
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
        else if ((key === "title" || key === "conversation_id") && (typeof v === "number" || typeof v === "boolean")) settings[key] = String(v);
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
