/** A small seeded PRNG (mulberry32) so random tests replay exactly from their seed. */
export function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)]!;
}

/** Random text built from markdown-ish pieces that stress the note rules. */
export function markdownish(random: () => number, pieces: number): string {
    const parts = [
        "hello",
        "world",
        " ",
        "\n",
        "\n\n",
        "### User:",
        "## Assistant",
        "# user",
        "```",
        "~~~",
        "````js",
        "\\### User:",
        "> [!tool]- x",
        "> quote",
        "---",
        "- item",
        "    indented",
        "émoji 😀",
        "\t",
        "\r\n",
        "#",
        "User:",
        "`code`",
        "\\",
    ];
    let out = "";
    for (let i = 0; i < pieces; i++) out += pick(random, parts);
    return out;
}
