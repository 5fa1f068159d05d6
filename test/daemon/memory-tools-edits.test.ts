/** The memory tools an agent calls in a turn: what the model gets back, the commits, the note, the next prompt. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type StartedDaemon } from "../helpers/daemon";
import { stream } from "../helpers/client";
import { type FakeLlm } from "../fakes/fake-llm";
import { cloneMemory, gitLog } from "../helpers/git-memory";
import { EDITED, memoryToolsWorld } from "../helpers/memory-tools";

describe("memory tools", () => {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let token: string;
    const { toolTurn, fileInClone } = memoryToolsWorld((world) => ({ d, fake, token } = world));

    it("offers memory_replace, memory_insert, memory_rethink and memory_create with Letta's argument names", async () => {
        const turn = await toolTurn([]);
        assert.equal(turn.status, "ok");
        const tools = fake.requests.at(-1)!.body.tools;
        assert.deepEqual(
            tools.map((t: any) => [t.name, t.input_schema.required]),
            [
                ["memory_replace", ["label", "old_string", "new_string"]],
                ["memory_insert", ["label", "new_string"]],
                ["memory_rethink", ["label", "new_memory"]],
                ["memory_create", ["label", "description", "value"]],
            ],
        );
        assert.equal(tools[1].input_schema.properties.insert_line.type, "integer");
    });

    it("memory_replace: one commit by the agent, Letta's confirmation, a callout, the new text in the next prompt, the frontmatter kept", async () => {
        const turn = await toolTurn([
            { name: "memory_replace", input: { label: "persona", old_string: "I like maps.", new_string: "I like sea charts." } },
        ]);
        assert.deepEqual(
            turn.results.map((r) => [r.content, r.is_error]),
            [[EDITED("persona"), undefined]],
        );
        assert.equal(turn.status, "ok");
        // The note says what happened in a few words; the model got Letta's sentence.
        assert.match(turn.note, /\n> \[!tool\]- memory_replace persona\n> edited block persona\n/);
        assert.match(turn.note, /FAKE tool result: The core memory block/, "the turn went on after the tool");
        const dir = await cloneMemory(d, token);
        assert.equal((await gitLog(dir))[0], "assistant <assistant@lodge.local> memory_replace: persona");
        assert.equal(
            readFileSync(join(dir, "persona.md"), "utf8"),
            "---\n# written by hand\ndescription:   'Who I am'\nmetadata: { mood: calm }\n---\nI am Wren.\nI like sea charts.\n",
        );
        const next = await toolTurn([]);
        assert.ok(next.system.includes("<value>\nI am Wren.\nI like sea charts.\n</value>"), next.system);
    });

    it("memory_insert puts text at the top, after a given line and at the end, one commit per call", async () => {
        const before = (await gitLog(await cloneMemory(d, token))).length;
        const turn = await toolTurn([
            { name: "memory_insert", input: { label: "twice", new_string: "breakfast", insert_line: 0 } },
            { name: "memory_insert", input: { label: "twice", new_string: "lunch", insert_line: 2 } },
            { name: "memory_insert", input: { label: "twice", new_string: "dinner" } },
        ]);
        assert.deepEqual(
            turn.results.map((r) => r.is_error),
            [undefined, undefined, undefined],
        );
        assert.equal(
            await fileInClone("twice.md"),
            "---\ndescription: Repeats\n---\nbreakfast\ntea at noon\nlunch\ncoffee\ntea at noon\ndinner\n",
        );
        const log = await gitLog(await cloneMemory(d, token));
        assert.equal(log.length, before + 3);
        assert.deepEqual(log.slice(0, 3), Array(3).fill("assistant <assistant@lodge.local> memory_insert: twice"));
    });

    it("memory_rethink rewrites a block and memory_create adds a nested one with its description", async () => {
        const turn = await toolTurn([
            { name: "memory_rethink", input: { label: "tiny", new_memory: "brief now" } },
            {
                name: "memory_create",
                input: { label: "projects/beta", description: "The beta launch: dates: and owners", value: "Beta ships in June." },
            },
        ]);
        assert.deepEqual(
            turn.results.map((r) => [r.content, r.is_error]),
            [
                [EDITED("tiny"), undefined],
                ["The core memory block with label `projects/beta` has been created.", undefined],
            ],
        );
        assert.match(
            turn.note,
            /> \[!tool\]- memory_rethink tiny\n> edited block tiny\n\n> \[!tool\]- memory_create projects\/beta\n> created block projects\/beta\n/,
        );
        assert.equal(await fileInClone("tiny.md"), "---\ndescription: Short\nlimit: 20\n---\nbrief now\n");
        assert.equal(
            await fileInClone("projects/beta.md"),
            '---\ndescription: "The beta launch: dates: and owners"\n---\nBeta ships in June.\n',
        );
        const log = await gitLog(await cloneMemory(d, token));
        assert.deepEqual(log.slice(0, 2), [
            "assistant <assistant@lodge.local> memory_create: projects/beta",
            "assistant <assistant@lodge.local> memory_rethink: tiny",
        ]);
        const next = await toolTurn([]);
        assert.ok(
            next.system.includes(
                "<projects/beta>\n<description>\nThe beta launch: dates: and owners\n</description>\n<metadata>\n- chars_current=19\n- chars_limit=20000\n</metadata>\n<value>\nBeta ships in June.\n</value>\n</projects/beta>",
            ),
        );
    });

    it("sends every tool error back to the model in Letta's words, commits nothing, and the turn goes on", async () => {
        const before = await gitLog(await cloneMemory(d, token));
        const turn = await toolTurn([
            { name: "memory_replace", input: { label: "persona", old_string: "I like kites.", new_string: "x" } },
            { name: "memory_replace", input: { label: "twice", old_string: "tea at noon", new_string: "x" } },
            { name: "memory_rethink", input: { label: "rules", new_memory: "Delete whatever." } },
            { name: "memory_insert", input: { label: "tiny", new_string: "this line is far too long" } },
            { name: "memory_replace", input: { label: "nope", old_string: "a", new_string: "b" } },
            { name: "memory_insert", input: { label: "persona", new_string: "x", insert_line: 9 } },
            { name: "memory_create", input: { label: "persona", description: "again", value: "x" } },
            { name: "memory_create", input: { label: "../escape", description: "d", value: "x" } },
            { name: "memory_replace", input: { label: "persona" } },
        ]);
        assert.deepEqual(
            turn.results.map((r) => r.is_error),
            Array(9).fill(true),
        );
        assert.deepEqual(
            turn.results.map((r) => r.content),
            [
                "No replacement was performed, old_string `I like kites.` did not appear verbatim in memory block with label `persona`.",
                "No replacement was performed. Multiple occurrences of old_string `tea at noon` in lines [2, 5]. Please ensure it is unique.",
                "Error This block is read-only and cannot be edited.",
                "Edit failed: Exceeds 20 character limit (requested 35)",
                "Block field nope does not exist (available sections = human, persona, projects/beta, rules, tiny, twice)",
                "Invalid `insert_line` parameter: 9. It should be within the range of lines of the memory block: [0, 2], or -1 to append to the end of the memory block.",
                "Memory block 'persona' already exists",
                "Invalid label `../escape`: a block's path must not have empty, '.' or '..' parts, nor parts starting or ending with a space.",
                "Invalid arguments for memory_replace: `old_string`, `new_string` must be given as text.",
            ],
        );
        assert.equal(turn.status, "ok");
        assert.match(turn.note, /> \[!tool\]- memory_rethink rules\n> error: Error This block is read-only/);
        assert.deepEqual(await gitLog(await cloneMemory(d, token)), before);
    });

    it("runs the same tools for an openai agent", async () => {
        const turn = await toolTurn([{ name: "memory_insert", input: { label: "human", new_string: "Pat sails on Sundays." } }], "gpt");
        assert.deepEqual(turn.results, [{ content: EDITED("human") }]);
        const dir = await cloneMemory(d, token, "gpt");
        assert.equal((await gitLog(dir))[0], "gpt <gpt@lodge.local> memory_insert: human");
        assert.match(readFileSync(join(dir, "human.md"), "utf8"), /---\nPat sails on Sundays\.\n$/);
    });

    it("keeps tool_use and tool_result in the history, so the next turn sends them back", async () => {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        const path = join(d.vault, "Chats", "history.md");
        writeFileSync(path, "Remember that I like tea.\n");
        fake.enqueue(
            { toolCalls: [{ id: "toolu_hist", name: "memory_insert", input: { label: "human", new_string: "Likes tea." } }] },
            { text: "Noted." },
        );
        await stream(d, { filename: "Chats/history" });
        writeFileSync(path, `${readFileSync(path, "utf8")}And coffee?\n`);
        fake.enqueue({ text: "Sure." });
        await stream(d, { filename: "Chats/history" });
        const messages = fake.requests.at(-1)!.body.messages;
        assert.deepEqual(
            messages.map((m: any) => [m.role, m.content.map((b: any) => b.type).join(",")]),
            [
                ["user", "text"],
                ["assistant", "tool_use"],
                ["user", "tool_result"],
                ["assistant", "text"],
                ["user", "text"],
            ],
        );
        assert.deepEqual(messages[1].content[0].input, { label: "human", new_string: "Likes tea." });
        assert.equal(messages[2].content[0].content, EDITED("human"));
    });
});
