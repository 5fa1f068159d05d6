import assert from "node:assert/strict";
import {
    applyEdits,
    isChatNote,
    newChatNote,
    newChatPath,
    noteAgent,
    nothingToSend,
    removeLastReply,
    setAgentEdit,
} from "../../plugin/chat-note";
import { planTokenStorage, readStoredData, DEFAULT_SETTINGS } from "../../plugin/settings";
import { visiblePart } from "../../plugin/stream/hold-back";
import { mergeFrontmatter } from "../../plugin/stream/frontmatter-merge";

describe("chat notes", () => {
    it("are notes in the chat folder or with agent: in their frontmatter", () => {
        assert.equal(isChatNote("Chats/a.md", "Hi", "Chats"), true);
        assert.equal(isChatNote("Chats/deep/a.md", "Hi", "Chats"), true);
        assert.equal(isChatNote("Chatsworth/a.md", "Hi", "Chats"), false);
        assert.equal(isChatNote("Notes/a.md", "---\nagent: gpt\n---\nHi", "Chats"), true);
        assert.equal(isChatNote("Notes/a.md", "---\ntitle: x\n---\nagent: gpt", "Chats"), false, "agent: in the body is text");
        assert.equal(isChatNote("Chats/a.canvas", "{}", "Chats"), false);
        assert.equal(isChatNote("Notes/a.md", "Hi", ""), false, "an empty chat folder is no folder, not the whole vault");
    });

    it("read agent: from the frontmatter only", () => {
        assert.equal(noteAgent("---\nagent: gpt # fast one\n---\n"), "gpt");
        assert.equal(noteAgent('---\nagent: "my agent"\n---\n'), "my agent");
        assert.equal(noteAgent("---\nagent:\n---\n"), null);
        assert.equal(noteAgent("agent: gpt\n"), null);
    });

    it("have something to send only when the last user turn has text", () => {
        assert.equal(nothingToSend("Question?"), null);
        assert.equal(nothingToSend("---\nagent: a\n---\n"), "empty");
        assert.equal(nothingToSend("Q?\n\n### Assistant:\n\nA.\n\n### User:\n\n"), "blank_user_turn");
        assert.equal(nothingToSend("Q?\n\n### Assistant:\n\nA."), "last_turn_assistant");
        assert.equal(nothingToSend("Q?\n\n### Assistant:\n\nA.\n\n### User:\n\nMore?"), null);
        assert.equal(nothingToSend("Q?\n\n```\n### User:\n```"), null, "a heading in a code block is text");
    });

    it("removeLastReply cuts from the last assistant heading to the end, scaffold included", () => {
        const text = "---\nagent: a\n---\nQ?\n\n### Assistant:\n\nA1.\n\n### User:\n\nQ2?\n\n### Assistant:\n\nA2.\n\n### User:\n\n";
        const edit = removeLastReply(text)!;
        assert.equal(applyEdits(text, [edit]), "---\nagent: a\n---\nQ?\n\n### Assistant:\n\nA1.\n\n### User:\n\nQ2?\n\n");
        assert.equal(removeLastReply("Q?\n\n### Assistant:\n\nA.\n\n### User:\n\nNew question"), null);
        assert.equal(removeLastReply("Just a question"), null);
    });

    it("setAgentEdit replaces the agent line, adds one, or adds a frontmatter block", () => {
        const set = (text: string, agent: string): string => applyEdits(text, [setAgentEdit(text, agent)]);
        assert.equal(
            set("---\ntags: [x]\nagent: old\nconversation_id: c\n---\nBody", "gpt"),
            "---\ntags: [x]\nagent: gpt\nconversation_id: c\n---\nBody",
        );
        assert.equal(set("---\ntags: [x]\n---\nBody", "gpt"), "---\ntags: [x]\nagent: gpt\n---\nBody");
        assert.equal(set("Body", "gpt"), "---\nagent: gpt\n---\nBody");
        assert.equal(set("Body", "yes"), '---\nagent: "yes"\n---\nBody', "a YAML boolean word is quoted");
        assert.equal(set("Body", "my agent"), '---\nagent: "my agent"\n---\nBody');
    });

    it("new chats are named by the minute, never over an existing note, with the cursor after the frontmatter", () => {
        const now = new Date(2026, 0, 31, 14, 5);
        assert.equal(
            newChatPath("Chats", now, () => false),
            "Chats/Chat 2026-01-31 1405.md",
        );
        const taken = new Set(["Chats/Chat 2026-01-31 1405.md", "Chats/Chat 2026-01-31 1405 2.md"]);
        assert.equal(
            newChatPath("Chats", now, (p) => taken.has(p)),
            "Chats/Chat 2026-01-31 1405 3.md",
        );
        assert.equal(
            newChatPath("", now, () => false),
            "Chat 2026-01-31 1405.md",
        );
        assert.deepEqual(newChatNote("assistant"), { text: "---\nagent: assistant\n---\n", cursor: 25 });
        assert.deepEqual(newChatNote(null), { text: "", cursor: 0 });
    });
});

describe("settings", () => {
    it("read whatever data.json holds into complete settings, keeping unknown keys", () => {
        assert.deepEqual(readStoredData(null), DEFAULT_SETTINGS);
        const read = readStoredData({
            daemonUrl: "http://127.0.0.1:9000/ ",
            token: "t",
            sendOnSave: "yes",
            idleMs: 10,
            chatFolder: "/AI/Chats/",
            extra: 1,
        });
        assert.equal(read.daemonUrl, "http://127.0.0.1:9000");
        assert.equal(read.token, "t");
        assert.equal(read.sendOnSave, true, "a wrong type falls back to the default");
        assert.equal(read.idleMs, 3000, "too short an idle time falls back");
        assert.equal(read.chatFolder, "AI/Chats");
        assert.equal((read as unknown as { extra: number }).extra, 1);
    });

    it("keep the cached /v1/config answer and its ETag, drop a malformed one and the old agent list", () => {
        const config = {
            version: "0.1.0",
            agents: [
                { name: "a", backend: "openai", model: "m", description: "" },
                {
                    name: "b",
                    backend: "anthropic",
                    model: "c",
                    description: "",
                    ready: false,
                    problem: "ANTHROPIC_API_KEY is not set in the daemon's environment",
                },
            ],
            default_agent: "a",
            skills: { a: [{ name: "pdf", description: "PDF forms", triggers: ["pdf"] }], b: [] },
        };
        const cache = { config, etag: '"1"' };
        assert.deepEqual(readStoredData({ daemonConfig: cache }).daemonConfig, cache);
        assert.deepEqual(readStoredData(JSON.parse(JSON.stringify({ daemonConfig: { config } }))).daemonConfig, { config, etag: null });
        assert.equal(readStoredData({ daemonConfig: { config: { agents: "no" } } }).daemonConfig, undefined);
        assert.equal("agentCache" in readStoredData({ agentCache: { agents: [], defaultAgent: null } }), false);
    });

    it("move a token from data.json into secret storage when there is one", () => {
        assert.deepEqual(planTokenStorage("new", null, true), { token: "new", writeSecret: true, clearData: true });
        assert.deepEqual(planTokenStorage("same", "same", true), { token: "same", writeSecret: false, clearData: true });
        assert.deepEqual(planTokenStorage("", "kept", true), { token: "kept", writeSecret: false, clearData: false });
        assert.deepEqual(planTokenStorage("t", null, false), { token: "t", writeSecret: false, clearData: false });
    });
});

describe("hold-back of partial lines", () => {
    it("shows everything but a table row still being written", () => {
        assert.equal(visiblePart("\n\n### Assistant:\n\nSome text, mid-li"), "\n\n### Assistant:\n\nSome text, mid-li");
        assert.equal(visiblePart("Intro\n\n| a | b |\n| --- | -"), "Intro\n\n| a | b |");
        assert.equal(visiblePart("Intro\n\n| a"), "Intro\n");
        assert.equal(visiblePart("```\n| not a table\n```"), "```\n| not a table\n```", "the daemon's closing fence is the last line");
    });
});

describe("mergeFrontmatter", () => {
    const sent = "---\ntags: [a]\nagent: x\n---\n";
    const final = "---\ntags: [a]\nagent: x\nconversation_id: c\n---\n";
    it("takes the daemon's block when the person did not touch the frontmatter", () => {
        assert.equal(mergeFrontmatter(sent, sent, final), final);
        assert.equal(mergeFrontmatter("", "", "---\nagent: x\n---\n"), "---\nagent: x\n---\n");
    });
    it("keeps the person's edit elsewhere in the block", () => {
        assert.equal(
            mergeFrontmatter(sent, "---\ntags: [a, b]\nagent: x\n---\n", final),
            "---\ntags: [a, b]\nagent: x\nconversation_id: c\n---\n",
        );
    });
    it("prefers the daemon's keys when both changed the same place, and changes nothing when the daemon did not", () => {
        assert.equal(mergeFrontmatter(sent, "---\ntags: [a]\nagent: x\nmine: 1\n---\n", final), final);
        assert.equal(mergeFrontmatter(sent, "---\nedited\n---\n", sent), "---\nedited\n---\n");
        assert.equal(mergeFrontmatter(sent, "---\nedited\n---\n", ""), "---\nedited\n---\n");
    });
});
