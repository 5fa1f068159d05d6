/**
 * Images a person's text embeds (docs/context.md): png, jpeg, gif and webp files of the vault, at most
 * 5 MB each and 10 a turn, recognised by their first bytes (an extension alone proves nothing). The
 * history keeps an image block with the image's path, not its bytes (a conversation would otherwise
 * carry megabytes of base64 forever): every request reads the file again, and an image gone from the
 * vault since is sent as a line saying so.
 */
import { open, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import type { CanonicalMessage, ImageBlock } from "../messages";
import type { Visibility } from "../vault/visibility";

export const IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGES_PER_TURN = 10;
export const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp)$/i;

type MediaType = ImageBlock["media_type"];

/** The image type the first bytes say, or null. */
export function sniffImage(head: Uint8Array): MediaType | null {
    const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
    if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
    if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
    if (starts(0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return "image/gif";
    if (starts(0x52, 0x49, 0x46, 0x46) && head[8] === 0x57 && head[9] === 0x45 && head[10] === 0x42 && head[11] === 0x50)
        return "image/webp";
    return null;
}

export type ImageRead = { media_type: MediaType; data: string; bytes: number } | { problem: string };

/** Reads an image file of at most IMAGE_BYTES; a problem says why it is not sent. */
export async function readImage(absolute: string): Promise<ImageRead> {
    const handle = await open(absolute, "r").catch(() => null);
    if (!handle) return { problem: "not found" };
    try {
        const { size } = await handle.stat();
        if (size > IMAGE_BYTES) return { problem: `${megabytes(size)}, larger than ${megabytes(IMAGE_BYTES)}` };
        const bytes = new Uint8Array(size);
        let read = 0;
        while (read < size) {
            const { bytesRead } = await handle.read(bytes, read, size - read, read);
            if (bytesRead === 0) break;
            read += bytesRead;
        }
        const media = sniffImage(bytes.subarray(0, 16));
        if (!media) return { problem: "not a png, jpeg, gif or webp image" };
        return { media_type: media, data: Buffer.from(bytes.subarray(0, read)).toString("base64"), bytes: read };
    } finally {
        await handle.close();
    }
}

export function megabytes(bytes: number): string {
    const mb = bytes / (1024 * 1024);
    return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}

export function kilobytes(bytes: number): string {
    return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : megabytes(bytes);
}

/**
 * The messages with every image's bytes read from the vault for the request (`known`: bytes this
 * turn already read). An image that cannot be read any more becomes a line saying so.
 */
export async function withImageData(
    messages: readonly CanonicalMessage[],
    root: string,
    visibility: Visibility,
    known: ReadonlyMap<string, string>,
): Promise<CanonicalMessage[]> {
    if (!messages.some((m) => m.content.some((b) => b.type === "image"))) return [...messages];
    const out: CanonicalMessage[] = [];
    for (const m of messages) {
        if (!m.content.some((b) => b.type === "image")) {
            out.push(m);
            continue;
        }
        const content = [];
        for (const b of m.content) {
            if (b.type !== "image") {
                content.push(b);
                continue;
            }
            let data = known.get(b.path);
            if (data === undefined && !visibility.pathRule(b.path)) {
                // Re-checked like a new link: the file may have become a link out of the vault since.
                const real = await realpath(join(root, ...b.path.split("/"))).catch(() => null);
                const read = real?.startsWith(root + sep) ? await readImage(real) : null;
                if (read && "data" in read) data = read.data;
            }
            content.push(
                data === undefined ? { type: "text" as const, text: `[image ${b.path}: no longer in the vault]` } : { ...b, data },
            );
        }
        out.push({ ...m, content });
    }
    return out;
}
