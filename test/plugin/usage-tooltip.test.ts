import "./setup";
import assert from "node:assert/strict";
import { StatusBar } from "../../plugin/ui/status-bar";

/** The few HTMLElement methods Obsidian adds that the status bar uses. */
function fakeEl(): HTMLElement & { attrs: Record<string, string>; text: string } {
    const el = {
        attrs: {} as Record<string, string>,
        text: "",
        addClass: () => undefined,
        toggleClass: () => undefined,
        setText(t: string) {
            el.text = t;
        },
        setAttr(k: string, v: string) {
            el.attrs[k] = v;
        },
    };
    return el as unknown as HTMLElement & { attrs: Record<string, string>; text: string };
}

describe("status bar: token usage in the tooltip (docs/context.md)", () => {
    it("shows the last turn's usage, then the conversation's total once known", () => {
        const el = fakeEl();
        const bar = new StatusBar(el);
        assert.equal(el.attrs["aria-label"], "Lodge: click to check the connection");
        const last = { input_tokens: 1200, output_tokens: 34, cache_read_tokens: 0, cache_write_tokens: 5 };
        bar.setUsage(last, null);
        assert.equal(
            el.attrs["aria-label"],
            "Lodge: click to check the connection\nLast turn: 1,200 in, 34 out, 0 cache read, 5 cache write",
        );
        bar.setUsage(last, { input_tokens: 5000, output_tokens: 100, cache_read_tokens: 2000, cache_write_tokens: 5 });
        assert.equal(
            el.attrs["aria-label"],
            "Lodge: click to check the connection\nLast turn: 1,200 in, 34 out, 0 cache read, 5 cache write\nThis conversation: 5,000 in, 100 out, 2,000 cache read, 5 cache write",
        );
        assert.equal(el.text, "Lodge: idle");
    });
});
