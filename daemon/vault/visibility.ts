/**
 * May an agent see this note? (docs/daemon.md, docs/context.md "Exclusions") The one home of the rule: links, pins, the
 * vault tools, the vault index and the MCP server all ask here. docs/context.md states it for people.
 *
 * - A note in a hidden folder, or a hidden file (any path segment starting with `.`), never.
 * - `context.exclude` entries starting with `#` are tags: a note whose frontmatter `tags` (a list, or
 *   text separated by commas or spaces, with or without `#`) or whose text (`#tag` anywhere, code
 *   included: when in doubt a note stays private) carries the tag, or a nested tag under it
 *   (`#private/work` for `#private`), is excluded. Case is ignored, as Obsidian ignores it.
 * - Other entries are folders (or one note) relative to the vault: `Private/` excludes every note under
 *   Private/, at any depth. Case is ignored (a vault on macOS or Windows ignores it too).
 */
import { readFrontmatter } from "../../shared/note/frontmatter";
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";

export type Hidden = "hidden" | "excluded";

/** `#tag` in text: not after a word character (`a#b`, `&#123;` and URLs' `page#part` are no tags). */
const INLINE_TAG = /(?<![\p{L}\p{N}_&#])#([\p{L}\p{N}_\-/]*[\p{L}_\-/][\p{L}\p{N}_\-/]*)/gu;
const TAG_WORD = /[\p{L}\p{N}_\-/]+/gu;

const normalTag = (tag: string): string => tag.replace(/^#/, "").replace(/\/+$/, "").toLowerCase();

/** True for a vault-relative path with a segment that starts with `.` (`.obsidian/…`, `.trash/…`, `.x.md`). */
export function isHiddenPath(rel: string): boolean {
    return rel.split("/").some((part) => part.startsWith("."));
}

/**
 * Every tag a note carries, lower case, without `#`: frontmatter `tags`/`tag` and inline `#tags`.
 * Frontmatter that cannot be read counts every word in its block as a tag (when in doubt, private).
 */
export function noteTags(text: string): string[] {
    const tags = new Set<string>();
    const bounds = findFrontmatter(text);
    if (bounds) {
        let data: Record<string, unknown> | null = null;
        try {
            data = readFrontmatter(text)?.data ?? null;
        } catch {
            for (const word of text.slice(0, bounds.end).match(TAG_WORD) ?? []) tags.add(normalTag(word));
        }
        for (const key of ["tags", "tag"]) {
            const value = data?.[key];
            const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[,\s]+/) : [];
            for (const item of items) if (typeof item === "string" || typeof item === "number") tags.add(normalTag(String(item)));
        }
    }
    for (const match of text.matchAll(INLINE_TAG)) tags.add(normalTag(match[1]!));
    tags.delete("");
    return [...tags];
}

export class Visibility {
    /** Folder prefixes, lower case, without the trailing `/`; `note`: written without one, so it may name a note too. */
    private readonly folders: Array<{ prefix: string; note: boolean }>;
    private readonly tags: string[];

    constructor(exclude: readonly string[]) {
        const entries = exclude.map((e) => e.trim()).filter((e) => e !== "");
        this.tags = entries.filter((e) => e.startsWith("#")).map(normalTag);
        this.folders = entries
            .filter((e) => !e.startsWith("#"))
            .map((e) => e.replace(/\\/g, "/"))
            .map((e) => ({ prefix: e.split("/").filter((p) => p !== "" && p !== ".").join("/").toLowerCase(), note: !e.endsWith("/") }))
            .filter((e) => e.prefix !== "");
    }

    /** Whether tag exclusions exist (a note's text must then be read before it is shown). */
    get byTags(): boolean {
        return this.tags.length > 0;
    }

    /** What the path alone says about a vault-relative path (a note or a folder): null when nothing hides it. */
    pathRule(rel: string): Hidden | null {
        if (isHiddenPath(rel)) return "hidden";
        const lower = rel.toLowerCase();
        for (const { prefix, note } of this.folders) {
            if (lower.startsWith(`${prefix}/`) || lower === prefix || (note && lower === `${prefix}.md`)) return "excluded";
        }
        return null;
    }

    /** Whether a folder's notes may all be hidden by the path rule (so it need not be walked or watched). */
    folderHidden(rel: string): boolean {
        return rel !== "" && this.pathRule(rel) !== null;
    }

    /** Whether a note with these tags (from noteTags) is excluded. */
    tagsExcluded(tags: readonly string[]): boolean {
        return tags.some((tag) => this.tags.some((ex) => tag === ex || tag.startsWith(`${ex}/`)));
    }

    /** The whole rule for a note whose text is known. */
    note(rel: string, text: string): Hidden | null {
        return this.pathRule(rel) ?? (this.byTags && this.tagsExcluded(noteTags(text)) ? "excluded" : null);
    }
}
