// tsbpf as a user receives it: the packed tarball holds the library and nothing of the workshop,
// and in an empty project with only that tarball installed, a kernel module written in kernel
// TypeScript compiles (the CLI and the compiler API), loads, counts real packets on a veth and
// sends its log records through the exported log reader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { packPackage, projectWithPackage, PACKAGE_ROOT } from "../helpers/package-tarball.js";
import { vethPairFor } from "../helpers/netns.js";

// The library (dist/src, with declarations) and the bundled CLI (dist/bin) both ship.
const MAX_TARBALL_BYTES = 2 * 1024 * 1024;

interface ExportTarget {
  types: string;
  default: string;
}

/** Every file the package's `exports` map points at (types and code), without "./". */
function exportedFiles(): string[] {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    exports: Record<string, ExportTarget | string>;
    bin: Record<string, string>;
  };
  const files: string[] = [];
  for (const target of Object.values(pkg.exports)) {
    for (const path of typeof target === "string" ? [target] : [target.types, target.default])
      files.push(path.replace(/^\.\//, ""));
  }
  for (const path of Object.values(pkg.bin)) files.push(path.replace(/^\.\//, ""));
  return files;
}

/** The kernel artifacts the build wrote for the tools (dist/src/tools/**\/*.bpf.json). */
function builtToolArtifacts(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".bpf.json")) found.push(relative(PACKAGE_ROOT, path));
    }
  };
  walk(join(PACKAGE_ROOT, "dist", "src", "tools"));
  return found.sort();
}

test("the tarball holds the library, its kernel artifacts and docs, and nothing of the workshop", (t) => {
  const { size, files } = packPackage();
  t.diagnostic(`tarball: ${(size / 1024).toFixed(1)} KiB, ${files.length} files`);

  const workshop = files.filter(
    (f) =>
      /^(dist\/)?(test|bench|scripts|examples)\//.test(f) ||
      f.startsWith("docs/api/") ||
      /\.(map|c|h|o|tsbuildinfo)$/.test(f) ||
      (f.startsWith("src/") && f.endsWith(".ts")),
  );
  assert.deepEqual(workshop, [], "no tests, benchmarks, scripts, C peers, objects, source maps or generated API pages");

  const artifacts = builtToolArtifacts();
  assert.ok(artifacts.length >= 5, `the build wrote the tools' kernel artifacts (${artifacts.join(", ")})`);
  for (const artifact of artifacts) assert.ok(files.includes(artifact), `${artifact} is packed`);
  for (const entry of exportedFiles()) assert.ok(files.includes(entry), `exported ${entry} is packed`);
  for (const doc of ["README.md", "LICENSE", "docs/kernel-typescript.md", "docs/tools.md"])
    assert.ok(files.includes(doc), `${doc} is packed`);

  assert.ok(size < MAX_TARBALL_BYTES, `the tarball is ${size} bytes, over ${MAX_TARBALL_BYTES}`);
});

// The user's kernel module: counts the ICMP echo requests arriving on the interface and logs each.
const KERNEL_MODULE = `import { xdp, ArrayMap, log, ipv4, u64, EthHdr, Ipv4Hdr, IcmpHdr, ETH_P_IP, IPPROTO_ICMP, XDP_PASS } from "tsbpf/kernel";

export const echoRequests = new ArrayMap({ value: u64, maxEntries: 1 });

export const countEchoRequests = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null || eth.etherType !== ETH_P_IP) return XDP_PASS;
  const ip = ctx.load(Ipv4Hdr, 14);
  if (ip === null || ip.protocol !== IPPROTO_ICMP) return XDP_PASS;
  const icmp = ctx.load(IcmpHdr, 34);
  if (icmp === null || icmp.type !== 8) return XDP_PASS;
  echoRequests.increment(0);
  log.info(\`echo request from \${ipv4(ip.saddr)}\`);
  return XDP_PASS;
});
`;

// The user's program, plain JavaScript for Node 20 (no \`using\`: try/finally and close()).
// argv: compile|artifact SOURCE_OR_ARTIFACT NETNS_PATH IFNAME -- COMMAND ARGS… (run while attached)
const USER_SCRIPT = `import { execFileSync } from "node:child_process";
import { withNetns } from "tsbpf";
import { compileFile, KernelObject } from "tsbpf/compiler";

const [mode, input, netns, ifname, separator, ...during] = process.argv.slice(2);
if (separator !== "--" || during.length === 0) throw new Error("usage: compile|artifact FILE NETNS IFNAME -- COMMAND…");
const artifact = mode === "compile" ? await compileFile(input) : KernelObject.readArtifact(input);
const obj = KernelObject.load(artifact);
try {
  const link = withNetns(netns, () => obj.programs.countEchoRequests.attach(ifname, { mode: "skb" }));
  try {
    execFileSync(during[0], during.slice(1), { stdio: "ignore" });
  } finally {
    link.detach();
  }
  const logs = obj.logReader();
  try {
    const records = logs.drain();
    console.log(JSON.stringify({ count: String(obj.maps.echoRequests.get(0)), records }));
  } finally {
    logs.close();
  }
} finally {
  obj.close();
}
`;

function run(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (result.error) throw result.error;
  assert.equal(result.status, 0, `${command} ${args.join(" ")} failed:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

test("in an empty project with the tarball installed: compile kernel TypeScript (CLI and API), count real pings, read the log", (t) => {
  const project = projectWithPackage("tsbpf-user-");
  writeFileSync(join(project, "counter.bpf.ts"), KERNEL_MODULE);
  writeFileSync(join(project, "count.mjs"), USER_SCRIPT);
  assert.ok(existsSync(join(project, "node_modules", "tsbpf", "package.json")), "tsbpf is installed");
  assert.ok(!existsSync(join(project, "node_modules", "tsbpf", "src")), "the sources are not installed");

  // The CLI: an ELF object for eBPF and the JSON artifact.
  run(project, "npx", ["--no-install", "tsbpf", "compile", "counter.bpf.ts", "-o", "counter.o"]);
  const elf = readFileSync(join(project, "counter.o"));
  assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], "an ELF file");
  assert.equal(elf.readUInt16LE(18), 247, "e_machine is EM_BPF");
  const sections = elf.toString("latin1");
  for (const name of ["xdp", ".maps", ".BTF", ".BTF.ext"])
    assert.ok(sections.includes(`\0${name}\0`), `a ${name} section`);
  run(project, "npx", ["--no-install", "tsbpf", "compile", "counter.bpf.ts", "-o", "counter.bpf.json"]);

  const pair = vethPairFor(t);
  const receiver = pair.b;
  const sender = pair.a;
  const pings = 4;
  const ping = [
    "nsenter",
    `--net=${sender.path}`,
    "ping",
    "-n",
    "-q",
    "-c",
    String(pings),
    "-i",
    "0.2",
    "-W",
    "2",
    receiver.address,
  ];
  for (const [mode, input] of [
    ["compile", "counter.bpf.ts"],
    ["artifact", "counter.bpf.json"],
  ] as const) {
    const out = run(project, "node", ["count.mjs", mode, input, receiver.path, receiver.ifname, "--", ...ping]);
    const result = JSON.parse(out) as {
      count: string;
      records: { level: string; message: string; file: string; line: number }[];
    };
    assert.equal(result.count, String(pings), `${mode}: every echo request counted once`);
    assert.deepEqual(
      result.records.map((r) => [r.level, r.message]),
      Array.from({ length: pings }, () => ["info", `echo request from ${sender.address}`]),
      `${mode}: one log record per echo request`,
    );
    assert.ok(
      result.records.every((r) => r.file.endsWith("counter.bpf.ts") && r.line === 13),
      `${mode}: records name the source line: ${JSON.stringify(result.records[0])}`,
    );
  }
});
