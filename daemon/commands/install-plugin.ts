/**
 * `lodge install-plugin --vault DIR`: copies the built plugin into the vault's plugin folder and
 * writes the daemon URL and a fresh `messages` token into its data.json, keeping the other keys.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { LodgeError } from "../../shared/errors";
import { dataFiles, defaultDataDir, packageRoot } from "../paths";
import { withTokens } from "./tokens";

const PLUGIN_FILES = ["main.js", "manifest.json", "styles.css"];

export async function installPluginCommand(o: { vault: string; data?: string; url?: string; out: (line: string) => void }): Promise<void> {
    const vault = resolve(o.vault);
    if (!existsSync(vault)) throw new LodgeError("not_found", `no vault folder at ${vault}`);
    const root = packageRoot();
    for (const file of PLUGIN_FILES) {
        if (!existsSync(join(root, file))) throw new LodgeError("not_found", `${file} is missing in ${root}: run \`npm run build\` first`);
    }
    const data = resolve(o.data ?? defaultDataDir());
    // Obsidian makes .obsidian/ the first time it opens a folder as a vault.
    const looksLikeVault = existsSync(join(vault, ".obsidian"));
    const target = join(vault, ".obsidian", "plugins", "lodge");
    const dataJson = join(target, "data.json");
    const current = existsSync(dataJson) ? await readSettings(dataJson) : {};
    await mkdir(target, { recursive: true });
    for (const file of PLUGIN_FILES) await copyFile(join(root, file), join(target, file));
    const url = o.url ?? (await runningDaemonUrl(data)) ?? "http://127.0.0.1:8765";
    const slug =
        basename(vault)
            .replace(/[^A-Za-z0-9_.-]+/g, "-")
            .replace(/^[-.]+/, "")
            .slice(0, 40) || "vault";
    const token = await withTokens(data, (tokens) => tokens.create(`obsidian-${slug}`, ["messages"], true));
    await writeFile(dataJson, `${JSON.stringify({ ...current, daemonUrl: url, token }, null, 2)}\n`, { mode: 0o600 });
    if (!looksLikeVault) {
        o.out(
            `warning: ${vault} has no .obsidian folder: it is probably not an Obsidian vault, or Obsidian never opened it; open it with "Open folder as vault" in Obsidian`,
        );
    }
    o.out(`installed the Lodge plugin into ${target}`);
    o.out(`daemon: ${url}; token "obsidian-${slug}" written to data.json`);
    o.out('in Obsidian: Settings → Community plugins, turn off Restricted mode, then enable "Lodge"');
}

/** The plugin's settings, refused before anything is copied when they are not a JSON object. */
async function readSettings(file: string): Promise<Record<string, unknown>> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(await readFile(file, "utf8"));
    } catch {
        throw new LodgeError("bad_request", `${file} is not valid JSON: fix or remove it, then install again`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new LodgeError("bad_request", `${file} must hold a JSON object`);
    return parsed as Record<string, unknown>;
}

async function runningDaemonUrl(data: string): Promise<string | null> {
    try {
        const info = JSON.parse(await readFile(dataFiles(data).daemonInfo, "utf8")) as { url?: unknown };
        return typeof info.url === "string" ? info.url : null;
    } catch {
        return null;
    }
}
