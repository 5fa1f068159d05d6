/**
 * The project's own lint rules (tools/eslint-boundaries.mjs) catch what they are there for: an import up
 * daemon/'s layer order, a daemon folder with no place in it, and an import cycle (type-only imports
 * included). Each runs through ESLint's API on a small fixture, as `npm run lint` runs it.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { ROOT, scratch } from "../helpers/daemon";

async function lint(cwd: string, filePath: string, code: string): Promise<string[]> {
    // The plugin is plain JavaScript outside the type-checked tree: loaded at run time.
    const lodge = ((await import(pathToFileURL(join(ROOT, "tools", "eslint-boundaries.mjs")).href)) as { default: ESLint.Plugin }).default;
    const eslint = new ESLint({
        cwd,
        overrideConfigFile: true,
        overrideConfig: [
            {
                files: ["**/*.ts"],
                languageOptions: { parser: tseslint.parser },
                plugins: { lodge },
                rules: { "lodge/boundaries": "error", "lodge/layers": "error", "lodge/no-cycles": "error" },
            },
        ],
    });
    const [result] = await eslint.lintText(code, { filePath });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("lint rules (tools/eslint-boundaries.mjs)", () => {
    it("lodge/boundaries: memory/ starts git only through its git modules", async () => {
        const code = 'import { spawn } from "node:child_process";\nexport const run = spawn;\n';
        const messages = await lint(ROOT, join(ROOT, "daemon", "memory", "fixture.ts"), code);
        assert.deepEqual(messages, [
            "lodge/boundaries: 'node:child_process' may only be used in daemon/memory/git-process.ts within daemon/memory/.",
        ]);
        assert.deepEqual(await lint(ROOT, join(ROOT, "daemon", "memory", "git-process.ts"), code), []);
        assert.deepEqual(await lint(ROOT, join(ROOT, "daemon", "host-checks.ts"), code), []);
    });

    it("lodge/layers: a daemon file importing a layer above it is reported, with the order", async () => {
        const messages = await lint(
            ROOT,
            join(ROOT, "daemon", "vault", "fixture.ts"),
            'import type { TurnService } from "../services/turn-service";\nexport type T = TurnService;\n',
        );
        assert.equal(messages.length, 1, messages.join("\n"));
        assert.match(
            messages[0]!,
            /^lodge\/layers: daemon\/vault must not import daemon\/services, a layer above it \(\.\.\/services\/turn-service\)\./,
        );
        assert.match(
            messages[0]!,
            /Layers, lowest first: .*store < vault < .*services < .*watch < .*http < .*commands < .*main\/cli-errors\/cli\./,
        );
    });

    it("lodge/layers: importing down the order, or within a layer, is fine", async () => {
        const code =
            'import type { NotePath } from "../vault/vault";\nimport type { Logger } from "../log";\nimport type { EventHub } from "./event-hub";\nexport type T = [NotePath, Logger, EventHub];\n';
        assert.deepEqual(await lint(ROOT, join(ROOT, "daemon", "services", "fixture.ts"), code), []);
    });

    it("lodge/layers: a daemon folder that is not in the order is named", async () => {
        const messages = await lint(
            ROOT,
            join(ROOT, "daemon", "gadgets", "fixture.ts"),
            'import type { Db } from "../store/db";\nexport type T = Db;\n',
        );
        assert.deepEqual(messages, [
            "lodge/layers: daemon/gadgets has no place in daemon/'s layers: add it to DAEMON_LAYERS in tools/eslint-boundaries.mjs, above what it imports.",
        ]);
    });

    it("lodge/no-cycles: the import that closes a cycle is reported with the loop; a type-only link counts", async () => {
        const dir = scratch("lodge-cycle-");
        mkdirSync(join(dir, "lib"));
        writeFileSync(join(dir, "lib", "b.ts"), 'import { c } from "./c";\nexport const b = c + 1;\n');
        writeFileSync(join(dir, "lib", "c.ts"), 'import type { A } from "../a";\nexport const c = 1;\nexport type C = A;\n');
        writeFileSync(join(dir, "lib", "d.ts"), "export const d = 4;\n");
        const code =
            'import { b } from "./lib/b";\nimport { d } from "./lib/d";\nexport interface A { n: number }\nexport const a = b + d;\n';
        writeFileSync(join(dir, "a.ts"), code);
        const messages = await lint(dir, join(dir, "a.ts"), code);
        assert.deepEqual(messages, [
            "lodge/no-cycles: This import closes an import cycle: a.ts → lib/b.ts → lib/c.ts → a.ts. Move what these files share into a file that imports none of them.",
        ]);
    });

    it("lodge/no-cycles: the same files without the link back are fine", async () => {
        const dir = scratch("lodge-no-cycle-");
        mkdirSync(join(dir, "lib"));
        writeFileSync(join(dir, "lib", "b.ts"), 'import { c } from "./c";\nexport const b = c + 1;\n');
        writeFileSync(join(dir, "lib", "c.ts"), "export const c = 1;\n");
        assert.deepEqual(await lint(dir, join(dir, "a.ts"), 'import { b } from "./lib/b";\nexport const a = b;\n'), []);
    });
});
