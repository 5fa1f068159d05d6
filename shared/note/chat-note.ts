/**
 * Which notes are chat notes (docs/notes.md "Which notes are chats"), the one rule the plugin and the
 * daemon's watcher both apply: a markdown note in a chat folder, or one whose frontmatter has a top-level
 * `agent` key, whatever its value. An empty `agent:` is a chat note for the default agent (the daemon
 * reads an empty value as unset); a value that is not text is a chat note too, so sending it refuses with
 * `invalid_frontmatter` and says what to fix instead of saying nothing. Read line by line, with no YAML
 * parser, so the plugin's bundle stays small.
 */
import { findFrontmatter } from "./frontmatter-bounds";

/** A top-level `agent:` line of frontmatter YAML (the key may be quoted). */
export const AGENT_LINE = /^(?:agent|"agent"|'agent')[ \t]*:[^\n]*$/m;

/** The YAML of the note's frontmatter ("" when it has none). */
export function frontmatterYaml(text: string): string {
    const bounds = findFrontmatter(text);
    return bounds ? text.slice(bounds.yamlStart, bounds.closeStart) : "";
}

/** Whether the note's frontmatter has the `agent` key, with any value or none. */
export function hasAgentKey(text: string): boolean {
    return AGENT_LINE.test(frontmatterYaml(text));
}

/** The `agent:` value of the frontmatter, read line-wise (comment and quotes removed), or null when absent or empty. */
export function noteAgent(text: string): string | null {
    const line = AGENT_LINE.exec(frontmatterYaml(text))?.[0];
    if (line === undefined) return null;
    const value = line
        .slice(line.indexOf(":") + 1)
        .replace(/\s+#.*$/, "")
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2");
    return value === "" ? null : value;
}

/**
 * `path` is vault-relative with `/`; `folders` are vault-relative chat folders without a trailing `/`,
 * "" standing for the whole vault (the daemon's `chats.folders`; the plugin passes none for an empty setting).
 */
export function isChatNote(path: string, text: string, folders: readonly string[]): boolean {
    if (!path.toLowerCase().endsWith(".md")) return false;
    if (folders.some((f) => f === "" || path.startsWith(`${f}/`))) return true;
    return hasAgentKey(text);
}
