/**
 * How much of a partial reply to show while it streams. The daemon already keeps the partial reply
 * well-formed (an open code fence is closed, role lines are escaped), so nearly everything is shown
 * at once. The exception is a table: Live Preview renders a row that is still being written as a
 * table whose columns change with every token, and the layout below it jumps. Such a line waits until
 * the next line starts (the daemon never sends a line's break before text follows it).
 */

/** A line that renders as a table row: optional indentation of up to 3 spaces, then a pipe. */
const TABLE_ROW = /^ {0,3}\|/;

/** The part of `reply` to put in the editor now. At `done` the whole reply is shown. */
export function visiblePart(reply: string): string {
    const lineStart = reply.lastIndexOf("\n") + 1;
    if (!TABLE_ROW.test(reply.slice(lineStart))) return reply;
    return reply.slice(0, Math.max(0, lineStart - 1));
}
