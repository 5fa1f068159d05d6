/**
 * Claude Code's access to Lodge's MCP server (docs/mcp.md): a token made for one turn (scopes
 * `messages,memory`), revoked when the turn ends however it ends. A daemon that died mid-turn
 * leaves its tokens in the database; the next start revokes them (they share a name prefix).
 */
import { randomBytes } from "node:crypto";
import type { CanonicalMessage } from "../messages";
import type { TokenService } from "../services/tokens";

export const TURN_TOKEN_PREFIX = "claude-code-turn-";

export interface TurnAccess {
    agent: string;
    history: readonly CanonicalMessage[];
}

export class TurnTokens {
    private readonly open = new Map<string, TurnAccess>();

    constructor(private readonly tokens: TokenService) {}

    /** Revokes the turn tokens a previous daemon left behind; how many there were. */
    async sweep(): Promise<number> {
        let n = 0;
        for (const t of await this.tokens.list())
            if (t.name.startsWith(TURN_TOKEN_PREFIX) && !this.open.has(t.name) && (await this.tokens.revoke(t.name))) n++;
        return n;
    }

    /** A token for one turn of `agent`; call `revoke` when the turn ends. */
    async issue(access: TurnAccess): Promise<{ token: string; revoke: () => Promise<void> }> {
        const name = `${TURN_TOKEN_PREFIX}${randomBytes(8).toString("hex")}`;
        const token = await this.tokens.create(name, ["messages", "memory"]);
        this.open.set(name, access);
        return {
            token,
            revoke: async () => {
                this.open.delete(name);
                await this.tokens.revoke(name);
            },
        };
    }

    /** The turn a token (by name) belongs to, while it runs. */
    turn(name: string): TurnAccess | undefined {
        return this.open.get(name);
    }
}
