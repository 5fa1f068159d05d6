/**
 * The search store underneath the conversations API (docs/api.md): what it finds is checked against a
 * plain reading of the rules over the same data, for every way it may plan a query (the probe size is
 * shrunk so small data reaches the plans meant for common words), and the indexes stay in step with
 * the history through turns, forks, title changes, deletions and the migration itself.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { CanonicalMessage } from "../../daemon/messages";
import { type ConversationFilter, ConversationSearchStore, type SearchWord } from "../../daemon/store/conversation-search";
import { type ConversationRow, ConversationStore } from "../../daemon/store/conversations";
import { Db } from "../../daemon/store/db";
import { scratch } from "../helpers/daemon";
import { pick, rng } from "../helpers/random";

const COMMON = ["alpha", "beta", "gamma"];
const RARE = ["delta", "epsilon", "zeta", "eta", "theta", "iota"];
const TITLES = ["Trip to Rome", "über Notes", "ÜBER plans", "Garden log", "Recipes: bread", "étude", "100% done", "snake_case"];
const AGENTS = ["assistant", "gpt", "coder"];

/** The words of a message that search sees: text, tool names and tool results; never thinking or tool inputs. */
function indexedWords(message: CanonicalMessage): string[] {
    const texts = message.content.flatMap((b) =>
        b.type === "text" ? [b.text] : b.type === "tool_use" ? [b.name] : b.type === "tool_result" ? [b.content] : [],
    );
    return texts
        .join(" ")
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
}

function matchesWord(words: string[], w: SearchWord): boolean {
    const t = w.text.toLowerCase();
    return words.some((x) => (w.prefix ? x.startsWith(t) : x === t));
}

/** docs/api.md's rules read plainly, over conversations and their messages. */
function expected(all: Array<{ row: ConversationRow; messages: CanonicalMessage[] }>, f: ConversationFilter): ConversationRow[] {
    return all
        .filter(({ row, messages }) => {
            const perMessage = messages.map(indexedWords);
            if (!(f.words ?? []).every((w) => perMessage.some((words) => matchesWord(words, w)))) return false;
            if (f.titleContains !== undefined && !row.title.toLowerCase().includes(f.titleContains.toLowerCase())) return false;
            if (f.agent !== undefined && row.agent !== f.agent) return false;
            if (f.createdGte !== undefined && !(row.created_at >= f.createdGte)) return false;
            if (f.createdLt !== undefined && !(row.created_at < f.createdLt)) return false;
            if (f.updatedGte !== undefined && !(row.updated_at >= f.updatedGte)) return false;
            if (f.updatedLt !== undefined && !(row.updated_at < f.updatedLt)) return false;
            return true;
        })
        .map((x) => x.row)
        .sort((a, b) => (a.updated_at === b.updated_at ? (a.id < b.id ? 1 : -1) : a.updated_at < b.updated_at ? 1 : -1));
}

function message(random: () => number, role: "user" | "assistant"): CanonicalMessage {
    const words = Array.from({ length: 3 + Math.floor(random() * 8) }, () =>
        random() < 0.5 ? pick(random, COMMON) : random() < 0.2 ? pick(random, RARE) : "filler",
    );
    const text = words.map((w) => (random() < 0.2 ? w.toUpperCase() : w)).join(random() < 0.5 ? " " : ", ");
    if (role === "assistant" && random() < 0.2) {
        return {
            role,
            content: [
                { type: "thinking", thinking: "secretword alpha" },
                { type: "text", text },
                { type: "tool_use", id: "t", name: "toolname_lookup", input: { q: "inputword" } },
            ],
        };
    }
    if (role === "user" && random() < 0.1)
        return { role, content: [{ type: "tool_result", tool_use_id: "t", content: `resultword ${pick(random, RARE)}` }] };
    return { role, content: [{ type: "text", text }] };
}

describe("conversation search store", function () {
    this.timeout(60_000);
    let db: Db;
    let conversations: ConversationStore;
    const all: Array<{ row: ConversationRow; messages: CanonicalMessage[] }> = [];
    const random = rng(8);

    before(async () => {
        db = await Db.open(join(scratch(), "lodge.db"));
        conversations = new ConversationStore(db);
        const start = Date.parse("2025-03-01T00:00:00.000Z");
        for (let i = 0; i < 400; i++) {
            const id = `conv-${String(Math.floor(random() * 1e6)).padStart(6, "0")}-${i}`;
            const messages = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, s) =>
                message(random, s % 2 === 0 ? "user" : "assistant"),
            );
            await conversations.create(
                { id, agent: pick(random, AGENTS), notePath: `${id}.md`, title: pick(random, TITLES), parentId: null },
                messages,
            );
            // Spread the times (some equal, so ties are ordered by id); the store stamps "now".
            const created = start + Math.floor(random() * 50) * 3600_000;
            const updated = created + Math.floor(random() * 20) * 3600_000;
            await db.run("UPDATE conversations SET created_at = ?, updated_at = ? WHERE id = ?", [
                new Date(created).toISOString(),
                new Date(updated).toISOString(),
                id,
            ]);
        }
        // Later turns on some: appended, forked (messages deleted and replaced), retitled.
        const rows = await db.all<{ id: string }>("SELECT id FROM conversations");
        for (const { id } of rows.filter(() => random() < 0.3)) {
            const stored = await conversations.messages(id);
            const keep = random() < 0.5 ? stored.length : Math.floor(random() * stored.length);
            const row = (await conversations.get(id))!;
            await conversations.commitTurn({
                conversationId: id,
                keep,
                branch: keep < stored.length ? { id: `b-${id}`, forkedAt: keep, messages: stored } : undefined,
                append: [message(random, keep % 2 === 0 ? "user" : "assistant"), message(random, keep % 2 === 0 ? "assistant" : "user")],
                agent: row.agent,
                title: random() < 0.5 ? pick(random, TITLES) : row.title,
                notePath: row.note_path!,
            });
        }
        for (const { id } of await db.all<{ id: string }>("SELECT id FROM conversations")) {
            all.push({ row: (await conversations.get(id))!, messages: await conversations.messages(id) });
        }
    });

    after(async () => {
        await db?.close();
    });

    function randomFilter(r: () => number): ConversationFilter {
        const f: ConversationFilter = {};
        if (r() < 0.8) {
            f.words = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
                const word =
                    r() < 0.5
                        ? pick(r, COMMON)
                        : pick(r, [...RARE, "toolname", "resultword", "secretword", "inputword", "filler", "nothing"]);
                const prefix = r() < 0.25;
                return { text: prefix ? word.slice(0, 2 + Math.floor(r() * 3)) : r() < 0.3 ? word.toUpperCase() : word, prefix };
            });
        }
        if (r() < 0.3) f.titleContains = pick(r, ["trip", "ÜBER", "über", "Üb", "É", "notes", "o", "%", "_", "bread", "zz"]);
        if (r() < 0.3) f.agent = pick(r, AGENTS);
        const time = () => new Date(Date.parse("2025-03-01T00:00:00.000Z") + Math.floor(r() * 70) * 3600_000).toISOString();
        if (r() < 0.25) f.createdGte = time();
        if (r() < 0.25) f.createdLt = time();
        if (r() < 0.25) f.updatedGte = time();
        if (r() < 0.25) f.updatedLt = time();
        return f;
    }

    for (const probe of [5000, 60, 8]) {
        it(`finds, pages and counts what the rules say, whichever plan it takes (probe ${probe})`, async () => {
            const store = new ConversationSearchStore(db, { probe });
            const r = rng(probe);
            for (let round = 0; round < 120; round++) {
                const filter = randomFilter(r);
                const want = expected(all, filter).map((c) => c.id);
                const limit = 1 + Math.floor(r() * 60);
                const got: string[] = [];
                let after = null;
                for (;;) {
                    const page = await store.search(filter, after, limit);
                    got.push(...page.map((c) => c.id));
                    if (page.length < limit) break;
                    const last = page[page.length - 1]!;
                    after = { updatedAt: last.updated_at, id: last.id };
                }
                assert.deepEqual(got, want, JSON.stringify(filter));
                assert.equal(await store.count(filter), want.length, JSON.stringify(filter));
            }
        });
    }

    it("finds words in text, tool names and tool results, never in thinking or tool inputs", async () => {
        const store = new ConversationSearchStore(db);
        assert.ok((await store.count({ words: [{ text: "toolname_lookup", prefix: false }] })) > 0);
        assert.ok((await store.count({ words: [{ text: "resultword", prefix: false }] })) > 0);
        assert.equal(await store.count({ words: [{ text: "secretword", prefix: false }] }), 0);
        assert.equal(await store.count({ words: [{ text: "inputword", prefix: false }] }), 0);
    });

    it("drops a deleted conversation from every index", async () => {
        const store = new ConversationSearchStore(db);
        await conversations.create({ id: "to-delete", agent: "assistant", notePath: "d.md", title: "Ephemeral Title", parentId: null }, [
            { role: "user", content: [{ type: "text", text: "vanishingword" }] },
        ]);
        assert.equal(await store.count({ words: [{ text: "vanishingword", prefix: false }] }), 1);
        await db.run("DELETE FROM conversations WHERE id = 'to-delete'");
        assert.equal(await store.count({ words: [{ text: "vanishingword", prefix: false }] }), 0);
        assert.equal(await store.count({ titleContains: "Ephemeral" }), 0);
        assert.equal(
            (await db.get<{ n: number }>("SELECT count(*) AS n FROM messages_search WHERE messages_search MATCH 'vanishingword'"))!.n,
            0,
        );
    });

    it("indexes what the database held before migration 004", async () => {
        const file = join(scratch(), "old.db");
        const old = await Db.open(file);
        await new ConversationStore(old).create(
            { id: "old-1", agent: "assistant", notePath: "old.md", title: "Öld Conversation", parentId: null },
            [
                { role: "user", content: [{ type: "text", text: "remembered words" }] },
                { role: "assistant", content: [{ type: "tool_use", id: "t", name: "lookup", input: {} }] },
            ],
        );
        // Back to the schema before 004, the rows kept: its objects dropped, its record removed.
        const objects = await old.all<{ type: string; name: string }>(
            "SELECT type, name FROM sqlite_master WHERE name IN ('conversation_keys', 'message_texts', 'messages_search', 'conversation_titles') OR name LIKE 'conversations_by_agent' OR name LIKE 'conversations_by_creation' OR (type = 'trigger' AND tbl_name IN ('messages', 'conversations'))",
        );
        for (const o of objects.filter((x) => x.type === "trigger")) await old.exec(`DROP TRIGGER ${o.name}`);
        await old.exec(
            "DROP VIEW message_texts; DROP TABLE messages_search; DROP TABLE conversation_titles; DROP TABLE conversation_keys; DROP INDEX conversations_by_agent; DROP INDEX conversations_by_creation",
        );
        await old.run("DELETE FROM schema_migrations WHERE id = '004-conversation-search'");
        await old.close();

        const db2 = await Db.open(file);
        try {
            const store = new ConversationSearchStore(db2);
            assert.deepEqual(
                (
                    await store.search(
                        {
                            words: [
                                { text: "remembered", prefix: false },
                                { text: "look", prefix: true },
                            ],
                        },
                        null,
                        10,
                    )
                ).map((c) => c.id),
                ["old-1"],
            );
            assert.equal(await store.count({ titleContains: "öld conv" }), 1);
            await new ConversationStore(db2).create({ id: "new-1", agent: "assistant", notePath: "new.md", title: "New", parentId: null }, [
                { role: "user", content: [{ type: "text", text: "remembered too" }] },
            ]);
            assert.equal(await store.count({ words: [{ text: "remembered", prefix: false }] }), 2);
        } finally {
            await db2.close();
        }
    });
});
