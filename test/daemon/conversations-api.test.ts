/**
 * The conversations API (docs/api.md) against the built daemon: conversations made by real turns on the
 * fake backend, then every route and rule as a client sees it on the wire.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { Db } from "../../daemon/store/db";
import { ConversationStore } from "../../daemon/store/conversations";
import { TranscriptStore } from "../../daemon/store/transcripts";
import { call, stream } from "../helpers/client";
import { scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, commitAndPush, createToken, memoryConfig, writeFiles } from "../helpers/git-memory";
import { FakeLlm } from "../fakes/fake-llm";

const FIELDS = ["id", "title", "agent", "note_path", "created_at", "updated_at", "message_count", "parent_id"];
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Conversation {
    id: string;
    title: string;
    agent: string;
    note_path: string | null;
    created_at: string;
    updated_at: string;
    message_count: number;
    parent_id: string | null;
}

describe("conversations API", function () {
    this.timeout(60_000);
    let d: StartedDaemon;
    let fake: FakeLlm;
    /** Conversation ids by note name. */
    const ids: Record<string, string> = {};

    const file = (name: string): string => join(d.vault, `${name}.md`);
    const get = (path: string, token?: string | null) => call(d, path, { token });

    /** Writes the note (when text is given) and runs a turn on it; returns the conversation id. */
    async function send(name: string, text?: string): Promise<string> {
        if (text !== undefined) {
            mkdirSync(dirname(file(name)), { recursive: true });
            writeFileSync(file(name), text);
        }
        const r = await stream(d, { filename: name });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal ?? r.body));
        const id = (r.terminal.data as { conversation_id: string }).conversation_id;
        ids[name] = id;
        return id;
    }

    /** Appends a user turn after the reply's scaffold and sends it. */
    async function reply(name: string, text: string): Promise<string> {
        writeFileSync(file(name), `${readFileSync(file(name), "utf8")}${text}`);
        return send(name);
    }

    async function search(query: string): Promise<{ items: Conversation[]; next_page_id: string | null }> {
        const r = await get(`/v1/conversations/search${query ? `?${query}` : ""}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body;
    }

    const titles = async (query: string): Promise<string[]> => (await search(query)).items.map((c) => c.title).sort();

    /** Every conversation `search` lists for the query, page by page. */
    async function pageThrough(query: string, limit: number): Promise<Conversation[]> {
        const all: Conversation[] = [];
        let page = await search(`${query}&limit=${limit}`);
        for (;;) {
            assert.ok(page.items.length <= limit);
            all.push(...page.items);
            if (page.next_page_id === null) return all;
            assert.equal(page.items.length, limit, "only the last page may be short");
            page = await search(`${query}&limit=${limit}&page_id=${encodeURIComponent(page.next_page_id)}`);
        }
    }

    function expectError(r: { status: number; body: any }, status: number, code: string): void {
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.equal(r.body.error.code, code, JSON.stringify(r.body));
        assert.equal(typeof r.body.error.message, "string");
    }

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: memoryConfig(fake) });
        await send("Trips/Paris Trip", "Planning a visit to Paris in spring");
        await send("Recipes", "---\ntitle: Grandma's Über Recipes\n---\nHow long should sourdough bread bake?");
        await send("Garden", "Which tomatoes grow well in shade?");
        await reply("Garden", "And what about basil?");
        await send("Starters", "---\nagent: gpt\n---\nTell me about sourdough starters, please.");
        await send("Both", "apricot");
        await reply("Both", "walnut");
    });

    after(async () => {
        await d?.stop();
        await fake?.close();
    });

    describe("search", () => {
        it("lists every conversation newest update first, in the contract's shape, with no next page", async () => {
            const page = await search("");
            assert.equal(page.next_page_id, null);
            assert.ok(page.items.length >= 5);
            for (const c of page.items) {
                assert.deepEqual(Object.keys(c), FIELDS);
                assert.match(c.created_at, ISO_MS);
                assert.match(c.updated_at, ISO_MS);
            }
            const order = page.items.map((c) => `${c.updated_at} ${c.id}`);
            assert.deepEqual(order, [...order].sort().reverse());
            const garden = page.items.find((c) => c.id === ids.Garden)!;
            assert.deepEqual(
                { ...garden, id: "", created_at: "", updated_at: "" },
                {
                    id: "",
                    title: "Garden",
                    agent: "assistant",
                    note_path: "Garden.md",
                    created_at: "",
                    updated_at: "",
                    message_count: 4,
                    parent_id: null,
                },
            );
            assert.ok(garden.updated_at > garden.created_at);
        });

        it("q matches whole words, ignoring case and accents, all of them, and `word*` as a prefix", async () => {
            assert.deepEqual(await titles("q=sourdough"), ["Grandma's Über Recipes", "Starters"]);
            assert.deepEqual(await titles("q=SOURDOUGH"), ["Grandma's Über Recipes", "Starters"]);
            assert.deepEqual(await titles("q=sour"), [], "a part of a word is no match");
            assert.deepEqual(await titles("q=sour*"), ["Grandma's Über Recipes", "Starters"]);
            assert.deepEqual(await titles("q=sourdough%20bread"), ["Grandma's Über Recipes"], "every word must match");
            assert.deepEqual(await titles("q=sourdough%20spring"), []);
            assert.deepEqual(await titles("q=tomatoes%20basil"), ["Garden"], "words of different messages of one conversation");
            assert.deepEqual(await titles("q=apricot%20walnut"), ["Both"]);
            assert.deepEqual(await titles("q=par*%20spring"), ["Paris Trip"]);
            assert.deepEqual(await titles("q=tomatoe"), []);
        });

        it("q lists a conversation once however many of its messages match", async () => {
            // "tomatoes" is in the person's message and in the fake's echo of it; "you said" in every reply.
            const page = await search("q=you%20said");
            const listed = page.items.map((c) => c.id);
            assert.equal(new Set(listed).size, listed.length);
            assert.ok(listed.includes(ids.Garden!));
            assert.equal((await search("q=tomatoes")).items.length, 1);
        });

        it("q never fails on FTS5 syntax: quotes, operators, columns and stray punctuation are plain text", async () => {
            for (const q of [
                '"sourdough',
                'sourdough"',
                "AND",
                "OR NOT",
                "NEAR(sourdough bread)",
                "text:sourdough",
                "sour*dough",
                "(x",
                "^sourdough",
                "sourdough -bread",
                "a'b",
                "{x}",
                "sourdough**",
            ]) {
                const r = await get(`/v1/conversations/search?q=${encodeURIComponent(q)}`);
                assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
            }
            assert.deepEqual(await titles(`q=${encodeURIComponent('"sourdough"')}`), ["Grandma's Über Recipes", "Starters"]);
            assert.deepEqual(await titles("q=AND"), ["Garden"], 'an operator is a word like any other ("And what about basil?")');
            expectError(await get("/v1/conversations/search?q=***"), 400, "bad_request");
            expectError(await get("/v1/conversations/search?q=sour%00dough"), 400, "bad_request");
            expectError(await get("/v1/conversations/count?title__contains=tr%00ip"), 400, "bad_request");
            assert.equal((await get("/v1/conversations/search?q=%ED%A0%80sourdough")).status, 200, "bytes that are not UTF-8");
            expectError(await get(`/v1/conversations/search?q=${encodeURIComponent("!! ?? (")}`), 400, "bad_request");
            expectError(
                await get(`/v1/conversations/search?q=${Array.from({ length: 17 }, (_, i) => `w${i}`).join("%20")}`),
                400,
                "bad_request",
            );
        });

        it("title__contains ignores case, Unicode included, and takes % and _ literally", async () => {
            assert.deepEqual(await titles("title__contains=paris"), ["Paris Trip"]);
            assert.deepEqual(await titles("title__contains=TRIP"), ["Paris Trip"]);
            assert.deepEqual(await titles(`title__contains=${encodeURIComponent("über")}`), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles(`title__contains=${encodeURIComponent("ÜBER r")}`), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles(`title__contains=${encodeURIComponent("üb")}`), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles(`title__contains=${encodeURIComponent("ma's")}`), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles("title__contains=%25"), []);
            assert.deepEqual(await titles("title__contains=_"), []);
            assert.deepEqual(await titles("title__contains=zzz"), []);
        });

        it("agent alone and combined with q and title__contains", async () => {
            assert.deepEqual(await titles("agent=gpt"), ["Starters"]);
            assert.deepEqual(await titles("agent=gpt&q=sourdough"), ["Starters"]);
            assert.deepEqual(await titles("agent=assistant&q=sourdough"), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles("agent=assistant&q=sourdough&title__contains=recipes"), ["Grandma's Über Recipes"]);
            assert.deepEqual(await titles("agent=assistant&q=sourdough&title__contains=trip"), []);
            assert.deepEqual(await titles("agent=nobody"), []);
        });

        it("time filters take ISO 8601 and bound created_at and updated_at, with >= and <", async () => {
            const all = (await search("")).items;
            const byCreation = [...all].sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
            const middle = byCreation[Math.floor(byCreation.length / 2)]!;
            const ids = async (query: string) => (await search(query)).items.map((c) => c.id).sort();
            const expected = (pick: (c: Conversation) => boolean) =>
                all
                    .filter(pick)
                    .map((c) => c.id)
                    .sort();
            assert.deepEqual(
                await ids(`created_at__gte=${middle.created_at}`),
                expected((c) => c.created_at >= middle.created_at),
            );
            assert.deepEqual(
                await ids(`created_at__lt=${middle.created_at}`),
                expected((c) => c.created_at < middle.created_at),
            );
            assert.deepEqual(
                await ids(`updated_at__gte=${middle.updated_at}`),
                expected((c) => c.updated_at >= middle.updated_at),
            );
            assert.deepEqual(
                await ids(`updated_at__lt=${middle.updated_at}`),
                expected((c) => c.updated_at < middle.updated_at),
            );
            assert.deepEqual(
                await ids(`created_at__gte=${byCreation[1]!.created_at}&created_at__lt=${middle.created_at}&q=you%20said`),
                expected((c) => c.created_at >= byCreation[1]!.created_at && c.created_at < middle.created_at),
            );
            // The same instant written with an offset and without milliseconds or a zone.
            const t = new Date(middle.created_at);
            const plus2 = new Date(t.getTime() + 2 * 3600_000).toISOString().replace("Z", "+02:00");
            assert.deepEqual(
                await ids(`created_at__gte=${encodeURIComponent(plus2)}`),
                expected((c) => c.created_at >= middle.created_at),
            );
            assert.deepEqual(await ids("created_at__lt=2000-01-01"), []);
            assert.deepEqual(await ids("updated_at__gte=2000-01-01T00:00:00"), all.map((c) => c.id).sort());
        });

        it("refuses a bad limit, a bad time, an unknown or repeated parameter with 400 bad_request", async () => {
            for (const limit of ["0", "101", "-1", "1.5", "abc", "", "1e2"]) {
                expectError(await get(`/v1/conversations/search?limit=${limit}`), 400, "bad_request");
            }
            assert.equal((await search("limit=100")).items.length > 0, true);
            for (const bad of ["yesterday", "2025-13-01", "2025-02-30T00:00:00Z", "2025-01-01T25:00:00Z", "1735689600000"]) {
                expectError(await get(`/v1/conversations/search?created_at__gte=${encodeURIComponent(bad)}`), 400, "bad_request");
                expectError(await get(`/v1/conversations/count?updated_at__lt=${encodeURIComponent(bad)}`), 400, "bad_request");
            }
            expectError(await get("/v1/conversations/search?titel__contains=x"), 400, "bad_request");
            expectError(await get("/v1/conversations/search?agent=a&agent=b"), 400, "bad_request");
        });
    });

    describe("paging", () => {
        it("pages through with next_page_id while conversations are added: no duplicates, no skips, null at the end", async () => {
            for (let i = 0; i < 5; i++) await send(`Paging/zebra-${i}`, `A zebrafish question, number ${i}`);
            const before = (await search("q=zebrafish")).items.map((c) => c.id);
            assert.equal(before.length, 5);

            const seen: string[] = [];
            let page = await search("q=zebrafish&limit=2");
            seen.push(...page.items.map((c) => c.id));
            // Newer conversations that match the very same search arrive between pages.
            await send("Paging/zebra-new-1", "Another zebrafish question");
            page = await search(`q=zebrafish&limit=2&page_id=${encodeURIComponent(page.next_page_id!)}`);
            seen.push(...page.items.map((c) => c.id));
            await send("Paging/zebra-new-2", "Yet another zebrafish question");
            page = await search(`q=zebrafish&limit=2&page_id=${encodeURIComponent(page.next_page_id!)}`);
            seen.push(...page.items.map((c) => c.id));
            assert.equal(page.items.length, 1);
            assert.equal(page.next_page_id, null);
            assert.deepEqual(seen, before);
            assert.equal((await search("q=zebrafish")).items.length, 7);
        });

        it("gives null on a last page that is exactly full", async () => {
            const page = await search("q=zebrafish&limit=7");
            assert.equal(page.items.length, 7);
            assert.equal(page.next_page_id, null);
        });

        it("refuses a page_id that is garbage, tampered with or from a search with other filters", async () => {
            const page = await search("q=zebrafish&limit=2");
            const id = page.next_page_id!;
            expectError(await get("/v1/conversations/search?page_id=garbage"), 400, "bad_request");
            expectError(await get("/v1/conversations/search?page_id=%7B%7D"), 400, "bad_request");
            const forged = Buffer.from(JSON.stringify({ u: "not a time", i: "x", f: "y" })).toString("base64url");
            expectError(await get(`/v1/conversations/search?q=zebrafish&page_id=${forged}`), 400, "bad_request");
            expectError(await get(`/v1/conversations/search?q=other&limit=2&page_id=${encodeURIComponent(id)}`), 400, "bad_request");
            expectError(await get(`/v1/conversations/search?limit=2&page_id=${encodeURIComponent(id)}`), 400, "bad_request");
            // Another limit is no other search.
            assert.equal((await get(`/v1/conversations/search?q=zebrafish&limit=3&page_id=${encodeURIComponent(id)}`)).status, 200);
        });
    });

    describe("count", () => {
        it("always equals the number search pages through, for filters alone and combined", async () => {
            const { items } = await search("");
            const mid = [...items].sort((a, b) => (a.created_at < b.created_at ? -1 : 1))[Math.floor(items.length / 2)]!.created_at;
            const queries = [
                "",
                "q=zebrafish",
                "q=sourdough",
                "q=sour*",
                "q=you%20said",
                "q=nothingmatches",
                "agent=assistant",
                "title__contains=zebra",
                `created_at__gte=${mid}`,
                `q=you%20said&updated_at__lt=${mid}&agent=assistant`,
                `title__contains=${encodeURIComponent("ÜB")}&q=bread`,
            ];
            for (const query of queries) {
                const paged = await pageThrough(query, 3);
                assert.equal(new Set(paged.map((c) => c.id)).size, paged.length, `${query}: duplicates`);
                const r = await get(`/v1/conversations/count?${query}`);
                assert.equal(r.status, 200);
                assert.deepEqual(r.body, { count: paged.length }, query);
            }
        });

        it("ignores page_id and limit, so search's query string can be reused", async () => {
            const page = await search("q=zebrafish&limit=2");
            const r = await get(`/v1/conversations/count?q=zebrafish&limit=2&page_id=${encodeURIComponent(page.next_page_id!)}`);
            assert.deepEqual(r.body, { count: 7 });
        });
    });

    describe("by id", () => {
        it("answers a batch in the order asked, null for unknown ids, repeats included", async () => {
            const r = await get(`/v1/conversations?ids=${ids.Garden}&ids=unknown-id&ids=${ids.Recipes}&ids=${ids.Garden}`);
            assert.equal(r.status, 200);
            assert.equal(r.body.length, 4);
            assert.equal(r.body[0].id, ids.Garden);
            assert.deepEqual(Object.keys(r.body[0]), FIELDS);
            assert.equal(r.body[1], null);
            assert.equal(r.body[2].title, "Grandma's Über Recipes");
            assert.deepEqual(r.body[3], r.body[0]);
            assert.deepEqual((await get("/v1/conversations")).body, []);
        });

        it("takes up to 100 ids and refuses more with 400 bad_request", async () => {
            const hundred = Array.from({ length: 100 }, (_, i) => `ids=${i === 50 ? ids.Garden : `nope-${i}`}`).join("&");
            const ok = await get(`/v1/conversations?${hundred}`);
            assert.equal(ok.status, 200);
            assert.equal(ok.body.length, 100);
            assert.equal(ok.body[50].id, ids.Garden);
            expectError(await get(`/v1/conversations?${hundred}&ids=one-more`), 400, "bad_request");
        });

        it("gives one conversation with its messages, and 404 not_found for an unknown id", async () => {
            const r = await get(`/v1/conversations/${ids.Garden}`);
            assert.equal(r.status, 200);
            assert.deepEqual(Object.keys(r.body), [...FIELDS, "messages", "usage"]);
            assert.deepEqual(r.body.messages, [
                { role: "user", content: [{ type: "text", text: "Which tomatoes grow well in shade?" }] },
                { role: "assistant", content: [{ type: "text", text: "FAKE[n=1] you said: Which tomatoes grow well in shade?" }] },
                { role: "user", content: [{ type: "text", text: "And what about basil?" }] },
                { role: "assistant", content: [{ type: "text", text: "FAKE[n=3] you said: And what about basil?" }] },
            ]);
            expectError(await get("/v1/conversations/no-such-conversation"), 404, "not_found");
            for (const sub of ["branches", "branches/x", "download", "skills"]) {
                expectError(await get(`/v1/conversations/no-such-conversation/${sub}`), 404, "not_found");
            }
        });
    });

    describe("branches", () => {
        it("lists the kept branch after a fork, with forked_at and message_count, and gives its messages", async () => {
            const id = await send("Fork", "A question about kiwis");
            await reply("Fork", "Then one about mangoes");
            assert.deepEqual((await get(`/v1/conversations/${id}/branches`)).body, { items: [] });
            // Edit the second question and drop its reply: the history forks at message 2.
            const text = readFileSync(file("Fork"), "utf8").replace("mangoes", "papayas");
            writeFileSync(file("Fork"), text.slice(0, text.lastIndexOf("\n\n### Assistant:")));
            assert.equal(await send("Fork"), id);

            const list = await get(`/v1/conversations/${id}/branches`);
            assert.equal(list.status, 200);
            assert.equal(list.body.items.length, 1);
            const branch = list.body.items[0];
            assert.deepEqual(Object.keys(branch), ["branch_id", "forked_at", "created_at", "message_count"]);
            assert.equal(branch.forked_at, 2);
            assert.equal(branch.message_count, 4);
            assert.match(branch.created_at, ISO_MS);

            const one = await get(`/v1/conversations/${id}/branches/${branch.branch_id}`);
            assert.equal(one.status, 200);
            assert.deepEqual({ ...one.body, messages: undefined }, { ...branch, messages: undefined });
            assert.deepEqual(
                one.body.messages.map((m: any) => m.content[0].text),
                [
                    "A question about kiwis",
                    "FAKE[n=1] you said: A question about kiwis",
                    "Then one about mangoes",
                    "FAKE[n=3] you said: Then one about mangoes",
                ],
            );
            expectError(await get(`/v1/conversations/${id}/branches/no-such-branch`), 404, "not_found");
            expectError(await get(`/v1/conversations/${ids.Garden}/branches/${branch.branch_id}`), 404, "not_found");

            // Search follows the current history: the forked-away words are gone, the new ones are in.
            assert.deepEqual(await titles("q=mangoes"), []);
            assert.deepEqual(await titles("q=papayas%20kiwis"), ["Fork"]);
            const current = await get(`/v1/conversations/${id}`);
            assert.equal(current.body.message_count, 4);
            assert.equal(current.body.messages[2].content[0].text, "Then one about papayas");
        });
    });

    describe("download", () => {
        async function download(id: string): Promise<{ res: Response; zipFile: string }> {
            const res = await fetch(`${d.url}/v1/conversations/${id}/download`, { headers: { authorization: `Bearer ${d.token}` } });
            const zipFile = join(scratch("lodge-zip-"), "conversation.zip");
            writeFileSync(zipFile, Buffer.from(await res.arrayBuffer()));
            return { res, zipFile };
        }
        const entries = (zipFile: string): string[] =>
            execFileSync("unzip", ["-Z1", zipFile], { encoding: "utf8" }).trim().split("\n").sort();
        const entry = (zipFile: string, name: string): string => execFileSync("unzip", ["-p", zipFile, name], { encoding: "utf8" });

        it("is a zip of meta.json, messages.jsonl and the note as it is now", async () => {
            writeFileSync(file("Garden"), `${readFileSync(file("Garden"), "utf8")}An edit made after the last turn.\n`);
            const { res, zipFile } = await download(ids.Garden!);
            assert.equal(res.status, 200);
            assert.equal(res.headers.get("content-type"), "application/zip");
            assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename="conversation-[\w-]+\.zip"$/);
            execFileSync("unzip", ["-tq", zipFile]);
            assert.deepEqual(entries(zipFile), ["messages.jsonl", "meta.json", "note.md"]);
            const conversation = (await get(`/v1/conversations/${ids.Garden}`)).body;
            const { messages, ...meta } = conversation;
            assert.deepEqual(JSON.parse(entry(zipFile, "meta.json")), meta);
            const lines = entry(zipFile, "messages.jsonl").split("\n");
            assert.equal(lines.pop(), "");
            assert.deepEqual(
                lines.map((l) => JSON.parse(l)),
                messages,
            );
            assert.equal(entry(zipFile, "note.md"), readFileSync(file("Garden"), "utf8"));
            assert.match(entry(zipFile, "note.md"), /An edit made after the last turn\.\n$/);
        });

        it("leaves note.md out when the note is gone, and adds transcript.jsonl for a Claude Code session", async () => {
            const id = await send("Gone", "A note that will be deleted");
            rmSync(file("Gone"));
            const db = await Db.open(join(d.data, "lodge.db"));
            const transcript = `${JSON.stringify({ type: "user", uuid: "u1", parentUuid: null })}\n${JSON.stringify({ type: "assistant", uuid: "a1", parentUuid: "u1" })}\n`;
            try {
                await new TranscriptStore(db).save({
                    conversationId: id,
                    sessionId: "s-1",
                    coversCount: 2,
                    coversHash: "h",
                    entries: 2,
                    transcript,
                });
            } finally {
                await db.close();
            }
            const { zipFile } = await download(id);
            assert.deepEqual(entries(zipFile), ["messages.jsonl", "meta.json", "transcript.jsonl"]);
            assert.equal(entry(zipFile, "transcript.jsonl"), transcript);
            // Python's zipfile reads it too, names and contents.
            const py = execFileSync(
                "python3",
                [
                    "-c",
                    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(len(z.read('messages.jsonl')))",
                    zipFile,
                ],
                { encoding: "utf8" },
            );
            assert.equal(Number(py.trim()), Buffer.byteLength(entry(zipFile, "messages.jsonl")));
        });

        it("streams a large conversation (6 MB of messages, a 2 MB note) that unzip and Python read back whole, dated as the conversation", async () => {
            // Random text: it barely deflates, so the archive is as large as what it holds.
            const messages = Array.from({ length: 24 }, (_, i) => ({
                role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
                content: [{ type: "text" as const, text: `message ${i} ${randomBytes(192 * 1024).toString("base64")} ünïcode ✓` }],
            }));
            const note = `A big note.\n${randomBytes(1536 * 1024).toString("base64")}\n`;
            mkdirSync(join(d.vault, "Big"), { recursive: true });
            writeFileSync(join(d.vault, "Big", "Export.md"), note);
            const db = await Db.open(join(d.data, "lodge.db"));
            try {
                await new ConversationStore(db).create(
                    { id: "big-export", agent: "assistant", notePath: "Big/Export.md", title: "Big export", parentId: null },
                    messages,
                );
            } finally {
                await db.close();
            }
            const { res, zipFile } = await download("big-export");
            assert.equal(res.status, 200);
            assert.equal(res.headers.get("content-length"), null, "sent as it is written, not built first");
            assert.ok(readFileSync(zipFile).length > 6 * 1024 * 1024);
            execFileSync("unzip", ["-tq", zipFile]);
            const listed = execFileSync("python3", ["-m", "zipfile", "-l", zipFile], { encoding: "utf8" });
            assert.deepEqual(
                listed
                    .trim()
                    .split("\n")
                    .slice(1)
                    .map((l) => l.split(/\s+/)[0]),
                ["meta.json", "messages.jsonl", "note.md"],
            );
            const jsonl = execFileSync("unzip", ["-p", zipFile, "messages.jsonl"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
            assert.deepEqual(
                jsonl
                    .split("\n")
                    .slice(0, -1)
                    .map((l) => JSON.parse(l)),
                messages,
            );
            assert.equal(execFileSync("unzip", ["-p", zipFile, "note.md"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }), note);
            // Every entry carries the conversation's updated_at (local time, 2-second steps, as ZIP stores it).
            const at = new Date(JSON.parse(entry(zipFile, "meta.json")).updated_at as string);
            const dated = execFileSync(
                "python3",
                [
                    "-c",
                    "import sys, json, zipfile; print(json.dumps([i.date_time for i in zipfile.ZipFile(sys.argv[1]).infolist()]))",
                    zipFile,
                ],
                { encoding: "utf8" },
            );
            const expected = [
                at.getFullYear(),
                at.getMonth() + 1,
                at.getDate(),
                at.getHours(),
                at.getMinutes(),
                at.getSeconds() - (at.getSeconds() % 2),
            ];
            assert.deepEqual(JSON.parse(dated), [expected, expected, expected]);
        });
    });

    describe("skills", () => {
        it("lists the skills in the agent's memory repository with their triggers, and none without one", async () => {
            const token = createToken(d, "skills-git", "memory");
            const dir = await cloneMemory(d, token, "assistant");
            writeFiles(dir, {
                "skills/pdf-tools/SKILL.md":
                    "---\nname: pdf-tools\ndescription: Reading and filling PDF forms.\ntriggers: [pdf, form]\n---\nUse pdftk.\n",
                "skills/plain/SKILL.md": "No frontmatter at all.\n",
                "skills/plain/reference.md": "not a skill file\n",
            });
            const pushed = await commitAndPush(dir, "two skills");
            assert.equal(pushed.code, 0, pushed.stderr);
            const r = await get(`/v1/conversations/${ids.Garden}/skills`);
            assert.equal(r.status, 200);
            assert.deepEqual(r.body, {
                items: [
                    { name: "pdf-tools", description: "Reading and filling PDF forms.", triggers: ["pdf", "form"] },
                    { name: "plain", description: "", triggers: [] },
                ],
            });
            const plain = await send("Plain", "---\nagent: plain\n---\nhello");
            assert.deepEqual((await get(`/v1/conversations/${plain}/skills`)).body, { items: [] });
        });
    });

    describe("auth", () => {
        const routes = (id: string) => [
            "/v1/conversations/search",
            "/v1/conversations/count",
            `/v1/conversations?ids=${id}`,
            `/v1/conversations/${id}`,
            `/v1/conversations/${id}/branches`,
            `/v1/conversations/${id}/branches/x`,
            `/v1/conversations/${id}/download`,
            `/v1/conversations/${id}/skills`,
        ];

        it("needs a token: none is 401 unauthorized, a memory-only token is 403 forbidden", async () => {
            const memoryOnly = createToken(d, "memory-only", "memory");
            for (const path of routes(ids.Garden!)) {
                expectError(await get(path, null), 401, "unauthorized");
                expectError(await get(path, "lodge_not-a-real-token"), 401, "unauthorized");
                expectError(await get(path, memoryOnly), 403, "forbidden");
            }
        });
    });
});
