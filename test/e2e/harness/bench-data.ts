/**
 * Deterministic data for the plugin bench, usable in node and in the page: a markdown note of a
 * given size and a reply as the daemon streams it (the shared ReplyBuilder, diffed per token).
 */
import type { Delta } from "../../../shared/protocol/delta";
import { daemonDeltas } from "../../plugin/helpers/daemon-deltas";
import { rng } from "../../helpers/random";

const WORDS = "the of and to in note chat reply stream editor delta frame cursor vault daemon token agent memory".split(" ");

/** About `size` characters of markdown: headings, paragraphs, lists, quotes and fenced code. */
export function makeNote(size: number, seed = 1): string {
    const random = rng(seed);
    const word = (): string => WORDS[Math.floor(random() * WORDS.length)]!;
    const sentence = (): string => Array.from({ length: 6 + Math.floor(random() * 10) }, word).join(" ") + ".";
    const parts: string[] = [];
    let length = 0;
    for (let i = 0; length < size; i++) {
        const r = random();
        const block =
            r < 0.1
                ? `## Section ${i}`
                : r < 0.6
                  ? Array.from({ length: 3 }, sentence).join(" ")
                  : r < 0.8
                    ? Array.from({ length: 4 }, () => `- ${sentence()}`).join("\n")
                    : r < 0.9
                      ? `> ${sentence()}`
                      : `\`\`\`js\nconst x${i} = ${i};\nconsole.log(x${i});\n\`\`\``;
        parts.push(block);
        length += block.length + 2;
    }
    return `${parts.join("\n\n").slice(0, size - 40)}\n\nWhat do you make of all this?\n`;
}

/** The daemon's deltas for a reply of `count` tokens of `tokenLength` characters, and the final reply. */
export function makeDeltas(count: number, tokenLength: number, seed = 2): { deltas: Delta[]; reply: string } {
    const random = rng(seed);
    let text = "";
    while (text.length < count * tokenLength + 200) {
        const w = WORDS[Math.floor(random() * WORDS.length)]!;
        text += random() < 0.08 ? `${w}.\n\n` : `${w} `;
    }
    return daemonDeltas(Array.from({ length: count }, (_, i) => text.slice(i * tokenLength, (i + 1) * tokenLength)));
}
