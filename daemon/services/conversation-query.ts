/**
 * The conversations API (docs/api.md): search, count, batches, one conversation with its history, its kept
 * branches (docs/notes.md), a zip to download and its agent's skills. Knows nothing of Koa: routes hand it
 * the parsed query string and path parameters and send back what it returns.
 */
import type { Readable } from "node:stream";
import { LodgeError } from "../../shared/errors";
import type {
    BranchList,
    BranchWithMessages,
    Conversation,
    ConversationCount,
    ConversationPage,
    ConversationWithMessages,
    HistoryMessage,
    SkillInfo,
    SkillList,
} from "../../shared/protocol/api";
import type { ConversationSearchStore } from "../store/conversation-search";
import type { ConversationRow, ConversationStore } from "../store/conversations";
import type { TranscriptStore } from "../store/transcripts";
import type { UsageStore } from "../store/usage";
import { decodeCursor, encodeCursor, parseFilters, parseLimit, type QueryParams, refuseUnknown, single } from "./conversation-filters";
import { zipConversation } from "./conversation-zip";

/** At most this many ids in one `GET /v1/conversations?ids=…`. */
export const MAX_IDS = 100;

export interface ConversationQueryDeps {
    usage: UsageStore;
    search: ConversationSearchStore;
    conversations: ConversationStore;
    transcripts: TranscriptStore;
    /** The note's text as it is now, or null when it is gone or unreadable. */
    readNote: (notePath: string) => Promise<string | null>;
    /** The skills of an agent (its memory repository's `skills/`). */
    skills: (agent: string) => Promise<SkillInfo[]>;
}

export interface Download {
    filename: string;
    /** The archive, written as it is read (conversation-zip.ts). */
    zip: Readable;
}

/** A row in the contract's field order. */
export function toConversation(row: ConversationRow): Conversation {
    return {
        id: row.id,
        title: row.title,
        agent: row.agent,
        note_path: row.note_path,
        created_at: row.created_at,
        updated_at: row.updated_at,
        message_count: row.message_count,
        parent_id: row.parent_id,
    };
}

export class ConversationQueryService {
    constructor(private readonly deps: ConversationQueryDeps) {}

    async search(query: QueryParams): Promise<ConversationPage> {
        const { filter, fingerprint } = parseFilters(query, "search");
        const limit = parseLimit(query);
        const after = decodeCursor(single(query, "page_id"), fingerprint);
        // One more than the page: whether another page follows is known now, so the last page says null.
        const rows = await this.deps.search.search(filter, after, limit + 1);
        const items = rows.slice(0, limit).map(toConversation);
        const last = items[items.length - 1];
        return {
            items,
            next_page_id: rows.length > limit && last ? encodeCursor({ updatedAt: last.updated_at, id: last.id }, fingerprint) : null,
        };
    }

    /** Takes search's query string: the filters count, `page_id` and `limit` are ignored. */
    async count(query: QueryParams): Promise<ConversationCount> {
        return { count: await this.deps.search.count(parseFilters(query, "count").filter) };
    }

    async batch(query: QueryParams): Promise<Array<Conversation | null>> {
        refuseUnknown(query, ["ids"], "GET /v1/conversations");
        const raw = query.ids;
        const ids = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        if (ids.length > MAX_IDS) throw new LodgeError("bad_request", `${ids.length} ids asked for; at most ${MAX_IDS} at a time`);
        const found = new Map((await this.deps.search.byIds([...new Set(ids)])).map((row) => [row.id, toConversation(row)]));
        return ids.map((id) => found.get(id) ?? null);
    }

    async get(id: string): Promise<ConversationWithMessages> {
        const conversation = await this.find(id);
        return { ...conversation, messages: await this.messages(id), usage: await this.deps.usage.total(id) };
    }

    async branches(id: string): Promise<BranchList> {
        await this.find(id);
        const rows = await this.deps.conversations.branches(id);
        return {
            items: rows.map((b) => ({
                branch_id: b.branch_id,
                forked_at: b.forked_at,
                created_at: b.created_at,
                message_count: b.message_count,
            })),
        };
    }

    async branch(id: string, branchId: string): Promise<BranchWithMessages> {
        await this.find(id);
        const b = await this.deps.conversations.branch(id, branchId);
        if (!b) throw new LodgeError("not_found", `conversation ${id} has no branch "${branchId}"`);
        return {
            branch_id: b.branch_id,
            forked_at: b.forked_at,
            created_at: b.created_at,
            message_count: b.message_count,
            messages: b.messages,
        };
    }

    /** meta.json, messages.jsonl, note.md (when the note exists), transcript.jsonl (Claude Code sessions). */
    async download(id: string): Promise<Download> {
        const conversation = await this.find(id);
        const meta = { ...conversation, usage: await this.deps.usage.total(id) };
        const messages = await this.deps.conversations.messagesOneByOne(id);
        const note = conversation.note_path === null ? null : await this.deps.readNote(conversation.note_path);
        // The newest session's transcript: the one the next turn resumes from.
        const transcript = (await this.deps.transcripts.sessions(id)).at(-1)?.transcript ?? null;
        const zip = zipConversation({ meta, messages, note, transcript }, new Date(conversation.updated_at));
        return { filename: `conversation-${id.replace(/[^\w.-]/g, "_")}.zip`, zip };
    }

    async skills(id: string): Promise<SkillList> {
        const conversation = await this.find(id);
        return { items: await this.deps.skills(conversation.agent) };
    }

    private async find(id: string): Promise<Conversation> {
        const row = await this.deps.conversations.get(id);
        if (!row) throw new LodgeError("not_found", `no conversation "${id}"`);
        return toConversation(row);
    }

    private async messages(id: string): Promise<HistoryMessage[]> {
        return this.deps.conversations.messages(id);
    }
}
