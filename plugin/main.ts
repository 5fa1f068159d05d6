import { Plugin } from "obsidian";

export default class LodgePlugin extends Plugin {
    override async onload(): Promise<void> {
        await Promise.resolve();
    }
}
