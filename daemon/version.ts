import { readFileSync } from "node:fs";
import { join } from "node:path";

declare const __LODGE_VERSION__: string | undefined;

/** The package version: baked in by esbuild, read from package.json when run from source (tests). */
export const VERSION: string =
    typeof __LODGE_VERSION__ === "string"
        ? __LODGE_VERSION__
        : (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
