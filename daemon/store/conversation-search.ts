/**
 * Finding conversations (docs/api.md): filters, full text over their messages, keyset pages newest update
 * first, counts over the very same WHERE, and batches by id. The indexes (messages_search,
 * conversation_titles) are kept in step by the triggers of migration 004-conversation-search.
 */
import type { ConversationRow } from "./conversations";
import type { Db, Param } from "./db";
import { phrase, type SearchWord, wordExpression } from "./fts-match";

export type { SearchWord } from "./fts-match";

export interface ConversationFilter {
    /** Every word must appear, as a whole word (or a prefix), in the conversation's messages. */
    words?: SearchWord[];
    /** A substring of the title, in any case. */
    titleContains?: string;
    agent?: string;
    /** ISO 8601 UTC with milliseconds, as stored: text order is time order. */
    createdGte?: string;
    createdLt?: string;
    updatedGte?: string;
    updatedLt?: string;
}

/** Where the previous page ended: the last conversation it listed. */
export interface PagePosition {
    updatedAt: string;
    id: string;
}

const COLUMNS = "c.id, c.title, c.agent, c.note_path, c.created_at, c.updated_at, c.message_count, c.parent_id";
/** messages_search rowids are key * 2^24 + seq (migration 004): a conversation is one rowid range. */
const KEY_SPAN = 16777216;
/** How many matches a probe reads at most: enough to tell a rare word from a common one, and cheap. */
export const PROBE = 5_000;
/**
 * Rough costs in microseconds, measured on the bench's database: reading one match into a set,
 * fetching (and sorting) one conversation reached through a set, stepping over one conversation while
 * walking them newest first, and one FTS seek for one conversation.
 */
const COST = { setHit: 0.15, fetch: 2.5, walk: 0.3, seek: 40 };

const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);

/** Each case form of each character, for non-ASCII titles too short for trigrams (at most 9 forms). */
function caseForms(text: string): string[] {
    let forms = [""];
    for (const ch of text) {
        const variants = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])];
        forms = forms.flatMap((f) => variants.map((v) => f + v));
    }
    return forms;
}

interface Clause {
    sql: string;
    params: Param[];
}

/**
 * A condition an FTS index can answer: a word over messages_search, or a title substring over
 * conversation_titles. It can drive the query (start from its conversations), be a set each candidate
 * is looked up in, or be checked per candidate; all three select the same conversations.
 */
interface Indexed {
    /** The conversation keys it selects, from its index. */
    keys: Clause;
    /** The same condition checked on one candidate (`k`, `c` in scope), and what that costs. */
    perRow: Clause | null;
    perRowCost: number;
    /** A condition that holds whatever the plan (the exact predicate when the index is only a filter). */
    exact?: Clause;
    /** The probe: the first PROBE matches, in key order. */
    probe: Clause;
}

interface Estimate {
    term: Indexed;
    /** Matching rows and conversations, extrapolated from the probe when it was cut short. */
    hits: number;
    conversations: number;
}

type Plan = "drive" | "set" | "row";

function wordTerm(word: SearchWord, probe: number): Indexed {
    const match = { sql: "messages_search WHERE messages_search MATCH ?", params: [wordExpression(word)] };
    return {
        keys: { sql: `SELECT rowid >> 24 FROM ${match.sql}`, params: match.params },
        // A prefix may stand for many words: each seek would merge them all again.
        perRow: word.prefix
            ? null
            : {
                  sql: `EXISTS (SELECT 1 FROM ${match.sql} AND rowid >= k.key * ${KEY_SPAN} AND rowid < (k.key + 1) * ${KEY_SPAN})`,
                  params: match.params,
              },
        perRowCost: COST.seek,
        probe: { sql: `SELECT rowid >> 24 AS key FROM ${match.sql} LIMIT ${probe}`, params: match.params },
    };
}

/** Null: a title condition no index answers (a non-ASCII needle of 1–2 characters); see titleClause. */
function titleTerm(needle: string, probe: number): Indexed | null {
    if ([...needle].length < 3) return null;
    const match = { sql: "conversation_titles WHERE conversation_titles MATCH ?", params: [phrase(needle)] };
    // ASCII needles: LIKE ignores ASCII case, all the case they have, and is cheap per row; the
    // trigrams (which fold more than ASCII) then only narrow, LIKE decides.
    const like = isAscii(needle) ? titleClause(needle) : null;
    return {
        keys: { sql: `SELECT rowid FROM ${match.sql}`, params: match.params },
        perRow: like ?? { sql: `EXISTS (SELECT 1 FROM ${match.sql} AND rowid = k.key)`, params: match.params },
        perRowCost: like ? 0.2 : COST.seek,
        exact: like ?? undefined,
        probe: { sql: `SELECT rowid AS key FROM ${match.sql} LIMIT ${probe}`, params: match.params },
    };
}

/** A title condition checked on the row itself. */
function titleClause(needle: string): Clause {
    if (isAscii(needle)) return { sql: "c.title LIKE ? ESCAPE '\\'", params: [`%${needle.replace(/[\\%_]/g, "\\$&")}%`] };
    const forms = caseForms(needle);
    return { sql: `(${forms.map(() => "instr(c.title, ?) > 0").join(" OR ")})`, params: forms };
}

const COMPARE: Array<[keyof ConversationFilter, string]> = [
    ["agent", "c.agent = ?"],
    ["createdGte", "c.created_at >= ?"],
    ["createdLt", "c.created_at < ?"],
    ["updatedGte", "c.updated_at >= ?"],
    ["updatedLt", "c.updated_at < ?"],
];

export class ConversationSearchStore {
    private readonly probe: number;

    /** `probe` (default PROBE) exists so tests reach every plan with little data. */
    constructor(
        private readonly db: Db,
        options: { probe?: number } = {},
    ) {
        this.probe = options.probe ?? PROBE;
    }

    /** One page, newest update first (ties by id), starting after `after`. */
    async search(filter: ConversationFilter, after: PagePosition | null, limit: number): Promise<ConversationRow[]> {
        const q = await this.query(filter, limit);
        const page = after ? ["(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))"] : [];
        const params = after ? [...q.params, after.updatedAt, after.updatedAt, after.id] : q.params;
        return this.db.all<ConversationRow>(
            `SELECT ${COLUMNS} ${q.from} WHERE ${[q.where, ...page].join(" AND ")} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`,
            [...params, limit],
        );
    }

    /** How many conversations `search` would page through with this filter: the same conditions. */
    async count(filter: ConversationFilter): Promise<number> {
        const q = await this.query(filter, null);
        const row = await this.db.get<{ n: number }>(`SELECT count(*) AS n ${q.from} WHERE ${q.where}`, q.params);
        return row?.n ?? 0;
    }

    /** The conversations with these ids (unknown ones are missing), in no particular order. */
    byIds(ids: readonly string[]): Promise<ConversationRow[]> {
        if (ids.length === 0) return Promise.resolve([]);
        return this.db.all<ConversationRow>(`SELECT ${COLUMNS} FROM conversations AS c WHERE c.id IN (${ids.map(() => "?").join(", ")})`, [
            ...ids,
        ]);
    }

    /**
     * The FROM and WHERE for a filter (`limit` null: a count, which visits every match). Which
     * conversations they select never changes; how SQLite reaches them follows the terms' frequencies,
     * which SQLite itself cannot see inside the FTS indexes.
     */
    private async query(filter: ConversationFilter, limit: number | null): Promise<{ from: string; where: string; params: Param[] }> {
        const terms = (filter.words ?? []).map((word) => wordTerm(word, this.probe));
        const title = filter.titleContains === undefined ? undefined : titleTerm(filter.titleContains, this.probe);
        if (title) terms.push(title);
        const plans = await this.plan(terms, limit);
        const first: Clause[] = [];
        const checks: Array<{ clause: Clause; cost: number; hits: number }> = [];
        for (const { term, plan, hits } of plans) {
            if (plan === "row") {
                checks.push({ clause: term.perRow!, cost: term.perRowCost, hits });
                continue;
            }
            // A unary + keeps SQLite from using a set as an index on k unless it drives: without
            // statistics it would otherwise probe the whole set for every candidate.
            first.push({ sql: `${plan === "drive" ? "" : "+"}k.key IN (${term.keys.sql})`, params: term.keys.params });
            if (term.exact) checks.push({ clause: term.exact, cost: 0, hits: 0 });
        }
        // Per-row checks last, the cheapest and most selective first, so fewer candidates reach the rest.
        const last = checks.sort((a, b) => a.cost - b.cost || a.hits - b.hits).map((c) => c.clause);
        if (filter.titleContains !== undefined && !title) first.push(titleClause(filter.titleContains));
        for (const [key, sql] of COMPARE) {
            const value = filter[key];
            if (typeof value === "string") first.push({ sql, params: [value] });
        }
        // CROSS JOIN fixes the order: from the driving term's conversations, or walking them all.
        const from = plans.some((p) => p.plan === "drive")
            ? "FROM conversation_keys AS k CROSS JOIN conversations AS c ON c.id = k.conversation_id"
            : terms.length > 0
              ? "FROM conversations AS c CROSS JOIN conversation_keys AS k ON k.conversation_id = c.id"
              : "FROM conversations AS c";
        const clauses = [...first, ...last];
        return {
            from,
            where: clauses.length === 0 ? "1" : clauses.map((c) => c.sql).join(" AND "),
            params: clauses.flatMap((c) => c.params),
        };
    }

    /** Probes each term, then picks the cheapest way: drive from the rarest, or walk; sets or per-row checks. */
    private async plan(terms: Indexed[], limit: number | null): Promise<Array<Estimate & { plan: Plan }>> {
        if (terms.length === 0) return [];
        const total = Math.max(1, (await this.db.get<{ n: number | null }>("SELECT max(key) AS n FROM conversation_keys"))?.n ?? 1);
        const estimates: Estimate[] = [];
        for (const term of terms) {
            const row = await this.db.get<{ hits: number; conversations: number; last: number | null }>(
                `SELECT count(*) AS hits, count(DISTINCT key) AS conversations, max(key) AS last FROM (${term.probe.sql})`,
                term.probe.params,
            );
            const hits = row?.hits ?? 0;
            // Cut short: the matches so far covered keys up to `last`; the rest are assumed alike.
            const scale = hits >= this.probe ? total / Math.max(1, row?.last ?? 1) : 1;
            estimates.push({ term, hits: hits * scale, conversations: Math.min(total, (row?.conversations ?? 0) * scale) });
        }
        const rarest = estimates.reduce((a, b) => (b.conversations < a.conversations ? b : a));
        // Walking newest first visits conversations until the page is full (all of them, for a count);
        // the terms are taken as independent to guess how many match all of them.
        const density = estimates.reduce((d, e) => d * (e.conversations / total), 1);
        const walked = limit === null ? total : Math.min(total, limit / Math.max(density, 1 / total));
        const driveCost = rarest.conversations * COST.fetch + rarest.hits * COST.setHit;
        const drive =
            driveCost <
            walked * COST.walk + Math.min(rarest.hits * COST.setHit, rarest.term.perRow ? walked * rarest.term.perRowCost : Infinity);
        const visited = drive ? rarest.conversations : walked;
        return estimates.map((e) => {
            if (drive && e === rarest) return { ...e, plan: "drive" };
            return { ...e, plan: e.term.perRow && visited * e.term.perRowCost < e.hits * COST.setHit ? "row" : "set" };
        });
    }
}
