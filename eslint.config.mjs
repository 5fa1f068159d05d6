// Lint for the whole repository: typed typescript-eslint rules plus the layering rules (tools/eslint-boundaries.mjs):
// the repository's folders kept apart, daemon/'s layer order, and no import cycles.
// The Obsidian community rules run separately over plugin/ (eslint.plugin.config.mjs): they forbid Node and
// fetch-free habits the daemon needs.
import tseslint from "typescript-eslint";
import lodge from "./tools/eslint-boundaries.mjs";

export default tseslint.config(
    { ignores: ["main.js", "dist/**", "node_modules/**", "vault/**", "test-artifacts/**", "**/*.mjs", "**/*.cjs"] },
    {
        files: ["**/*.ts"],
        extends: [...tseslint.configs.recommendedTypeChecked],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { lodge },
        rules: {
            "lodge/boundaries": "error",
            "lodge/layers": "error",
            "lodge/no-cycles": "error",
            "@typescript-eslint/consistent-type-imports": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            eqeqeq: ["error", "smart"],
            "no-console": "error",
        },
    },
    {
        // The Obsidian shim mirrors Obsidian's API, whose classes refer to each other (one obsidian.d.ts):
        // its files name each other's types, and test/e2e/shim/api.ts maps every Obsidian class to its stand-in.
        files: ["test/e2e/shim/**/*.ts"],
        rules: { "lodge/no-cycles": "off" },
    },
    {
        // Tests poke at untyped JSON from the wire; asserting on it is the point.
        files: ["test/**/*.ts", "bench/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-non-null-assertion": "off",
            // Tests and the bench print their own reports.
            "no-console": "off",
        },
    },
);
