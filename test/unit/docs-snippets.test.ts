// The code a reader pastes from README.md and docs/ compiles: every ```ts block that imports tsbpf
// is type-checked with the project's compiler settings, every ```js block that imports tsbpf is
// parsed by this Node (`node --check`: on Node 20, `using` there is a SyntaxError), and no block
// imports the repository's sources by path. A block whose first line is a file-name comment (`// counter.bpf.ts`) is written
// under that name, so a later block of the same page can import it; ```ts fragment blocks (pieces
// of a larger program) are left out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TS from "typescript";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

interface Snippet {
  page: string;
  line: number;
  lang: "ts" | "js";
  info: string;
  code: string;
}

function markdownPages(): string[] {
  const pages = ["README.md"];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && path !== join("docs", "api")) walk(path);
      else if (entry.name.endsWith(".md")) pages.push(path);
    }
  };
  walk("docs");
  return pages;
}

function snippets(page: string): Snippet[] {
  const lines = readFileSync(join(ROOT, page), "utf8").split("\n");
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript|mjs)\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== "```") body.push(lines[i]!);
    found.push({
      page,
      line: start + 1,
      lang: open[1]!.startsWith("t") ? "ts" : "js",
      info: open[2]!.trim(),
      code: `${body.join("\n")}\n`,
    });
  }
  return found;
}

const IMPORTS_TSBPF = /\bfrom\s+"tsbpf(\/[a-z]+)?"|import\(\s*"tsbpf/;
const SOURCE_PATH_IMPORT = /\bfrom\s+"(\.{1,2}\/)+(src|dist)\/|\bfrom\s+"tsbpf\/(src|dist)\//;

test("no code block in the README or docs imports the repository's files by path", () => {
  const offending = markdownPages()
    .flatMap(snippets)
    .filter((s) => SOURCE_PATH_IMPORT.test(s.code))
    .map((s) => `${s.page}:${s.line}`);
  assert.deepEqual(offending, [], "blocks should import tsbpf, tsbpf/kernel, tsbpf/compiler, …");
});

test("the README's and docs' code blocks that import tsbpf type-check as a user's project would", async () => {
  const checked = markdownPages()
    .flatMap(snippets)
    .filter((s) => IMPORTS_TSBPF.test(s.code) && !/\bfragment\b/.test(s.info));
  assert.ok(checked.filter((s) => s.page === "README.md").length >= 4, "the README's examples are among them");

  // Inside the checkout, so `tsbpf/...` resolves to this package (its self-reference) as it
  // resolves to the installed package in a user's project.
  const dir = mkdtempSync(join(ROOT, ".docs-check-"));
  try {
    const files = new Map<string, Snippet>();
    const perPage = new Map<string, number>();
    for (const s of checked) {
      const n = (perPage.get(s.page) ?? 0) + 1;
      perPage.set(s.page, n);
      const named = /^\/\/ ([\w.-]+\.(?:ts|mjs))\b/.exec(s.code)?.[1];
      const pageDir = join(dir, s.page.replace(/[/.]/g, "_"));
      mkdirSync(pageDir, { recursive: true });
      const file = join(pageDir, named ?? `block-${n}.${s.lang === "ts" ? "ts" : "mjs"}`);
      writeFileSync(file, s.code);
      files.set(file, s);
    }

    for (const [file, s] of files) {
      if (s.lang !== "js") continue;
      const result = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
      assert.equal(
        result.status,
        0,
        `${s.page}:${s.line} does not parse on Node ${process.version}:\n${result.stderr}`,
      );
    }

    const ts = (await import("typescript")).default as typeof TS;
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    assert.ok(config);
    const program = ts.createProgram({
      rootNames: [...files].filter(([, s]) => s.lang === "ts").map(([file]) => file),
      options: { ...config.options, noEmit: true },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => {
        const s = files.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${s.page}:${s.line + 1 + line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
      });
    assert.deepEqual(problems, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
