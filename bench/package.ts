// tsbpf as software a user installs:
//   - tarball_kib: the size of `npm pack` (no peer: the figure itself);
//   - npm_start_first_frame_s: wall time from spawning `npm start` in the checkout (which runs
//     `tsbpf top`) on a pseudo-terminal to the first frame of the monitor, against starting
//     `node dist/bin/tsbpf.js top` directly (peer): what npm adds to the start;
//   - init_to_green_s: from `npx tsbpf init` (in a project with the tarball installed) through
//     `npm install --prefer-offline` to a passing `npm test` of the generated xdp project (no peer).
// Each timed figure is the median of several rounds (the start-up ones alternate, after one
// warm-up of each), reported with the spread (min … max) and the 1-minute load average around
// the runs, because the machine is shared. Run alone: npx tsc -p . && node dist/bench/package.js
import { spawn, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPackage, PACKAGE_ROOT, projectWithPackage, temporaryDirectory } from "../test/helpers/package-tarball.js";
import { median } from "./c-peer.js";
import type { Figure, Figures } from "./run.js";

const START_ROUNDS = 5;
const INIT_ROUNDS = 3;
const MAIN = fileURLToPath(new URL("../bin/tsbpf.js", import.meta.url));
/** The first line of every frame `tsbpf top` prints. */
const FRAME = "tsbpf top on ";

/** The environment for child tools: without the mark of a test runner's child, no colours. */
function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/**
 * Milliseconds from spawning `argv` until its stdout shows the first frame. The child runs in its
 * own process group (npm starts a shell that starts node), which is then stopped with SIGTERM —
 * so the monitor detaches its programs — and waited for.
 */
function timeToFirstFrame(argv: readonly string[], cwd: string, timeoutMs = 60_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: environment(),
    });
    let out = "",
      err = "",
      settled = false;
    const finish = (result: number | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.once("close", () => (typeof result === "number" ? resolve(result) : reject(result)));
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`${argv.join(" ")}: no frame within ${timeoutMs} ms; stderr: ${err.slice(-500)}`)),
      timeoutMs,
    );
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes(FRAME)) finish(performance.now() - t0);
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.once("error", (e) => finish(e));
    child.once("exit", (code) =>
      finish(new Error(`${argv.join(" ")} exited (${code}) before its first frame; stderr: ${err.slice(-500)}`)),
    );
  });
}

/** Runs a command to completion; throws with its output when it fails. */
function check(command: string, args: readonly string[], cwd: string): void {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: environment(), timeout: 600_000 });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`,
    );
}

interface Spread {
  runs_s: number[];
  spread_s: [number, number];
  load_average: [number, number];
}

function spread(ms: readonly number[], loadBefore: number, loadAfter: number): Spread {
  const s = ms.map((x) => Number((x / 1000).toFixed(3)));
  return {
    runs_s: s,
    spread_s: [Math.min(...s), Math.max(...s)],
    load_average: [Number(loadBefore.toFixed(2)), Number(loadAfter.toFixed(2))],
  };
}

function seconds(ms: readonly number[]): number {
  return Number((median(ms) / 1000).toFixed(3));
}

export async function run(): Promise<Figures> {
  const { tarball, size } = packPackage();
  const tarballKib = Number((size / 1024).toFixed(1));

  // npm start against node directly, alternating.
  // On a terminal, as a user starts it: `script` gives the monitor a pseudo-terminal, where it
  // draws its screen as soon as its programs are attached (piped, the first frame waits for the
  // first interval).
  const onTerminal = (command: string): string[] => ["script", "-q", "-e", "-c", command, "/dev/null"];
  const npmStart = (): Promise<number> => timeToFirstFrame(onTerminal("npm start"), PACKAGE_ROOT);
  const direct = (): Promise<number> => timeToFirstFrame(onTerminal(`${process.execPath} ${MAIN} top`), PACKAGE_ROOT);
  await npmStart();
  await direct();
  const a: number[] = [],
    b: number[] = [];
  const startLoad = loadavg()[0]!;
  for (let i = 0; i < START_ROUNDS; i++) {
    a.push(await npmStart());
    b.push(await direct());
  }
  const startLoadAfter = loadavg()[0]!;

  // tsbpf init → npm install → npm test, from a project that has the tarball installed.
  const runner = projectWithPackage("tsbpf-bench-init-runner-");
  const c: number[] = [];
  const initLoad = loadavg()[0]!;
  for (let i = 0; i < INIT_ROUNDS; i++) {
    const dir = join(temporaryDirectory("tsbpf-bench-init-"), "app");
    const t0 = performance.now();
    check("npx", ["--no-install", "tsbpf", "init", dir, "--template", "xdp", "--tsbpf", tarball], runner);
    check("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
    check("npm", ["test"], dir);
    c.push(performance.now() - t0);
  }
  const initLoadAfter = loadavg()[0]!;

  const startValue = seconds(a),
    directValue = seconds(b),
    initValue = seconds(c);
  // Extra fields (runs, spread, load average) go into results.json next to the standard ones.
  const firstFrame = {
    value: startValue,
    unit: "s",
    peer: "node dist/bin/tsbpf.js top (started directly)",
    peer_value: directValue,
    ratio: Number((startValue / directValue).toFixed(3)),
    ...spread(a, startLoad, startLoadAfter),
    peer_runs_s: spread(b, startLoad, startLoadAfter).runs_s,
  };
  const toGreen = {
    value: initValue,
    unit: "s",
    peer: "none (the figure itself)",
    peer_value: initValue,
    ratio: 1,
    ...spread(c, initLoad, initLoadAfter),
  };
  const tarballFigure: Figure = {
    value: tarballKib,
    unit: "KiB",
    peer: "none (the figure itself)",
    peer_value: tarballKib,
    ratio: 1,
  };
  const figures: Figures = {
    tarball_kib: tarballFigure,
    npm_start_first_frame_s: firstFrame,
    init_to_green_s: toGreen,
  };

  console.log(`npm start runs (s):   ${firstFrame.runs_s.join(" ")}`);
  console.log(`node top runs (s):    ${firstFrame.peer_runs_s.join(" ")}`);
  console.log(`init → green runs (s): ${toGreen.runs_s.join(" ")}`);
  console.log(
    `load average (1 min): start-up ${firstFrame.load_average.join(" → ")}, init ${toGreen.load_average.join(" → ")}`,
  );
  for (const [k, f] of Object.entries(figures))
    console.log(`package.${k}: ${f.value} ${f.unit} vs ${f.peer} ${f.peer_value} (${f.ratio}x)`);
  return figures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
