/**
 * What the vault tools work with, and the checks they share: a folder or note the caller names is
 * resolved inside the vault (vault/vault.ts) and asked about at vault/visibility.ts, the one home of
 * "may an agent see this".
 */
import type { VaultIndex } from "../vault-index/vault-index";
import type { Vault } from "../vault/vault";
import type { Hidden, Visibility } from "../vault/visibility";
import { ToolError } from "./tool";

export interface VaultToolContext {
    vault: Vault;
    index: VaultIndex;
    visibility: Visibility;
    /** Notes larger than this are not read (the request body limit, `http.max_body_mb`). */
    maxBytes: number;
}

/** Why a note or folder is refused, in words the model (and the person reading the callout) understands. */
export function refusal(what: string, why: Hidden): ToolError {
    return new ToolError(
        why === "hidden"
            ? `${what} is in a hidden folder or is a hidden file (a name starting with "."): those are never read`
            : `${what} is excluded from agents by context.exclude in Lodge's config: it cannot be read, searched or listed`,
    );
}

/** A folder argument as a vault-relative prefix without slashes ("" = the whole vault). */
export function folderArg(folder: string, visibility: Visibility): string {
    if (folder.includes("\u0000")) throw new ToolError("folder contains a NUL character");
    // A leading "/" means the vault's root, as in Obsidian; a drive letter is a path on this computer.
    if (/^[A-Za-z]:/.test(folder))
        throw new ToolError(
            `folder "${folder}" is absolute; give a folder relative to the vault, such as "Projects" ("" for the whole vault)`,
        );
    const parts = folder
        .replace(/\\/g, "/")
        .split("/")
        .filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) throw new ToolError(`folder "${folder}" leaves the vault (..); give a folder inside it`);
    const rel = parts.join("/");
    const why = rel === "" ? null : visibility.pathRule(rel);
    if (why) throw refusal(`folder "${rel}"`, why);
    return rel;
}
