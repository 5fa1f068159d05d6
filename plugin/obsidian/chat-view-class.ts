/**
 * Marks the tabs that show a chat note with the class `lodge-chat`, so styles.css can give Lodge's
 * `[!info]- context: …` callout its own look in chat notes without restyling every `[!info]` callout
 * of the vault. Re-evaluated shortly after a tab opens a note or the layout changes (Obsidian names
 * the tab's file a moment before it loads the text); the frontmatter is read from the start of the
 * editor's text.
 */
import { isChatNote } from "../chat-note";
import { cmOf, type WorkspaceEditors } from "./editors";

export const CHAT_VIEW_CLASS = "lodge-chat";
const FRONTMATTER_WINDOW = 8192;

export function markChatViews(editors: WorkspaceEditors, chatFolder: () => string): void {
    for (const markdown of editors.markdownViews()) {
        const path = markdown.file?.path;
        const head = cmOf(markdown)?.state.doc.sliceString(0, FRONTMATTER_WINDOW) ?? "";
        markdown.containerEl.toggleClass(CHAT_VIEW_CLASS, path !== undefined && isChatNote(path, head, chatFolder()));
    }
}
