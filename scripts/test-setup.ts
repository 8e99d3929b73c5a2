// First step of `npm test`, after the build: makes sure the programs and files the tests use are on
// this machine. The tests drive real tools (tcpdump and tshark as oracles, clang and bpftool for the
// C corpus, ip/nsenter/ping for network namespaces, …); one missing would otherwise surface as a
// confusing failure deep inside some test. Run as root where apt-get exists, it installs the Debian
// packages that are missing; anywhere else it stops with one line naming what is missing and the
// packages that bring it. With everything present it prints nothing.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findTestData } from "../test/helpers/test-data.js";

/** Something the tests use: a command looked up on PATH (as the tests spawn it) or a file. */
export interface Requirement {
  readonly command?: string;
  readonly file?: string;
  /** The Debian package that provides it. */
  readonly debian: string;
  /** What the tests use it for. */
  readonly usedFor: string;
}

/** Everything the tests use beyond Node and npm, with the Debian package that provides it. */
export const REQUIREMENTS: readonly Requirement[] = [
  { command: "ip", debian: "iproute2", usedFor: "network namespaces and veth pairs" },
  { command: "tc", debian: "iproute2", usedFor: "clsact/cls_bpf attachments seen from the outside" },
  { command: "ping", debian: "iputils-ping", usedFor: "real traffic through veth pairs and cgroups" },
  { command: "nsenter", debian: "util-linux", usedFor: "running commands in a test's network namespace" },
  { command: "setpriv", debian: "util-linux", usedFor: "running the CLI without privileges" },
  { command: "unshare", debian: "util-linux", usedFor: "tcpdump's name lookups in isolation" },
  { command: "mount", debian: "mount", usedFor: "an empty hosts file for tcpdump's name lookups" },
  { command: "script", debian: "bsdutils", usedFor: "the tools' live view on a terminal" },
  { command: "sysctl", debian: "procps", usedFor: "IPv6 off in the examples' namespaces" },
  { command: "xargs", debian: "findutils", usedFor: "tcpdump runs in parallel for the filter corpus" },
  { command: "gcc", debian: "gcc", usedFor: "small target programs for uprobes and tracepoints" },
  { file: "/usr/include/stdio.h", debian: "libc6-dev", usedFor: "the C library headers gcc builds against" },
  { command: "clang", debian: "clang", usedFor: "the object loader's C corpus (clang -target bpf)" },
  { command: "llvm-readelf", debian: "llvm", usedFor: "checking the compiler's ELF sections and symbols" },
  { command: "llvm-mc", debian: "llvm", usedFor: "checking the assembler's encodings" },
  { command: "bpftool", debian: "bpftool", usedFor: "libbpf's view of objects, programs and maps (the oracle)" },
  { file: "/usr/include/bpf/bpf_helpers.h", debian: "libbpf-dev", usedFor: "libbpf's headers for the C corpus" },
  { command: "tcpdump", debian: "tcpdump", usedFor: "the oracle of the filter compiler and the packet printer" },
  { command: "tshark", debian: "tshark", usedFor: "reading back the capture writer's pcapng" },
  { command: "chromium", debian: "chromium", usedFor: "the web dashboard opened in a real headless browser" },
  { file: "/etc/services", debian: "netbase", usedFor: "port names for filters and the printer" },
  { file: "/etc/protocols", debian: "netbase", usedFor: "protocol names for filters" },
  { command: "prometheus", debian: "prometheus", usedFor: "scraping agents on simulated hosts (a child of the test)" },
  { command: "promtool", debian: "prometheus", usedFor: "checking the packaged Prometheus rules" },
];

/** How a requirement is named to a person: the command, or the file's path. */
export const requirementName = (r: Requirement): string => r.command ?? r.file!;

export interface SetupSituation {
  /** The requirements not on this machine. */
  readonly missing: readonly Requirement[];
  readonly root: boolean;
  readonly aptGet: boolean;
}

export type SetupDecision =
  | { readonly action: "nothing" }
  | { readonly action: "install"; readonly packages: readonly string[]; readonly line: string }
  | { readonly action: "stop"; readonly packages: readonly string[]; readonly line: string };

/** What to do about what is missing: nothing, install the packages (root with apt-get), or stop and say so. */
export function decideSetup(situation: SetupSituation): SetupDecision {
  const { missing, root, aptGet } = situation;
  if (missing.length === 0) return { action: "nothing" };
  const packages = [...new Set(missing.map((r) => r.debian))];
  if (root && aptGet) {
    return {
      action: "install",
      packages,
      line: `tsbpf tests: installing ${packages.join(", ")} (Debian packages) with apt-get`,
    };
  }
  const how = aptGet
    ? `as root: apt-get install ${packages.join(" ")}`
    : `Debian packages ${packages.join(" ")}, or your system's equivalents`;
  return {
    action: "stop",
    packages,
    line: `tsbpf tests: missing ${missing.map(requirementName).join(", ")}; install ${how}`,
  };
}

/** The path of `command` on PATH (an executable regular file), as spawn would find it. */
export function findOnPath(command: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function isPresent(r: Requirement): boolean {
  return r.command !== undefined ? findOnPath(r.command) !== undefined : existsSync(r.file!);
}

/** Runs a command with its output held back; on failure prints that output and one line, and exits 1. */
function runQuietly(argv: readonly string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
  if (r.status === 0) return;
  process.stderr.write(`${r.stdout ?? ""}${r.stderr ?? ""}`);
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
  process.stderr.write(`tsbpf tests: "${argv.join(" ")}" failed (${why}); its output is above\n`);
  process.exit(1);
}

function main(): void {
  if (findTestData() === undefined) {
    process.stderr.write(
      "tsbpf tests: the test corpora (tcpdump's captures, bpf_conformance) were not found: set TSBPF_TEST_DATA to their directory, or put shared/data beside the checkout\n",
    );
    process.exit(1);
  }
  const situation = {
    missing: REQUIREMENTS.filter((r) => !isPresent(r)),
    root: process.getuid?.() === 0,
    aptGet: findOnPath("apt-get") !== undefined,
  };
  const decision = decideSetup(situation);
  if (decision.action === "nothing") return;
  if (decision.action === "stop") {
    process.stderr.write(`${decision.line}\n`);
    process.exit(1);
  }
  process.stdout.write(`${decision.line}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  runQuietly(["apt-get", "update"], env);
  runQuietly(["apt-get", "install", "-y", "--no-install-recommends", ...decision.packages], env);
  const still = REQUIREMENTS.filter((r) => !isPresent(r));
  if (still.length > 0) {
    process.stderr.write(
      `tsbpf tests: after installing ${decision.packages.join(", ")}, still missing ${still.map(requirementName).join(", ")} (not on PATH?)\n`,
    );
    process.exit(1);
  }
}

// Run as a script (`node dist/scripts/test-setup.js`), not when a test imports it. Real paths:
// the module's URL is the real path, argv[1] may go through a symbolic link.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)))
  main();
