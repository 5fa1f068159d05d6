/** The vault a first start creates: one chat note that explains itself. */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Only the question is a turn: the explanation is an Obsidian comment, which Obsidian hides in reading
 * view and Lodge never sends to the model (docs/daemon.md, "Comments").
 */
const WELCOME = `%%
This note is a chat with an AI agent. Write under the last "User" heading and save
(Ctrl/Cmd+S in Obsidian): the answer appears under an "Assistant" heading, followed by a fresh
"User" heading for your next message. The whole conversation is kept by the Lodge daemon.

This paragraph is a comment (it sits between two pairs of percent signs): you can read it, the
agent never does. \`lodge agents\` lists who can answer; \`agent: NAME\` in a note's frontmatter picks one.
%%

### User:

Hello! What can you help me with in my notes?
`;

/** Creates the vault folder with a welcome chat note when it does not exist yet. Returns whether it did. */
export async function ensureVault(vault: string, chatFolder: string): Promise<boolean> {
    if (existsSync(vault)) return false;
    await mkdir(join(vault, chatFolder), { recursive: true });
    await writeFile(join(vault, chatFolder, "Welcome.md"), WELCOME, { mode: 0o644 });
    return true;
}
