/**
 * The status bar item: "Lodge: idle", "Lodge: streaming (assistant)" or "Lodge: offline". The
 * classes let styles.css colour it with the theme's variables.
 */
import type { Status } from "../turn-manager";

export function statusText(status: Status): string {
    switch (status.kind) {
        case "idle":
            return "Lodge: idle";
        case "offline":
            return "Lodge: offline";
        case "streaming":
            return status.agents.length > 0 ? `Lodge: streaming (${status.agents.join(", ")})` : "Lodge: streaming";
    }
}

export class StatusBar {
    constructor(private readonly el: HTMLElement) {
        el.addClass("lodge-status");
        this.set({ kind: "idle" });
    }

    set(status: Status): void {
        this.el.setText(statusText(status));
        this.el.toggleClass("is-streaming", status.kind === "streaming");
        this.el.toggleClass("is-offline", status.kind === "offline");
        this.el.setAttr("aria-label", status.kind === "offline" ? "The Lodge daemon did not answer" : "Lodge");
    }
}
