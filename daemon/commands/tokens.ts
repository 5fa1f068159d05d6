/** `lodge token create|list|revoke`: straight to the database, so they work with or without the daemon. */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { LodgeError } from "../../shared/errors";
import { dataFiles, defaultDataDir } from "../paths";
import { parseScopes, TokenService } from "../services/tokens";
import { Db } from "../store/db";
import { TokenStore } from "../store/tokens";

export interface TokenCommand {
    op: "create" | "list" | "revoke";
    name?: string;
    scope?: string;
    data?: string;
    json?: boolean;
    out: (line: string) => void;
}

export async function withTokens<T>(dataDir: string | undefined, fn: (tokens: TokenService) => Promise<T>): Promise<T> {
    const data = resolve(dataDir ?? defaultDataDir());
    await mkdir(data, { recursive: true, mode: 0o700 });
    const db = await Db.open(dataFiles(data).database);
    try {
        return await fn(new TokenService(new TokenStore(db)));
    } finally {
        await db.close();
    }
}

export async function tokenCommand(c: TokenCommand): Promise<void> {
    await withTokens(c.data, async (tokens) => {
        if (c.op === "create") {
            const scopes = parseScopes(c.scope ?? "messages,memory");
            const token = await tokens.create(c.name!, scopes);
            c.out(`created token "${c.name}" with scopes ${scopes.join(",")}; it is shown once:`);
            c.out(token);
        } else if (c.op === "list") {
            const list = await tokens.list();
            if (c.json) {
                c.out(JSON.stringify({ tokens: list.map((t) => ({ name: t.name, scopes: t.scopes, created_at: t.created_at })) }, null, 2));
                return;
            }
            if (list.length === 0) c.out("no tokens");
            for (const t of list) c.out(`${t.name}\t${t.scopes.join(",")}\t${t.created_at}`);
        } else {
            if (!(await tokens.revoke(c.name!))) throw new LodgeError("not_found", `no token named "${c.name}"`);
            c.out(`revoked token "${c.name}"`);
        }
    });
}
