/**
 * Import first in every plugin unit test: makes `obsidian` resolve to the stub in ./stub (the real
 * package has no JavaScript). Node's resolver is asked for every `require`, tsx's included.
 */
import Module from "node:module";
import { join } from "node:path";

const STUB = join(__dirname, "stub", "obsidian.ts");
type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
if (!(original as { lodgeStub?: boolean }).lodgeStub) {
    const patched: Resolve = function (this: unknown, request, ...rest) {
        return original.call(this, request === "obsidian" ? STUB : request, ...rest);
    };
    (patched as { lodgeStub?: boolean }).lodgeStub = true;
    mod._resolveFilename = patched;
}
