import assert from "node:assert/strict";
import { personMessage } from "../../daemon/cli-errors";
import { findClaude } from "../../daemon/agent-detect";
import { DEFAULT_MODELS } from "../../daemon/config";
import { anthropicDeprecation } from "../../daemon/model-check";
import { colours, plural } from "../../daemon/words";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, scratch } from "../helpers/daemon";

describe("CLI wording", () => {
    it("plurals read right", () => {
        assert.equal(plural(0, "problem"), "0 problems");
        assert.equal(plural(1, "problem"), "1 problem");
        assert.equal(plural(2, "agent"), "2 agents");
    });

    it("colours only on a terminal, and never with NO_COLOR", () => {
        assert.equal(colours({ isTTY: true }, {}).red("x"), "\u001b[31mx\u001b[0m");
        assert.equal(colours({ isTTY: false }, {}).red("x"), "x");
        assert.equal(colours({ isTTY: true }, { NO_COLOR: "1" }).red("x"), "x");
        assert.equal(colours({ isTTY: true }, { TERM: "dumb" }).green("x"), "x");
    });

    it("system errors become sentences without their codes", () => {
        const err = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y'"), { code: "ENOENT", path: "/x/y" });
        assert.equal(personMessage(err, {}), "/x/y does not exist");
        const bug = new Error("boom\nmore");
        assert.equal(personMessage(bug, {}), "boom (set LODGE_DEBUG=1 to see where it happened)");
        assert.match(personMessage(bug, { LODGE_DEBUG: "1" }), /\n\s+at /);
    });

    it("reads the Anthropic SDK's deprecation table; the default models are not in it", () => {
        assert.match(
            anthropicDeprecation("claude-sonnet-4-5")!,
            /^The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on /,
        );
        assert.equal(anthropicDeprecation(DEFAULT_MODELS.anthropic), null);
        assert.equal(anthropicDeprecation("claude-made-up"), null);
    });

    it("a claude in the project's own node_modules/.bin does not count; one elsewhere on PATH does", () => {
        const own = join(ROOT, "node_modules", ".bin");
        assert.equal(findClaude(`${own}:/nonexistent`), null);
        const bin = scratch();
        writeFileSync(join(bin, "claude"), "#!/bin/sh\n");
        chmodSync(join(bin, "claude"), 0o755);
        assert.equal(findClaude(`${own}:${bin}`), join(bin, "claude"));
    });
});
