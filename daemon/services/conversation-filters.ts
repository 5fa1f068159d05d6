/**
 * The query string of `GET /v1/conversations/search` and `/count` (docs/api.md), checked and turned into
 * a store filter, and the opaque `page_id` cursor. Every mistake is `bad_request` naming the parameter.
 */
import { createHash } from "node:crypto";
import { LodgeError } from "../../shared/errors";
import type { ConversationFilter, PagePosition, SearchWord } from "../store/conversation-search";

/** A query string as Node parses it: a repeated key gives an array. */
export type QueryParams = Readonly<Record<string, string | string[] | undefined>>;

const FILTERS = ["q", "title__contains", "agent", "created_at__gte", "created_at__lt", "updated_at__gte", "updated_at__lt"] as const;
const PAGING = ["page_id", "limit"] as const;
const TIMES = {
    created_at__gte: "createdGte",
    created_at__lt: "createdLt",
    updated_at__gte: "updatedGte",
    updated_at__lt: "updatedLt",
} as const;
export const MAX_LIMIT = 100;
/** More words than this in `q` is refused: each one is a probe and a condition. */
export const MAX_WORDS = 16;

const bad = (message: string): LodgeError => new LodgeError("bad_request", message);

/** The one value of `key`, refusing repeats and NUL characters (no text the API stores has them); undefined when absent. */
export function single(query: QueryParams, key: string): string | undefined {
    const value = query[key];
    if (Array.isArray(value)) throw bad(`${key} is given ${value.length} times; give it once`);
    if (value?.includes("\u0000")) throw bad(`${key} contains a NUL character`);
    return value;
}

export function refuseUnknown(query: QueryParams, known: readonly string[], route: string): void {
    const unknown = Object.keys(query).filter((k) => !known.includes(k));
    if (unknown.length > 0)
        throw bad(`unknown query parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; ${route} takes ${known.join(", ")}`);
}

/**
 * `q` (and `search_notes`' query, named by `name`): words separated by spaces, each matched as a whole
 * word, `word*` as a prefix. Quotes and FTS5 operators are plain text. A word with inner punctuation (`e-mail`, `3.5`) is its parts in a row.
 */
export function parseWords(q: string, name = "q"): SearchWord[] {
    const words: SearchWord[] = [];
    for (const raw of q.split(/\s+/u)) {
        const text = raw.replace(/\*+$/u, "");
        if (!/[\p{L}\p{N}]/u.test(text)) continue; // punctuation alone is no word (the tokenizer drops it)
        words.push({ text, prefix: text.length < raw.length });
    }
    if (words.length === 0 && q.trim() !== "") throw bad(`${name} has no words to search for: "${q}"`);
    if (words.length > MAX_WORDS) throw bad(`${name} has ${words.length} words; at most ${MAX_WORDS}`);
    return words;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 time as stored: `2025-01-31T09:30:00.000Z`. Accepts a date alone (midnight UTC), no
 * seconds, any fraction, and an offset (no offset means UTC). Fractions finer than a millisecond
 * round up: stored times have milliseconds, so `t >= x` and `t < x` keep their meaning.
 */
export function parseTime(key: string, value: string): string {
    const m = ISO_TIME.exec(value.trim());
    const fail = (): never => {
        throw bad(`${key} must be an ISO 8601 time such as 2025-01-31T09:30:00.000Z, not "${value}"`);
    };
    if (!m) return fail();
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
    ];
    const fraction = m[7] ?? "";
    const ms = Math.ceil(Number(`0.${fraction || "0"}`) * 1000);
    let at = Date.UTC(year, month - 1, day, hour, minute, second, 0) + ms;
    const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (
        check.getUTCFullYear() !== year ||
        check.getUTCMonth() !== month - 1 ||
        check.getUTCDate() !== day ||
        hour > 23 ||
        minute > 59 ||
        second > 59
    )
        fail();
    const zone = m[8];
    if (zone && zone.toUpperCase() !== "Z") {
        const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
        const minutes = Number(z[2]) * 60 + Number(z[3]);
        if (Number(z[2]) > 23 || Number(z[3]) > 59) fail();
        at -= (z[1] === "+" ? 1 : -1) * minutes * 60_000;
    }
    if (!Number.isFinite(at)) fail();
    return new Date(at).toISOString();
}

export interface SearchRequest {
    filter: ConversationFilter;
    /** Fingerprint of the filter: a page_id only continues the search it came from. */
    fingerprint: string;
}

/** The filters of a search or count query; `page_id` and `limit` are read by `parsePaging`. */
export function parseFilters(query: QueryParams, route: string): SearchRequest {
    refuseUnknown(query, [...FILTERS, ...PAGING], route);
    const filter: ConversationFilter = {};
    const q = single(query, "q");
    if (q !== undefined) {
        const words = parseWords(q);
        if (words.length > 0) filter.words = words;
    }
    const title = single(query, "title__contains");
    if (title !== undefined && title !== "") filter.titleContains = title;
    const agent = single(query, "agent");
    if (agent !== undefined) filter.agent = agent;
    for (const [key, field] of Object.entries(TIMES) as Array<[keyof typeof TIMES, (typeof TIMES)[keyof typeof TIMES]]>) {
        const value = single(query, key);
        if (value !== undefined) filter[field] = parseTime(key, value);
    }
    const canonical = JSON.stringify([
        filter.words ?? [],
        filter.titleContains ?? null,
        filter.agent ?? null,
        filter.createdGte,
        filter.createdLt,
        filter.updatedGte,
        filter.updatedLt,
    ]);
    return { filter, fingerprint: createHash("sha256").update(canonical).digest("base64url").slice(0, 16) };
}

export function parseLimit(query: QueryParams): number {
    const raw = single(query, "limit");
    if (raw === undefined) return MAX_LIMIT;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT)
        throw bad(`limit must be a whole number from 1 to ${MAX_LIMIT}, not "${raw}"`);
    return Number(raw);
}

interface Cursor {
    /** updated_at and id of the last conversation of the previous page. */
    u: string;
    i: string;
    /** The search's fingerprint. */
    f: string;
}

export function encodeCursor(position: PagePosition, fingerprint: string): string {
    const cursor: Cursor = { u: position.updatedAt, i: position.id, f: fingerprint };
    return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

/**
 * Where a page starts. The cursor is the last conversation listed (keyset on updated_at, id), so
 * conversations added during a scan land before it and never shift the pages after it.
 */
export function decodeCursor(raw: string | undefined, fingerprint: string): PagePosition | null {
    if (raw === undefined) return null;
    let cursor: Partial<Cursor> | null = null;
    try {
        if (/^[A-Za-z0-9_-]+$/.test(raw)) cursor = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    } catch {
        cursor = null;
    }
    const valid =
        cursor !== null &&
        typeof cursor === "object" &&
        typeof cursor.i === "string" &&
        typeof cursor.f === "string" &&
        typeof cursor.u === "string";
    if (!valid || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(cursor!.u!)) {
        throw bad("page_id is not one this daemon gave: pass next_page_id from the previous page unchanged");
    }
    if (cursor!.f !== fingerprint) throw bad("page_id belongs to a search with other filters: keep the filters unchanged while paging");
    return { updatedAt: cursor!.u!, id: cursor!.i! };
}
