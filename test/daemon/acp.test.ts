import assert from "node:assert/strict";
import * as acp from "@agentclientprotocol/sdk";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { eventually } from "../helpers/client";
import { LODGE_BIN, startDaemon, testEnv, type StartedDaemon } from "../helpers/daemon";

interface AcpClient {
    child: ChildProcessWithoutNullStreams;
    agent: acp.ClientContext;
    updates: acp.SessionNotification[];
    close(): Promise<void>;
}

function spawnAcp(d: StartedDaemon): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [LODGE_BIN, "acp", "--data", d.data], { env: testEnv(), stdio: ["pipe", "pipe", "pipe"] });
}

/** The SDK's own client side driving a real `lodge acp` process. */
function connect(d: StartedDaemon): AcpClient {
    const child = spawnAcp(d);
    const updates: acp.SessionNotification[] = [];
    const app = acp
        .client({ name: "test-client" })
        .onNotification(acp.methods.client.session.update, ({ params }) => void updates.push(params));
    const stream = acp.ndJsonStream(
        Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
        Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
    );
    const connection = app.connect(stream);
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    return {
        child,
        agent: connection.agent,
        updates,
        async close() {
            child.stdin.end();
            await closed;
        },
    };
}

const chunks = (updates: acp.SessionNotification[], kind: string): string =>
    updates
        .map((n) => n.update)
        .filter((u) => u.sessionUpdate === kind)
        .map((u) => (u as { content: { text: string } }).content.text)
        .join("");

describe("lodge acp (docs/frontends.md)", function () {
    this.timeout(60_000);
    let d: StartedDaemon;
    before(async () => {
        d = await startDaemon();
    });
    after(async () => {
        await d.stop();
    });

    const logNote = (sessionId: string): string => {
        const dir = join(d.vault, "Chats", "Logged");
        const name = readdirSync(dir).find((f) => readFileSync(join(dir, f), "utf8").includes(`conversation_id: ${sessionId}\n`));
        assert.ok(name, `a log note for ${sessionId}`);
        return readFileSync(join(dir, name), "utf8");
    };

    it("initializes, runs prompts with text and resources, streams chunks, and replays a session after a restart", async () => {
        const c = connect(d);
        const init = await c.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
        assert.equal(init.protocolVersion, acp.PROTOCOL_VERSION);
        assert.equal(init.agentCapabilities?.loadSession, true);
        const { sessionId } = await c.agent.request(acp.methods.agent.session.new, { cwd: "/tmp", mcpServers: [] });
        assert.match(sessionId, /^[0-9a-f-]{36}$/);

        d.fake.enqueue({ text: "It prints hello.", chunkSize: 3 });
        const first = await c.agent.request(acp.methods.agent.session.prompt, {
            sessionId,
            prompt: [
                { type: "text", text: "What does this file do?" },
                { type: "resource", resource: { uri: "file:///tmp/hello.py", mimeType: "text/x-python", text: "print('hello')" } },
            ],
        });
        assert.equal(first.stopReason, "end_turn");
        assert.equal(chunks(c.updates, "agent_message_chunk"), "It prints hello.");
        assert.ok(c.updates.filter((n) => n.update.sessionUpdate === "agent_message_chunk").length >= 3, "streamed in pieces");
        assert.ok(c.updates.every((n) => n.sessionId === sessionId));
        const sent = d.fake.requests.at(-1)!.body.messages[0].content[0].text as string;
        assert.equal(sent, "What does this file do?\n\n<context uri=\"file:///tmp/hello.py\">\nprint('hello')\n</context>");

        // A tool call of the agent's own (the vault tools), shown as tool_call and its update.
        d.fake.enqueue({ toolCalls: [{ id: "toolu_1", name: "list_notes", input: {} }] }, { text: "You have notes." });
        c.updates.length = 0;
        const second = await c.agent.request(acp.methods.agent.session.prompt, {
            sessionId,
            prompt: [{ type: "text", text: "List my notes" }],
        });
        assert.equal(second.stopReason, "end_turn");
        const kinds = c.updates.map((n) => n.update.sessionUpdate);
        assert.deepEqual(
            kinds.filter((k) => k !== "agent_message_chunk"),
            ["tool_call", "tool_call_update"],
        );
        const call = c.updates.find((n) => n.update.sessionUpdate === "tool_call")!.update as acp.ToolCall;
        assert.equal(call.toolCallId, "toolu_1");
        assert.equal(call.title, "list_notes");
        const result = c.updates.find((n) => n.update.sessionUpdate === "tool_call_update")!.update as acp.ToolCallUpdate;
        assert.equal(result.status, "completed");
        assert.equal(chunks(c.updates, "agent_message_chunk"), "You have notes.");
        await c.close();

        const note = logNote(sessionId);
        assert.match(
            note,
            /^---\nagent: assistant\nconversation_id: [0-9a-f-]{36}\nfrontend: acp\n---\nWhat does this file do\?\n\n<context uri="file:\/\/\/tmp\/hello\.py">\nprint\('hello'\)\n<\/context>\n\n### Assistant:\n\nIt prints hello\.\n\n### User:\n\nList my notes\n\n### Assistant:\n\n> \[!tool\]- list_notes/,
        );

        // A new process: the session is the conversation, replayed from the database.
        const again = connect(d);
        await again.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
        await again.agent.request(acp.methods.agent.session.load, { sessionId, cwd: "/tmp", mcpServers: [] });
        const replay = again.updates.map((n) => n.update);
        assert.deepEqual(
            replay.map((u) => u.sessionUpdate),
            ["user_message_chunk", "agent_message_chunk", "user_message_chunk", "tool_call", "tool_call_update", "agent_message_chunk"],
        );
        assert.equal(chunks(again.updates, "user_message_chunk"), `${sent}List my notes`);
        assert.equal(chunks(again.updates, "agent_message_chunk"), "It prints hello.You have notes.");
        d.fake.enqueue({ text: "Still me." });
        await again.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: "text", text: "Who are you?" }] });
        assert.equal(d.fake.requests.at(-1)!.body.messages.length, 7, "the loaded session goes on with its whole history");
        const missing = await again.agent
            .request(acp.methods.agent.session.load, { sessionId: "00000000-0000-4000-8000-000000000000", cwd: "/tmp", mcpServers: [] })
            .catch((e: unknown) => e);
        assert.ok(missing instanceof acp.RequestError);
        await again.close();
    });

    it("stops a prompt on session/cancel; the note says so", async () => {
        const c = connect(d);
        await c.agent.request(acp.methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
        const { sessionId } = await c.agent.request(acp.methods.agent.session.new, { cwd: "/tmp", mcpServers: [] });
        d.fake.enqueue({ chunks: ["Slow ", "words ", "that ", "never ", "end"], chunkDelayMs: 400 });
        const prompt = c.agent.request(acp.methods.agent.session.prompt, { sessionId, prompt: [{ type: "text", text: "Talk slowly" }] });
        await eventually(() => chunks(c.updates, "agent_message_chunk").includes("Slow"), 10_000, "the first chunk");
        await c.agent.notify(acp.methods.agent.session.cancel, { sessionId });
        assert.equal((await prompt).stopReason, "cancelled");
        assert.match(logNote(sessionId), /### Assistant:\n\nSlow\n\n> \[!warning\]- stopped\n\n### User:\n\n$/);
        await c.close();
    });

    it("answers input that is not JSON-RPC with a parse error and changes nothing", async () => {
        const count = (): number =>
            existsSync(join(d.vault, "Chats", "Logged")) ? readdirSync(join(d.vault, "Chats", "Logged")).length : 0;
        const before = count();
        const requests = d.fake.requests.length;
        const child = spawnAcp(d);
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
        child.stdin.write("this is not json\n");
        const error = await eventually(() => out.split("\n").find((l) => l.includes('"error"')), 10_000, "an error line");
        const parsed = JSON.parse(error) as { jsonrpc: string; id: null; error: { code: number; message: string } };
        assert.equal(parsed.jsonrpc, "2.0");
        assert.equal(parsed.error.code, -32700);
        assert.match(parsed.error.message, /Parse error/);
        child.stdin.write(
            `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1, clientCapabilities: {} } })}\n`,
        );
        await eventually(() => out.includes('"loadSession":true'), 10_000, "initialize still answered");
        child.stdin.end();
        await new Promise((resolve) => child.once("close", resolve));
        assert.equal(d.fake.requests.length, requests);
        assert.equal(count(), before);
    });
});
