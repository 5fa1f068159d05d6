/**
 * The archive of `GET /v1/conversations/<id>/download` (docs/daemon.md, "Conversations API"): its entries
 * and their layout, written by yazl as the archive is sent. messages.jsonl is deflated and sent a message
 * at a time, so a conversation of many megabytes never exists as one string, one deflated buffer and one
 * archive in the daemon at once. UTF-8 names, rw-r--r-- regular files, every entry dated `modified`
 * (the conversation's `updated_at`); ZIP64 only when sizes need it.
 */
import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { Conversation, HistoryMessage } from "../../shared/protocol/api";

export interface ConversationArchive {
    /** meta.json: the conversation without its messages, with its usage. */
    meta: Conversation & { usage: unknown };
    /** messages.jsonl: one message per line, each read only when the archive reaches it. */
    messages: Iterable<HistoryMessage>;
    /** note.md: the note as it is on disk now; null when it is gone or unreadable (the entry is left out). */
    note: string | null;
    /** transcript.jsonl: the newest Claude Code session's transcript; null when there is none. */
    transcript: string | null;
}

const FILE_MODE = 0o100644;

export function zipConversation(archive: ConversationArchive, modified: Date): Readable {
    const zip = new ZipFile();
    const options = { mtime: modified, mode: FILE_MODE, compress: true };
    const text = (name: string, value: string): void => zip.addBuffer(Buffer.from(value, "utf8"), name, options);
    text("meta.json", `${JSON.stringify(archive.meta, null, 2)}\n`);
    // Lines are made only when yazl reaches this entry and the client has taken what came before.
    zip.addReadStream(Readable.from(jsonLines(archive.messages), { objectMode: false }), "messages.jsonl", options);
    if (archive.note !== null) text("note.md", archive.note);
    const t = archive.transcript;
    if (t !== null) text("transcript.jsonl", t.endsWith("\n") || t === "" ? t : `${t}\n`);
    zip.end();
    return zip.outputStream as Readable;
}

function* jsonLines(items: Iterable<unknown>): Generator<string> {
    for (const item of items) yield `${JSON.stringify(item)}\n`;
}
