/**
 * Where the daemon token is kept: Obsidian's secret storage (OS-backed, since 1.11.4) when the app
 * has it, otherwise data.json. `lodge install-plugin` can only write data.json; a token found there
 * is moved into secret storage on load and data.json keeps an empty copy.
 */
import { type App, requireApiVersion } from "obsidian";
import { TOKEN_SECRET_ID } from "../settings";

export class TokenStore {
    constructor(private readonly app: App) {}

    get available(): boolean {
        if (requireApiVersion("1.11.4")) return typeof this.app.secretStorage?.getSecret === "function";
        return false;
    }

    read(): string | null {
        if (requireApiVersion("1.11.4")) return this.app.secretStorage.getSecret(TOKEN_SECRET_ID);
        return null;
    }

    write(token: string): void {
        if (requireApiVersion("1.11.4")) this.app.secretStorage.setSecret(TOKEN_SECRET_ID, token);
    }
}
