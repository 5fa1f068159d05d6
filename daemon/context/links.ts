/**
 * The links a person's text makes (docs/context.md), as Obsidian reads them: `[[Note]]`, `[[Note|alias]]`,
 * `[[Note#Heading]]`, `[[Note#^block]]`, `![[Note]]`, `[text](Note.md)`, `[text](<Some note.md>)` and
 * URL-encoded paths. Links inside fenced code and inline code are text, not links; a target with a
 * scheme (`https:`, `mailto:`, `obsidian:`) is never followed, so nothing is fetched on a link's behalf.
 */
import { nextFence, type Fence } from "../../shared/note/markdown-lines";

export interface NoteLink {
    /** The link as written, for the info callout. */
    raw: string;
    embed: boolean;
    /** The path part (`Folder/Note`, `x.png`), decoded; "" for a link into the same note (`[[#H]]`). */
    linkpath: string;
    /** What follows the first `#`: a heading path (`A#B`) or a block (`^id`); "" for the whole note. */
    subpath: string;
}

const WIKI = /(!?)\[\[([^[\]\n]+?)\]\]/g;
/** `[text](target)` / `[text](<target>)`, with an optional title. */
const MARKDOWN = /(!?)\[([^[\]\n]*)\]\(\s*(<[^<>\n]+>|[^\s()<>]+)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const CODE_SPAN = /(`+)[^`\n][\s\S]*?\1(?!`)|(`+)(?=[^`]*$)/g;

/** The text without code: fenced blocks dropped, inline code spans blanked. */
function outsideCode(text: string): string {
    const out: string[] = [];
    let fence: Fence | null = null;
    for (const line of text.split("\n")) {
        const inside = fence !== null;
        fence = nextFence(line, fence);
        if (inside || fence) continue; // an opening line, its content and its closing line
        out.push(line.includes("`") ? line.replace(CODE_SPAN, (m) => " ".repeat(m.length)) : line);
    }
    return out.join("\n");
}

function decode(part: string): string {
    try {
        return decodeURIComponent(part);
    } catch {
        return part;
    }
}

function split(target: string): { linkpath: string; subpath: string } {
    const hash = target.indexOf("#");
    const linkpath = (hash < 0 ? target : target.slice(0, hash)).trim();
    const subpath = hash < 0 ? "" : target.slice(hash + 1).trim();
    return { linkpath: linkpath.replace(/\\/g, "/"), subpath };
}

/** Every link in the text, in the order written; URLs and other schemes are left out. */
export function findLinks(text: string): NoteLink[] {
    const plain = outsideCode(text);
    const found: Array<NoteLink & { at: number }> = [];
    for (const m of plain.matchAll(WIKI)) {
        // `|` starts the alias; in a table it is written `\|`.
        const target = m[2]!.split("|")[0]!.replace(/\\$/, "");
        if (SCHEME.test(target.trim())) continue;
        found.push({ raw: m[0], embed: m[1] === "!", ...split(target), at: m.index });
    }
    for (const m of plain.matchAll(MARKDOWN)) {
        let target = m[3]!;
        if (target.startsWith("<")) target = target.slice(1, -1);
        if (SCHEME.test(target) || target.startsWith("//")) continue;
        const { linkpath, subpath } = split(target);
        found.push({ raw: m[0], embed: m[1] === "!", linkpath: decode(linkpath), subpath: decode(subpath), at: m.index });
    }
    found.sort((a, b) => a.at - b.at);
    return found.map(({ at: _at, ...link }) => link);
}

/**
 * Frontmatter `context` (pinned notes): a list of links (`"[[A]]"`) or plain names, or one of them.
 * Each entry is one link; an entry that is not text is ignored.
 */
export function pinnedLinks(value: unknown): NoteLink[] {
    const entries = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    const out: NoteLink[] = [];
    for (const entry of entries) {
        if (typeof entry !== "string" || entry.trim() === "") continue;
        const [link] = findLinks(entry);
        if (link) out.push(link);
        else if (!SCHEME.test(entry.trim())) out.push({ raw: entry.trim(), embed: false, ...split(entry.trim()) });
    }
    return out;
}
