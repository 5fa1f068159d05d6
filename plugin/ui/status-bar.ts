/**
 * The status bar item: "Lodge: idle", "Lodge: streaming (assistant)", "Lodge: offline" or "Lodge:
 * token refused". Clicking it checks the connection (main.ts). The classes let styles.css colour the
 * states that need the person with the theme's warning and error colours.
 */
import type { Usage } from "../../shared/protocol/events";
import type { Status } from "../turn-manager";

/** The tooltip's usage lines (docs/context.md): the last turn's tokens and its conversation's total. */
export function usageLines(last: Usage | null, total: Usage | null): string[] {
    const fmt = (u: Usage): string =>
        `${u.input_tokens.toLocaleString("en-US")} in, ${u.output_tokens.toLocaleString("en-US")} out, ` +
        `${u.cache_read_tokens.toLocaleString("en-US")} cache read, ${u.cache_write_tokens.toLocaleString("en-US")} cache write`;
    const lines: string[] = [];
    if (last) lines.push(`Last turn: ${fmt(last)}`);
    if (total) lines.push(`This conversation: ${fmt(total)}`);
    return lines;
}

/** What the bar shows: the turn manager's status, and whether the daemon refused the token. */
export function statusText(status: Status, tokenRefused = false): string {
    switch (status.kind) {
        case "streaming":
            return status.agents.length > 0 ? `Lodge: streaming (${status.agents.join(", ")})` : "Lodge: streaming";
        case "offline":
            return "Lodge: offline";
        case "idle":
            return tokenRefused ? "Lodge: token refused" : "Lodge: idle";
    }
}

function tooltip(status: Status, tokenRefused: boolean): string {
    if (status.kind === "offline") return "The Lodge daemon did not answer. Click to check the connection.";
    if (tokenRefused && status.kind === "idle") return "The daemon refused the plugin's token. Click to check the connection.";
    return "Lodge: click to check the connection";
}

export class StatusBar {
    private status: Status = { kind: "idle" };
    private tokenRefused = false;
    private usage: string[] = [];

    /** main.ts registers the click (Plugin.registerDomEvent, so it is removed on unload). */
    constructor(private readonly el: HTMLElement) {
        // mod-clickable: Obsidian's own class for a status bar item that reacts to a click.
        el.addClass("lodge-status", "mod-clickable");
        el.setAttr("role", "button");
        this.render();
    }

    set(status: Status): void {
        this.status = status;
        this.render();
    }

    /** The last turn's usage and, once fetched, its conversation's total, shown in the tooltip. */
    setUsage(last: Usage | null, total: Usage | null): void {
        this.usage = usageLines(last, total);
        this.render();
    }

    setTokenRefused(refused: boolean): void {
        this.tokenRefused = refused;
        this.render();
    }

    private render(): void {
        const { status, tokenRefused } = this;
        this.el.setText(statusText(status, tokenRefused));
        this.el.toggleClass("is-streaming", status.kind === "streaming");
        this.el.toggleClass("is-offline", status.kind === "offline");
        this.el.toggleClass("is-token-refused", tokenRefused && status.kind === "idle");
        this.el.setAttr("aria-label", [tooltip(status, tokenRefused), ...this.usage].join("\n"));
    }
}
