// Every tool's kernel program is compiled ahead of time by `npm run build`; the artifacts in dist
// must be what the current sources compile to, and loading one must not load TypeScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFile } from "../../src/compiler/compile.js";
import { exampleKernelSources, PREBUILT_CPU, toolArtifactPath, toolKernelSources } from "../../scripts/build-kernel.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const sources = toolKernelSources(ROOT);

test("tool kernel programs: the tools have kernel TypeScript sources", () => {
  assert.ok(sources.length > 0, "no src/tools/**/*.bpf.ts found");
});

for (const source of [...sources, ...exampleKernelSources(ROOT)]) {
  test(`kernel programs: ${source} is prebuilt and current`, async () => {
    const built = JSON.parse(readFileSync(toolArtifactPath(source, ROOT), "utf8")) as Record<string, unknown>;
    const fresh = JSON.parse(JSON.stringify(await compileFile(join(ROOT, source), { cpu: PREBUILT_CPU }))) as Record<
      string,
      unknown
    >;
    delete built.compileMs;
    delete fresh.compileMs;
    assert.deepEqual(built, fresh);
  });
}

test("tool kernel programs: loading a prebuilt artifact never loads the TypeScript compiler", () => {
  const script = `
    const { toolKernelSources, exampleKernelSources, toolArtifactPath } = await import(${JSON.stringify(join(ROOT, "dist/scripts/build-kernel.js"))});
    const { KernelObject } = await import(${JSON.stringify(join(ROOT, "dist/src/loader/kernel-object.js"))});
    for (const s of [...toolKernelSources(${JSON.stringify(ROOT)}), ...exampleKernelSources(${JSON.stringify(ROOT)})]) KernelObject.readArtifact(toolArtifactPath(s, ${JSON.stringify(ROOT)}));
    const { createRequire } = await import("node:module");
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("/typescript/"));
    process.stdout.write(JSON.stringify(loaded));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), []);
});
