/**
 * Bearer tokens (docs/api.md): random, shown once, stored as SHA-256 hashes, compared in constant time,
 * each with scopes `messages`, `memory`, `admin`.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { LodgeError } from "../../shared/errors";
import type { TokenStore } from "../store/tokens";

export const SCOPES = ["messages", "memory", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export interface TokenInfo {
    name: string;
    scopes: Scope[];
    created_at: string;
}

const hash = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

export function parseScopes(text: string): Scope[] {
    const scopes = text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const unknown = scopes.filter((s) => !SCOPES.includes(s as Scope));
    if (unknown.length > 0 || scopes.length === 0) {
        throw new LodgeError("bad_request", `scopes must be some of ${SCOPES.join(", ")} (got "${text}")`);
    }
    return [...new Set(scopes)] as Scope[];
}

export class TokenService {
    constructor(private readonly store: TokenStore) {}

    /** Creates a token and returns it: the only time it exists outside its hash. */
    async create(name: string, scopes: Scope[], replace = false): Promise<string> {
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name))
            throw new LodgeError("bad_request", "token names use letters, digits, '-', '_' and '.'");
        if (!replace && (await this.store.all()).some((t) => t.name === name)) {
            throw new LodgeError("bad_request", `a token named "${name}" exists; revoke it first`);
        }
        const token = `lodge_${randomBytes(32).toString("base64url")}`;
        await this.store.put(name, hash(token).toString("hex"), scopes.join(","));
        return token;
    }

    async list(): Promise<TokenInfo[]> {
        return (await this.store.all()).map((t) => ({ name: t.name, scopes: t.scopes.split(",") as Scope[], created_at: t.created_at }));
    }

    revoke(name: string): Promise<boolean> {
        return this.store.remove(name);
    }

    /** The token's name and scopes, or null. Every stored hash is compared, so timing tells nothing. */
    async verify(token: string): Promise<TokenInfo | null> {
        const presented = hash(token);
        let match: TokenInfo | null = null;
        for (const row of await this.store.all()) {
            const stored = Buffer.from(row.hash, "hex");
            if (stored.length === presented.length && timingSafeEqual(stored, presented)) {
                match = { name: row.name, scopes: row.scopes.split(",") as Scope[], created_at: row.created_at };
            }
        }
        return match;
    }
}
