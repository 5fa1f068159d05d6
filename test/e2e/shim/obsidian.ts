/**
 * The `obsidian` module as the plugin's `require("obsidian")` sees it in the harness: the symbols
 * the plugin imports, each defined in the file named beside it and typed against
 * node_modules/obsidian/obsidian.d.ts (classes through `implements Api<…>`, see api.ts; the
 * functions and constants below through Obsidian's own types). Only what the plugin uses is here.
 */
import type * as obsidian from "obsidian";
export { App, Plugin, SecretStorage } from "./app";
export { Editor, MarkdownView } from "./editor";
export { Component, Events } from "./events";
export { DropdownComponent, Modal, Notice, PluginSettingTab, Setting, SuggestModal, TextComponent, ToggleComponent } from "./ui";
export { TAbstractFile, TFile, TFolder, Vault } from "./vault";
export { Workspace, WorkspaceLeaf } from "./workspace";

/**
 * `Platform` (obsidian.d.ts): where the app runs. The harness is a desktop app unless a boot option
 * says mobile (Obsidian's own `app.emulateMobile(true)` is the same switch for plugin authors).
 */
export const Platform = {
    isDesktop: true,
    isMobile: false,
    isDesktopApp: true,
    isMobileApp: false,
    isIosApp: false,
    isAndroidApp: false,
    isPhone: false,
    isTablet: false,
} satisfies Partial<typeof obsidian.Platform>;

export function setMobile(mobile: boolean): void {
    Object.assign(Platform, { isDesktop: !mobile, isMobile: mobile, isDesktopApp: !mobile, isMobileApp: mobile, isPhone: mobile });
}

/** `apiVersion`: the version the harness pretends to be (set by `boot`). */
export const version = { apiVersion: "1.13.1" };
export let apiVersion: typeof obsidian.apiVersion = version.apiVersion;

export function setApiVersion(v: string): void {
    version.apiVersion = v;
    apiVersion = v;
}

/** `requireApiVersion(version)`: true when the app is at least `wanted`. */
export const requireApiVersion: typeof obsidian.requireApiVersion = (wanted) => {
    const have = version.apiVersion.split(".").map(Number);
    const want = wanted.split(".").map(Number);
    for (let i = 0; i < Math.max(have.length, want.length); i++) {
        if ((have[i] ?? 0) !== (want[i] ?? 0)) return (have[i] ?? 0) > (want[i] ?? 0);
    }
    return true;
};

/** `normalizePath(path)`: forward slashes, no duplicates, no leading or trailing slash; "/" for the root. */
export const normalizePath: typeof obsidian.normalizePath = (path) => {
    const out = path
        .replace(/\\/g, "/")
        .replace(/\/+/g, "/")
        .replace(/^\/|\/$/g, "")
        .replace(/\u00a0|\u202f/g, " ");
    return out === "" ? "/" : out.normalize("NFC");
};
