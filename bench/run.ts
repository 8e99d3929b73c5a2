// `npm run bench [-- SUITE ...]`: runs the benchmark suites in bench/, each side by side with the
// peer a user would pick instead, and merges their figures into bench/results.json (a suite only
// replaces its own entries). The README's benchmark table is regenerated from the file.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Figure {
  value: number;
  unit: string;
  peer: string;
  peer_value: number;
  ratio: number;
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
] as const;

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
  for (const suite of selected) {
    process.stderr.write(`bench: ${suite} …\n`);
    try {
      const mod = (await import(`./${suite}.js`)) as { run: () => Promise<Figures> };
      const figures = await mod.run();
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
  if (failed) process.exitCode = 1;
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
    "| figure | tsbpf | peer | peer value | ratio |",
    "|---|---|---|---|---|",
    ...rows.map(
      ([k, f]) =>
        `| \`${k}\` | ${fmt(f.value)} ${f.unit} | ${f.peer} | ${fmt(f.peer_value)} ${f.unit} | ${f.ratio.toFixed(2)}× |`,
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
