/**
 * Skills (docs/memory.md) against the built daemon and the real git client: a person pushes
 * `skills/<name>/SKILL.md` to an agent's memory, and the agent's turns list the skills, load a
 * skill's body once per conversation when the person's message mentions a trigger or the agent
 * calls `load_skill`, and a push with a broken SKILL.md is refused.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { FakeLlm, type RecordedRequest } from "../fakes/fake-llm";
import { call, stream } from "../helpers/client";
import { ROOT, scratch, startDaemon, type StartedDaemon } from "../helpers/daemon";
import { cloneMemory, commitAndPush, createToken, gitLog, memoryConfig, remoteLines, writeFiles } from "../helpers/git-memory";
import { offlineClaudeEnv } from "../helpers/claude-code-env";

const SYSTEM = "You are a helpful assistant living in the user's notes.";
const PDF_BODY = "To fill a PDF form, run `pdftk form.pdf fill_form data.fdf output filled.pdf`.\nCheck every field afterwards.";
const GIT_BODY = "Commit small changes with a message that says why.";
const RELEASE_BODY = "List what changed for the person, newest first.";
const SKILLS = {
    "skills/pdf-tools/SKILL.md": `---\nname: pdf-tools\ndescription: Reading and filling PDF forms.\ntriggers: [pdf, form]\n---\n${PDF_BODY}\n`,
    "skills/git-helper/SKILL.md": `---\nname: git-helper\ndescription: >\n  Git habits\n  for this project.\ntriggers: [git]\n---\n\n${GIT_BODY}\n`,
    "skills/release/SKILL.md": `---\ndescription: Writing release notes.\ntriggers: [release notes]\nlicense: MIT\n---\n${RELEASE_BODY}\n`,
    "skills/release/template.md": "a file beside a skill: neither a block nor a skill\n",
};
const LISTING =
    '<skills>\n<skill name="git-helper">Git habits for this project.</skill>\n<skill name="pdf-tools">Reading and filling PDF forms.</skill>\n' +
    '<skill name="release">Writing release notes.</skill>\n</skills>';
const block = (name: string, body: string): { type: "text"; text: string } => ({
    type: "text",
    text: `<skill name="${name}">\n${body}\n</skill>`,
});

const count = (text: string, part: string): number => text.split(part).length - 1;
/**
 * How often `part` is in what a request sent as the person's messages and tool results (as JSON, so
 * line breaks are escaped alike); the fake model's replies echo what they were sent, so they are left out.
 */
const sent = (request: RecordedRequest, part: string): number =>
    count(JSON.stringify(request.body.messages.filter((m: any) => m.role !== "assistant")), JSON.stringify(part).slice(1, -1));

describe("skills (docs/memory.md)", function () {
    this.timeout(60_000);
    let fake: FakeLlm;
    let d: StartedDaemon;
    let token: string;
    let n = 0;

    const file = (name: string): string => join(d.vault, `${name}.md`);
    const read = (name: string): string => readFileSync(file(name), "utf8");

    before(async () => {
        fake = await FakeLlm.start();
        const home = scratch("lodge-skills-home-");
        const config = memoryConfig(fake, SYSTEM);
        (config.agents as Record<string, unknown>).coder = {
            backend: "claude-code",
            claude_path: join(ROOT, "node_modules", ".bin", "claude"),
            system: SYSTEM,
            memory: true,
            request_timeout_ms: 15_000,
            env: offlineClaudeEnv(fake, home),
        };
        d = await startDaemon({ fake, config });
        token = createToken(d, "skills-git");
        for (const agent of ["assistant", "gpt", "coder", "plain"]) {
            const dir = await cloneMemory(d, token, agent);
            writeFiles(dir, SKILLS);
            const pushed = await commitAndPush(dir, "skills");
            assert.equal(pushed.code, 0, pushed.stderr);
        }
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    interface Turn {
        /** The model requests of the turn, first to last. */
        requests: RecordedRequest[];
        /** The system prompt of the turn's first request. */
        system: string;
        done: any;
    }

    /** Writes the note (a new chat with `text`) or appends `text` after its scaffold, and sends it. */
    async function turn(name: string, text: string, options: { agent?: string; fresh?: boolean } = {}): Promise<Turn> {
        if (options.fresh) {
            mkdirSync(dirname(file(name)), { recursive: true });
            writeFileSync(file(name), `---\nagent: ${options.agent ?? "assistant"}\n---\n${text}\n`);
        } else {
            writeFileSync(file(name), `${read(name)}${text}\n`);
        }
        const first = fake.requests.length;
        const r = await stream(d, { filename: name });
        assert.equal(r.terminal?.event, "done", JSON.stringify(r.terminal ?? r.body));
        const requests = fake.requests.slice(first).filter((q) => q.api !== "other");
        const body = requests[0]!.body;
        const system: string =
            requests[0]!.api === "openai"
                ? body.messages[0].content
                : typeof body.system === "string"
                  ? body.system
                  : body.system.map((b: any) => b.text).join("\n\n");
        return { requests, system, done: r.terminal.data };
    }

    const chat = (): string => `Chats/skills-${++n}`;

    it("lists every skill's name and description in the system prompt after the memory blocks, one <skill> each; bodies stay out", async () => {
        const t = await turn(chat(), "Hello there.", { fresh: true });
        assert.ok(t.system.startsWith(`${SYSTEM}\n\n<memory_blocks>`), t.system);
        assert.ok(t.system.endsWith(`</memory_blocks>\n\n${LISTING}`), t.system);
        for (const body of [PDF_BODY, GIT_BODY, RELEASE_BODY]) assert.ok(!t.system.includes(body) && sent(t.requests[0]!, body) === 0);
        const tools = t.requests[0]!.body.tools.map((x: any) => x.name);
        assert.deepEqual(tools, ["memory_replace", "memory_insert", "memory_rethink", "memory_create", "load_skill"]);
    });

    it("a trigger word in the person's message puts the skill's body after their text, once per conversation, kept in the history", async () => {
        const name = chat();
        const first = await turn(name, "Can you help me fill this PDF?", { fresh: true });
        assert.deepEqual(first.requests[0]!.body.messages, [
            { role: "user", content: [{ type: "text", text: "Can you help me fill this PDF?" }, block("pdf-tools", PDF_BODY)] },
        ]);
        assert.ok(!first.system.includes(PDF_BODY), "bodies are not in the system prompt");

        const second = await turn(name, "Thanks. The form has a second page; and let me git commit it.");
        const messages = second.requests[0]!.body.messages;
        assert.equal(sent(second.requests[0]!, PDF_BODY), 1, "a trigger of a loaded skill does not load it again");
        assert.deepEqual(messages.at(-1).content, [
            { type: "text", text: "Thanks. The form has a second page; and let me git commit it." },
            block("git-helper", GIT_BODY),
        ]);
        const third = await turn(name, "Anything else? The PDF and git again.");
        assert.equal(sent(third.requests[0]!, PDF_BODY), 1);
        assert.equal(sent(third.requests[0]!, GIT_BODY), 1);
        assert.deepEqual(third.requests[0]!.body.messages.at(-1).content, [
            { type: "text", text: "Anything else? The PDF and git again." },
        ]);

        // The note still matches the stored history: no fork; the stored user messages carry the bodies after the person's text.
        const id = third.done.conversation_id;
        assert.deepEqual((await call(d, `/v1/conversations/${id}/branches`)).body, { items: [] });
        const stored = (await call(d, `/v1/conversations/${id}`)).body.messages.filter((m: any) => m.role === "user");
        assert.deepEqual(
            stored.map((m: any) => m.content[0].text),
            [
                "Can you help me fill this PDF?",
                "Thanks. The form has a second page; and let me git commit it.",
                "Anything else? The PDF and git again.",
            ],
        );
        assert.deepEqual(stored[0].content[1], block("pdf-tools", PDF_BODY));
    });

    it("triggers match whole words in any case: not inside another word; a phrase across spaces and line breaks", async () => {
        const inside = await turn(chat(), "I pushed it to GitHub and my platform colleague formatted it.", { fresh: true });
        assert.equal(inside.requests[0]!.body.messages[0].content.length, 1, "git in GitHub, form in platform and formatted: no trigger");
        const whole = await turn(chat(), "GIT: what about the Release\nNotes?", { fresh: true });
        assert.deepEqual(
            whole.requests[0]!.body.messages[0].content.slice(1),
            [block("git-helper", GIT_BODY), block("release", RELEASE_BODY)],
            "in the order the message mentions them",
        );
    });

    it("load_skill: the body is the tool's result, the skill is loaded from then on; an unknown name is an error listing the skills", async () => {
        const name = chat();
        fake.enqueue({
            toolCalls: [
                { name: "load_skill", input: { name: "release" } },
                { name: "load_skill", input: { name: "nope" } },
            ],
        });
        const t = await turn(name, "Get ready for the launch.", { fresh: true });
        const results = t.requests.at(-1)!.body.messages.at(-1).content;
        assert.deepEqual(
            results.map((b: any) => [b.content, b.is_error]),
            [
                [RELEASE_BODY, undefined],
                ['Skill "nope" does not exist (available skills = git-helper, pdf-tools, release)', true],
            ],
        );
        assert.match(read(name), /\n> \[!tool\]- load_skill release\n/);
        assert.match(read(name), /\n> \[!tool\]- load_skill nope\n> error: Skill "nope" does not exist/);

        const next = await turn(name, "Go on with the release notes.");
        assert.equal(sent(next.requests[0]!, RELEASE_BODY), 1, "once, as the earlier tool result; the trigger does not load it again");
        assert.equal(next.requests[0]!.body.messages.at(-1).content.length, 1);
        fake.enqueue({ toolCalls: [{ name: "load_skill", input: { name: "release" } }] });
        const again = await turn(name, "And once more.");
        assert.deepEqual(
            again.requests
                .at(-1)!
                .body.messages.at(-1)
                .content.map((b: any) => b.content),
            ["Skill release is already loaded in this conversation: its text is above; it is not sent again."],
        );
        assert.equal(sent(again.requests.at(-1)!, RELEASE_BODY), 1);
    });

    it("load_skill with file reads another text file of the skill's folder, once; paths outside it are refused", async () => {
        fake.enqueue({
            toolCalls: [
                { name: "load_skill", input: { name: "release", file: "template.md" } },
                { name: "load_skill", input: { name: "release", file: "../pdf-tools/SKILL.md" } },
                { name: "load_skill", input: { name: "release", file: "missing.md" } },
            ],
        });
        fake.enqueue({ toolCalls: [{ name: "load_skill", input: { name: "release", file: "template.md" } }] });
        const t = await turn(chat(), "Prepare.", { fresh: true });
        const first = t.requests[1]!.body.messages.at(-1).content;
        assert.deepEqual(
            first.map((b: any) => [b.content, b.is_error]),
            [
                [SKILLS["skills/release/template.md"], undefined],
                ['"../pdf-tools/SKILL.md" is not a file of skill release: give a path inside its folder, such as "reference.md"', true],
                ['skill release has no file "missing.md"', true],
            ],
        );
        assert.deepEqual(
            t.requests[2]!.body.messages.at(-1).content.map((b: any) => b.content),
            ["File template.md of skill release is already loaded in this conversation: its text is above; it is not sent again."],
        );
    });

    it("openai-compatible agents get load_skill too", async () => {
        fake.enqueue({ toolCalls: [{ name: "load_skill", input: { name: "pdf-tools" } }] });
        const t = await turn(chat(), "Start.", { fresh: true, agent: "gpt" });
        assert.ok(t.system.endsWith(LISTING), t.system);
        assert.ok(t.requests[0]!.body.tools.some((x: any) => x.function.name === "load_skill"));
        const result = t.requests.at(-1)!.body.messages.find((m: any) => m.role === "tool");
        assert.equal(result.content, PDF_BODY);
    });

    it("editing the message that loaded a skill, so the conversation forks before it, unloads it", async () => {
        const name = chat();
        const first = await turn(name, "Fill the PDF please.", { fresh: true });
        assert.equal(sent(first.requests[0]!, PDF_BODY), 1);
        await turn(name, "Thanks!");
        const text = read(name);
        writeFileSync(file(name), text.replace("Fill the PDF please.", "Tell me a joke."));
        const t = await turn(name, "And another one.");
        assert.equal(sent(t.requests[0]!, PDF_BODY), 0);
        assert.equal((await call(d, `/v1/conversations/${t.done.conversation_id}/branches`)).body.items.length, 1, "the history forked");
        const later = await turn(name, "Now a PDF question.");
        assert.equal(sent(later.requests[0]!, PDF_BODY), 1, "unloaded, so the trigger loads it again");
    });

    it("a copied note keeps the skills its original had loaded", async () => {
        const name = chat();
        const original = await turn(name, "About this form:", { fresh: true });
        const copy = `${name}-copy`;
        writeFileSync(file(copy), read(name));
        const t = await turn(copy, "And now, the form again?");
        assert.notEqual(t.done.conversation_id, original.done.conversation_id, "the copy is a conversation of its own");
        assert.equal(sent(t.requests[0]!, PDF_BODY), 1);
    });

    it("a pushed change to a skill reaches the next turn", async () => {
        const dir = await cloneMemory(d, token, "assistant");
        writeFiles(dir, {
            "skills/pdf-tools/SKILL.md": "---\nname: pdf-tools\ndescription: PDFs, newly described.\ntriggers: [pdf]\n---\nUse qpdf now.\n",
        });
        assert.equal((await commitAndPush(dir, "pdf skill v2")).code, 0);
        const t = await turn(chat(), "A pdf question.", { fresh: true });
        assert.ok(t.system.includes('<skill name="pdf-tools">PDFs, newly described.</skill>'));
        assert.deepEqual(t.requests[0]!.body.messages[0].content[1], block("pdf-tools", "Use qpdf now."));
        writeFiles(dir, { "skills/pdf-tools/SKILL.md": SKILLS["skills/pdf-tools/SKILL.md"] });
        assert.equal((await commitAndPush(dir, "pdf skill back")).code, 0);
    });

    it("Claude Code agents get the listing in their appended system prompt and triggered bodies in the prompt", async () => {
        const t = await turn(chat(), "A question about git.", { fresh: true, agent: "coder" });
        assert.ok(t.system.includes(LISTING), t.system);
        assert.equal(sent(t.requests[0]!, GIT_BODY), 1);
        assert.equal(sent(t.requests[0]!, PDF_BODY), 0);
    });

    it("an agent without memory gets no skills, though its repository has some", async () => {
        const t = await turn(chat(), "A pdf form?", { fresh: true, agent: "plain" });
        assert.equal(t.system, SYSTEM);
        assert.equal(sent(t.requests[0]!, PDF_BODY), 0);
    });

    it("a push with a broken SKILL.md is refused, one remote: line per problem, and changes nothing", async () => {
        const dir = await cloneMemory(d, token, "assistant");
        const before = (await gitLog(dir))[0];
        writeFiles(dir, {
            "skills/named/SKILL.md": "---\nname: Another Name\ndescription: x\n---\nbody\n",
            "skills/typed/SKILL.md": "---\ndescription: [not, text]\ntriggers: deploy\n---\nbody\n",
            "skills/words/SKILL.md": "---\ntriggers: [ok, {a: 1}, '']\n---\nbody\n",
            "skills/open/SKILL.md": "---\ndescription: never closed\nbody\n",
            "skills/yaml/SKILL.md": "---\ndescription: 'unterminated\n---\nbody\n",
            "skills/lower/skill.md": "---\ndescription: lower case file name\n---\nbody\n",
            "skills/bad name/SKILL.md": "---\ndescription: a space in the folder\n---\nbody\n",
        });
        const r = await commitAndPush(dir, "broken skills");
        assert.notEqual(r.code, 0);
        const lines = remoteLines(r.stderr);
        const expected = [
            'skills/named/SKILL.md: "name" is "Another Name" but the folder is "named"; they must be the same',
            'skills/typed/SKILL.md: "description" must be text',
            'skills/typed/SKILL.md: "triggers" must be a list of words, such as [deploy, release]',
            'skills/words/SKILL.md: "triggers": {"a":1} is not a word (each trigger is a word or a short phrase on one line)',
            'skills/words/SKILL.md: "triggers": "" is not a word (each trigger is a word or a short phrase on one line)',
            "skills/open/SKILL.md: the frontmatter opened on line 1 is never closed by a '---' line",
            "skills/lower/skill.md: a skill's file is named SKILL.md, in capitals",
            "skills/bad name/SKILL.md: a skill's folder name is its name: letters, digits, '-', '_' or '.' (not first), at most 64 characters",
        ];
        for (const line of expected) assert.ok(lines.includes(line), `${line}\nin:\n${lines.join("\n")}`);
        assert.ok(
            lines.some((l) => l.startsWith("skills/yaml/SKILL.md: frontmatter is not valid YAML")),
            lines.join("\n"),
        );
        assert.equal(lines.at(-1), "push refused: 9 problems; nothing was changed");
        assert.match(r.stderr, /pre-receive hook declined/);
        assert.equal((await gitLog(await cloneMemory(d, token, "assistant")))[0], before, "nothing landed");
        const skills = (await call(d, "/v1/config")).body.skills.assistant.map((s: any) => s.name);
        assert.deepEqual(skills, ["git-helper", "pdf-tools", "release"]);
    });
});
