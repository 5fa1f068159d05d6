/**
 * Callouts as a reply writes them (docs/notes.md): the `> [!kind]` header line, quoted lines, and the
 * one-line titles and summaries callouts show of longer texts.
 */

/** A callout's header line: `> [!kind]` (folded: `> [!kind]-`), then the title if any, no trailing blanks. */
export function calloutHeader(kind: string, folded: boolean, title: string): string {
    const head = `> [!${kind}]${folded ? "-" : ""}`;
    return title === "" ? head : `${head} ${title}`;
}

/** A line inside a callout. */
export function quoteLine(line: string): string {
    return line === "" ? ">" : `> ${line}`;
}

/** One line, for callout titles: breaks collapsed, length capped. */
export function oneLine(text: string, max = 200): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** The first line with text, shortened: what a callout shows of a longer text. */
export function firstLine(text: string, max = 120): string {
    return oneLine(/[^\r\n]*\S[^\r\n]*/.exec(text)?.[0] ?? "", max);
}
