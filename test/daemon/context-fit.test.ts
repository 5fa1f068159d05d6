import assert from "node:assert/strict";
import { fitHistory } from "../../daemon/context/fit";
import type { CanonicalMessage } from "../../daemon/messages";

const user = (t: string): CanonicalMessage => ({ role: "user", content: [{ type: "text", text: t }] });
const assistant = (t: string): CanonicalMessage => ({ role: "assistant", content: [{ type: "text", text: t }] });
const call = (id: string): CanonicalMessage => ({
    role: "assistant",
    content: [{ type: "tool_use", id, name: "read_note", input: { path: "x".repeat(350) } }],
});
const result = (id: string): CanonicalMessage => ({
    role: "user",
    content: [{ type: "tool_result", tool_use_id: id, content: "r".repeat(350) }],
});
const big = (s: string): string => `${s} ${"w".repeat(350)}`;

describe("fitting the window (docs/context.md)", () => {
    const kept = [
        user(big("first")),
        call("t1"),
        result("t1"),
        assistant(big("a1")),
        user(big("u2")),
        call("t2"),
        result("t2"),
        assistant(big("a2")),
        user(big("u3")),
        assistant(big("a3")),
    ];
    const newTurn = [user("new")];

    it("sends everything when it fits", () => {
        const fitted = fitHistory(kept, newTurn, 0, 100_000);
        assert.equal(fitted.leftOut, 0);
        assert.equal(fitted.send.length, kept.length + 1);
    });

    it("leaves out whole turns after the first user turn, never a tool call without its result", () => {
        const fitted = fitHistory(kept, newTurn, 0, 500);
        assert.deepEqual(
            fitted.send.map((m) =>
                m.content[0]!.type === "text" ? (m.content[0] as { text: string }).text.slice(0, 5) : m.content[0]!.type,
            ),
            ["first", "a3 ww", "new"],
        );
        assert.equal(fitted.leftOut, 8);
        const ids = (type: string) => fitted.send.flatMap((m) => m.content.flatMap((b) => (b.type === type ? [JSON.stringify(b)] : [])));
        assert.equal(ids("tool_use").length, ids("tool_result").length);
    });

    it("cuts as little as it can: a budget with room for the last tool round keeps it", () => {
        const fitted = fitHistory(kept, newTurn, 0, 700);
        const first = fitted.send[1]!;
        assert.equal(first.role, "assistant");
        assert.ok(fitted.leftOut > 0 && fitted.leftOut < 8, String(fitted.leftOut));
        for (let i = 1; i < fitted.send.length; i++) {
            const m = fitted.send[i]!;
            if (m.content.some((b) => b.type === "tool_result")) assert.ok(fitted.send[i - 1]!.content.some((b) => b.type === "tool_use"));
        }
    });
});
