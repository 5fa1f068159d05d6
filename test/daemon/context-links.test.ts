import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm } from "../fakes/fake-llm";
import { call, stream, type StreamResult } from "../helpers/client";
import { defaultConfig, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";

const NOTES: Record<string, string> = {
    "Projects/Deep/Alpha.md": "---\ntitle: Alpha\ntags: [x]\n---\nAlpha text: the launch is in May.\n",
    "Projects/Beta.md": "Beta text.\n",
    "Doc.md":
        "# Doc\nIntro.\n\n## Section One\nOne body.\n\n## Section Two\nTwo body.\n\n### Sub of two\nSub body.\n\n```\n## not a heading\n```\n\n## Section Three\nThree body.\n\nA paragraph\nwith a block id. ^blk1\n\n- item one\n- item two ^item2\n",
    "Embedded.md": "Embedded text.\n",
    "Notes/Md Link.md": "Markdown-linked text.\n",
    "Notes/Angle note.md": "Angle-linked text.\n",
    "Code.md": "Should never be sent.\n",
    "Web.md": "Should never be sent either.\n",
    "Chats/Same.md": "Same in the chat folder.\n",
    "Other/Same.md": "Same elsewhere.\n",
    "A/Dup.md": "Dup in A.\n",
    "B/Dup.md": "Dup in B.\n",
    "Deeper/x/Dup.md": "Dup deep.\n",
    "Chats/sub/Rel.md": "Relative from the chat folder.\n",
    "Loop A.md": "Loop A links [[Loop B]].\n",
    "Loop B.md": "Loop B links [[Loop A]].\n",
    "Private/Secret.md": "zebracorn secret\n",
    "Tagged.md": "#private zebracorn tagged\n",
    "Pin.md": "---\nx: 1\n---\nPinned v1.\n",
    "Big1.md": "a".repeat(80),
    "Big2.md": "b".repeat(50),
    "Big3.md": "c".repeat(10),
};

function writeNotes(vault: string, notes: Record<string, string>): void {
    for (const [path, text] of Object.entries(notes)) {
        mkdirSync(dirname(join(vault, path)), { recursive: true });
        writeFileSync(join(vault, path), text);
    }
}

describe("notes as context: links, pins, bad input (docs/context.md)", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let n = 0;

    before(async () => {
        fake = await FakeLlm.start();
        const root = scratch();
        const vault = join(root, "vault");
        writeNotes(vault, NOTES);
        writeFileSync(join(root, "outside.md"), "zebracorn outside the vault\n");
        symlinkSync(join(root, "outside.md"), join(vault, "Escape.md"));
        writeFileSync(join(vault, "Latin1.md"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
        writeFileSync(join(vault, "Huge.md"), "");
        truncateSync(join(vault, "Huge.md"), 50 * 1024 * 1024);
        const base = defaultConfig(fake) as { agents: Record<string, Record<string, unknown>> };
        const small = { ...base.agents.assistant };
        d = await startDaemon({
            fake,
            vault,
            config: { ...base, agents: { ...base.agents, small }, context: { exclude: ["Private/", "#private"] } },
        });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    async function turn(text: string, file = `Chats/c${++n}`): Promise<{ r: StreamResult; body: any; note: string; file: string }> {
        mkdirSync(join(d.vault, dirname(file)), { recursive: true });
        writeFileSync(join(d.vault, `${file}.md`), text);
        fake.enqueue({ text: "Reply." });
        const first = fake.requests.length;
        const r = await stream(d, { filename: file });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal));
        return { r, body: fake.requests.slice(first).at(-1)!.body, note: readFileSync(join(d.vault, `${file}.md`), "utf8"), file };
    }
    const blocks = (body: any): string[] => body.messages.at(-1).content.map((b: any) => b.text);
    const callout = (note: string): string => /\n> \[!info\]- context: .*(?:\n> .*)*/.exec(note)?.[0].trim() ?? "";

    it("every link form sends the note's text after the person's text, once, in the order linked; the callout lists them", async () => {
        const text = [
            "---\nagent: assistant\n---",
            "See [[Alpha]] and [[Projects/Beta|the beta]], [[Doc#Section Two]], [[Doc#^blk1]], ![[Embedded]],",
            "[md](Notes/Md%20Link.md), [angle](<Notes/Angle note.md>), and [[Alpha]] again.",
            "`[[Code]]` and\n```\n[[Code]]\n```\n[web](https://example.com/Web.md) [[https://example.com]] [[#Section]] [[c1]]",
        ].join("\n");
        const { body, note } = await turn(text);
        const got = blocks(body);
        assert.match(got[0]!, /^See \[\[Alpha\]\]/);
        assert.deepEqual(got.slice(1), [
            '<note path="Projects/Deep/Alpha.md">\nAlpha text: the launch is in May.\n</note>',
            '<note path="Projects/Beta.md">\nBeta text.\n</note>',
            '<note path="Doc.md" section="Section Two">\n## Section Two\nTwo body.\n\n### Sub of two\nSub body.\n\n```\n## not a heading\n```\n</note>',
            '<note path="Doc.md" section="^blk1">\nA paragraph\nwith a block id.\n</note>',
            '<note path="Embedded.md">\nEmbedded text.\n</note>',
            '<note path="Notes/Md Link.md">\nMarkdown-linked text.\n</note>',
            '<note path="Notes/Angle note.md">\nAngle-linked text.\n</note>',
        ]);
        assert.ok(!JSON.stringify(body).includes("never be sent"), "links in code and URLs are not followed");
        assert.equal(
            callout(note),
            [
                "> [!info]- context: 7 notes, 0 images",
                "> - Projects/Deep/Alpha.md — 33 characters",
                "> - Projects/Beta.md — 10 characters",
                "> - Doc.md#Section Two — 76 characters",
                "> - Doc.md#^blk1 — 28 characters",
                "> - Embedded.md — 14 characters",
                "> - Notes/Md Link.md — 21 characters",
                "> - Notes/Angle note.md — 18 characters",
            ].join("\n"),
        );
        assert.match(note, /> - Notes\/Angle note\.md — 18 characters\n\nReply\.\n\n### User:\n\n$/);
    });

    it("the linked text is stored as sent: the next turn re-sends it from the history, the callout never reaches the model, nothing forks", async () => {
        const first = await turn("Read [[Beta]] please.");
        writeFileSync(join(d.vault, "Projects/Beta.md"), "Beta changed.\n");
        writeFileSync(join(d.vault, `${first.file}.md`), `${first.note}And now?`);
        fake.enqueue({ text: "Second." });
        const at = fake.requests.length;
        const r = await stream(d, { filename: first.file });
        assert.equal(r.terminal?.event, "done");
        const body = fake.requests.slice(at).at(-1)!.body;
        assert.deepEqual(
            body.messages.map((m: any) => m.content.map((b: any) => b.text)),
            [["Read [[Beta]] please.", '<note path="Projects/Beta.md">\nBeta text.\n</note>'], ["Reply."], ["And now?"]],
        );
        const id = r.terminal.event === "done" ? r.terminal.data.conversation_id : "";
        const branches = await call(d, `/v1/conversations/${id}/branches`);
        assert.deepEqual(branches.body.items, []);
        writeFileSync(join(d.vault, "Projects/Beta.md"), NOTES["Projects/Beta.md"]!);
    });

    it("resolves by name as Obsidian does: the chat note's folder first, else the shortest path, then alphabetical; paths from the root or the chat folder", async () => {
        const { body, note } = await turn("[[Same]] [[Dup]] [[sub/Rel]] [[Other/Same]] [[Deeper/x/Dup.md]]");
        assert.deepEqual(
            blocks(body)
                .slice(1)
                .map((b) => /path="([^"]+)"/.exec(b)![1]),
            ["Chats/Same.md", "A/Dup.md", "Chats/sub/Rel.md", "Other/Same.md", "Deeper/x/Dup.md"],
        );
        assert.match(note, /context: 5 notes, 0 images/);
    });

    it("pinned notes go into the system prompt, read fresh each turn, never stored", async () => {
        const first = await turn('---\ncontext: ["[[Pin]]"]\n---\nHello.');
        assert.match(first.body.system, /<pinned_notes>\n<note path="Pin.md">\nPinned v1.\n<\/note>\n<\/pinned_notes>$/);
        assert.match(callout(first.note), /^> \[!info\]- context: 1 note, 0 images\n> - pinned Pin\.md — 10 characters$/);
        writeFileSync(join(d.vault, "Pin.md"), "Pinned v2.\n");
        writeFileSync(join(d.vault, `${first.file}.md`), `${first.note}Again.`);
        fake.enqueue({ text: "ok" });
        const r = await stream(d, { filename: first.file });
        assert.match(fake.requests.at(-1)!.body.system, /Pinned v2\./);
        const id = r.terminal!.event === "done" ? r.terminal!.data.conversation_id : "";
        const conv = await call(d, `/v1/conversations/${id}`);
        assert.ok(!JSON.stringify(conv.body.messages).includes("Pinned"), "pins are not stored");
    });

    it("bad input is named in the callout, never a crash and never a read outside the vault", async () => {
        const { body, note } = await turn(
            "[[Loop A]] [[Nope]] [[Secret]] [[Tagged]] [[Escape]] [[Latin1]] [[Huge]] [[Doc#No such]] [[.obsidian/app]]",
        );
        const sent = JSON.stringify(body);
        assert.ok(!sent.includes("zebracorn"), "nothing excluded or outside is sent");
        assert.deepEqual(
            blocks(body).slice(1),
            ['<note path="Loop A.md">\nLoop A links [[Loop B]].\n</note>'],
            "a linked note's own links are not followed",
        );
        const c = callout(note);
        for (const line of [
            "> - [[Nope]] — not found",
            "> - [[Secret]] — excluded by context.exclude",
            "> - [[Tagged]] — excluded by context.exclude",
            "> - [[Escape]] — outside the vault",
            "> - [[Latin1]] — is not valid UTF-8 text",
            "> - [[Huge]] — 50 MB, larger than http.max_body_mb",
            '> - [[Doc#No such]] — no heading "No such" in Doc.md',
            "> - [[.obsidian/app]] — not found",
        ])
            assert.ok(c.includes(line), `${line}\n in\n${c}`);
    });

    it("10,000 links in one turn: 200 followed, the rest counted in one line", async () => {
        const links = Array.from({ length: 10_000 }, (_, i) => `[[missing ${i}]]`).join(" ");
        const { note } = await turn(links);
        const c = callout(note);
        assert.match(c, /^> \[!info\]- context: 0 notes, 0 images/);
        assert.match(c, /> - 9,800 more links not followed \(at most 200 a turn\)$/);
        assert.equal(c.split("\n").length, 1 + 200 + 1);
    });
});

describe("notes as context: the link_chars budget", () => {
    let d: StartedDaemon;
    before(async () => {
        const fake = await FakeLlm.start();
        const vault = join(scratch(), "vault");
        writeNotes(vault, NOTES);
        d = await startDaemon({ fake, vault, config: { ...defaultConfig(fake), context: { link_chars: 100 } } });
    });
    after(async () => {
        await d.stop();
    });

    it("the note that crosses context.link_chars is cut with a line saying so; later ones are not sent", async () => {
        writeFileSync(join(d.vault, "Chats/b.md"), "[[Big1]] [[Big2]] [[Big3]]");
        d.fake.enqueue({ text: "ok" });
        const r = await stream(d, { filename: "Chats/b" });
        assert.equal(r.terminal?.event, "done");
        const got = d.fake.requests
            .at(-1)!
            .body.messages.at(-1)
            .content.map((b: any) => b.text);
        assert.deepEqual(got.slice(1), [
            `<note path="Big1.md">\n${"a".repeat(80)}\n</note>`,
            `<note path="Big2.md">\n${"b".repeat(20)}\n[… 30 more characters not sent]\n</note>`,
        ]);
        const note = readFileSync(join(d.vault, "Chats/b.md"), "utf8");
        assert.match(
            note,
            /> \[!info\]- context: 2 notes, 0 images\n> - Big1\.md — 80 characters\n> - Big2\.md — 20 characters, cut\n> - \[\[Big3\]\] — not sent: context\.link_chars \(100\) used up\n/,
        );
    });
});
