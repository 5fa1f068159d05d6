// Obsidian's community-plugin rules (eslint-plugin-obsidianmd, recommended), for plugin/ only.
import obsidianmd from "eslint-plugin-obsidianmd";
import { defineConfig } from "eslint/config";

export default defineConfig([
    { ignores: ["main.js", "dist/**", "node_modules/**", "**/*.mjs", "**/*.cjs"] },
    ...obsidianmd.configs.recommended,
    {
        languageOptions: {
            parserOptions: { project: "./tsconfig.plugin.json", tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // manifest.json says isDesktopOnly: false. Node built-in modules are refused by tools/eslint-boundaries.mjs;
            // Node's globals are refused here, because Obsidian on a phone has none of them.
            "no-restricted-syntax": [
                "error",
                {
                    selector:
                        "Identifier[name=/^(process|Buffer|require|__dirname|__filename|global|setImmediate)$/]:not(MemberExpression > Identifier.property):not(Property > Identifier.key):not(MethodDefinition > Identifier.key):not(TSMethodSignature > Identifier.key):not(TSPropertySignature > Identifier.key)",
                    message:
                        "Node-only global: the plugin also runs on Obsidian mobile, which has no Node. Use a browser API (fetch, TextEncoder, window timers).",
                },
            ],
        },
    },
]);
