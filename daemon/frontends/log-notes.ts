/**
 * The chat notes that log the other frontends' conversations (docs/frontends.md): one per conversation in
 * `chats.log_folder`, named `YYYY-MM-DD HHmm <title>.md` after the first user message, with `agent`,
 * `conversation_id` and `frontend` in its frontmatter. Once written it is an ordinary chat note.
 */
import { existsSync } from "node:fs";
import { setFrontmatterKeys } from "../../shared/note/frontmatter-write";
import type { ConversationTurn } from "../../shared/note/types";
import { renderTurns } from "../../shared/note/user-turn";
import type { Frontend } from "../../shared/protocol/events";
import type { NotePath, Vault } from "../vault/vault";

const TITLE_CHARS = 60;
/** Characters a file name cannot hold on some system, or that Obsidian's links treat specially. */
const UNSAFE = /[\\/:*?"<>|#^[\]\u0000-\u001f\u007f]/g;

/** The first `TITLE_CHARS` characters of a message, made a file name that works on every system. */
export function safeTitle(message: string): string {
    const flat = message.replace(/\s+/g, " ").trim();
    const cut = [...flat].slice(0, TITLE_CHARS).join("");
    const safe = cut
        .replace(UNSAFE, " ")
        .replace(/\s+/g, " ")
        .trim()
        .replace(/^[.\s]+|[.\s]+$/g, "");
    return safe === "" ? "Chat" : safe;
}

const two = (n: number): string => String(n).padStart(2, "0");

/** `YYYY-MM-DD HHmm` in the person's own time zone. */
export function stamp(at: Date): string {
    return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}${two(at.getMinutes())}`;
}

export interface LogNoteFields {
    agent: string;
    conversation_id: string;
    frontend: Exclude<Frontend, "note" | "watch">;
    /** A client's own system prompt, which replaces the agent's as frontmatter `system` does. */
    system?: string;
}

export class LogNotes {
    /** Paths handed out whose note may not be on disk yet: two new conversations never share one. */
    private readonly reserved = new Set<string>();

    constructor(
        private readonly vault: Vault,
        readonly folder: string,
    ) {}

    /** A new note's path for a conversation whose first user message is `message`; `release` it once written. */
    async reserve(message: string, at = new Date()): Promise<NotePath> {
        const base = `${this.folder}/${stamp(at)} ${safeTitle(message)}`;
        for (let n = 1; ; n++) {
            const note = await this.vault.resolve(`${base}${n === 1 ? "" : ` ${n}`}.md`);
            if (!this.reserved.has(note.absolute) && !existsSync(note.absolute)) {
                this.reserved.add(note.absolute);
                return note;
            }
        }
    }

    release(note: NotePath): void {
        this.reserved.delete(note.absolute);
    }

    /** A new log note's text: its frontmatter, then `turns`, the last being the new user turn. */
    compose(fields: LogNoteFields, turns: readonly ConversationTurn[]): string {
        const keys: Record<string, string> = { agent: fields.agent, conversation_id: fields.conversation_id, frontend: fields.frontend };
        if (fields.system !== undefined) keys.system = fields.system;
        return setFrontmatterKeys(renderTurns(turns), keys);
    }
}
