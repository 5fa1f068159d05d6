import assert from "node:assert/strict";
import { answerOpenToolCalls, assistantText, type CanonicalMessage, userText } from "../../daemon/messages";

describe("answerOpenToolCalls", () => {
    const call = (id: string): CanonicalMessage => ({
        role: "assistant",
        content: [
            { type: "text", text: "let me" },
            { type: "tool_use", id, name: "memory_insert", input: {} },
        ],
    });
    const result = (id: string): CanonicalMessage => ({ role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "ok" }] });

    it("leaves a complete history alone", () => {
        const history = [userText("q"), call("a"), result("a"), assistantText("done")];
        assert.deepEqual(answerOpenToolCalls(history), history);
    });

    it("answers a call the turn stopped before, right after it, as an error", () => {
        const out = answerOpenToolCalls([userText("q"), call("a"), assistantText("partial")]);
        assert.deepEqual(
            out.map((m) => m.role),
            ["user", "assistant", "user", "assistant"],
        );
        assert.deepEqual(out[2]!.content, [
            { type: "tool_result", tool_use_id: "a", content: "the turn was stopped before this tool finished", is_error: true },
        ]);
    });

    it("completes a round where only some calls were answered, in one message", () => {
        const two: CanonicalMessage = {
            role: "assistant",
            content: [
                { type: "tool_use", id: "a", name: "x", input: {} },
                { type: "tool_use", id: "b", name: "y", input: {} },
            ],
        };
        const out = answerOpenToolCalls([userText("q"), two, result("a")]);
        assert.equal(out.length, 3);
        assert.deepEqual(
            out[2]!.content.map((b) => (b.type === "tool_result" ? [b.tool_use_id, !!b.is_error] : [])),
            [
                ["a", false],
                ["b", true],
            ],
        );
    });
});
