/**
 * Where a note's frontmatter block is, without reading it. Dependency-free so the plugin can find
 * the block it must replace at the end of a turn without bundling a YAML parser.
 */

export interface FrontmatterBounds {
    /** Text after the opening `---` on its line (gray-matter's language). */
    lang: string;
    /** Offset where the YAML starts (after the opening line). */
    yamlStart: number;
    /** Offset of the closing `---` line. */
    closeStart: number;
    /** Offset just past the closing line and its line break. */
    end: number;
}

/**
 * Where the frontmatter block is, if the note has one: `---` on the first line (not `----`) and a
 * later line that is exactly `---`. An unclosed opener is an ordinary horizontal rule, as in Obsidian.
 */
export function findFrontmatter(text: string): FrontmatterBounds | null {
    if (!text.startsWith("---") || text.charCodeAt(3) === 45 /* - */) return null;
    const firstBreak = text.indexOf("\n");
    if (firstBreak < 0) return null;
    const lang = text.slice(3, firstBreak).trim();
    let lineStart = firstBreak + 1;
    while (lineStart <= text.length) {
        let lineEnd = text.indexOf("\n", lineStart);
        if (lineEnd < 0) lineEnd = text.length;
        const line = text.slice(lineStart, lineEnd).replace(/[ \t\r]+$/, "");
        if (line === "---") {
            return { lang, yamlStart: firstBreak + 1, closeStart: lineStart, end: Math.min(lineEnd + 1, text.length) };
        }
        if (lineEnd === text.length) break;
        lineStart = lineEnd + 1;
    }
    return null;
}
