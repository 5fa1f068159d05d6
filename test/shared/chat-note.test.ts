/**
 * The one "is this a chat note" rule (shared/note/chat-note.ts), used by the plugin and the daemon's
 * watcher: in a chat folder, or `agent` in the frontmatter whatever its value (docs/notes.md).
 */
import assert from "node:assert/strict";
import { LodgeError } from "../../shared/errors";
import { isChatNote, noteAgent } from "../../shared/note/chat-note";
import { noteSettings, readFrontmatter } from "../../shared/note/frontmatter";

const elsewhere = (frontmatter: string): boolean => isChatNote("Notes/a.md", `---\n${frontmatter}\n---\nA question?\n`, ["Chats"]);

describe("which notes are chat notes (shared/note/chat-note.ts)", () => {
    it("absent `agent`: not a chat note outside the chat folders", () => {
        assert.equal(isChatNote("Notes/a.md", "A question?\n", ["Chats"]), false, "no frontmatter");
        assert.equal(elsewhere("title: x"), false, "frontmatter without agent");
        assert.equal(elsewhere("agents: x\nsecret_agent: y\n  agent: indented"), false, "other keys, and agent: nested under another key");
        assert.equal(isChatNote("Notes/a.md", "---\ntitle: x\n---\nagent: gpt\n", ["Chats"]), false, "agent: in the body is text");
    });

    it("empty `agent:`: a chat note, for the default agent (the daemon reads the value as unset)", () => {
        for (const empty of ["agent:", "agent: ", "agent: ''", 'agent: ""', "agent: ~", "agent: null", "agent:\r"]) {
            assert.equal(elsewhere(empty), true, JSON.stringify(empty));
        }
        assert.equal(noteAgent("---\nagent:\n---\n"), null);
        assert.deepEqual(noteSettings(readFrontmatter("---\nagent:\n---\nQ\n")!.data), {}, "no agent named: the default answers");
    });

    it("`agent` that is not text: a chat note, so sending it says what is wrong", () => {
        for (const odd of ["agent: 7", "agent: true", "agent: [a, b]", "agent: {name: a}", "agent:\n  - a\n  - b", '"agent": x']) {
            assert.equal(elsewhere(odd), true, JSON.stringify(odd));
        }
        assert.throws(
            () => noteSettings(readFrontmatter("---\nagent: [a, b]\n---\nQ\n")!.data),
            (err: unknown) => err instanceof LodgeError && err.code === "invalid_frontmatter" && /"agent" must be text/.test(err.message),
        );
    });

    it("a named agent: a chat note", () => {
        assert.equal(elsewhere("agent: gpt"), true);
        assert.equal(noteAgent("---\ntitle: x\nagent: 'my agent' # fast\n---\n"), "my agent");
    });

    it('in a chat folder any markdown note is one; "" is the whole vault; only .md notes count', () => {
        assert.equal(isChatNote("Chats/deep/a.md", "Hi", ["Inbox", "Chats"]), true);
        assert.equal(isChatNote("Chatsworth/a.md", "Hi", ["Chats"]), false);
        assert.equal(isChatNote("Notes/a.md", "Hi", [""]), true);
        assert.equal(isChatNote("Notes/a.md", "Hi", []), false);
        assert.equal(isChatNote("Chats/a.canvas", "{}", ["Chats"]), false);
        assert.equal(isChatNote("Notes/a.MD", "---\nagent:\n---\n", []), true);
    });
});
