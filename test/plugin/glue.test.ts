import "./setup";
import assert from "node:assert/strict";
// The stub itself (the same module the plugin gets for "obsidian"), for its test-only exports.
import { MarkdownView, notices, openModals, Plugin, stubState, TFile } from "./stub/obsidian";
import { DaemonError, DaemonUnreachableError } from "../../plugin/daemon-client";
import { IdleSender } from "../../plugin/idle-sender";
import { type CommandLike, hookSaveCommand } from "../../plugin/save-hook";
import { DEFAULT_SETTINGS } from "../../plugin/settings";
import { registerCommands } from "../../plugin/commands";
import type { ChatActions } from "../../plugin/chat-actions";
import { TokenStore } from "../../plugin/obsidian/token-store";
import { displayError, errorMessage } from "../../plugin/ui/display-error";
import { matchAgents } from "../../plugin/ui/agent-suggest";
import { statusText } from "../../plugin/ui/status-bar";
import { EditorView } from "@codemirror/view";

describe("save hook", () => {
    it("runs after Obsidian's own save, once per save, never for availability checks", () => {
        const log: string[] = [];
        const command: CommandLike = {
            checkCallback: (checking) => {
                if (!checking) log.push("saved");
                return true;
            },
        };
        const restore = hookSaveCommand({ "editor:save-file": command }, () => log.push("send"));
        command.checkCallback!(true);
        command.checkCallback!(false);
        assert.deepEqual(log, ["saved", "send"]);
        restore();
        command.checkCallback!(false);
        assert.deepEqual(log, ["saved", "send", "saved"], "unhooked on unload");
    });

    it("does not send when the save was not possible, and copes with a missing or plain command", () => {
        const log: string[] = [];
        const unavailable: CommandLike = { checkCallback: () => false };
        hookSaveCommand({ "editor:save-file": unavailable }, () => log.push("send"));
        unavailable.checkCallback!(false);
        const plain: CommandLike = { callback: () => log.push("saved") };
        hookSaveCommand({ "editor:save-file": plain }, () => log.push("send"));
        plain.callback!();
        assert.deepEqual(log, ["saved", "send"]);
        assert.doesNotThrow(() => hookSaveCommand(undefined, () => undefined)());
    });
});

describe("IdleSender", () => {
    it("sends once the person has stopped typing for the idle time, only when turned on", () => {
        const timers = new Map<number, () => void>();
        let next = 1;
        let on = true;
        const sent: string[] = [];
        const view = Object.create(EditorView.prototype) as EditorView;
        const idle = new IdleSender({
            settings: () => ({ ...DEFAULT_SETTINGS, sendAfterIdle: on, idleMs: 1000 }),
            pathOf: () => "Chats/a.md",
            send: (path) => sent.push(path),
            setTimer: (cb) => {
                timers.set(next, cb);
                return next++;
            },
            clearTimer: (id) => timers.delete(id),
        });
        idle.onUserEdit(view);
        idle.onUserEdit(view);
        assert.equal(timers.size, 1, "each keystroke restarts the wait");
        const [id, fire] = [...timers][0]!;
        timers.delete(id);
        fire();
        assert.deepEqual(sent, ["Chats/a.md"]);
        on = false;
        idle.onUserEdit(view);
        assert.equal(timers.size, 0, "no timer when off");
        on = true;
        idle.onUserEdit(view);
        idle.dispose();
        assert.equal(timers.size, 0, "dispose clears pending timers");
    });
});

describe("what the person reads", () => {
    it("status bar texts", () => {
        assert.equal(statusText({ kind: "idle" }), "Lodge: idle");
        assert.equal(statusText({ kind: "offline" }), "Lodge: offline");
        assert.equal(statusText({ kind: "streaming", agents: [] }), "Lodge: streaming");
        assert.equal(statusText({ kind: "streaming", agents: ["a", "b"] }), "Lodge: streaming (a, b)");
    });

    it("errors: the daemon's message as it sent it, in a Notice", () => {
        assert.equal(errorMessage(new DaemonError("in_progress", "Busy with that note.", 409)), "Lodge: Busy with that note.");
        assert.match(
            errorMessage(new DaemonUnreachableError("http://127.0.0.1:1")),
            /^The Lodge daemon is not reachable at http:\/\/127\.0\.0\.1:1\./,
        );
        notices.length = 0;
        displayError(new Error("boom"));
        assert.deepEqual(notices, ["Lodge: boom"]);
    });

    it("agent suggestions match every word of the query", () => {
        const agents = [
            { name: "assistant", backend: "anthropic", model: "claude", description: "general" },
            { name: "coder", backend: "openai", model: "gpt-4o", description: "writes code" },
        ];
        assert.deepEqual(
            matchAgents(agents, "").map((a) => a.name),
            ["assistant", "coder"],
        );
        assert.deepEqual(
            matchAgents(agents, "open code").map((a) => a.name),
            ["coder"],
        );
        assert.deepEqual(matchAgents(agents, "nothing"), []);
        assert.equal(openModals.length, 0);
    });
});

describe("commands", () => {
    it("have stable ids without the plugin's name, no default hotkeys, and editor commands only where an editor is", () => {
        const plugin = new Plugin({}, {});
        const ran: string[] = [];
        const nothing = (): Promise<void> => Promise.resolve();
        const actions = {
            send: (path: string) => {
                ran.push(`send ${path}`);
                return Promise.resolve();
            },
            regenerate: nothing,
            stop: nothing,
            newChat: nothing,
            chooseAgent: nothing,
            checkConnection: nothing,
        } as unknown as ChatActions;
        registerCommands(plugin as never, actions, () => undefined);
        assert.deepEqual(
            plugin.commands.map((c) => [c.id, c.name]),
            [
                ["send-note", "Send this note"],
                ["regenerate-reply", "Regenerate the last reply"],
                ["stop-reply", "Stop the reply"],
                ["new-chat", "New chat"],
                ["choose-agent", "Choose agent"],
                ["check-connection", "Check connection"],
            ],
        );
        for (const c of plugin.commands) assert.equal(c.hotkeys, undefined, c.id);
        const send = plugin.commands[0]!.editorCheckCallback as (checking: boolean, editor: unknown, ctx: unknown) => boolean;
        assert.equal(send(true, {}, { file: null }), false, "not in a non-markdown view");
        const view = Object.create(EditorView.prototype) as EditorView;
        const markdown = Object.assign(new MarkdownView(), { file: new TFile("Chats/a.md"), editor: { cm: view } });
        assert.equal(send(true, markdown.editor, markdown), true);
        assert.deepEqual(ran, [], "checking does not run it");
        send(false, markdown.editor, markdown);
        assert.deepEqual(ran, ["send Chats/a.md"]);
    });
});

describe("TokenStore", () => {
    it("uses secret storage only from Obsidian 1.11.4 on", () => {
        const secrets = new Map<string, string>();
        const app = {
            secretStorage: {
                getSecret: (id: string) => secrets.get(id) ?? null,
                setSecret: (id: string, v: string) => void secrets.set(id, v),
            },
        };
        const store = new TokenStore(app as never);
        stubState.apiVersion = "1.11.3";
        assert.equal(store.available, false);
        store.write("t");
        assert.equal(secrets.size, 0);
        stubState.apiVersion = "1.13.1";
        assert.equal(store.available, true);
        store.write("t");
        assert.equal(store.read(), "t");
        assert.deepEqual([...secrets.keys()], ["lodge-daemon-token"]);
    });
});
