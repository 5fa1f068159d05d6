/**
 * An agent whose API key is missing is marked in `/v1/agents` and `/v1/config` (Lodge's addition to
 * AgentInfo: `ready: false` and a `problem` sentence), so a client can say so before a turn fails. A
 * server on loopback takes any key; a ready agent keeps exactly the SPEC's four fields.
 */
import assert from "node:assert/strict";
import { call } from "../helpers/client";
import { startDaemon, type StartedDaemon } from "../helpers/daemon";
import { FakeLlm } from "../fakes/fake-llm";

describe("agent readiness in /v1/agents and /v1/config", function () {
    this.timeout(30_000);
    let d: StartedDaemon;
    let fake: FakeLlm;
    before(async () => {
        fake = await FakeLlm.start();
        d = await startDaemon({
            fake,
            env: { SOME_CLOUD_KEY: "sk-cloud" },
            config: {
                default_agent: "assistant",
                agents: {
                    assistant: {
                        backend: "anthropic",
                        model: "claude-test",
                        base_url: fake.url,
                        api_key_env: "LODGE_TEST_KEY",
                        memory: false,
                    },
                    claude: { backend: "anthropic", model: "claude-sonnet", memory: false },
                    local: { backend: "openai", model: "llama", base_url: "http://127.0.0.1:11434/v1", memory: false },
                    router: {
                        backend: "openai",
                        model: "mix",
                        base_url: "https://router.example/v1",
                        api_key_env: "ROUTER_KEY",
                        memory: false,
                    },
                    cloud: {
                        backend: "openai",
                        model: "gpt",
                        base_url: "https://cloud.example/v1",
                        api_key_env: "SOME_CLOUD_KEY",
                        memory: false,
                    },
                },
            },
        });
    });
    after(async () => {
        await d.stop();
        await fake.close();
    });

    const expected = [
        { name: "assistant", backend: "anthropic", model: "claude-test", description: "" },
        {
            name: "claude",
            backend: "anthropic",
            model: "claude-sonnet",
            description: "",
            ready: false,
            problem: "ANTHROPIC_API_KEY is not set in the daemon's environment",
        },
        { name: "local", backend: "openai", model: "llama", description: "" },
        {
            name: "router",
            backend: "openai",
            model: "mix",
            description: "",
            ready: false,
            problem: "ROUTER_KEY is not set in the daemon's environment",
        },
        { name: "cloud", backend: "openai", model: "gpt", description: "" },
    ];

    it("GET /v1/agents marks the agents whose key is missing, and only those", async () => {
        const r = await call(d, "/v1/agents");
        assert.equal(r.status, 200);
        // /v1/agents also lists each agent's tools (docs/mcp.md), which /v1/config leaves out.
        for (const a of r.body.agents) assert.ok(Array.isArray(a.tools), a.name);
        assert.deepEqual(
            r.body.agents.map(({ tools: _, ...rest }: { tools: unknown }) => rest),
            expected,
        );
    });

    it("GET /v1/config carries the same list", async () => {
        const r = await call(d, "/v1/config");
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.agents, expected);
    });

    it("the marked agent's turn fails with the same key named", async () => {
        const r = await call(d, "/v1/chat", { body: { filename: "Chats/k.md", content: "Hello?\n", agent: "claude" } });
        assert.match(JSON.stringify(r.body), /ANTHROPIC_API_KEY/);
    });
});
