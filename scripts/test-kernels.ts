// `npm run test:kernels`: the kernel matrix. Boots Debian's kernels under qemu (TCG: no KVM is
// assumed) with the built tree and runs there the tests of the hooks the project's own machines
// forbid (kprobes, trampolines, LSM) and the instruction-set tests, runs the same files on this
// machine's kernel, and writes docs/kernel-matrix.md from those results.
//
// The guest is an initramfs: busybox, this machine's node with its libraries, dist/ and koffi. It
// mounts proc/sys/tracefs/bpffs, runs each test file with the TAP reporter, and powers off. The
// kernels come from the Debian registry with `apt-get download` and are cached in
// node_modules/.cache/tsbpf/kernels/, one directory per package version.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { release, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { decideSetup, findOnPath, isPresent, requirementName, type Requirement } from "./test-setup.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE = join(ROOT, "node_modules", ".cache", "tsbpf", "kernels");

/** What the matrix needs beyond what `npm test` needs. */
export const KERNEL_REQUIREMENTS: readonly Requirement[] = [
  { command: "qemu-system-x86_64", debian: "qemu-system-x86", usedFor: "booting the other kernels (TCG)" },
  { command: "busybox", debian: "busybox-static", usedFor: "the guest's shell, mounts and cpio" },
  { command: "lz4", debian: "lz4", usedFor: "compressing the guest's initramfs" },
  { command: "apt-get", debian: "apt", usedFor: "downloading Debian's kernel packages" },
  { command: "dpkg-deb", debian: "dpkg", usedFor: "taking the kernel out of its package" },
];

/**
 * A test file of the matrix; `guestTests` selects (a --test-name-pattern, positive: node matches a
 * pattern against the enclosing names too, so a negative lookahead selects everything) the tests
 * that need no host tools (clang, bpftool, llvm-objdump, setpriv).
 */
export interface MatrixFile {
  readonly file: string;
  readonly hook: string;
  readonly guestTests?: string;
}

export const MATRIX_FILES: readonly MatrixFile[] = [
  { file: "dist/test/kernel/kprobe.test.js", hook: "kprobe, kretprobe, kprobe.multi (framework)" },
  { file: "dist/test/kernel/fentry.test.js", hook: "fentry, fexit, fmod_ret (framework)" },
  {
    file: "dist/test/kernel/compiler-kernel-functions.test.js",
    hook: "kprobe/kretprobe/kprobe.multi/fentry/fexit/fmod_ret/lsm markers (kernel TypeScript)",
    guestTests:
      "^(kernel-function mistakes|kprobe and kretprobe markers|a kprobe.multi marker|fentry, fexit and fmod_ret markers|an lsm marker)",
  },
  {
    file: "dist/test/kernel/example-tcp-monitor.test.js",
    hook: "kprobe TCP monitor example (kprobe/kretprobe on tcp_v4/v6_connect, tcp_sendmsg, tcp_cleanup_rbuf, tcp_close)",
  },
  {
    file: "dist/test/kernel/tool-tcp-hooks.test.js",
    hook: "tsbpf tcp --hooks fentry, kprobe, tracepoint (the same counts from each family)",
  },
  {
    file: "dist/test/kernel/compiler-cpu.test.js",
    hook: "instruction set targets v1…v4 (--cpu)",
    guestTests: "^(probing finds|v1.v4 compiles|tsbpf compile --cpu)",
  },
];

export interface TestResult {
  readonly name: string;
  readonly outcome: "pass" | "fail" | "skip";
  readonly note?: string;
  /** What the test found the kernel doing (its "kernel: …" diagnostics): loaded, attached, events or refused. */
  readonly detail?: string;
}

export interface FileResult {
  readonly file: string;
  readonly exitCode: number | null;
  readonly tests: readonly TestResult[];
}

export interface KernelRun {
  readonly label: string;
  readonly release: string;
  readonly where: string;
  readonly seconds: number;
  readonly files: readonly FileResult[];
  readonly problem?: string;
}

/**
 * The top-level results of one file's TAP output: `ok N - name`, `not ok N - name`, with a
 * `# SKIP reason` directive. Subtests (deeper indentation) belong to their parent's outcome.
 */
export function parseTap(tap: string): TestResult[] {
  const results: { indent: number; result: TestResult }[] = [];
  for (const line of tap.split("\n")) {
    const m = /^(\s*)(not )?ok \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(line);
    if (m) {
      const outcome = m[4] === "SKIP" ? "skip" : m[2] ? "fail" : "pass";
      results.push({
        indent: m[1]!.length,
        result: m[5] ? { name: m[3]!, outcome, note: m[5] } : { name: m[3]!, outcome },
      });
      continue;
    }
    // The tests say which branch they took (t.diagnostic): "kernel: …" after their result.
    const d = /^(\s*)# kernel: (.*)$/.exec(line);
    const last = results.at(-1);
    if (d && last && last.indent === d[1]!.length)
      last.result = { ...last.result, detail: last.result.detail ? `${last.result.detail}; ${d[2]}` : d[2] };
  }
  if (results.length === 0) return [];
  const top = Math.min(...results.map((r) => r.indent));
  return results.filter((r) => r.indent === top).map((r) => r.result);
}

function say(line: string): void {
  process.stdout.write(`tsbpf test:kernels: ${line}\n`);
}

/** Stops the run with one line; thrown, so the temporary directory is still removed. */
class StopRun extends Error {}

function fail(line: string): never {
  throw new StopRun(line);
}

function run(argv: readonly string[], options: { cwd?: string; timeout?: number } = {}) {
  return spawnSync(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    encoding: "utf8",
    timeout: options.timeout,
    maxBuffer: 1 << 28,
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function mustRun(argv: readonly string[], cwd?: string): string {
  const r = run(argv, { cwd });
  if (r.status !== 0)
    fail(`"${argv.join(" ")}" failed (${r.error?.message ?? `exit code ${r.status}`}): ${r.stderr.trim()}`);
  return r.stdout;
}

function ensureTools(): void {
  const missing = KERNEL_REQUIREMENTS.filter((r) => !isPresent(r));
  const decision = decideSetup({
    missing,
    root: process.getuid?.() === 0,
    aptGet: findOnPath("apt-get") !== undefined,
  });
  if (decision.action === "nothing") return;
  if (decision.action === "stop") fail(decision.line.replace(/^tsbpf tests: /, ""));
  say(decision.line.replace(/^tsbpf tests: /, ""));
  mustRun(["apt-get", "update"]);
  mustRun(["apt-get", "install", "-y", "--no-install-recommends", ...decision.packages]);
  const still = KERNEL_REQUIREMENTS.filter((r) => !isPresent(r));
  if (still.length > 0) fail(`still missing ${still.map(requirementName).join(", ")} after installing`);
}

/** A kernel package of the registry: the newest whose name matches. */
interface KernelPackage {
  readonly label: string;
  readonly name: string;
  readonly version: string;
}

const versionCompare = (a: string, b: string): number =>
  run(["dpkg", "--compare-versions", a, "lt", b]).status === 0 ? -1 : a === b ? 0 : 1;

function newestPackage(label: string, pattern: string, updated: { done: boolean }): KernelPackage {
  const search = () =>
    run(["apt-cache", "search", "--names-only", pattern])
      .stdout.split("\n")
      .map((line) => line.split(" ")[0]!)
      .filter((name) => name !== "");
  let names = search();
  if (names.length === 0 && !updated.done && process.getuid?.() === 0) {
    say("no kernel packages known to apt; running apt-get update");
    mustRun(["apt-get", "update"]);
    updated.done = true;
    names = search();
  }
  if (names.length === 0) fail(`the registry has no package matching ${pattern} (apt-get update?)`);
  // Package names carry the kernel version (6.1.0-NN, 6.12.NNN+debNN): the newest sorts last.
  const name = names
    .sort((a, b) => versionCompare(a.replace(/^linux-image-/, ""), b.replace(/^linux-image-/, "")))
    .at(-1)!;
  const version = /^Version: (.+)$/m.exec(mustRun(["apt-cache", "show", "--no-all-versions", name]))?.[1];
  if (!version) fail(`apt-cache show ${name} names no version`);
  return { label, name, version };
}

/** The package's vmlinuz, downloaded once and kept in the cache under its name and version. */
function kernelImage(pkg: KernelPackage): string {
  const dir = join(CACHE, `${pkg.name}_${pkg.version.replace(/[^A-Za-z0-9.+~-]/g, "_")}`);
  const image = join(dir, "vmlinuz");
  if (existsSync(image)) return image;
  const work = mkdtempSync(join(tmpdir(), "tsbpf-kernel-deb-"));
  try {
    say(`downloading ${pkg.name} ${pkg.version}`);
    mustRun(["apt-get", "download", `${pkg.name}=${pkg.version}`], work);
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    if (!deb) fail(`apt-get download ${pkg.name} left no .deb`);
    const unpacked = join(work, "x");
    mustRun(["dpkg-deb", "-x", join(work, deb), unpacked]);
    const vmlinuz = readdirSync(join(unpacked, "boot")).find((f) => f.startsWith("vmlinuz-"));
    if (!vmlinuz) fail(`${deb} holds no boot/vmlinuz-*`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(unpacked, "boot", vmlinuz), image);
    return image;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const GUEST_INIT = `#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp; mount -t tracefs tracefs /sys/kernel/tracing; mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
ifconfig lo 127.0.0.1 up
echo "=== guest kernel $(cat /proc/sys/kernel/osrelease)"
cd /work/checkout
export PATH=/bin:/usr/bin HOME=/tmp
while IFS='|' read -r file pattern; do
  echo "=== file $file"
  if [ -n "$pattern" ]; then node --test --test-reporter=tap --test-name-pattern="$pattern" "$file"
  else node --test --test-reporter=tap "$file"; fi
  echo "=== file exit $?"
done < /tests
echo "=== guest done"
poweroff -f
`;

/** Builds the guest's initramfs (lz4-compressed newc cpio) in `work`; returns its path. */
function buildInitramfs(work: string): string {
  const root = join(work, "root");
  for (const d of ["bin", "proc", "sys", "dev", "tmp", "usr/bin", "work/checkout/node_modules/@koromix"])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync(findOnPath("busybox")!, join(root, "bin", "busybox"));
  chmodSync(join(root, "bin", "busybox"), 0o755);
  for (const applet of ["sh", "mount", "poweroff", "cat", "ifconfig", "true", "ls", "rm", "mkdir", "sleep"])
    symlinkSync("busybox", join(root, "bin", applet));
  const node = realpathSync(process.execPath);
  copyFileSync(node, join(root, "usr", "bin", "node"));
  chmodSync(join(root, "usr", "bin", "node"), 0o755);
  // The libraries node links against, at the paths the dynamic loader looks for them.
  for (const line of mustRun(["ldd", node]).split("\n")) {
    const lib = /=> (\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1];
    if (!lib) continue;
    mkdirSync(join(root, dirname(lib)), { recursive: true });
    copyFileSync(realpathSync(lib), join(root, lib));
  }
  const checkout = join(root, "work", "checkout");
  cpSync(join(ROOT, "dist"), join(checkout, "dist"), { recursive: true });
  copyFileSync(join(ROOT, "package.json"), join(checkout, "package.json"));
  // Kernel TypeScript is compiled in the guest: the compiler needs typescript, the sources of the
  // kernel declarations and the examples the tests compile.
  for (const d of ["src", "examples", "tsconfig.json"])
    if (existsSync(join(ROOT, d))) cpSync(join(ROOT, d), join(checkout, d), { recursive: true });
  for (const d of ["koffi", "typescript"])
    cpSync(join(ROOT, "node_modules", d), join(checkout, "node_modules", d), { recursive: true });
  const koromix = join(ROOT, "node_modules", "@koromix");
  if (existsSync(koromix))
    for (const d of readdirSync(koromix).filter((d) => d.startsWith("koffi-linux-")))
      cpSync(join(koromix, d), join(checkout, "node_modules", "@koromix", d), { recursive: true });
  writeFileSync(join(root, "tests"), MATRIX_FILES.map((f) => `${f.file}|${f.guestTests ?? ""}\n`).join(""));
  writeFileSync(join(root, "init"), GUEST_INIT);
  chmodSync(join(root, "init"), 0o755);
  const initrd = join(work, "initrd.lz4");
  const r = spawnSync("sh", ["-c", `find . | busybox cpio -o -H newc 2>/dev/null | lz4 -l -q > '${initrd}'`], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) fail(`building the initramfs failed: ${r.stderr.trim()}`);
  rmSync(root, { recursive: true, force: true });
  return initrd;
}

/** Splits the guest's console into per-file TAP sections. */
export function parseGuestConsole(consoleText: string): { release?: string; files: FileResult[]; done: boolean } {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes in the console log
  const text = consoleText.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "").replace(/\r/g, "");
  const release = /=== guest kernel (\S+)/.exec(text)?.[1];
  const files: FileResult[] = [];
  const re = /=== file (\S+)\n([\s\S]*?)=== file exit (\d+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text))
    files.push({ file: m[1]!, exitCode: Number(m[3]), tests: parseTap(m[2]!) });
  return { release, files, done: text.includes("=== guest done") };
}

const LSM_LIST = "lockdown,capability,landlock,yama,apparmor,bpf";

function bootKernel(pkg: KernelPackage, image: string, initrd: string, work: string): KernelRun {
  say(`booting ${pkg.name} ${pkg.version} under qemu (TCG)`);
  const started = Date.now();
  const timeout = Number(process.env.TSBPF_QEMU_TIMEOUT ?? 1800) * 1000;
  // The console goes to a file, so a run in progress can be watched (tail -f) and a stuck guest
  // leaves its last words.
  const consoleLog = join(work, `${pkg.label}.console.log`);
  const r = run(
    [
      "qemu-system-x86_64",
      "-accel",
      "tcg",
      "-cpu",
      "max",
      "-smp",
      "2",
      "-m",
      "2048",
      "-display",
      "none",
      "-monitor",
      "none",
      "-serial",
      `file:${consoleLog}`,
      "-no-reboot",
      "-kernel",
      image,
      "-initrd",
      initrd,
      "-append",
      `console=ttyS0 quiet panic=-1 rdinit=/init lsm=${LSM_LIST}`,
    ],
    { timeout },
  );
  const seconds = (Date.now() - started) / 1000;
  const consoleText = existsSync(consoleLog) ? readFileSync(consoleLog, "utf8") : "";
  const parsed = parseGuestConsole(consoleText);
  const problem = parsed.done
    ? undefined
    : r.error
      ? `qemu: ${r.error.message}`
      : `the guest stopped before finishing (qemu exit ${r.status}); last lines: ${consoleText.trim().split("\n").slice(-3).join(" | ")}`;
  return {
    label: pkg.label,
    release: parsed.release ?? "?",
    where: `${pkg.name} ${pkg.version}, qemu TCG`,
    seconds,
    files: parsed.files,
    problem,
  };
}

function runOnHost(): KernelRun {
  say(`running the same files on this machine (${release()})`);
  const started = Date.now();
  const files = MATRIX_FILES.map((f) => {
    const r = run([process.execPath, "--test", "--test-reporter=tap", join(ROOT, f.file)], { cwd: ROOT });
    return { file: f.file, exitCode: r.status, tests: parseTap(r.stdout) };
  });
  return { label: "host", release: release(), where: "this machine", seconds: (Date.now() - started) / 1000, files };
}

const minutes = (s: number): string => `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

const NOT_SELECTED = "test name does not match pattern";

const mark = (t: TestResult | undefined): string =>
  t === undefined || t.note === NOT_SELECTED
    ? "—"
    : t.outcome === "pass"
      ? t.detail
        ? `pass: ${t.detail.replace(/\|/g, "\\|")}`
        : "pass"
      : t.outcome === "skip"
        ? `skip (${t.note ?? ""})`
        : "**FAIL**";

/** docs/kernel-matrix.md from a run's results. */
export function renderMatrix(runs: readonly KernelRun[], totalSeconds: number, when: Date): string {
  const out: string[] = [];
  out.push("<!-- GENERATED by `npm run test:kernels` from that run's test results; do not edit by hand. -->");
  out.push("# Kernel matrix");
  out.push("");
  out.push(
    `Generated ${when.toISOString().slice(0, 16).replace("T", " ")} UTC by \`npm run test:kernels\`, which took ${minutes(totalSeconds)}.`,
  );
  out.push(
    'Each cell is a test\'s outcome on that kernel. The tests check loading, attaching and counted events where the kernel allows the hook, and the exact NotSupportedError where it does not; after "pass:" the test says what it found the kernel doing — loaded, attached and events counted, or the hook refused (NotSupportedError).',
  );
  out.push("");
  out.push("| kernel | release | where | time |");
  out.push("| --- | --- | --- | --- |");
  for (const r of runs)
    out.push(`| ${r.label} | ${r.release} | ${r.where} | ${minutes(r.seconds)}${r.problem ? ` — ${r.problem}` : ""} |`);
  for (const f of MATRIX_FILES) {
    out.push("");
    out.push(`## ${f.hook}`);
    out.push("");
    out.push(`\`${f.file.replace(/^dist\//, "").replace(/\.js$/, ".ts")}\``);
    out.push("");
    out.push(`| test | ${runs.map((r) => `${r.label} (${r.release})`).join(" | ")} |`);
    out.push(`| --- |${runs.map(() => " --- |").join("")}`);
    const names: string[] = [];
    for (const r of runs)
      for (const t of r.files.find((x) => x.file === f.file)?.tests ?? [])
        if (!names.includes(t.name)) names.push(t.name);
    for (const name of names)
      out.push(
        `| ${name.replace(/\|/g, "\\|")} | ${runs.map((r) => mark(r.files.find((x) => x.file === f.file)?.tests.find((t) => t.name === name))).join(" | ")} |`,
      );
    if (f.guestTests)
      out.push(
        "",
        "In the guests, only the tests that need no host tools (clang, bpftool, llvm-objdump, setpriv) run; — marks the others.",
      );
  }
  out.push("");
  return out.join("\n");
}

function main(): void {
  const started = Date.now();
  if (!existsSync(join(ROOT, "dist", "test", "kernel", "kprobe.test.js"))) fail("build first: npm run build");
  ensureTools();
  const updated = { done: false };
  const packages = [
    newestPackage("6.1", "^linux-image-6\\.1\\.0-[0-9]+-cloud-amd64-unsigned$", updated),
    newestPackage("6.12", "^linux-image-6\\.12\\.[0-9]+\\+deb[0-9]+-cloud-amd64-unsigned$", updated),
  ];
  const images = packages.map(kernelImage);
  const work = mkdtempSync(join(tmpdir(), "tsbpf-kernels-"));
  const runs: KernelRun[] = [];
  let keepLogs = false;
  try {
    // Ctrl-C reaches qemu too (same process group); the handlers keep node alive until the
    // blocking run returns, then stop here so the temporary directory is removed.
    let interrupted: string | undefined;
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => (interrupted = signal));
    const initrd = buildInitramfs(work);
    packages.forEach((pkg, i) => {
      if (interrupted) fail(`stopped by ${interrupted}`);
      const r = bootKernel(pkg, images[i]!, initrd, work);
      runs.push(r);
      if (r.problem) keepLogs = true;
    });
    if (interrupted) fail(`stopped by ${interrupted}`);
    runs.push(runOnHost());
  } finally {
    if (keepLogs) {
      const logs = join(CACHE, "last-run-logs");
      rmSync(logs, { recursive: true, force: true });
      mkdirSync(logs, { recursive: true });
      for (const f of readdirSync(work).filter((f) => f.endsWith(".log"))) copyFileSync(join(work, f), join(logs, f));
      say(`guest consoles kept in ${logs}`);
    }
    rmSync(work, { recursive: true, force: true });
  }
  const total = (Date.now() - started) / 1000;
  writeFileSync(join(ROOT, "docs", "kernel-matrix.md"), renderMatrix(runs, total, new Date()));
  let failures = 0;
  for (const r of runs) {
    const tests = r.files.flatMap((f) => f.tests);
    const count = (o: string) => tests.filter((t) => t.outcome === o && t.note !== NOT_SELECTED).length;
    const hostOnly = tests.filter((t) => t.note === NOT_SELECTED).length;
    failures += count("fail") + (r.problem ? 1 : 0) + r.files.filter((f) => f.tests.length === 0).length;
    say(
      `${r.label} (${r.release}): ${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped${hostOnly ? ` (${hostOnly} need host tools, not run)` : ""} in ${minutes(r.seconds)}${r.problem ? `; ${r.problem}` : ""}`,
    );
    for (const t of tests.filter((t) => t.outcome === "fail")) say(`  failed on ${r.label}: ${t.name}`);
  }
  say(`wrote docs/kernel-matrix.md (${minutes(total)})`);
  if (failures > 0) process.exit(1);
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  try {
    main();
  } catch (err) {
    if (!(err instanceof StopRun)) throw err;
    process.stderr.write(`tsbpf test:kernels: ${err.message}\n`);
    process.exit(1);
  }
}
