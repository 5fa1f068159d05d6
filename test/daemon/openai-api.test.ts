import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { call, eventually, follow, sleep } from "../helpers/client";
import { ConfigError, validateConfig } from "../../daemon/config";
import { FakeLlm } from "../fakes/fake-llm";
import { defaultConfig, startDaemon, type StartedDaemon } from "../helpers/daemon";

const LOGGED = join("Chats", "Logged");

describe("OpenAI-compatible API (docs/frontends.md)", function () {
    this.timeout(60_000);
    let d: StartedDaemon;
    let client: OpenAI;
    before(async () => {
        d = await startDaemon();
        client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: d.token, maxRetries: 0 });
    });
    after(async () => {
        await d.stop();
    });

    const logged = (): string[] =>
        existsSync(join(d.vault, LOGGED))
            ? readdirSync(join(d.vault, LOGGED))
                  .filter((f) => f.endsWith(".md"))
                  .sort()
            : [];
    const noteNamed = (title: string): string => {
        const name = logged().find((f) => f.endsWith(` ${title}.md`));
        assert.ok(name, `a log note ending "${title}.md" among ${logged().join(", ")}`);
        assert.match(name, /^\d{4}-\d{2}-\d{2} \d{4} /);
        return readFileSync(join(d.vault, LOGGED, name), "utf8");
    };
    const idOf = (note: string): string => /conversation_id: (\S+)/.exec(note)![1]!;

    it("lists the agents as models", async () => {
        const page = await client.models.list();
        assert.deepEqual(
            page.data.map((m) => [m.id, m.object, m.owned_by, typeof m.created]),
            [
                ["assistant", "model", "lodge", "number"],
                ["gpt", "model", "lodge", "number"],
            ],
        );
    });

    it("answers a chat.completion and logs the turn as a chat note, byte for byte", async () => {
        d.fake.enqueue({ text: "Paris.", usage: { input_tokens: 12, output_tokens: 3 } });
        const r = await client.chat.completions.create({
            model: "assistant",
            messages: [{ role: "user", content: "What is the capital of France?" }],
        });
        assert.equal(r.object, "chat.completion");
        assert.equal(r.model, "assistant");
        assert.equal(r.choices.length, 1);
        assert.equal(r.choices[0]!.message.role, "assistant");
        assert.equal(r.choices[0]!.message.content, "Paris.");
        assert.equal(r.choices[0]!.finish_reason, "stop");
        assert.equal(typeof r.usage!.prompt_tokens, "number");
        assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
        const note = noteNamed("What is the capital of France");
        const id = idOf(note);
        assert.equal(
            note,
            `---\nagent: assistant\nconversation_id: ${id}\nfrontend: openai\n---\nWhat is the capital of France?\n\n### Assistant:\n\nParis.\n\n### User:\n\n`,
        );
        const conversation = await call(d, `/v1/conversations/${id}`);
        assert.deepEqual(
            conversation.body.messages.map((m: any) => [m.role, m.content[0].text]),
            [
                ["user", "What is the capital of France?"],
                ["assistant", "Paris."],
            ],
        );
        assert.deepEqual(d.fake.requests.at(-1)!.body.messages, [
            { role: "user", content: [{ type: "text", text: "What is the capital of France?" }] },
        ]);
    });

    it("streams chunks with usage, ending with data: [DONE], and reports the frontend on /v1/events", async () => {
        const events = follow(d, "/v1/events", (e) => (e.event === "turn" && e.data.state !== "started" ? "stop" : undefined));
        await sleep(100);
        d.fake.enqueue({ text: "One two three four five.", chunkSize: 4 });
        const stream = await client.chat.completions.create({
            model: "gpt",
            stream: true,
            stream_options: { include_usage: true },
            messages: [{ role: "user", content: "Count to five" }],
        });
        const chunks: OpenAI.ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt" && c.id === chunks[0]!.id));
        assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "One two three four five.");
        assert.ok(chunks.filter((c) => c.choices[0]?.delta.content).length >= 5, "the text arrives in pieces");
        assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, "stop");
        const last = chunks.at(-1)!;
        assert.deepEqual(last.choices, []);
        assert.equal(typeof last.usage!.total_tokens, "number");
        const turns = (await events).events.map((e) => [e.data.frontend, e.data.state, e.data.filename.startsWith("Chats/Logged/")]);
        assert.deepEqual(turns, [
            ["openai", "started", true],
            ["openai", "ok", true],
        ]);
        assert.match(
            noteNamed("Count to five"),
            /frontend: openai\n---\nCount to five\n\n### Assistant:\n\nOne two three four five\.\n\n### User:\n\n$/,
        );

        d.fake.enqueue({ text: "Raw." });
        const raw = await fetch(`${d.url}/v1/chat/completions`, {
            method: "POST",
            headers: { authorization: `Bearer ${d.token}`, "content-type": "application/json" },
            body: JSON.stringify({ model: "gpt", stream: true, messages: [{ role: "user", content: "Say raw" }] }),
        });
        assert.match(raw.headers.get("content-type")!, /^text\/event-stream/);
        const text = await raw.text();
        assert.ok(text.endsWith("data: [DONE]\n\n"), text);
        assert.ok(!text.includes('"usage"'), "no usage unless asked for");
    });

    it("takes a client system message as the note's system, replacing the agent's", async () => {
        d.fake.enqueue({ text: "Ok." });
        await client.chat.completions.create({
            model: "assistant",
            messages: [
                { role: "system", content: "Answer in one word." },
                { role: "user", content: "Greet me" },
            ],
        });
        const sent = d.fake.requests.at(-1)!.body;
        assert.match(JSON.stringify(sent.system), /Answer in one word\./);
        assert.doesNotMatch(JSON.stringify(sent.system), /helpful assistant living/);
        assert.match(noteNamed("Greet me"), /\nfrontend: openai\nsystem: Answer in one word\.\n---\nGreet me\n/);
    });

    it("continues one conversation over ten requests in one log note", async () => {
        const messages: OpenAI.ChatCompletionMessageParam[] = [];
        let id: string | null = null;
        for (let i = 0; i < 10; i++) {
            messages.push({ role: "user", content: `Long talk, question ${i}` });
            d.fake.enqueue({ text: `Answer ${i}.\n\n### User:\n\nnot a heading` });
            const r = await client.chat.completions.create({ model: "assistant", temperature: 0.5, max_tokens: 100, messages });
            messages.push({ role: "assistant", content: r.choices[0]!.message.content! });
            const sent = d.fake.requests.at(-1)!.body;
            assert.equal(sent.messages.length, 2 * i + 1, "the stored history is sent on");
            assert.equal(sent.temperature, 0.5);
            assert.equal(sent.max_tokens, 100);
            const note = noteNamed("Long talk, question 0");
            id ??= idOf(note);
            assert.equal(idOf(note), id);
        }
        assert.equal(logged().filter((f) => f.includes("Long talk")).length, 1);
        const note = noteNamed("Long talk, question 0");
        assert.equal((note.match(/^### Assistant:$/gm) ?? []).length, 10);
        assert.equal((note.match(/^\\### User:$/gm) ?? []).length, 10, "the reply's heading-like line is escaped");
        assert.doesNotMatch(note, /^temperature|^max_tokens/m, "per-request settings stay out of the note");
        const conversation = await call(d, `/v1/conversations/${id}`);
        assert.equal(conversation.body.message_count, 20);
    });

    it("continues a conversation whose reply used the agent's own tools", async () => {
        d.fake.enqueue(
            { text: "Let me look.", toolCalls: [{ id: "toolu_x", name: "list_notes", input: {} }] },
            { text: "Found them." },
            { text: "Sure." },
        );
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Which notes do I have" }];
        const r = await client.chat.completions.create({ model: "assistant", messages });
        assert.equal(r.choices[0]!.message.content, "Let me look.\n\nFound them.");
        messages.push({ role: "assistant", content: r.choices[0]!.message.content }, { role: "user", content: "Thanks" });
        await client.chat.completions.create({ model: "assistant", messages });
        assert.equal(logged().filter((f) => f.includes("Which notes do I have")).length, 1);
        const sent = d.fake.requests.at(-1)!.body.messages;
        assert.equal(sent.length, 5, "the stored tool round goes on to the backend");
        assert.match(noteNamed("Which notes do I have"), /> \[!tool\]- list_notes/);
    });

    it("starts a new conversation when the earlier messages differ from every stored history", async () => {
        d.fake.enqueue({ text: "A." }, { text: "B." });
        await client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "Fork me" }] });
        const before = logged().filter((f) => f.includes("Fork me")).length;
        await client.chat.completions.create({
            model: "assistant",
            messages: [
                { role: "user", content: "Fork me" },
                { role: "assistant", content: "Something else." },
                { role: "user", content: "Next" },
            ],
        });
        assert.equal(logged().filter((f) => f.includes("Fork me")).length, before + 1);
        assert.deepEqual(
            d.fake.requests.at(-1)!.body.messages.map((m: any) => m.content[0].text),
            ["Fork me", "Something else.", "Next"],
        );
    });

    it("starts a new log note for the same conversation when its note was deleted", async () => {
        d.fake.enqueue({ text: "First." }, { text: "Second." });
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Delete my note" }];
        const r = await client.chat.completions.create({ model: "assistant", messages });
        const id = idOf(noteNamed("Delete my note"));
        for (const f of logged().filter((f) => f.includes("Delete my note"))) rmSync(join(d.vault, LOGGED, f));
        messages.push({ role: "assistant", content: r.choices[0]!.message.content! }, { role: "user", content: "Still there?" });
        await client.chat.completions.create({ model: "assistant", messages });
        const note = noteNamed("Delete my note");
        assert.equal(idOf(note), id);
        assert.match(
            note,
            /---\nDelete my note\n\n### Assistant:\n\nFirst\.\n\n### User:\n\nStill there\?\n\n### Assistant:\n\nSecond\.\n\n### User:\n\n$/,
        );
    });

    it("stops the turn when the client aborts, and the note says so", async () => {
        d.fake.enqueue({ chunks: ["Partial ", "answer ", "that ", "never ", "ends"], chunkDelayMs: 400 });
        const controller = new AbortController();
        const stream = await client.chat.completions.create(
            { model: "assistant", stream: true, messages: [{ role: "user", content: "Abort me" }] },
            { signal: controller.signal },
        );
        let got = "";
        try {
            for await (const chunk of stream) {
                got += chunk.choices[0]?.delta.content ?? "";
                if (got.includes("Partial")) controller.abort();
            }
        } catch (err) {
            assert.ok(err instanceof OpenAI.APIUserAbortError, String(err));
        }
        assert.equal(got, "Partial ");
        const note = await eventually(
            () => {
                const name = logged().find((f) => f.endsWith(" Abort me.md"));
                const text = name ? readFileSync(join(d.vault, LOGGED, name), "utf8") : "";
                return text.includes("[!warning]- stopped") ? text : false;
            },
            10_000,
            "the stopped note",
        );
        assert.match(note, /### Assistant:\n\nPartial\n\n> \[!warning\]- stopped\n\n### User:\n\n$/);
        assert.doesNotMatch(note, /never/);
    });

    it("refuses what it does not take, in the OpenAI error shape, changing nothing", async () => {
        const before = d.fake.requests.length;
        const notes = logged().length;
        const refuse = async (body: Record<string, unknown>, status: number, code: string, token = d.token): Promise<string> => {
            const r = await call(d, "/v1/chat/completions", { body, token });
            assert.equal(r.status, status, JSON.stringify(r.body));
            assert.equal(r.body.error.code, code);
            assert.equal(typeof r.body.error.type, "string");
            assert.equal(typeof r.body.error.message, "string");
            return r.body.error.message as string;
        };
        const user = [{ role: "user", content: "hi" }];
        assert.match(
            await refuse(
                { model: "assistant", messages: user, tools: [{ type: "function", function: { name: "f" } }] },
                400,
                "bad_request",
            ),
            /tools/,
        );
        assert.match(await refuse({ model: "assistant", messages: user, functions: [{ name: "f" }] }, 400, "bad_request"), /functions/);
        assert.match(await refuse({ model: "assistant", messages: user, n: 2 }, 400, "bad_request"), /"n"/);
        assert.match(await refuse({ model: "nobody", messages: user }, 404, "unknown_agent"), /nobody/);
        assert.match(await refuse({ model: "assistant" }, 400, "bad_request"), /messages/);
        await refuse({ model: "assistant", messages: [{ role: "tool", content: "x", tool_call_id: "1" }, ...user] }, 400, "bad_request");
        await refuse(
            {
                model: "assistant",
                messages: [
                    { role: "user", content: "hi" },
                    { role: "assistant", content: "hello" },
                ],
            },
            400,
            "bad_request",
        );
        const image = [
            {
                role: "user",
                content: [
                    { type: "text", text: "look" },
                    { type: "image_url", image_url: { url: `${d.fake.url}/cat.png` } },
                ],
            },
        ];
        assert.match(await refuse({ model: "assistant", messages: image }, 400, "bad_request"), /fetches nothing/);
        await refuse({ model: "assistant", messages: user }, 401, "unauthorized", "wrong");
        const sdk = await client.chat.completions
            .create({ model: "nobody", messages: [{ role: "user", content: "hi" }] })
            .catch((e: unknown) => e);
        assert.ok(sdk instanceof OpenAI.NotFoundError);
        assert.equal(sdk.code, "unknown_agent");
        await sleep(100);
        assert.equal(d.fake.requests.length, before, "nothing reached the backend, nothing was fetched");
        assert.equal(logged().length, notes, "no note was written");
        const lodgeShape = await call(d, "/v1/chat", { body: {} });
        assert.equal(lodgeShape.body.error.code, "bad_request", "other routes keep Lodge's shape");
        assert.equal(lodgeShape.body.error.type, undefined);
    });

    it("gives a second conversation with the same title in the same minute a name of its own", async () => {
        d.fake.enqueue({ text: "One." }, { text: "Two." });
        await client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "Same: title?" }] });
        await client.chat.completions.create({ model: "assistant", messages: [{ role: "user", content: "Same: title?" }] });
        const names = logged().filter((f) => f.includes("Same title"));
        assert.equal(names.length, 2, names.join(", "));
        const ids = names.map((f) => idOf(readFileSync(join(d.vault, LOGGED, f), "utf8")));
        assert.notEqual(ids[0], ids[1]);
        const sameMinute = names[0]!.slice(0, 15) === names[1]!.slice(0, 15);
        if (sameMinute)
            assert.deepEqual(
                names.map((f) => f.slice(16)),
                ["Same title 2.md", "Same title.md"],
            );
    });

    it("reports a backend's failure in the OpenAI shape, streamed or not, and logs the failed turn", async () => {
        d.fake.enqueue({ status: 400, errorMessage: "model refuses" }, { status: 400, errorMessage: "model refuses again" });
        const plain = await client.chat.completions
            .create({ model: "assistant", messages: [{ role: "user", content: "Fail plainly" }] })
            .catch((e: unknown) => e);
        assert.ok(plain instanceof OpenAI.APIError, String(plain));
        assert.equal(plain.status, 502);
        assert.equal(plain.code, "backend_error");
        assert.match(plain.message, /model refuses/);
        const stream = await client.chat.completions.create({
            model: "assistant",
            stream: true,
            messages: [{ role: "user", content: "Fail streaming" }],
        });
        const streamed = await (async () => {
            for await (const chunk of stream) void chunk;
        })().catch((e: unknown) => e);
        assert.ok(streamed instanceof OpenAI.APIError, String(streamed));
        assert.match(streamed.message, /model refuses again/);
        assert.match(noteNamed("Fail plainly"), /### Assistant:\n\n> \[!error\][^\n]*model refuses/);
    });

    it("takes a conversation of 10,000 messages", async () => {
        const messages: OpenAI.ChatCompletionMessageParam[] = [];
        for (let i = 0; i < 9_999; i++)
            messages.push(i % 2 === 0 ? { role: "user", content: `Huge ${i}` } : { role: "assistant", content: `Reply ${i}` });
        d.fake.enqueue({ text: "Done." });
        const r = await client.chat.completions.create({ model: "assistant", messages });
        assert.equal(r.choices[0]!.message.content, "Done.");
        assert.deepEqual(d.fake.requests.at(-1)!.body.messages.at(-1).content, [{ type: "text", text: "Huge 9998" }]);
        assert.equal((noteNamed("Huge 0").match(/^### Assistant:$/gm) ?? []).length, 5_000);
    });
});

describe("chats.log_folder", function () {
    this.timeout(30_000);

    it("puts log notes where the config says, and refuses a folder outside the vault or hidden", async () => {
        for (const bad of ["../out", "/abs", ".hidden/x", ""]) {
            assert.throws(
                () => validateConfig({ chats: { log_folder: bad } }, "c.yaml"),
                (e: unknown) => e instanceof ConfigError && /chats\.log_folder/.test(e.message),
                bad,
            );
        }
        assert.equal(validateConfig({ chats: { log_folder: "Inbox\\AI/" } }, "c.yaml").chats.log_folder, "Inbox/AI");
        const fake = await FakeLlm.start();
        const d = await startDaemon({ fake, config: { ...defaultConfig(fake), chats: { log_folder: "Inbox/AI" } } });
        try {
            d.fake.enqueue({ text: "Here." });
            const client = new OpenAI({ baseURL: `${d.url}/v1`, apiKey: d.token, maxRetries: 0 });
            await client.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "Where am I logged" }] });
            assert.deepEqual(
                readdirSync(join(d.vault, "Inbox", "AI")).map((f) => f.replace(/^\S+ \d{4} /, "")),
                ["Where am I logged.md"],
            );
            assert.equal(existsSync(join(d.vault, "Chats", "Logged")), false);
        } finally {
            await d.stop();
            await fake.close();
        }
    });
});
