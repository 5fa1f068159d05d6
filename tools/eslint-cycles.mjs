// ESLint rule `lodge/no-cycles`: no import cycle among the project's own files, type-only imports included
// (a cycle of types still ties two files together, and the layer order stops meaning anything). Each import
// of the linted file is checked: when the imported file leads back to it, the import closes a cycle and the
// report shows the whole loop.
//
// The graph is read from disk with TypeScript's preProcessFile (the import specifiers only, no type check) and
// kept for one lint run: files are linted one after another, so a pause of RUN_GAP_MS starts a new graph (an
// editor's long-lived ESLint sees files changed in between). The linted file's own imports come from its syntax
// tree as ESLint has it, so an unsaved edit counts.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { importVisitor, resolveImport } from "./eslint-imports.mjs";

const RUN_GAP_MS = 3000;

let graph = newGraph();
let lastUse = 0;

function newGraph() {
    /** edges: file → the project files it imports; component: file → its strongly connected component; found: import → file. */
    return { edges: new Map(), component: new Map(), next: 0, found: new Map() };
}

function resolve(file, spec) {
    const key = path.resolve(path.dirname(file), spec);
    if (!graph.found.has(key)) graph.found.set(key, resolveImport(file, spec));
    return graph.found.get(key);
}

function importsOf(file, text) {
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    return [
        ...new Set(
            specs
                .filter((spec) => spec.startsWith("."))
                .map((spec) => resolve(file, spec))
                .filter((f) => f !== null && !f.includes(`${path.sep}node_modules${path.sep}`)),
        ),
    ];
}

function edgesOf(file) {
    let edges = graph.edges.get(file);
    if (!edges) {
        let text = "";
        try {
            text = readFileSync(file, "utf8");
        } catch {
            // gone since it was named: no edges
        }
        graph.edges.set(file, (edges = importsOf(file, text)));
    }
    return edges;
}

/** Tarjan's algorithm from `start`: every file it reaches gets its component. Components found before are final. */
function settle(start) {
    let counter = 0;
    const index = new Map();
    const low = new Map();
    const stack = [];
    const onStack = new Set();
    const visit = (v) => {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
        for (const w of edgesOf(v)) {
            if (graph.component.has(w)) continue;
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        }
        if (low.get(v) !== index.get(v)) return;
        const id = graph.next++;
        let w;
        do {
            w = stack.pop();
            onStack.delete(w);
            graph.component.set(w, id);
        } while (w !== v);
    };
    visit(start);
}

/** The shortest way from `from` back to `to` inside their component, both ends included. */
function loop(from, to) {
    const id = graph.component.get(to);
    const parent = new Map([[from, null]]);
    const queue = [from];
    while (queue.length > 0) {
        const v = queue.shift();
        if (v === to) break;
        for (const w of edgesOf(v)) {
            if (!parent.has(w) && graph.component.get(w) === id) {
                parent.set(w, v);
                queue.push(w);
            }
        }
    }
    const steps = [];
    for (let v = to; v !== null && v !== undefined; v = parent.get(v)) steps.unshift(v);
    return steps;
}

export default {
    meta: { type: "problem", docs: { description: "No import cycles among the project's own files." }, schema: [] },
    create(context) {
        const now = Date.now();
        if (now - lastUse > RUN_GAP_MS) graph = newGraph();
        lastUse = now;
        const file = context.filename;
        const imports = [];
        return {
            ...importVisitor((node, spec) => {
                const target = typeof spec === "string" && spec.startsWith(".") ? resolve(file, spec) : null;
                if (target !== null) imports.push({ node, target });
            }),
            "Program:exit": () => {
                const own = [...new Set(imports.map((i) => i.target))];
                const known = graph.edges.get(file);
                if (known && known.join("\n") !== own.join("\n")) graph = { ...newGraph(), edges: graph.edges, found: graph.found };
                graph.edges.set(file, own);
                if (!graph.component.has(file)) settle(file);
                for (const { node, target } of imports) {
                    if (graph.component.get(target) !== graph.component.get(file)) continue;
                    const steps = [file, ...loop(target, file)]
                        .map((f) => path.relative(context.cwd, f).split(path.sep).join("/"))
                        .join(" → ");
                    context.report({
                        node,
                        message: `This import closes an import cycle: ${steps}. Move what these files share into a file that imports none of them.`,
                    });
                }
            },
        };
    },
};
