/**
 * The memory tools' world for tests: a daemon whose agents have memory, the blocks a person set up
 * first, and one turn in which the model calls the tools.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, type StartedDaemon } from "./daemon";
import { stream } from "./client";
import { FakeLlm, type FakeToolCall } from "../fakes/fake-llm";
import { cloneMemory, commitAndPush, createToken, memoryConfig, writeFiles } from "./git-memory";

export const EDITED = (label: string) =>
    `The core memory block with label \`${label}\` has been edited. Review the changes and make sure they are as expected (correct indentation, no duplicate lines, etc). Edit the memory block again if necessary.`;

export interface ToolTurn {
    /** What the model got back for each call, in order. */
    results: Array<{ content: string; is_error?: boolean }>;
    note: string;
    status: string;
    system: string;
}

export interface MemoryWorld {
    d: StartedDaemon;
    fake: FakeLlm;
    token: string;
}

/** Registers the suite's before/after; `ready` hands the started world to the suite's own variables. */
export function memoryToolsWorld(ready: (world: MemoryWorld) => void) {
    let d: StartedDaemon;
    let fake: FakeLlm;
    let token: string;
    let n = 0;

    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({ fake, config: memoryConfig(fake) });
        token = createToken(d, "git");
        // A person sets the blocks up first: a persona with frontmatter written their way, a read-only
        // block, a block with a small limit, and a block where a phrase appears twice.
        const dir = await cloneMemory(d, token);
        writeFiles(dir, {
            "persona.md": "---\n# written by hand\ndescription:   'Who I am'\nmetadata: { mood: calm }\n---\nI am Wren.\nI like maps.\n",
            "rules.md": "---\ndescription: House rules\nread_only: true\n---\nNever delete notes.\n",
            "tiny.md": "---\ndescription: Short\nlimit: 20\n---\nshort\n",
            "twice.md": "---\ndescription: Repeats\n---\ntea at noon\ncoffee\ntea at noon\n",
        });
        const r = await commitAndPush(dir, "set up");
        assert.equal(r.code, 0, r.stderr);
        ready({ d, fake, token });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    /** One turn in which the model makes `calls` (one assistant message), then answers with the echo. */
    async function toolTurn(calls: FakeToolCall[], agent = "assistant"): Promise<ToolTurn> {
        mkdirSync(join(d.vault, "Chats"), { recursive: true });
        const file = `Chats/tools-${++n}`;
        writeFileSync(join(d.vault, `${file}.md`), `---\nagent: ${agent}\n---\nPlease remember things.\n`);
        fake.enqueue({ toolCalls: calls });
        const first = fake.requests.length;
        const r = await stream(d, { filename: file });
        const sent = fake.requests.slice(first);
        const last = sent.at(-1)!.body;
        const results =
            agent === "gpt"
                ? last.messages.filter((m: any) => m.role === "tool").map((m: any) => ({ content: m.content }))
                : last.messages.at(-1).content.filter((b: any) => b.type === "tool_result");
        return {
            results,
            note: readFileSync(join(d.vault, `${file}.md`), "utf8"),
            status: (r.terminal?.data as any)?.status,
            system: sent[0]!.body.system,
        };
    }

    async function fileInClone(path: string): Promise<string> {
        return readFileSync(join(await cloneMemory(d, token), path), "utf8");
    }

    return { toolTurn, fileInClone };
}
