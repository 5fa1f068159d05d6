// `npm version <patch|minor|major|x.y.z>` runs this (the "version" script) after it has written the new
// version into package.json and before it commits and tags: the plugin's manifest.json gets the same
// version, and versions.json records which Obsidian version (minAppVersion) it needs, one entry per
// release, so Obsidian can offer an older release to an older app. The tag has no "v" (.npmrc), as
// Obsidian's release lookup expects the tag to equal manifest.json's version.
import { readFileSync, writeFileSync } from "node:fs";

const version = process.env.npm_package_version;
if (!version) {
    console.error("version-bump: run it through `npm version`, which sets npm_package_version");
    process.exit(1);
}
const manifest = JSON.parse(readFileSync("manifest.json", "utf8"));
manifest.version = version;
writeFileSync("manifest.json", `${JSON.stringify(manifest, null, 2)}\n`);
const versions = JSON.parse(readFileSync("versions.json", "utf8"));
versions[version] = manifest.minAppVersion;
writeFileSync("versions.json", `${JSON.stringify(versions, null, 2)}\n`);
