/**
 * The cached daemon configuration (docs/memory.md), what the plugin shows about its connection (status bar,
 * notices, the settings tab's test button, its sections) and the agent picker's rows, against the
 * fake daemon transport and the obsidian stub.
 */
import "./setup";
import assert from "node:assert/strict";
import { notices, Setting } from "./stub/obsidian";
import { AgentCatalog } from "../../plugin/agent-catalog";
import { type CheckResult, Connection } from "../../plugin/connection";
import { DaemonClient, DaemonError, DaemonUnreachableError } from "../../plugin/daemon-client";
import { type ConfigCache, DEFAULT_SETTINGS, type LodgeSettings, readStoredData, type StoredData } from "../../plugin/settings";
import { LodgeSettingTab } from "../../plugin/settings-tab";
import { AgentSuggestModal } from "../../plugin/ui/agent-suggest";
import { displayError, errorMessage } from "../../plugin/ui/display-error";
import { statusText } from "../../plugin/ui/status-bar";
import type { AgentInfo, ConfigResponse } from "../../shared/protocol/api";
import { FakeDaemon, json, settle } from "./helpers/fake-daemon";

const KEYLESS: AgentInfo = {
    name: "claude",
    backend: "anthropic",
    model: "claude-sonnet",
    description: "",
    ready: false,
    problem: "ANTHROPIC_API_KEY is not set in the daemon's environment",
};
const CONFIG: ConfigResponse = {
    version: "0.1.0",
    agents: [{ name: "assistant", backend: "anthropic", model: "m", description: "general" }, KEYLESS],
    default_agent: "assistant",
    skills: { assistant: [{ name: "pdf", description: "PDF forms", triggers: ["pdf"] }], claude: [] },
};
const REFUSED = json(401, { error: { code: "unauthorized", message: "missing or unknown token" } });

/** data.json as Obsidian keeps it: every save goes through JSON, every load through readStoredData. */
class DataFile {
    text = "{}";
    saves = 0;
    load(): ConfigCache | undefined {
        return readStoredData(JSON.parse(this.text)).daemonConfig;
    }
    save(cache: ConfigCache): Promise<void> {
        const data: StoredData = { ...readStoredData(JSON.parse(this.text)), daemonConfig: cache };
        this.text = JSON.stringify(data);
        this.saves++;
        return Promise.resolve();
    }
}

function setup(daemon: FakeDaemon, file = new DataFile()) {
    const client = new DaemonClient({ baseUrl: () => "http://127.0.0.1:8765", token: () => "t", transport: daemon.transport });
    const catalog = new AgentCatalog(client, file);
    const events: string[] = [];
    const connection = new Connection({
        client,
        catalog,
        online: (up) => events.push(up ? "online" : "offline"),
        tokenRefused: (refused) => events.push(refused ? "token refused" : "token accepted"),
        report: displayError,
    });
    return { client, catalog, connection, events, file };
}

describe("cached /v1/config (docs/memory.md)", () => {
    it("keeps the answer and its ETag, asks again with If-None-Match, and replaces it when the daemon's changes", async () => {
        const changed = { ...CONFIG, default_agent: "claude" };
        const daemon = new FakeDaemon().on(
            "GET /v1/config",
            json(200, CONFIG, { ETag: '"e1"' }),
            new Response(null, { status: 304 }),
            json(200, changed, { ETag: '"e2"' }),
        );
        const { catalog, file } = setup(daemon);
        assert.deepEqual(await catalog.refresh(), { config: CONFIG, etag: '"e1"' });
        assert.equal(daemon.requests[0]!.headers.get("if-none-match"), null);
        assert.deepEqual(await catalog.refresh(), { config: CONFIG, etag: '"e1"' });
        assert.equal(daemon.requests[1]!.headers.get("if-none-match"), '"e1"');
        assert.equal(file.saves, 1, "a 304 writes nothing");
        assert.deepEqual(await catalog.refresh(), { config: changed, etag: '"e2"' });
        assert.equal(file.load()?.etag, '"e2"');
        assert.equal(daemon.requestsTo("GET /v1/agents").length, 0);
    });

    it("after a restart with the daemon down, the picker lists the agents the daemon gave last time", async () => {
        const first = setup(new FakeDaemon().on("GET /v1/config", json(200, CONFIG, { ETag: '"e1"' })));
        await first.catalog.refresh();
        const down = new FakeDaemon();
        down.down = true;
        const restarted = setup(down, Object.assign(new DataFile(), { text: first.file.text }));
        const { agents, stale } = await restarted.catalog.list();
        assert.deepEqual(agents, CONFIG.agents);
        assert.ok(stale instanceof DaemonUnreachableError);
        assert.equal(AgentCatalog.pick("", restarted.catalog.cached), "assistant");
        const none = setup(down);
        await assert.rejects(none.catalog.list(), DaemonUnreachableError);
    });

    it("concurrent refreshes (focus and a stream starting together) share one request", async () => {
        const daemon = new FakeDaemon().on("GET /v1/config", json(200, CONFIG, { ETag: '"e1"' }));
        const { catalog } = setup(daemon);
        await Promise.all([catalog.refresh(), catalog.configChanged(), catalog.refresh()]);
        assert.equal(daemon.requests.length, 1);
    });
});

describe("connection: wrong token, offline", () => {
    it("a 401 says what to do, once, and the status bar says the token was refused until an answer comes", async () => {
        const daemon = new FakeDaemon().on("GET /v1/config", REFUSED, REFUSED, json(200, CONFIG, { ETag: '"e1"' }));
        const { connection, events } = setup(daemon);
        notices.length = 0;
        connection.refresh();
        await settle();
        connection.refresh();
        await settle();
        assert.deepEqual(notices, [
            "Lodge: the daemon refused the plugin's token: run `lodge install-plugin` or paste a token in Settings → Lodge",
        ]);
        assert.deepEqual(events, ["online", "token refused", "online"]);
        connection.refresh();
        await settle();
        assert.deepEqual(events.slice(3), ["online", "token accepted"]);
        assert.equal(statusText({ kind: "idle" }, true), "Lodge: token refused");
        assert.equal(statusText({ kind: "idle" }, false), "Lodge: idle");
        assert.equal(statusText({ kind: "offline" }, false), "Lodge: offline");
    });

    it("a refused stream (any 401) gets the same sentence; other refusals keep the daemon's", () => {
        assert.equal(
            errorMessage(new DaemonError("unauthorized", "missing or unknown token", 401)),
            "Lodge: the daemon refused the plugin's token: run `lodge install-plugin` or paste a token in Settings → Lodge",
        );
        assert.equal(
            errorMessage(new DaemonError("forbidden", "this token lacks the messages scope", 403)),
            "Lodge: this token lacks the messages scope",
        );
    });

    it("check: names the daemon, its version and agents (marking one without its key), or the error", async () => {
        const daemon = new FakeDaemon()
            .on("GET /healthz", json(200, { status: "ok", version: "0.1.0" }))
            .on("GET /v1/config", json(200, CONFIG, { ETag: '"e1"' }), REFUSED);
        const { connection, events } = setup(daemon);
        assert.deepEqual(await connection.check(), {
            ok: true,
            message:
                "Connected to Lodge 0.1.0 at http://127.0.0.1:8765. Agents: assistant, claude (ANTHROPIC_API_KEY is not set in the daemon's environment).",
        });
        const refused = await connection.check();
        assert.equal(refused.ok, false);
        assert.deepEqual(events.at(-1), "token refused");
        daemon.down = true;
        const down = await connection.check();
        assert.ok(!down.ok && down.error instanceof DaemonUnreachableError);
        assert.equal(events.at(-1), "offline");
    });
});

/** Just enough of an HTMLElement for renderSuggestion: children with their text and class. */
class FakeEl {
    readonly children: FakeEl[] = [];
    constructor(
        readonly tag: string,
        readonly text = "",
        readonly cls = "",
    ) {}
    private add(tag: string, o: { text?: string; cls?: string } = {}): FakeEl {
        const el = new FakeEl(tag, o.text ?? "", o.cls ?? "");
        this.children.push(el);
        return el;
    }
    createDiv(o?: { text?: string; cls?: string }): FakeEl {
        return this.add("div", o);
    }
    createSpan(o?: { text?: string; cls?: string }): FakeEl {
        return this.add("span", o);
    }
    createEl(tag: string, o?: { text?: string; cls?: string }): FakeEl {
        return this.add(tag, o);
    }
    get textContent(): string {
        return this.text + this.children.map((c) => c.textContent).join("");
    }
    find(cls: string): FakeEl | undefined {
        if (this.cls === cls) return this;
        for (const c of this.children) {
            const hit = c.find(cls);
            if (hit) return hit;
        }
        return undefined;
    }
}

describe("agent picker rows", () => {
    it("an agent whose key is missing is marked, with the daemon's sentence; a ready one is not", () => {
        const modal = new AgentSuggestModal({} as never, CONFIG.agents, null, () => undefined);
        const row = (agent: AgentInfo): FakeEl => {
            const el = new FakeEl("div");
            modal.renderSuggestion(agent, el as unknown as HTMLElement);
            return el;
        };
        const keyless = row(KEYLESS);
        assert.equal(keyless.find("lodge-agent-title")!.textContent, "claude — key missing");
        assert.equal(keyless.find("lodge-agent-problem")!.textContent, "ANTHROPIC_API_KEY is not set in the daemon's environment");
        const ready = row(CONFIG.agents[0]!);
        assert.equal(ready.find("lodge-agent-title")!.textContent, "assistant");
        assert.equal(ready.find("lodge-agent-mark"), undefined);
        assert.equal(ready.find("lodge-agent-detail")!.textContent, "anthropic · m — general");
    });
});

describe("settings tab (Obsidian 1.13 definitions)", () => {
    function tab(check: () => Promise<CheckResult> = () => Promise.resolve({ ok: true, message: "Connected." })) {
        let settings: LodgeSettings = { ...DEFAULT_SETTINGS };
        const t = new LodgeSettingTab({} as never, {} as never, {
            get: () => settings,
            update: (patch) => {
                settings = { ...settings, ...patch };
                return Promise.resolve();
            },
            agentNames: () => [],
            check,
        });
        return { t, settings: () => settings };
    }
    type Group = { type: string; heading: string; items: { name: string; visible?: () => boolean; render?: (s: Setting) => void }[] };

    it("has Connection, Chats and Sending sections; the idle time shows only while send after idle is on", async () => {
        const { t, settings } = tab();
        const groups = t.getSettingDefinitions() as unknown as Group[];
        assert.deepEqual(
            groups.map((g) => [g.type, g.heading, g.items.map((i) => i.name)]),
            [
                ["group", "Connection", ["Daemon URL", "Token", "Test connection"]],
                ["group", "Chats", ["Default agent", "Chat folder"]],
                ["group", "Sending", ["Send on save", "Send after idle", "Idle time"]],
            ],
        );
        const idle = groups[2]!.items[2]!;
        assert.equal(idle.visible!(), false);
        await t.setControlValue("sendAfterIdle", true);
        assert.equal(settings().sendAfterIdle, true);
        assert.equal(idle.visible!(), true);
        assert.equal((t as unknown as { refreshes: number }).refreshes, 1, "Obsidian is asked to re-evaluate visibility");
    });

    it("the test button reports the result in the tab, not in a notice", async () => {
        const failing = tab(() => Promise.resolve({ ok: false as const, error: new DaemonError("unauthorized", "no", 401) }));
        const groups = failing.t.getSettingDefinitions() as unknown as Group[];
        const row = new Setting(null);
        groups[0]!.items[2]!.render!(row);
        assert.equal(row.buttons[0]!.text, "Test connection");
        notices.length = 0;
        await row.buttons[0]!.click();
        assert.equal(
            row.desc,
            "Lodge: the daemon refused the plugin's token: run `lodge install-plugin` or paste a token in Settings → Lodge",
        );
        assert.deepEqual([...row.descEl.classes], ["lodge-check-failed"]);
        assert.equal(row.buttons[0]!.disabled, false);
        assert.deepEqual(notices, []);
    });
});
