/** Shapes of a parsed chat note (docs/notes.md). */

export type Role = "user" | "assistant";

/** One turn as it stands in the note. */
export interface NoteTurn {
    role: Role;
    /**
     * The turn's text, trimmed. For an assistant turn the Lodge callouts (thinking, tool, error,
     * stopped) are removed and escaped role lines are read back without their backslash.
     */
    text: string;
    /** Offset of the heading line (or of the body, for text before the first heading). */
    start: number;
    /** Offset just past the turn's last character (the next heading's start, or the note's end). */
    end: number;
}

/** Why a note needs no reply (docs/notes.md). */
export type NothingToDoReason = "empty" | "last_turn_assistant" | "blank_user_turn";

/** The frontmatter keys the daemon reads (docs/notes.md), validated. */
export interface NoteSettings {
    agent?: string;
    model?: string;
    system?: string;
    temperature?: number;
    max_tokens?: number;
    conversation_id?: string;
    title?: string;
}

export interface Frontmatter {
    /** The block's text: from the opening `---` through the closing `---` line and its line break. */
    block: string;
    /** Offset where the body starts (the block's length). */
    end: number;
    data: Record<string, unknown>;
}

export interface ParsedNote {
    frontmatter: Frontmatter | null;
    settings: NoteSettings;
    /** Every turn, blank and callout-only ones included, in note order. */
    turns: NoteTurn[];
}

/** A turn as sent to a backend: absent turns dropped, consecutive same-role turns joined. */
export interface ConversationTurn {
    role: Role;
    text: string;
}
