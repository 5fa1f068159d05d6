/**
 * The part of a note a link asks for (docs/context.md): the text without its frontmatter; for `#Heading` the
 * heading's section (its line through the line before the next heading of the same or a higher
 * level; `#A#B` is B inside A's section); for `#^id` the block that ends with `^id`. Headings inside
 * fenced code are not headings.
 */
import { findFrontmatter } from "../../shared/note/frontmatter-bounds";
import { nextFence, type Fence } from "../../shared/note/markdown-lines";

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;

export function withoutFrontmatter(text: string): string {
    const end = findFrontmatter(text)?.end ?? 0;
    return text.slice(end).replace(/^\s*\n/, "");
}

/** Headings compare as Obsidian's link matching does: case, punctuation and runs of spaces ignored. */
export function headingKey(heading: string): string {
    return heading
        .normalize("NFC")
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim();
}

interface Heading {
    line: number;
    level: number;
    key: string;
}

function headings(lines: readonly string[]): Heading[] {
    const out: Heading[] = [];
    let fence: Fence | null = null;
    lines.forEach((line, i) => {
        const inside = fence !== null;
        fence = nextFence(line, fence);
        if (inside || fence) return;
        const m = HEADING.exec(line);
        if (m) out.push({ line: i, level: m[1]!.length, key: headingKey(m[2]!) });
    });
    return out;
}

/** The section under a heading path (`A`, or `A#B`), or null when a heading is not there. */
function section(lines: readonly string[], path: string): string | null {
    const all = headings(lines);
    let from = 0;
    let to = lines.length;
    for (const part of path
        .split("#")
        .map(headingKey)
        .filter((k) => k !== "")) {
        const i = all.findIndex((h) => h.line >= from && h.line < to && h.key === part);
        if (i < 0) return null;
        const h = all[i]!;
        const next = all.slice(i + 1).find((n) => n.level <= h.level && n.line < to);
        from = h.line;
        to = next ? next.line : to;
    }
    return lines.slice(from, to).join("\n").trim();
}

/** The block `^id` marks: its paragraph or list item, or the block above a line holding only `^id`. */
function block(lines: readonly string[], id: string): string | null {
    const marker = new RegExp(`(?:^|\\s)\\^${id.replace(/[^\w-]/g, "")}\\s*$`, "i");
    const at = lines.findIndex((line) => marker.test(line));
    if (at < 0) return null;
    const own = lines[at]!.replace(marker, "").trimEnd();
    let end = at;
    if (own.trim() === "") {
        end = at - 1;
        while (end >= 0 && lines[end]!.trim() === "") end--;
        if (end < 0) return null;
    }
    const last = own.trim() === "" ? lines[end]! : own;
    if (LIST_ITEM.test(last)) return last.trim();
    let start = end;
    while (start > 0 && lines[start - 1]!.trim() !== "" && !HEADING.test(lines[start - 1]!)) start--;
    return [...lines.slice(start, end), last].join("\n").trim();
}

/** The text a link sends: the whole note without frontmatter, or the part its subpath names. */
export function linkedPart(text: string, subpath: string): string | null {
    const body = withoutFrontmatter(text);
    if (subpath === "") return body.trim();
    const lines = body.split(/\r?\n/);
    return subpath.startsWith("^") ? block(lines, subpath.slice(1)) : section(lines, subpath);
}
