/** StreamJsonReader over the real CLI's recorded stream-json (test/fixtures/claude-code/). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StreamJsonReader } from "../../daemon/backends/claude-code/stream-reader";
import type { TurnSink } from "../../daemon/backends/types";
import type { CanonicalMessage } from "../../daemon/messages";

const FIXTURES = join(__dirname, "..", "fixtures", "claude-code");

type Event = [string, unknown];

function read(lines: string[]): { events: Event[]; messages: CanonicalMessage[]; reader: StreamJsonReader; text: string } {
    const events: Event[] = [];
    const messages: CanonicalMessage[] = [];
    const sink: TurnSink = {
        text: (c) => events.push(["text", c]),
        thinking: (c) => events.push(["thinking", c]),
        toolCall: (c) => events.push(["toolCall", c]),
        toolResult: (r) => events.push(["toolResult", r]),
        message: (m) => (events.push(["message", m.role]), messages.push(m)),
    };
    const reader = new StreamJsonReader(sink);
    for (const line of lines) reader.line(line);
    reader.end();
    const text = events
        .filter(([k]) => k === "text")
        .map(([, c]) => c as string)
        .join("");
    return { events, messages, reader, text };
}

const fixture = (name: string): string[] =>
    readFileSync(join(FIXTURES, name), "utf8")
        .split("\n")
        .filter((l) => l !== "");

describe("StreamJsonReader", () => {
    it("streams text deltas as they come and does not repeat them when the full message follows", () => {
        const { events, messages, reader } = read(fixture("stream-json-partial-messages.jsonl"));
        assert.deepEqual(events, [
            ["text", "FAKE[n=2] you said: hello "],
            ["text", "partial"],
            ["message", "assistant"],
        ]);
        assert.deepEqual(messages, [{ role: "assistant", content: [{ type: "text", text: "FAKE[n=2] you said: hello partial" }] }]);
        assert.deepEqual(reader.result, { isError: false, text: "FAKE[n=2] you said: hello partial", apiErrorStatus: null });
        assert.match(reader.sessionId!, /^[0-9a-f-]{36}$/);
    });

    it("reads 2.1.330's output, whose keys come in another order, the same way", () => {
        const { text, messages, reader } = read(fixture("stream-json-partial-messages-2.1.330.jsonl"));
        assert.equal(text, "FAKE[n=2] you said: hello 330");
        assert.equal(messages.length, 1);
        assert.equal(reader.result?.isError, false);
    });

    it("shows the text of a full message once when no deltas came (output without partial messages)", () => {
        const { events } = read(fixture("stream-json-verbose.jsonl"));
        assert.deepEqual(events, [
            ["text", "FAKE[n=2] you said: hello"],
            ["message", "assistant"],
        ]);
    });

    it("turns a Bash round trip into a tool call, its result and three canonical messages, in order", () => {
        const { events, messages, reader } = read(fixture("stream-json-tool-bash-partial.jsonl"));
        const kinds = events.map(([k]) => k);
        assert.deepEqual(kinds, ["toolCall", "message", "toolResult", "message", "text", "message"]);
        assert.deepEqual(events[0]![1], { id: "toolu_fake8", name: "Bash", input: { command: "echo hi", description: "Print hi" } });
        assert.deepEqual(events[2]![1], { tool_use_id: "toolu_fake8", content: "hi", is_error: false });
        assert.deepEqual(
            messages.map((m) => [m.role, m.content.map((b) => b.type)]),
            [
                ["assistant", ["tool_use"]],
                ["user", ["tool_result"]],
                ["assistant", ["text"]],
            ],
        );
        assert.equal(reader.toolRunning, false);
    });

    it("merges a message's text and tool_use, which the CLI prints as two lines, into one message", () => {
        const { messages, text } = read(fixture("stream-json-text-and-tool.jsonl"));
        assert.deepEqual(messages[0], {
            role: "assistant",
            content: [
                { type: "text", text: "Let me run it." },
                { type: "tool_use", id: "toolu_fake1", name: "Bash", input: { command: "echo hi" } },
            ],
        });
        assert.equal(text, "Let me run it.FAKE tool result: hi");
        assert.equal(messages.length, 3);
    });

    it("knows a tool is running between its call and its result, and gives an abandoned tool an error result", () => {
        const lines = fixture("stream-json-tool-bash-partial.jsonl");
        const until = lines.findIndex((l) => l.startsWith('{"type":"user"'));
        const { reader, events, messages } = read(lines.slice(0, until));
        assert.equal(reader.toolRunning, true);
        reader.abandonTools("stopped");
        assert.equal(reader.toolRunning, false);
        assert.deepEqual(events.at(-2), ["toolResult", { tool_use_id: "toolu_fake8", content: "stopped", is_error: true }]);
        assert.deepEqual(messages.at(-1), {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "toolu_fake8", content: "stopped", is_error: true }],
        });
    });

    it("passes a denied tool's result on as an error result", () => {
        const { events } = read(fixture("stream-json-tool-read-denied.jsonl"));
        const result = events.find(([k]) => k === "toolResult")![1] as any;
        assert.equal(result.is_error, true);
        assert.match(result.content, /^Claude requested permissions to read from \/etc\/hostname/);
    });

    it("streams thinking and keeps the thinking block with its signature in the history", () => {
        const { events, messages } = read(fixture("stream-json-thinking.jsonl"));
        const thinking = events
            .filter(([k]) => k === "thinking")
            .map(([, c]) => c)
            .join("");
        assert.equal(thinking, "The person greets me; I greet back.");
        assert.deepEqual(messages, [
            {
                role: "assistant",
                content: [
                    {
                        type: "thinking",
                        thinking: "The person greets me; I greet back.",
                        signature: "ZmFrZS1zaWduYXR1cmU6VGhlIHBlcnNvbiBncmVldHMgbWU7IEkgZ3JlZXQgYmFjay4=",
                    },
                    { type: "text", text: "Hello to you too." },
                ],
            },
        ]);
    });

    it("shows nothing of an API error's synthetic message and reports the result's error and status", () => {
        const { events, reader } = read(fixture("stream-json-api-error-529.jsonl"));
        assert.deepEqual(events, []);
        assert.equal(reader.shown, false);
        assert.equal(reader.result?.isError, true);
        assert.equal(reader.result?.apiErrorStatus, 529);
        assert.match(reader.result.text, /^API Error: 529 fake overloaded_error/);
    });

    it("reads the errors list of a result without text (a refused resume)", () => {
        const line = JSON.stringify({
            type: "result",
            subtype: "error_during_execution",
            is_error: true,
            errors: ["No conversation found with session ID: x"],
        });
        const { reader } = read([line]);
        assert.deepEqual(reader.result, { isError: true, text: "No conversation found with session ID: x", apiErrorStatus: null });
    });

    it("ignores a sub-agent's lines, non-JSON lines and unknown line types", () => {
        const lines = fixture("stream-json-partial-messages.jsonl").map((l) => {
            const o = JSON.parse(l);
            return o.type === "stream_event" || o.type === "assistant" ? JSON.stringify({ ...o, parent_tool_use_id: "toolu_task1" }) : l;
        });
        const { events, reader } = read(["Warning: something odd", ...lines, '{"type":"future_kind","x":1}', "[1,2]"]);
        assert.deepEqual(events, []);
        assert.equal(reader.result?.isError, false);
    });
});
