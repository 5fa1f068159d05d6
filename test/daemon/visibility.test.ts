import assert from "node:assert/strict";
import { type ConfigError, validateConfig } from "../../daemon/config";
import { noteTags, Visibility } from "../../daemon/vault/visibility";

describe("which notes an agent may see (context.exclude, hidden paths)", () => {
    const v = new Visibility(["Private/", "Journal/secret", "#private", "#Work/Clients"]);

    it("hidden paths never; excluded folders at any depth, in any case; a prefix without / names a note too", () => {
        const rule = (p: string): string | null => v.pathRule(p);
        assert.equal(rule(".obsidian/app.md"), "hidden");
        assert.equal(rule("Notes/.draft.md"), "hidden");
        assert.equal(rule("Private/a.md"), "excluded");
        assert.equal(rule("private/deep/er/a.md"), "excluded");
        assert.equal(rule("Private.md"), null);
        assert.equal(rule("PrivateNotes/a.md"), null);
        assert.equal(rule("Journal/secret.md"), "excluded");
        assert.equal(rule("Journal/secrets.md"), null);
        assert.equal(rule("Notes/a.md"), null);
    });

    it("tags from frontmatter (list or text, with or without #) and inline, nested tags count for their parents", () => {
        assert.deepEqual(noteTags("---\ntags: [Diary, '#Private/health']\n---\nbody #idea and #2024 and a#b and &#35; #x/y/\n").sort(), [
            "diary",
            "idea",
            "private/health",
            "x/y",
        ]);
        assert.deepEqual(noteTags('---\ntags: "#work, home  garden"\n---\n').sort(), ["garden", "home", "work"]);
        assert.deepEqual(
            noteTags("---\ntags: [unclosed\n---\nbody\n").includes("unclosed"),
            true,
            "unreadable frontmatter: every word counts",
        );
        const note = (text: string): string | null => v.note("Notes/a.md", text);
        assert.equal(note("text #private/health here"), "excluded");
        assert.equal(note("---\ntag: private\n---\n"), "excluded");
        assert.equal(note("text #privateer here"), null);
        assert.equal(note("text #work/clients/acme"), "excluded");
        assert.equal(note("text #work"), null);
        assert.equal(note("see https://example.com/page#private"), null);
    });

    it("config: vault_tools read|off, context.exclude checked, link_chars accepted; every problem listed", () => {
        const ok = validateConfig(
            { agents: { a: { backend: "openai", vault_tools: "off" } }, context: { exclude: ["Private/", "#private"], link_chars: 1000 } },
            "c.yaml",
        );
        assert.equal(ok.agents.a!.vault_tools, "off");
        assert.deepEqual(ok.context, { exclude: ["Private/", "#private"], link_chars: 1000 });
        assert.deepEqual(validateConfig({}, "c.yaml").context, { exclude: [], link_chars: 60_000 });
        assert.throws(
            () =>
                validateConfig(
                    {
                        agents: { a: { backend: "openai", vault_tools: "write" } },
                        context: { exclude: ["#", "# private", "../x", "/"], other: 1 },
                    },
                    "c.yaml",
                ),
            (err: ConfigError) => {
                assert.deepEqual(err.problems, [
                    "c.yaml: agents.a.vault_tools: must be read or off",
                    "c.yaml: context.other: unknown key",
                    'c.yaml: context.exclude: "#": a tag is # then letters, digits, _, - or / (no spaces), such as #private',
                    'c.yaml: context.exclude: "# private": a tag is # then letters, digits, _, - or / (no spaces), such as #private',
                    'c.yaml: context.exclude: "../x": a folder inside the vault is expected (no ..)',
                    'c.yaml: context.exclude: "/": names no folder; to hide the whole vault set vault_tools: off on the agents instead',
                ]);
                return true;
            },
        );
    });
});
