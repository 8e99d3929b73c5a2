// `tsbpf init` as a user meets it: the packed tarball installed into an empty project, `npx tsbpf
// init` run from there for every template, the tarball installed into the generated project, and
// the generated project's own `npm test` passing — with its VM unit tests and its kernel tests
// both run, none skipped. Also the refusals (a non-empty directory, an unknown template).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packPackage, projectWithPackage, temporaryDirectory } from "../helpers/package-tarball.js";
import { TEMPLATE_NAMES } from "../../src/init/generate.js";

const root = process.getuid?.() === 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without what marks this process as a test runner's child (nested runners must report normally). */
function plainEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function run(command: string, args: readonly string[], cwd: string, timeout = 300_000): Run {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: plainEnvironment() });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let runner: string | undefined;
/** An empty project with the tarball installed, from which `npx tsbpf init` runs. */
function runnerProject(): string {
  return (runner ??= projectWithPackage("tsbpf-init-runner-"));
}

/** The node test runner's summary line `NAME N` (TAP "# pass 3" or spec "ℹ pass 3"). */
function summary(output: string, name: string): number {
  const m = new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, "m").exec(output);
  assert.ok(m, `no "${name}" count in the output of npm test:\n${output}`);
  return Number(m[1]);
}

for (const template of TEMPLATE_NAMES) {
  test(`tsbpf init --template ${template}: the generated project's npm test passes, VM and kernel tests run`, {
    timeout: 600_000,
  }, (t) => {
    if (!root) {
      t.skip("the generated kernel tests need root to load eBPF (they would skip, and this test checks that they ran)");
      return;
    }
    const { tarball } = packPackage();
    const dir = join(temporaryDirectory(`tsbpf-init-${template}-`), `my-${template}`);

    const init = run(
      "npx",
      ["--no-install", "tsbpf", "init", dir, "--template", template, "--tsbpf", tarball],
      runnerProject(),
    );
    assert.equal(init.status, 0, `tsbpf init failed: ${init.stderr}`);
    assert.match(init.stdout, new RegExp(`created my-${template} \\(${template}\\)`));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      name: string;
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    assert.equal(pkg.name, `my-${template}`);
    assert.equal(pkg.dependencies.tsbpf, `file:${tarball}`);
    assert.deepEqual(Object.keys(pkg.scripts).sort(), ["build", "start", "test"]);
    for (const file of [
      "src/kernel.bpf.ts",
      "src/main.ts",
      "test/unit.test.ts",
      "test/kernel.test.ts",
      "tsconfig.json",
      "README.md",
    ]) {
      assert.ok(existsSync(join(dir, file)), `${file} is generated`);
    }

    const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
    assert.equal(install.status, 0, `npm install in the generated project failed: ${install.stderr}`);

    const npmTest = run("npm", ["test"], dir);
    const output = `${npmTest.stdout}\n${npmTest.stderr}`;
    assert.equal(npmTest.status, 0, `npm test of the generated project failed:\n${output}`);
    assert.equal(summary(output, "fail"), 0);
    assert.equal(summary(output, "skipped"), 0, `a test was skipped:\n${output}`);
    assert.ok(summary(output, "pass") >= 2);
    assert.match(output, /^(?:ok \d+|✔) - VM: /m, "a VM unit test passed");
    assert.match(output, /^(?:ok \d+|✔) - kernel: /m, "a kernel test passed");
    assert.ok(existsSync(join(dir, "dist", "src", "kernel.bpf.json")), "npm run build wrote the kernel artifact");
  });
}

test("tsbpf init refuses a non-empty directory with one line, and writes nothing", { timeout: 300_000 }, () => {
  const dir = temporaryDirectory("tsbpf-init-busy-");
  writeFileSync(join(dir, "notes.txt"), "mine\n");
  const r = run("npx", ["--no-install", "tsbpf", "init", dir], runnerProject());
  assert.equal(r.status, 1);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `tsbpf init: ${dir} is not empty: tsbpf init writes a new project into an empty or new directory\n`,
  );
  assert.deepEqual(readFileSync(join(dir, "notes.txt"), "utf8"), "mine\n");
  assert.ok(!existsSync(join(dir, "package.json")));
});

test("tsbpf init refuses an unknown template with one line naming the templates, and creates nothing", {
  timeout: 300_000,
}, () => {
  const parent = temporaryDirectory("tsbpf-init-unknown-");
  const dir = join(parent, "app");
  const r = run("npx", ["--no-install", "tsbpf", "init", dir, "--template", "kprobe"], runnerProject());
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `tsbpf init: unknown template "kprobe" (templates: ${TEMPLATE_NAMES.join(", ")})\n`);
  assert.ok(!existsSync(dir), "no directory created");
  // An empty directory that exists is fine: the refusal above is about the template, not the place.
  mkdirSync(dir);
  const ok = run("npx", ["--no-install", "tsbpf", "init", dir, "--template", "socket-filter"], runnerProject());
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(
    readFileSync(join(dir, "README.md"), "utf8"),
    /^Socket filter: drops datagrams starting with a marker byte/m,
  );
});
