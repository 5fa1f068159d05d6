/**
 * The `chats` and `context` sections of config.yaml (docs/config.md): the vault-facing settings, whose
 * folders and exclusions are checked here so a typo never silently shows a private note or writes outside.
 */
import { isCount, isMap, isStringList, type LodgeConfig } from "./config-schema";

type Bad = (key: string, what: string) => void;

/** `chats`: where chat notes live, the watcher's timing and where other frontends' turns are logged. */
export function validateChats(chats: unknown, config: LodgeConfig, bad: Bad): void {
    if (!isMap(chats)) return bad("chats", "must be a mapping");
    for (const key of Object.keys(chats))
        if (!["folders", "watch", "watch_idle_ms", "progress_ms", "log_folder"].includes(key)) bad(`chats.${key}`, "unknown key");
    if (chats.folders !== undefined) {
        if (isStringList(chats.folders)) config.chats.folders = chats.folders;
        else bad("chats.folders", "must be a list of folder names");
    }
    if (chats.watch !== undefined) {
        if (typeof chats.watch === "boolean") config.chats.watch = chats.watch;
        else bad("chats.watch", "must be true or false");
    }
    if (chats.watch_idle_ms !== undefined) {
        if (isCount(chats.watch_idle_ms)) config.chats.watch_idle_ms = chats.watch_idle_ms;
        else bad("chats.watch_idle_ms", "must be a whole number of milliseconds");
    }
    if (chats.progress_ms !== undefined) {
        if (isCount(chats.progress_ms)) config.chats.progress_ms = chats.progress_ms;
        else bad("chats.progress_ms", "must be a whole number of milliseconds (0: write the reply only at the end)");
    }
    if (chats.log_folder !== undefined) {
        const folder = typeof chats.log_folder === "string" ? logFolder(chats.log_folder) : null;
        if (folder) config.chats.log_folder = folder;
        else bad("chats.log_folder", "must be a folder inside the vault, not hidden (such as Chats/Logged)");
    }
}

/** `context` (docs/context.md): the linked notes' budget and what no agent may see. */
export function validateContext(context: unknown, config: LodgeConfig, bad: Bad): void {
    if (!isMap(context)) return bad("context", "must be a mapping");
    for (const key of Object.keys(context)) if (!["link_chars", "exclude"].includes(key)) bad(`context.${key}`, "unknown key");
    if (context.link_chars !== undefined) {
        if (isCount(context.link_chars)) config.context.link_chars = context.link_chars;
        else bad("context.link_chars", "must be a whole number of characters");
    }
    if (context.exclude === undefined || context.exclude === null) return;
    if (!isStringList(context.exclude)) return bad("context.exclude", 'must be a list of folders ("Private/") and tags ("#private")');
    for (const entry of context.exclude) {
        const problem = excludeProblem(entry);
        if (problem) bad("context.exclude", `"${entry}": ${problem}`);
    }
    config.context.exclude = context.exclude;
}

/** A vault folder as `a/b`, or null when it is empty, leaves the vault or is hidden. */
function logFolder(value: string): string | null {
    const parts = value
        .replace(/\\/g, "/")
        .split("/")
        .filter((p) => p !== "" && p !== ".");
    if (parts.length === 0 || /^([A-Za-z]:|[/\\])/.test(value) || parts.some((p) => p === ".." || p.startsWith("."))) return null;
    return parts.join("/");
}

function excludeProblem(entry: string): string | null {
    const value = entry.trim();
    if (value.startsWith("#")) {
        return /^#[\p{L}\p{N}_\-/]+$/u.test(value) && !/^#\/|\/$/.test(value)
            ? null
            : "a tag is # then letters, digits, _, - or / (no spaces), such as #private";
    }
    const parts = value
        .replace(/\\/g, "/")
        .split("/")
        .filter((p) => p !== "" && p !== ".");
    if (parts.length === 0) return "names no folder; to hide the whole vault set vault_tools: off on the agents instead";
    if (parts.includes("..")) return "a folder inside the vault is expected (no ..)";
    return null;
}
