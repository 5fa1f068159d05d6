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
    },
]);
