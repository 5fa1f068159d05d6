/**
 * A backend made of a model API (Anthropic or OpenAI-compatible) and a tool loop run by the daemon:
 * the model calls a tool, the daemon runs it, sends the result back, and the stream goes on, for a
 * bounded number of rounds. Each call is retried before its first token and watched for silence.
 */
import type { CanonicalMessage } from "../messages";
import { type ModelAnswer, type ModelClient, StreamCutError } from "./model-client";
import { type CallError, DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry";
import { type Backend, type ToolCall, ToolRoundsExhausted, type TurnInput, type TurnSink } from "./types";

class SilenceError extends Error {}

export class ModelBackend implements Backend {
    constructor(
        private readonly client: ModelClient,
        private readonly retry: RetryPolicy = DEFAULT_RETRY,
    ) {}

    async run(input: TurnInput, sink: TurnSink): Promise<void> {
        const messages = [...input.history];
        const rounds = input.agent.max_tool_rounds;
        for (let round = 0; round < rounds; round++) {
            const answer = await this.call(input, messages, sink);
            if (answer.usage) sink.usage?.(answer.usage);
            sink.message(answer.message);
            messages.push(answer.message);
            const calls = answer.message.content.flatMap((b): ToolCall[] =>
                b.type === "tool_use" ? [{ id: b.id, name: b.name, input: b.input }] : [],
            );
            if (answer.stopReason !== "tool_use" || calls.length === 0 || !input.tools) return;
            const results: CanonicalMessage = { role: "user", content: [] };
            for (const call of calls) {
                sink.toolCall(call);
                const result = await input.tools.run(call);
                sink.toolResult(result);
                results.content.push({ type: "tool_result", ...result });
            }
            sink.message(results);
            messages.push(results);
        }
        // Every round ended in tool calls: the person is told, and the rounds are kept in the history.
        throw new ToolRoundsExhausted(rounds, input.agent.name);
    }

    private call(input: TurnInput, messages: CanonicalMessage[], sink: TurnSink): Promise<ModelAnswer> {
        const timeoutMs = input.agent.request_timeout_ms;
        // Silence and a cut stream are a dropped connection: retried before the first text, final after it.
        const toCallError = (err: unknown): CallError | null =>
            err instanceof SilenceError || err instanceof StreamCutError
                ? { connection: true, message: err.message }
                : this.client.toCallError(err);
        return withRetry(this.retry, input.signal, toCallError, async (started) => {
            const controller = new AbortController();
            const abort = (): void => controller.abort();
            input.signal.addEventListener("abort", abort, { once: true });
            let silent = false;
            let timer = setTimeout(onSilence, timeoutMs);
            function onSilence(): void {
                silent = true;
                controller.abort();
            }
            const heard = (): void => {
                started();
                clearTimeout(timer);
                timer = setTimeout(onSilence, timeoutMs);
            };
            const silence = (): SilenceError => new SilenceError(`the backend sent nothing for ${Math.round(timeoutMs / 1000)} s`);
            try {
                const answer = await this.client.call(
                    {
                        model: input.model,
                        system: input.system,
                        messages,
                        maxTokens: input.maxTokens,
                        temperature: input.temperature,
                        tools: input.tools?.specs ?? [],
                        signal: controller.signal,
                    },
                    {
                        text: (chunk) => {
                            heard();
                            sink.text(chunk);
                        },
                        thinking: (chunk) => {
                            heard();
                            sink.thinking(chunk);
                        },
                        toolInput: heard,
                    },
                );
                // The SDKs end a stream quietly when it is aborted after its headers (keep-alives, pings).
                if (silent) throw silence();
                return answer;
            } catch (err) {
                if (silent) throw silence();
                throw err;
            } finally {
                clearTimeout(timer);
                input.signal.removeEventListener("abort", abort);
            }
        });
    }
}
