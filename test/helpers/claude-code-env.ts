/**
 * The environment that runs the real Claude Code CLI offline against a fake model server
 * (/work/shared/reference/claude-code: how): its own HOME and temp folder, the fake as its API, no
 * retries, and none of its background traffic.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FakeLlm } from "../fakes/fake-llm";

export function offlineClaudeEnv(fake: FakeLlm, home: string, key = "sk-fake-claude-code-key"): Record<string, string> {
    const tmp = join(home, "tmp");
    mkdirSync(tmp, { recursive: true });
    return {
        HOME: home,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: key,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE_MAX_RETRIES: "0",
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_ERROR_REPORTING: "1",
        CLAUDE_CODE_TMPDIR: tmp,
        TMPDIR: tmp,
    };
}
