/**
 * Which configured models the provider's SDK marks deprecated (docs/config.md). The Anthropic SDK keeps its
 * deprecation table private and only warns when a request names such a model, so the check asks the
 * SDK itself: a request that is aborted before it leaves, with the warning caught. The table stays the
 * SDK's, and updating the SDK updates the check. The OpenAI SDK has no such table.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { AgentConfig } from "./config";

const cache = new Map<string, string | null>();

/** The SDK's deprecation warning for an Anthropic model, in one line, or null. */
export function anthropicDeprecation(model: string): string | null {
    if (!model) return null;
    const known = cache.get(model);
    if (known !== undefined) return known;
    // eslint-disable-next-line no-console -- the SDK's own warning is caught here, then restored
    const warn = console.warn;
    let said: string | null = null;
    // eslint-disable-next-line no-console -- catching the SDK's own warning is the point
    console.warn = (...args: unknown[]) => void (said ??= args.map(String).join(" "));
    try {
        const client = new Anthropic({ apiKey: "deprecation-check", maxRetries: 0, fetch: () => Promise.reject(new Error("not sent")) });
        client.messages.create({ model, max_tokens: 1, messages: [] }, { signal: AbortSignal.abort() }).catch(() => undefined);
    } catch {
        // the warning, if any, came before anything that can throw
    } finally {
        // eslint-disable-next-line no-console -- restoring what was there
        console.warn = warn;
    }
    const line = said === null ? null : endOfLife(said);
    cache.set(model, line);
    return line;
}

/** "…deprecated and will reach end-of-life on November 30th, 2026\nPlease migrate…" → the first line. */
function endOfLife(warning: string): string {
    return warning.split("\n")[0]!.trim();
}

/** One sentence per agent whose model is deprecated: what, and what to do (callers name the agent). */
export function deprecatedModels(agents: readonly AgentConfig[]): Array<{ agent: string; model: string; message: string }> {
    const out: Array<{ agent: string; model: string; message: string }> = [];
    for (const agent of agents) {
        if (agent.backend === "openai") continue;
        const warning = anthropicDeprecation(agent.model);
        if (!warning) continue;
        const eol = /end-of-life on (.+)$/.exec(warning)?.[1];
        out.push({
            agent: agent.name,
            model: agent.model,
            message: `the model ${agent.model} is deprecated${eol ? ` (end of life ${eol})` : ""}; set a newer model in its config`,
        });
    }
    return out;
}
