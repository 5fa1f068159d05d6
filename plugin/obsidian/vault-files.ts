/**
 * The FilePort over Obsidian's vault: a note no tab shows is written with `Vault.process`, Obsidian's
 * atomic read-modify-write, so the plugin stays the one writer of the note while Obsidian runs and
 * the daemon never writes behind Obsidian's back (obsidian-platform.md §7 pitfall 4).
 */
import { TFile, type Vault } from "obsidian";
import type { FilePort } from "../stream/ports";

export class VaultFiles implements FilePort {
    constructor(private readonly vault: Vault) {}

    async process(path: string, fn: (data: string) => string): Promise<void> {
        const file = this.vault.getAbstractFileByPath(path);
        if (!(file instanceof TFile)) throw new Error(`The note ${path} no longer exists; the reply could not be written.`);
        await this.vault.process(file, fn);
    }
}
