// Each tool's privilege message names exactly what it needs: run as an unprivileged user (uid
// 65534) with exactly that set it works; with any one of them taken away it stops at once with
// the message, naming what is missing. Tracefs access is given as CAP_DAC_READ_SEARCH (tracefs
// is root's, mode 0700). Each run is in a network namespace of its own (unshare --net: it goes
// away with the run), with loopback up and a ping on it so packet tools see traffic.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { TOOL_PRIVILEGES, type Privilege, type ToolName } from "../../src/tools/common/privilege.js";
import { TSBPF_MAIN } from "../helpers/tool-process.js";

/** How each tool is run: briefly, stopping by itself or at the SIGINT that ends the run. */
const RUNS: Record<ToolName, string[]> = {
  count: ["count", "-i", "lo", "--count", "1", "--interval", "0.5"],
  dump: ["dump", "-i", "lo", "-c", "1"],
  flows: ["flows", "-i", "lo"],
  tcp: ["tcp", "--count", "1", "--interval", "0.5"],
  exec: ["exec", "--count", "1"],
  top: ["top", "-i", "lo", "--count", "1", "--interval", "0.5"],
  agent: ["agent", "--count", "1"],
};

function setprivCaps(privileges: readonly Privilege[]): string {
  const caps = privileges.map((p) => (p === "tracefs" ? "dac_read_search" : p.replace(/^CAP_/, "").toLowerCase()));
  return ["-all", ...caps.map((c) => `+${c}`)].join(",");
}

function quote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * Runs `tool` as uid 65534 with exactly `privileges`. The tools stop by themselves (after a report,
 * a packet or an exec: the namespace's shell keeps pinging and starting /bin/true) except flows,
 * which gets SIGINT after 20 s: long enough for a slow start on a loaded machine, since a SIGINT
 * before the tool's handler is set would kill it with status 130.
 */
function runWith(tool: ToolName, privileges: readonly Privilege[]): { code: number | null; output: string } {
  const caps = setprivCaps(privileges);
  const command = [
    "timeout",
    "--preserve-status",
    "-s",
    "INT",
    "20",
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    `--inh-caps=${caps}`,
    `--ambient-caps=${caps}`,
    `--bounding-set=${caps}`,
    process.execPath,
    TSBPF_MAIN,
    ...RUNS[tool],
  ]
    .map(quote)
    .join(" ");
  const churn = "while :; do /bin/true; sleep 0.2; done";
  // Traffic and execs stop with the run, so the namespace goes away with it.
  const script = `ip link set lo up && { ping -q -i 0.2 127.0.0.1 >/dev/null 2>&1 & ping=$!; } && { ${churn} & churn=$!; } && ${command}; status=$?; kill $ping $churn; exit $status`;
  const r = spawnSync("unshare", ["--net", "sh", "-c", script], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

for (const [tool, needed] of Object.entries(TOOL_PRIVILEGES) as [ToolName, readonly Privilege[]][]) {
  test(`${tool}: works with exactly what its message names, and names what is missing with one fewer`, () => {
    const full = runWith(tool, needed);
    assert.equal(full.code, 0, `${tool} with ${needed.join(", ")}: ${full.output}`);
    assert.doesNotMatch(full.output, /missing privileges|EACCES|EPERM|permission denied|rejected/i);
    const named = needed.map((p) => (p === "tracefs" ? "read access to tracefs" : p));
    for (const dropped of needed) {
      const fewer = runWith(
        tool,
        needed.filter((p) => p !== dropped),
      );
      assert.equal(fewer.code, 1, `${tool} without ${dropped}: ${fewer.output}`);
      const line = fewer.output.trim().split("\n").at(-1)!;
      assert.match(line, new RegExp(`^tsbpf ${tool}: missing privileges: ${tool} needs `));
      for (const n of named) assert.ok(line.includes(n), `the message names ${n}: ${line}`);
      assert.match(line, new RegExp(`; missing here: ${dropped === "tracefs" ? "tracefs access" : dropped} \\(`));
    }
  });
}
