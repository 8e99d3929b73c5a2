// `npm run bench [-- SUITE ...]`: runs the benchmark suites in bench/, each side by side with the
// peer a user would pick instead, and merges their figures into bench/results.json (a suite only
// replaces its own entries). The README's benchmark table is regenerated from the file.
//
// Every figure is the median of at least MIN_ROUNDS rounds, with its spread (lowest and highest
// round, ours and the peer's): a suite that takes its own rounds says so in `rounds`; the runner
// runs any other suite again until each of its figures has MIN_ROUNDS. The machine's 1-minute
// load average when the suite started is recorded beside its figures; above the core count the
// runner warns and records nothing of that suite (a figure taken on a busy machine says little).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, totalmem, release } from "node:os";
import { median } from "./c-peer.js";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Figure {
  value: number;
  unit: string;
  peer: string;
  peer_value: number;
  ratio: number;
  /** How many rounds the value is the median of. */
  rounds?: number;
  /** Lowest and highest round of ours, and of the peer's. */
  spread?: [number, number];
  peer_spread?: [number, number];
  /** The machine's 1-minute load average when the suite started. */
  load_avg?: number;
}
export type Figures = Record<string, Figure>;
interface Results {
  machine: string;
  date: string;
  results: Record<string, Figure>;
}

/** Suites, in the order they run. Each module exports `run(): Promise<Figures>` (names without the suite prefix). */
const SUITES = [
  "ringbuf",
  "events",
  "map-ops",
  "btf",
  "load-object",
  "vm",
  "compiled-code",
  "compile-time",
  "filter",
  "startup",
  "capture",
  "reader",
  "overhead",
  "package",
  "agent",
  "web",
  "footprint",
] as const;

const MIN_ROUNDS = 5;

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const resultsPath = join(root, "bench", "results.json");
const readmePath = join(root, "README.md");

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const w of wanted)
    if (!(SUITES as readonly string[]).includes(w)) {
      console.error(`unknown suite "${w}"; suites: ${SUITES.join(", ")}`);
      process.exit(2);
    }
  const selected = wanted.length ? wanted : [...SUITES];
  const results: Results = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, "utf8")) as Results)
    : { machine: "", date: "", results: {} };
  results.machine = `${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  results.date = new Date().toISOString();
  let failed = false;
  const cores = cpus().length;
  const rejected: Record<string, Figure> = {};
  for (const suite of selected) {
    process.stderr.write(`bench: ${suite} …\n`);
    try {
      const load = loadavg()[0]!;
      const mod = (await import(`./${suite}.js`)) as { run: () => Promise<Figures> };
      const figures = await runRounds(mod.run);
      for (const fig of Object.values(figures)) fig.load_avg = Math.round(load * 100) / 100;
      if (load > cores) {
        process.stderr.write(
          `bench: warning: the load average was ${load.toFixed(2)} with ${cores} cores when ${suite} started; its figures are shown, not recorded\n`,
        );
        for (const [name, fig] of Object.entries(figures)) rejected[`${suite}.${name}`] = fig;
        continue;
      }
      for (const key of Object.keys(results.results)) if (key.startsWith(`${suite}.`)) delete results.results[key];
      for (const [name, fig] of Object.entries(figures)) results.results[`${suite}.${name}`] = fig;
    } catch (err) {
      failed = true;
      console.error(`bench: suite ${suite} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  writeFileSync(resultsPath, JSON.stringify(results, null, 2) + "\n");
  const table = renderTable(results);
  console.log(table);
  updateReadme(table);
  if (Object.keys(rejected).length) {
    console.log("\nNot recorded (taken above the core count's load average):\n");
    const rows = renderTable({ ...results, results: rejected }).split("\n");
    console.log(rows.filter((line) => line.startsWith("|")).join("\n"));
  }
  if (failed) process.exitCode = 1;
}

/**
 * Runs a suite until each figure has MIN_ROUNDS rounds (a figure whose suite took its own rounds
 * counts those), then reports each figure as the median of its rounds with their spread.
 */
async function runRounds(run: () => Promise<Figures>): Promise<Figures> {
  const samples = new Map<string, Figure[]>();
  const enough = (): boolean =>
    samples.size > 0 &&
    [...samples.values()].every((list) => list.length >= MIN_ROUNDS || (list[0]!.rounds ?? 1) >= MIN_ROUNDS);
  for (let pass = 0; pass < MIN_ROUNDS && !enough(); pass++) {
    if (pass > 0) process.stderr.write(`  (round ${pass + 1} of ${MIN_ROUNDS})\n`);
    for (const [name, fig] of Object.entries(await run())) {
      const list = samples.get(name) ?? [];
      list.push(fig);
      samples.set(name, list);
    }
  }
  const out: Figures = {};
  for (const [name, list] of samples) {
    if (list.length === 1) {
      out[name] = list[0]!;
      continue;
    }
    const values = list.map((f) => f.value);
    const peers = list.map((f) => f.peer_value);
    const value = median(values);
    const peerValue = median(peers);
    out[name] = {
      ...list[0]!,
      value,
      peer_value: peerValue,
      ratio: value / peerValue,
      rounds: list.length,
      spread: [Math.min(...values), Math.max(...values)],
      peer_spread: [Math.min(...peers), Math.max(...peers)],
    };
  }
  return out;
}

/** Two decimals; two significant digits below 0.1 (a ratio of 0.0045 is not "0.00"). */
function formatRatio(ratio: number): string {
  return ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2);
}

/** "value (low–high)" when the rounds varied. */
function withSpread(value: number, range: [number, number] | undefined): string {
  if (!range || range[0] === range[1]) return fmt(value);
  return `${fmt(value)} (${fmt(range[0])}–${fmt(range[1])})`;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (Math.abs(n) >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return n >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

export function renderTable(r: Results): string {
  const rows = Object.entries(r.results).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `Measured ${r.date.slice(0, 10)} on ${r.machine}.`,
    "",
    "Each value is the median of its rounds, with the lowest and highest round in parentheses; load is the",
    "1-minute load average when the suite started.",
    "",
    "| figure | tsbpf | peer | peer value | ratio | rounds | load |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      ([k, f]) =>
        `| \`${k}\` | ${withSpread(f.value, f.spread)} ${f.unit} | ${f.peer} | ${withSpread(f.peer_value, f.peer_spread)} ${f.unit} | ${formatRatio(f.ratio)}× | ${f.rounds ?? "–"} | ${f.load_avg ?? "–"} |`,
    ),
  ];
  return lines.join("\n");
}

function updateReadme(table: string): void {
  if (!existsSync(readmePath)) return;
  const text = readFileSync(readmePath, "utf8");
  const start = "<!-- bench:start -->",
    end = "<!-- bench:end -->";
  const i = text.indexOf(start),
    j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(readmePath, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
