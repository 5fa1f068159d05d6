/**
 * Writes the keys the daemon owns (`agent`, `conversation_id`) into a note's frontmatter, editing
 * lines in place: an existing key's line is replaced, a new key goes after the others, and every
 * other byte of the block stays as it was (docs/notes.md). When nothing changes the text is returned as is.
 */
import YAML from "yaml";
import { readFrontmatter } from "./frontmatter";
import { findFrontmatter } from "./frontmatter-bounds";
import { lineEnding } from "./markdown-lines";

export type FrontmatterUpdates = Record<string, string>;

/** Words YAML 1.1 readers (js-yaml, older tools) take for booleans or null. */
const YAML11_WORDS = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

/** YAML for a short text value: plain when every YAML reader reads it back as that string, quoted otherwise. */
function yamlScalar(value: string): string {
    if (/^[A-Za-z0-9_][A-Za-z0-9_.\-/ ]*$/.test(value) && !/ $/.test(value) && !YAML11_WORDS.test(value)) {
        const back: unknown = YAML.parse(value);
        if (back === value) return value;
    }
    return JSON.stringify(value);
}

/** Returns `text` with `updates` applied to its frontmatter, creating the block if there is none. */
export function setFrontmatterKeys(text: string, updates: FrontmatterUpdates): string {
    const current = readFrontmatter(text);
    const pending = Object.entries(updates).filter(([key, value]) => current?.data[key] !== value);
    if (pending.length === 0) return text;
    const bounds = findFrontmatter(text);
    if (!current || !bounds) {
        const nl = lineEnding(text);
        const lines = pending.map(([key, value]) => `${key}: ${yamlScalar(value)}${nl}`).join("");
        return `---${nl}${lines}---${nl}${text}`;
    }
    const eol = text.slice(bounds.yamlStart, bounds.closeStart).includes("\r\n") ? "\r\n" : "\n";
    let yaml = text.slice(bounds.yamlStart, bounds.closeStart);
    for (const [key, value] of pending) yaml = setLine(yaml, key, `${key}: ${yamlScalar(value)}`, eol);
    const edited = text.slice(0, bounds.yamlStart) + yaml + text.slice(bounds.closeStart);
    if (readsBack(edited, updates)) return edited;
    // The key lives somewhere a line edit cannot reach (a flow mapping, a multi-document trick):
    // let the YAML library rewrite the block, keeping the other keys and their order.
    const doc = YAML.parseDocument(text.slice(bounds.yamlStart, bounds.closeStart));
    for (const [key, value] of pending) doc.set(key, value);
    return text.slice(0, bounds.yamlStart) + doc.toString() + text.slice(bounds.closeStart);
}

/** Replaces the top-level `key:` line (and its indented continuation) or appends the line. */
function setLine(yaml: string, key: string, line: string, eol: string): string {
    const lines = yaml === "" ? [] : yaml.split("\n");
    const hadFinalBreak = yaml.endsWith("\n");
    if (hadFinalBreak) lines.pop();
    const pattern = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ \\t]*:`);
    const at = lines.findIndex((l) => pattern.test(l));
    const cr = eol === "\r\n" ? "\r" : "";
    if (at < 0) {
        lines.push(line + cr);
    } else {
        let until = at + 1;
        while (until < lines.length && /^[ \t]/.test(lines[until]!)) until++;
        lines.splice(at, until - at, line + cr);
    }
    return lines.join("\n") + (hadFinalBreak || lines.length > 0 ? "\n" : "");
}

function readsBack(text: string, updates: FrontmatterUpdates): boolean {
    try {
        const data = readFrontmatter(text)?.data;
        return !!data && Object.entries(updates).every(([key, value]) => data[key] === value);
    } catch {
        return false;
    }
}
