import assert from "node:assert/strict";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm, type FakeToolCall } from "../fakes/fake-llm";
import { stream } from "../helpers/client";
import { defaultConfig, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";

interface Result {
    content: string;
    is_error: boolean;
}

const SECRET = "zebracorn";
/** Whole seconds, which utimes sets exactly (a restart test puts it back after changing the note). */
const BETA_TIME = 1_700_000_000;
/** 100,000 characters, with code points outside the BMP, so paging counts characters, not UTF-16 units. */
const LONG = [...`---\ntitle: Long one\n---\n${"😀abcdefghi\n".repeat(9091)}`].slice(0, 100_000).join("");

const NOTES: Record<string, string> = {
    "Projects/Alpha plan.md": "---\ntitle: Rocket launch plan\n---\nThe budget for the launch.\n",
    "Projects/Beta.md": "A rocket is mentioned once, the budget twice: budget.\n",
    "Projects/Deep/Gamma.md": "Budgeting notes for the café.\n",
    "Notes/open.md": `An open note about the ${SECRET} and rockets.\n`,
    "Private/secret.md": `The ${SECRET} rocket budget is private.\n`,
    "private/lower.md": `Lower-case folder: ${SECRET} rocket.\n`,
    "Journal/tagged.md": `---\ntags: [diary, Private/health]\n---\nThe ${SECRET} rocket in my diary.\n`,
    "Journal/string-tags.md": `---\ntags: "#work, private"\n---\nAnother ${SECRET} rocket.\n`,
    "Journal/inline.md": `Inline: this is #private/stuff about the ${SECRET} rocket.\n`,
    "Journal/later.md": `Tagged #later, about the rocket budget.\n`,
    ".obsidian/hidden.md": `${SECRET} rocket budget.\n`,
    "Notes/.dotted.md": `${SECRET} rocket budget.\n`,
    "Long/long.md": LONG,
};

function writeNotes(vault: string, notes: Record<string, string>): void {
    for (const [path, text] of Object.entries(notes)) {
        mkdirSync(dirname(join(vault, path)), { recursive: true });
        writeFileSync(join(vault, path), text);
    }
}

function config(fake: FakeLlm, exclude: string[]): Record<string, unknown> {
    const base = defaultConfig(fake) as { agents: Record<string, Record<string, unknown>> };
    return {
        ...base,
        agents: { ...base.agents, quiet: { ...base.agents.assistant, vault_tools: "off" } },
        context: { exclude },
    };
}

describe("vault tools (search_notes, read_note, list_notes)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let vault: string;
    let data: string;
    let n = 0;
    // Chats/ too: the tests' chat notes hold the tool calls and their answers, which would match the words searched.
    const exclude = ["Private/", "#private", "Chats/"];

    before(async () => {
        fake = await FakeLlm.start();
        const root = scratch();
        vault = join(root, "vault");
        data = join(root, "data");
        writeNotes(vault, NOTES);
        utimesSync(join(vault, "Projects/Beta.md"), BETA_TIME, BETA_TIME);
        d = await startDaemon({ fake, vault, data, config: config(fake, exclude) });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    /** One turn in which the model makes `calls`; what the backend got back for each, in order. */
    async function tools(calls: FakeToolCall[], agent = "assistant"): Promise<Result[]> {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        const file = `Chats/vault-${++n}`;
        writeFileSync(join(d.vault, `${file}.md`), `---\nagent: ${agent}\n---\nLook in my notes.\n`);
        fake.enqueue({ toolCalls: calls });
        const first = fake.requests.length;
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        const last = fake.requests.slice(first).at(-1)!.body;
        if (agent === "gpt") {
            return last.messages
                .filter((m: any) => m.role === "tool")
                .map((m: any) => ({ content: m.content, is_error: /^(Error|.*refused|.*excluded|.*hidden)/.test(m.content) }));
        }
        return last.messages
            .at(-1)
            .content.filter((b: any) => b.type === "tool_result")
            .map((b: any) => ({
                content: typeof b.content === "string" ? b.content : b.content.map((c: any) => c.text).join(""),
                is_error: b.is_error === true,
            }));
    }
    const one = async (name: string, input: unknown, agent?: string): Promise<Result> => (await tools([{ name, input }], agent))[0]!;
    const search = (query: string, limit?: number): Promise<Result> =>
        one("search_notes", limit === undefined ? { query } : { query, limit });
    const hitPaths = (r: Result): string[] => [...r.content.matchAll(/^\d+\. (.+?) — /gm)].map((m) => m[1]!);

    it("offers the three tools to anthropic and openai agents, and none to an agent with vault_tools: off", async () => {
        await tools([]);
        const offered = fake.requests.at(-1)!.body.tools.map((t: any) => [t.name, t.input_schema.required ?? []]);
        assert.deepEqual(offered, [
            ["search_notes", ["query"]],
            ["read_note", ["path"]],
            ["list_notes", []],
        ]);
        await tools([], "gpt");
        assert.deepEqual(
            fake.requests.at(-1)!.body.tools.map((t: any) => t.function.name),
            ["search_notes", "read_note", "list_notes"],
        );
        await tools([], "quiet");
        assert.equal(fake.requests.at(-1)!.body.tools, undefined);
    });

    it("search_notes: every word, whole words or word* prefixes, over titles and text, best first, with path, title and snippet", async () => {
        const r = await search("rocket budget");
        assert.equal(r.is_error, false);
        assert.deepEqual(hitPaths(r), ["Projects/Alpha plan.md", "Projects/Beta.md", "Journal/later.md"], r.content);
        assert.match(r.content, /^1\. Projects\/Alpha plan\.md — Rocket launch plan\n {3}.*\*\*budget\*\*/m);
        assert.match(r.content, /^2\. Projects\/Beta\.md — Beta\n {3}.*\*\*rocket\*\*/m);
        assert.deepEqual(hitPaths(await search("budg*")).sort(), [
            "Journal/later.md",
            "Projects/Alpha plan.md",
            "Projects/Beta.md",
            "Projects/Deep/Gamma.md",
        ]);
        assert.deepEqual(hitPaths(await search("budge")), [], "whole words only");
        assert.deepEqual(hitPaths(await search("cafe")), ["Projects/Deep/Gamma.md"], "diacritics ignored as in §8");
        assert.deepEqual(hitPaths(await search("rocket", 1)), ["Projects/Alpha plan.md"]);
        assert.match((await search("nothingmatchesthis")).content, /^No notes match "nothingmatchesthis"\.$/);
    });

    it("search_notes refuses a query without words and a bad limit, as tool errors; the turn goes on", async () => {
        const [empty, limit] = await tools([
            { name: "search_notes", input: { query: "*** !!" } },
            { name: "search_notes", input: { query: "rocket", limit: 0 } },
        ]);
        assert.deepEqual([empty!.is_error, limit!.is_error], [true, true]);
        assert.match(empty!.content, /query has no words/);
        assert.match(limit!.content, /limit must be a whole number from 1 to 50/);
    });

    it("excluded and hidden notes never appear: not searched, not listed, not read", async () => {
        const found = await search(SECRET);
        assert.deepEqual(hitPaths(found), ["Notes/open.md"], found.content);
        const listed = (await one("list_notes", {})).content;
        for (const path of ["Private/", "private/", "Journal/tagged", "Journal/string-tags", "Journal/inline", ".obsidian", ".dotted"])
            assert.ok(!listed.includes(path), `${path} listed:\n${listed}`);
        const reads = await tools(
            [
                "Private/secret.md",
                "private/lower",
                "Journal/tagged.md",
                "Journal/string-tags.md",
                "Journal/inline.md",
                ".obsidian/hidden.md",
                "Notes/.dotted.md",
            ].map((path) => ({ name: "read_note", input: { path } })),
        );
        for (const r of reads) {
            assert.equal(r.is_error, true, r.content);
            assert.ok(!r.content.includes(SECRET), r.content);
        }
        assert.match(reads[0]!.content, /excluded from agents by context\.exclude/);
        assert.match(reads[2]!.content, /"Journal\/tagged\.md" is excluded/);
        assert.match(reads[5]!.content, /hidden/);
        const folder = await one("list_notes", { folder: "Private" });
        assert.equal(folder.is_error, true);
        assert.match(folder.content, /folder "Private" is excluded/);
    });

    it("read_note: the whole note with its frontmatter, or 40,000 characters a call with the total and how to read on", async () => {
        const alpha = await one("read_note", { path: "Projects/Alpha plan" });
        assert.equal(
            alpha.content,
            `Projects/Alpha plan.md — ${NOTES["Projects/Alpha plan.md"]!.length} characters, the whole note:\n\n${NOTES["Projects/Alpha plan.md"]}`,
        );
        const chars = [...LONG];
        const [a, b, c] = await tools(
            [0, 40_000, 80_000].map((offset) => ({ name: "read_note", input: { path: "Long/long.md", offset } })),
        );
        assert.ok(
            a!.content.startsWith("Long/long.md — characters 0 to 40000 of 100000 (call read_note with offset 40000 to read on):\n\n"),
            a!.content.slice(0, 120),
        );
        assert.ok(c!.content.startsWith("Long/long.md — characters 80000 to 100000 of 100000, the end of the note:\n\n"));
        const body = (r: Result): string => r.content.slice(r.content.indexOf("\n\n") + 2);
        assert.equal(body(a!) + body(b!) + body(c!), LONG);
        assert.equal(body(b!), chars.slice(40_000, 80_000).join(""));
        const past = await one("read_note", { path: "Long/long.md", offset: 100_000 });
        assert.equal(past.is_error, true);
        assert.match(past.content, /offset 100000 is past the end of "Long\/long\.md", which has 100000 characters/);
    });

    it("read_note refuses hostile paths and missing notes with a clear tool error", async () => {
        const outside = join(dirname(vault), "outside.md");
        writeFileSync(outside, `outside ${SECRET}\n`);
        const paths = [
            "../outside.md",
            outside,
            "Projects/../../outside",
            "C:\\Windows\\win.ini",
            "Projects/\u0000x",
            "Nowhere/missing.md",
            "",
        ];
        const results = await tools(paths.map((path) => ({ name: "read_note", input: { path } })));
        results.forEach((r, i) => {
            assert.equal(r.is_error, true, `${paths[i]}: ${r.content}`);
            assert.ok(!r.content.includes(SECRET));
        });
        assert.match(results[0]!.content, /path "\.\.\/outside\.md" is refused: it leaves the vault/);
        assert.match(results[1]!.content, /is refused: it is absolute/);
        assert.match(results[5]!.content, /there is no note "Nowhere\/missing\.md" in the vault/);
        assert.match(results[6]!.content, /path is required/);
        assert.match((await one("read_note", {})).content, /path is required/);
    });

    it("list_notes: paths, sizes and modification times under a folder, in path order, with a limit", async () => {
        const r = await one("list_notes", { folder: "Projects" });
        const mtime = (p: string): string => new Date(Math.round(statSync(join(vault, p)).mtimeMs)).toISOString();
        assert.equal(
            r.content,
            [
                "3 notes in Projects/ (path — bytes — modified):",
                ...["Projects/Alpha plan.md", "Projects/Beta.md", "Projects/Deep/Gamma.md"].map(
                    (p) => `${p} — ${Buffer.byteLength(NOTES[p]!)} — ${mtime(p)}`,
                ),
            ].join("\n"),
        );
        const limited = await one("list_notes", { folder: "/Projects/", limit: 1 });
        assert.match(limited.content, /^3 notes in Projects\/.*\nProjects\/Alpha plan\.md — .*\n\(2 more not listed/);
        const [up, hidden, empty] = await tools([
            { name: "list_notes", input: { folder: "../" } },
            { name: "list_notes", input: { folder: ".obsidian" } },
            { name: "list_notes", input: { folder: "Nothing here" } },
        ]);
        assert.match(up!.content, /leaves the vault/);
        assert.match(hidden!.content, /hidden/);
        assert.equal(empty!.content, "No notes in Nothing here/.");
    });

    it("the openai backend gets the same results as tool messages", async () => {
        const r = await one("search_notes", { query: SECRET }, "gpt");
        assert.match(r.content, /^1 note matches "zebracorn", best first:\n1\. Notes\/open\.md — open\n/);
    });

    it("a note written, changed, tagged private, moved or deleted on disk is searched as it is now within 2 s", async () => {
        const found = async (query: string, expect: string[]): Promise<number> => {
            const t0 = Date.now();
            for (;;) {
                const paths = hitPaths(await search(query));
                if (JSON.stringify(paths) === JSON.stringify(expect)) return Date.now() - t0;
                assert.ok(Date.now() - t0 < 2000, `after 2 s "${query}" finds ${JSON.stringify(paths)}, not ${JSON.stringify(expect)}`);
            }
        };
        writeNotes(vault, { "Fresh/new note.md": "A quokka appeared.\n" });
        await found("quokka", ["Fresh/new note.md"]);
        writeFileSync(join(vault, "Fresh/new note.md"), "A wombat now.\n");
        await found("wombat", ["Fresh/new note.md"]);
        await found("quokka", []);
        writeFileSync(join(vault, "Fresh/new note.md"), "A wombat now. #private\n");
        await found("wombat", []);
        writeNotes(vault, { "Fresh/Sub/other.md": "The numbat lives here.\n" });
        await found("numbat", ["Fresh/Sub/other.md"]);
        renameSync(join(vault, "Fresh"), join(vault, "Moved"));
        await found("numbat", ["Moved/Sub/other.md"]);
        renameSync(join(vault, "Moved/Sub/other.md"), join(vault, "Private/other.md"));
        await found("numbat", []);
        writeNotes(vault, { "Gone/bye.md": "A dugong.\n" });
        await found("dugong", ["Gone/bye.md"]);
        rmSync(join(vault, "Gone"), { recursive: true });
        await found("dugong", []);
    });

    it("after a restart: unchanged notes are not read again, changes made meanwhile are found, a new exclusion applies", async () => {
        await d.stop();
        // Same size and modification time, other words: an index that re-read it would find "walrus".
        const beta = join(vault, "Projects/Beta.md");
        writeFileSync(beta, readFileSync(beta, "utf8").replace("rocket", "walrus"));
        utimesSync(beta, BETA_TIME, BETA_TIME);
        writeNotes(vault, { "Added/while down.md": "An axolotl.\n" });
        rmSync(join(vault, "Projects/Deep"), { recursive: true });
        d = await startDaemon({ fake, vault, data, config: config(fake, [...exclude, "#Later"]) });
        assert.deepEqual(hitPaths(await search("walrus")), []);
        assert.deepEqual(hitPaths(await search("rocket budget")), ["Projects/Alpha plan.md", "Projects/Beta.md"]);
        assert.deepEqual(hitPaths(await search("axolotl")), ["Added/while down.md"]);
        assert.deepEqual(hitPaths(await search("budgeting")), []);
        const log = d.stderr();
        // Deep/Gamma.md is gone, Journal/later.md newly excluded (by the tags the index kept, unread).
        assert.match(log, /vault index: \d+ notes checked, \d+ read, 2 removed/, log);
    });
});
