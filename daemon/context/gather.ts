/**
 * Reads what a turn's links and pins name (docs/context.md), within the turn's budgets: `context.link_chars`
 * characters of notes (pinned first, then links in the order written; the note that crosses the
 * limit is cut with a line saying how much was not sent, later ones are not sent), 10 images of at
 * most 5 MB. Every link that sends nothing gets a line for the info callout saying why; nothing here
 * throws for a bad file, and nothing outside the vault or hidden from agents is read.
 */
import { readFile, stat } from "node:fs/promises";
import type { ImageBlock } from "../messages";
import { decodeNote } from "../vault/vault";
import type { Visibility } from "../vault/visibility";
import { IMAGE_EXTENSION, IMAGES_PER_TURN, kilobytes, megabytes, readImage } from "./images";
import type { NoteLink } from "./links";
import type { LinkResolver } from "./resolve";
import { headingKey, linkedPart } from "./sections";

export interface GatherOptions {
    resolver: LinkResolver;
    visibility: Visibility;
    /** The chat note: links to it are not followed. */
    source: string;
    linkChars: number;
    /** Notes larger than this (`http.max_body_mb`) are not read. */
    maxBytes: number;
}

export type Gathered =
    { kind: "note"; path: string; subpath: string; text: string } | { kind: "image"; block: ImageBlock; absolute: string; data: string };

export class Gatherer {
    readonly lines: string[] = [];
    notes = 0;
    images = 0;
    private remaining: number;
    private readonly seen = new Set<string>();
    private readonly refused = new Set<string>();
    private readonly reads = new Map<string, Promise<Buffer | null>>();

    constructor(private readonly o: GatherOptions) {
        this.remaining = o.linkChars;
    }

    /**
     * Resolves the links and starts reading their notes side by side; `take` then goes through them
     * in order, for the budget, with the reading mostly done.
     */
    async prefetch(links: readonly NoteLink[]): Promise<void> {
        await Promise.all(
            links.map(async (link) => {
                if (link.linkpath === "") return;
                const resolved = await this.o.resolver.resolve(link.linkpath).catch(() => null);
                if (resolved && "path" in resolved && /\.md$/i.test(resolved.path) && !this.o.visibility.pathRule(resolved.path))
                    this.read(resolved.absolute).catch(() => null);
            }),
        );
    }

    /** A note's bytes, read once a turn; null when it is larger than maxBytes (nothing of it is read). */
    private read(absolute: string): Promise<Buffer | null> {
        let bytes = this.reads.get(absolute);
        if (!bytes) {
            bytes = stat(absolute).then((info) => (info.size > this.o.maxBytes ? null : readFile(absolute)));
            this.reads.set(absolute, bytes);
        }
        return bytes;
    }

    /** What one link sends, or null (a line says why, unless it is a repeat or the chat note itself). */
    async take(link: NoteLink, pinned: boolean): Promise<Gathered | null> {
        if (link.linkpath === "") return null; // `[[#Heading]]`: a place in the chat note itself
        const resolved = await this.o.resolver.resolve(link.linkpath);
        if (!resolved) return this.refuse(link, "not found");
        if ("problem" in resolved) return this.refuse(link, resolved.problem);
        if (resolved.path === this.o.source) return null;
        const hidden = this.o.visibility.pathRule(resolved.path);
        if (hidden) return this.refuse(link, hidden === "hidden" ? "in a hidden folder" : "excluded by context.exclude");
        const key = `${resolved.path.toLowerCase()}#${link.subpath.startsWith("^") ? link.subpath.toLowerCase() : headingKey(link.subpath)}`;
        if (this.seen.has(key) || this.seen.has(`${resolved.path.toLowerCase()}#`)) return null;
        this.seen.add(key);
        if (IMAGE_EXTENSION.test(resolved.path)) return this.image(link, resolved.path, resolved.absolute);
        if (!/\.md$/i.test(resolved.path)) return this.refuse(link, "not a note or an image");
        const info = await stat(resolved.absolute).catch(() => null);
        if (!info) return this.refuse(link, "not found");
        if (info.size > this.o.maxBytes) return this.refuse(link, `${megabytes(info.size)}, larger than http.max_body_mb`);
        let text: string;
        try {
            const bytes = await this.read(resolved.absolute);
            if (bytes === null) return this.refuse(link, `${megabytes(info.size)}, larger than http.max_body_mb`);
            text = decodeNote(bytes, resolved.path);
        } catch (err) {
            return this.refuse(link, (err as Error).message.replace(`${resolved.path} `, ""));
        }
        if (this.o.visibility.note(resolved.path, text)) return this.refuse(link, "excluded by context.exclude");
        const part = linkedPart(text, link.subpath);
        if (part === null)
            return this.refuse(
                link,
                link.subpath.startsWith("^")
                    ? `no block ^${link.subpath.slice(1)} in ${resolved.path}`
                    : `no heading "${link.subpath}" in ${resolved.path}`,
            );
        const label = `${pinned ? "pinned " : ""}${resolved.path}${link.subpath ? `#${link.subpath}` : ""}`;
        if (this.remaining <= 0)
            return this.refuse(link, `not sent: context.link_chars (${this.o.linkChars.toLocaleString("en-US")}) used up`);
        let sent = part;
        let chars = part.length;
        if (part.length > this.remaining) {
            chars = this.remaining;
            if (/[\uD800-\uDBFF]/.test(part.charAt(chars - 1))) chars--; // never half a character
            sent = `${part.slice(0, chars)}\n[… ${(part.length - chars).toLocaleString("en-US")} more characters not sent]`;
        }
        this.remaining = chars < part.length ? 0 : this.remaining - chars;
        this.notes++;
        this.lines.push(`${label} — ${chars.toLocaleString("en-US")} characters${chars < part.length ? ", cut" : ""}`);
        return { kind: "note", path: resolved.path, subpath: link.subpath, text: sent };
    }

    private async image(link: NoteLink, path: string, absolute: string): Promise<Gathered | null> {
        if (this.images >= IMAGES_PER_TURN) return this.refuse(link, `not sent: at most ${IMAGES_PER_TURN} images a turn`);
        const read = await readImage(absolute);
        if ("problem" in read) return this.refuse(link, read.problem);
        this.images++;
        this.lines.push(`image ${path} — ${kilobytes(read.bytes)}`);
        return { kind: "image", block: { type: "image", path, media_type: read.media_type }, absolute, data: read.data };
    }

    private refuse(link: NoteLink, why: string): null {
        if (this.refused.has(link.raw)) return null;
        this.refused.add(link.raw);
        this.lines.push(`${link.raw} — ${why}`);
        return null;
    }
}
