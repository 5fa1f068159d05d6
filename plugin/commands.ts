/**
 * The commands, with stable ids (public: people bind hotkeys to them) and no default hotkeys.
 * Editor commands use `editorCheckCallback` so they only show where they can run.
 */
import { MarkdownView, type Plugin } from "obsidian";
import type { ChatActions } from "./chat-actions";
import { cmOf } from "./obsidian/editors";

export function registerCommands(plugin: Plugin, actions: ChatActions, report: (error: unknown) => void): void {
    const run = (work: Promise<void>): void => {
        work.catch(report);
    };
    const inNote = (id: string, name: string, action: (path: string, view: ReturnType<typeof cmOf> & object) => Promise<void>): void => {
        plugin.addCommand({
            id,
            name,
            editorCheckCallback: (checking, _editor, ctx) => {
                const view = ctx instanceof MarkdownView ? cmOf(ctx) : null;
                const path = ctx.file?.path;
                if (!view || path === undefined) return false;
                if (!checking) run(action(path, view));
                return true;
            },
        });
    };
    inNote("send-note", "Send this note", (path, view) => actions.send(path, view));
    inNote("regenerate-reply", "Regenerate the last reply", (path, view) => actions.regenerate(path, view));
    plugin.addCommand({ id: "stop-reply", name: "Stop the reply", callback: () => run(actions.stop()) });
    plugin.addCommand({ id: "new-chat", name: "New chat", callback: () => run(actions.newChat()) });
    plugin.addCommand({ id: "choose-agent", name: "Choose agent", callback: () => run(actions.chooseAgent()) });
    plugin.addCommand({ id: "check-connection", name: "Check connection", callback: () => run(actions.checkConnection()) });
}
