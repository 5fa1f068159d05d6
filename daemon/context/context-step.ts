/**
 * A turn's notes as context (docs/context.md), after memory and the vault tools have prepared it: pinned
 * notes into the system prompt (`<pinned_notes>`, read fresh each turn, never stored), linked notes
 * and images after the person's text in the new user messages (stored as sent), the oldest history
 * left out when the request would not fit the agent's window, and the info callout that says so.
 */
import type { Logger } from "../log";
import { type CanonicalMessage, type ContentBlock, isToolResultMessage, personTextIndex } from "../messages";
import type { TurnEnv } from "../services/turn-env";
import type { Visibility } from "../vault/visibility";
import { plural } from "../words";
import { fitHistory } from "./fit";
import { type Gathered, Gatherer } from "./gather";
import { IMAGE_EXTENSION, withImageData } from "./images";
import { findLinks, pinnedLinks } from "./links";
import { LinkResolver } from "./resolve";
import { contextWindow, estimateTokens } from "./tokens";

export interface ContextDeps {
    /** The vault's real path. */
    root: string;
    visibility: Visibility;
    linkChars: number;
    maxBytes: number;
    log: Logger;
}

/** Distinct links followed in one turn; a turn with more says how many were not. */
export const LINKS_PER_TURN = 200;

const attr = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function noteBlock(path: string, subpath: string, text: string): string {
    return `<note path="${attr(path)}"${subpath ? ` section="${attr(subpath)}"` : ""}>\n${text}\n</note>`;
}

type Prepare = TurnEnv["prepare"];

export function withContext(prepare: Prepare, deps: ContextDeps): Prepare {
    return async (agent, base, context) => {
        const prepared = await prepare(agent, base, context);
        const note = context.note;
        if (!note) return prepared;
        const fm = note.frontmatter ?? {};
        const gatherer = new Gatherer({
            resolver: new LinkResolver(deps.root, note.path),
            visibility: deps.visibility,
            source: note.path,
            linkChars: deps.linkChars,
            maxBytes: deps.maxBytes,
        });
        const known = new Map<string, string>();
        const cli = agent.backend === "claude-code";
        const toBlock = (g: Gathered): ContentBlock => {
            if (g.kind === "note") return { type: "text", text: noteBlock(g.path, g.subpath, g.text) };
            known.set(g.block.path, g.data);
            // Claude Code reads the file itself, from the path in its prompt.
            return cli ? { type: "text", text: `<image path="${attr(g.absolute)}"/>` } : g.block;
        };

        const pinned: string[] = [];
        for (const link of pinnedLinks(fm.context)) {
            // A system prompt holds text only: a pinned image would be counted and never sent.
            if (IMAGE_EXTENSION.test(link.linkpath)) {
                gatherer.lines.push(`${link.raw} — not sent: a pinned image (link it in the message instead)`);
                continue;
            }
            const g = await gatherer.take(link, true);
            if (g?.kind === "note") pinned.push(noteBlock(g.path, g.subpath, g.text));
        }
        // Each new user message's links, LINKS_PER_TURN at most in all, read side by side first.
        let room = LINKS_PER_TURN;
        let skipped = 0;
        const linksOf = prepared.pending.map((message) => {
            const person = message.content[personTextIndex(message)];
            if (message.role !== "user" || isToolResultMessage(message) || person?.type !== "text") return null;
            const links = findLinks(person.text);
            skipped += Math.max(0, links.length - room);
            const followed = links.slice(0, room);
            room -= followed.length;
            return followed;
        });
        await gatherer.prefetch(linksOf.flatMap((l) => l ?? []));
        const pending: CanonicalMessage[] = [];
        for (const [i, message] of prepared.pending.entries()) {
            const added: ContentBlock[] = [];
            for (const link of linksOf[i] ?? []) {
                const g = await gatherer.take(link, false);
                if (g) added.push(toBlock(g));
            }
            pending.push(added.length > 0 ? { ...message, content: [...message.content, ...added] } : message);
        }
        if (skipped > 0)
            gatherer.lines.push(
                `${skipped.toLocaleString("en-US")} more ${skipped === 1 ? "link" : "links"} not followed (at most ${LINKS_PER_TURN} a turn)`,
            );

        const system = pinned.length > 0 ? `${prepared.system}\n\n<pinned_notes>\n${pinned.join("\n")}\n</pinned_notes>` : prepared.system;
        let send: CanonicalMessage[] | undefined;
        let leftOut = 0;
        if (!cli) {
            // Claude Code keeps its own session (and compacts it); its history is not cut here.
            const model = typeof fm.model === "string" ? fm.model : agent.model;
            const maxTokens = typeof fm.max_tokens === "number" ? fm.max_tokens : agent.max_tokens;
            const fixed = estimateTokens(system) + estimateTokens(JSON.stringify(prepared.tools?.specs ?? []));
            // The new turn is the trailing run of the person's messages; earlier pending turns are history.
            let start = pending.length;
            while (start > 0 && pending[start - 1]!.role === "user" && !isToolResultMessage(pending[start - 1]!)) start--;
            const history = [...context.kept, ...pending.slice(0, start)];
            const fitted = fitHistory(history, pending.slice(start), fixed, contextWindow(agent, model) - maxTokens);
            leftOut = fitted.leftOut;
            send = await withImageData(fitted.send, deps.root, deps.visibility, known);
        }
        const lines = [...gatherer.lines];
        if (leftOut > 0) lines.push(`${plural(leftOut, "earlier message")} left out to fit the context window`);
        const info =
            lines.length > 0 ? { title: `${plural(gatherer.notes, "note")}, ${plural(gatherer.images, "image")}`, lines } : undefined;
        return { ...prepared, system, pending, send, info };
    };
}
