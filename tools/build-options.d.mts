// Types of tools/build-options.mjs for the TypeScript that imports it (the e2e harness).
import type { BuildOptions } from "esbuild";

export declare const ROOT: string;
export declare const define: Record<string, string>;
export declare const plugin: BuildOptions;
export declare const daemon: BuildOptions;
