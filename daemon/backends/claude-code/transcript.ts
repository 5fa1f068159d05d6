/**
 * The CLI's session transcript (JSONL, one entry a line): where the CLI writes it, and the stripped
 * form the daemon keeps. Stripping drops the entries that carry no conversation and re-links the
 * `parentUuid` chain around them, so the CLI still walks one unbroken chain when it resumes.
 */
import { join } from "node:path";

/** Entries that are part of what the model sees. Everything else is bookkeeping. */
const CONVERSATION_TYPES = new Set(["user", "assistant", "attachment"]);

interface Entry {
    type?: unknown;
    subtype?: unknown;
    uuid?: unknown;
    parentUuid?: unknown;
    logicalParentUuid?: unknown;
    isApiErrorMessage?: unknown;
    message?: { model?: unknown };
}

export interface StrippedTranscript {
    /** JSONL, each line ending in a newline. */
    text: string;
    /** Lines kept: the transcript's length. */
    entries: number;
    /** Whether the model ever answered: without that there is nothing to resume. */
    hasAssistant: boolean;
}

function carriesConversation(e: Entry): boolean {
    if (e.type === "assistant") {
        // The CLI records an API failure as a synthetic assistant message; it never reached the model.
        return e.isApiErrorMessage !== true && e.message?.model !== "<synthetic>";
    }
    if (CONVERSATION_TYPES.has(e.type as string)) return true;
    // A compaction boundary is where the CLI starts reading a compacted session: it must stay.
    return e.type === "system" && e.subtype === "compact_boundary";
}

export function stripTranscript(jsonl: string): StrippedTranscript {
    const kept: Array<{ line: string; entry: Entry }> = [];
    // uuid of a dropped entry → its own parent, so children can be re-parented past it.
    const dropped = new Map<string, unknown>();
    for (const line of jsonl.split("\n")) {
        if (line.trim() === "") continue;
        let entry: Entry;
        try {
            entry = JSON.parse(line) as Entry;
        } catch {
            continue; // a torn last line (the CLI killed mid-write) must not poison the resume
        }
        if (typeof entry !== "object" || entry === null) continue;
        if (carriesConversation(entry)) kept.push({ line, entry });
        else if (typeof entry.uuid === "string") dropped.set(entry.uuid, entry.parentUuid ?? null);
    }
    const relink = (parent: unknown): unknown => {
        const seen = new Set<unknown>();
        while (typeof parent === "string" && dropped.has(parent) && !seen.has(parent)) {
            seen.add(parent);
            parent = dropped.get(parent);
        }
        return parent;
    };
    let text = "";
    let hasAssistant = false;
    for (const { line, entry } of kept) {
        if (entry.type === "assistant") hasAssistant = true;
        const parentUuid = relink(entry.parentUuid);
        const logicalParentUuid = relink(entry.logicalParentUuid);
        // Unchanged lines are kept byte for byte; only re-parented ones are serialised again.
        if (parentUuid === entry.parentUuid && logicalParentUuid === entry.logicalParentUuid) text += `${line}\n`;
        else {
            const fixed: Record<string, unknown> = { ...entry, parentUuid };
            if ("logicalParentUuid" in entry) fixed.logicalParentUuid = logicalParentUuid;
            text += `${JSON.stringify(fixed)}\n`;
        }
    }
    return { text, entries: kept.length, hasAssistant };
}

/** The CLI's name for a project folder: the real path of the working directory (README §5). */
export function sanitizedProjectName(realCwd: string): string {
    const name = realCwd.replace(/[^a-zA-Z0-9]/g, "-");
    if (name.length <= 200) return name;
    let h = 0;
    for (let i = 0; i < realCwd.length; i++) h = ((h << 5) - h + realCwd.charCodeAt(i)) | 0;
    return `${name.slice(0, 200)}-${Math.abs(h).toString(36)}`;
}

/**
 * Where a new session's transcript lands: `<config dir>/projects/<sanitized cwd>/<session>.jsonl`,
 * the config dir being `CLAUDE_CONFIG_DIR` or `~/.claude` of the CLI's environment.
 */
export function newSessionTranscriptPath(env: NodeJS.ProcessEnv, home: string, realCwd: string, sessionId: string): string {
    const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || home, ".claude");
    return join(configDir, "projects", sanitizedProjectName(realCwd), `${sessionId}.jsonl`);
}
