/**
 * Token usage per turn (docs/context.md): one row per turn that reported any, summed per conversation for
 * `GET /v1/conversations/<id>`. Rows stay when a conversation forks: the tokens were spent.
 */
import { NO_USAGE, type Usage } from "../../shared/protocol/events";
import type { Db } from "./db";

export class UsageStore {
    constructor(private readonly db: Db) {}

    async add(conversationId: string, usage: Usage): Promise<void> {
        await this.db.write(
            "INSERT INTO turn_usage (conversation_id, created_at, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens) VALUES (?, ?, ?, ?, ?, ?)",
            [
                conversationId,
                new Date().toISOString(),
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens,
            ],
        );
    }

    async total(conversationId: string): Promise<Usage> {
        const row = await this.db.get<Usage>(
            `SELECT coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens,
                coalesce(sum(cache_read_tokens), 0) AS cache_read_tokens, coalesce(sum(cache_write_tokens), 0) AS cache_write_tokens
             FROM turn_usage WHERE conversation_id = ?`,
            [conversationId],
        );
        return row ?? { ...NO_USAGE };
    }
}
