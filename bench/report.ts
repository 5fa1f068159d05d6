/** One line of `npm run bench`: a figure beside its budget. */
export interface BenchRow {
    /** What was measured, e.g. "SSE bytes, 1 MB note, 20 KB reply in 2,000 deltas". */
    name: string;
    /** The figure, already in `unit`. */
    value: number;
    unit: string;
    /** The budget in `unit`; the row fails when `value` exceeds it (or falls below it when `atLeast`). */
    budget: number;
    atLeast?: boolean;
    /** Context printed after the row (a comparison figure, sample counts). */
    note?: string;
}

/** A bench file exports `run`, which measures and returns its rows. */
export type BenchModule = { run: () => Promise<BenchRow[]> };

export function passed(row: BenchRow): boolean {
    return row.atLeast ? row.value >= row.budget : row.value <= row.budget;
}

export function formatRow(row: BenchRow): string {
    const mark = passed(row) ? "ok  " : "MISS";
    const value = Number.isInteger(row.value) ? String(row.value) : row.value.toFixed(2);
    const budget = `${row.atLeast ? "≥" : "≤"} ${row.budget} ${row.unit}`;
    return `${mark} ${row.name}: ${value} ${row.unit} (budget ${budget})${row.note ? ` — ${row.note}` : ""}`;
}
