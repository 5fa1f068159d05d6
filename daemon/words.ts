/** Small pieces of the sentences the CLI prints, so every command says them the same way. */

/** "1 problem", "2 problems". */
export function plural(n: number, noun: string, many = `${noun}s`): string {
    return `${n} ${n === 1 ? noun : many}`;
}

/**
 * Colours for a terminal only: never when the output is a file or a pipe, never with NO_COLOR set
 * (https://no-color.org: any non-empty value).
 */
export function colours(
    stream: { isTTY?: boolean },
    env: NodeJS.ProcessEnv = process.env,
): { red(s: string): string; green(s: string): string; yellow(s: string): string } {
    const on = stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
    const paint =
        (code: number) =>
        (s: string): string =>
            on ? `\u001b[${code}m${s}\u001b[0m` : s;
    return { red: paint(31), green: paint(32), yellow: paint(33) };
}
