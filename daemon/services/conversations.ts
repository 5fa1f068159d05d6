/**
 * Which conversation a note belongs to (docs/notes.md): its frontmatter `conversation_id`. Missing or
 * unknown ids mint a new conversation; an id that belongs to another note which still carries it is
 * a copied note, and the copy forks into a conversation of its own (its parent kept in `parent_id`).
 * An id whose note is gone or no longer carries it follows the note (a rename or a move).
 */
import { randomUUID } from "node:crypto";
import type { CanonicalMessage } from "../messages";
import type { ConversationRow, ConversationStore } from "../store/conversations";

/** A finished turn's history, as TurnRun hands it over. */
export interface TurnHistory {
    /** Stored messages before this index stay; later ones are replaced. */
    keep: number;
    /** Set when the note changed an earlier turn: the history as it was is kept as a branch forked there. */
    forkedAt?: number;
    append: CanonicalMessage[];
    agent: string;
    title: string;
    notePath: string;
}

export interface NoteConversation {
    id: string;
    parentId: string | null;
    stored: CanonicalMessage[];
}

/** A conversation's title: the note's frontmatter `title`, else its file name without `.md`. */
export function conversationTitle(notePath: string, frontmatterTitle?: string): string {
    return frontmatterTitle ?? notePath.replace(/^.*\//, "").replace(/\.md$/i, "");
}

export type CarriesId = (notePath: string, conversationId: string) => Promise<boolean>;

export class ConversationService {
    constructor(
        private readonly store: ConversationStore,
        private readonly carriesId: CarriesId,
    ) {}

    /** The conversation's row, if it exists. */
    find(id: string): Promise<ConversationRow | undefined> {
        return this.store.get(id);
    }

    /** The conversation's stored history (the canonical messages, in order). */
    messages(id: string): Promise<CanonicalMessage[]> {
        return this.store.messages(id);
    }

    /** Makes the conversation `id` (with no history) unless it exists: a frontend's log note starts one. */
    async ensure(c: { id: string; agent: string; notePath: string; title: string }): Promise<void> {
        if (!(await this.store.get(c.id))) await this.store.create({ ...c, parentId: null });
    }

    /** Whether a conversation with this id exists, and whether it has a stored message (an answered turn). */
    async state(id: string | undefined): Promise<"none" | "empty" | "turns"> {
        if (!id || !(await this.store.get(id))) return "none";
        return (await this.store.messages(id)).length > 0 ? "turns" : "empty";
    }

    async forNote(notePath: string, frontmatterId: string | undefined, agent: string, title: string): Promise<NoteConversation> {
        const row = frontmatterId ? await this.store.get(frontmatterId) : undefined;
        if (row) {
            if (row.note_path === notePath) return { id: row.id, parentId: row.parent_id, stored: await this.store.messages(row.id) };
            if (row.note_path && (await this.carriesId(row.note_path, row.id))) {
                const stored = await this.store.messages(row.id);
                const copy = await this.store.create({ id: randomUUID(), agent, notePath, title, parentId: row.id }, stored);
                return { id: copy.id, parentId: row.id, stored };
            }
            await this.store.moveNote(row.id, notePath);
            return { id: row.id, parentId: row.parent_id, stored: await this.store.messages(row.id) };
        }
        const created = await this.store.create({ id: randomUUID(), agent, notePath, title, parentId: null });
        return { id: created.id, parentId: null, stored: [] };
    }

    /** Stores a turn of `conversation` in one transaction: the kept history, the new messages, a branch when it forked. */
    async commitTurn(conversation: NoteConversation, turn: TurnHistory): Promise<void> {
        const { forkedAt, ...rest } = turn;
        await this.store.commitTurn({
            ...rest,
            conversationId: conversation.id,
            branch: forkedAt !== undefined ? { id: randomUUID(), forkedAt, messages: conversation.stored } : undefined,
        });
    }
}
