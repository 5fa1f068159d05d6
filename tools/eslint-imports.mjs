// What the lint rules of this folder share about imports: visiting each import of a file, and finding
// the project file a relative one names.
import { existsSync, statSync } from "node:fs";
import path from "node:path";

/** Listeners that call `check(node, spec)` for every import, re-export, dynamic import and require of a file. */
export function importVisitor(check) {
    return {
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
        CallExpression: (node) => {
            if (node.callee.type === "Identifier" && node.callee.name === "require" && node.arguments[0]?.type === "Literal") {
                check(node, node.arguments[0].value);
            }
        },
    };
}

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];

/** The file a relative import names, as TypeScript resolves it (`./x` → `x.ts`, `x/index.ts`); null for a package or nothing found. */
export function resolveImport(fromFile, spec) {
    if (typeof spec !== "string" || !spec.startsWith(".")) return null;
    const base = path.resolve(path.dirname(fromFile), spec);
    const candidates = [...EXTENSIONS.map((ext) => base + ext), base, ...EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
    if (/\.[cm]?js$/.test(base)) candidates.unshift(...EXTENSIONS.map((ext) => base.replace(/\.[cm]?js$/, ext)));
    return candidates.find((file) => existsSync(file) && statSync(file).isFile()) ?? null;
}
