import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Assembler, R0, R1, R2, R10, Size } from "../../src/asm/index.js";
import { HashMap, PerCpuArrayMap, u32, u64 } from "../../src/maps/index.js";
import { Program } from "../../src/programs/program.js";
import { progInfo } from "../../src/sys/info.js";
import { ProgType, XdpAction } from "../../src/uapi.js";
import { UNPRIVILEGED } from "../helpers/tool-process.js";

// The built bin, as npm links it: dist/bin/tsbpf.js.
const MAIN = fileURLToPath(new URL("../../bin/tsbpf.js", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tsbpf(args: string[], wrap: readonly string[] = []): Run {
  const [cmd, ...pre] = wrap.length ? wrap : [process.execPath];
  const r = spawnSync(cmd!, [...pre, ...(wrap.length ? [process.execPath] : []), MAIN, ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ndjson(text: string): Record<string, unknown>[] {
  const lines = text.split("\n").filter((l) => l.length > 0);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

function lookupProgram(map: { fd: number }, name: string): Program {
  const a = new Assembler();
  a.st(Size.W, R10, -4, 0)
    .mov64(R2, R10)
    .add64(R2, -4)
    .ldMapFd(R1, map)
    .call("map_lookup_elem")
    .mov64(R0, XdpAction.PASS)
    .exit();
  return Program.load({ type: ProgType.XDP, name, code: a.assemble(), maps: [map] });
}

test("prog list --json: one JSON object per line, including a program this process holds", () => {
  using map = HashMap.create({ name: "cli_prog_map", key: u32, value: u64, maxEntries: 2 });
  using prog = lookupProgram(map, "cli_listed");
  const id = progInfo(prog.fd).id;

  const r = tsbpf(["prog", "list", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const records = ndjson(r.stdout);
  const mine = records.find((p) => p.id === id);
  assert.ok(mine, `program ${id} in the listing`);
  assert.equal(mine.name, "cli_listed");
  assert.equal(mine.type, "xdp");
  assert.deepEqual(mine.map_ids, [map.id]);
  assert.match(String(mine.tag), /^[0-9a-f]{16}$/);
  for (const key of [
    "load_time_ns",
    "loaded_at",
    "uid",
    "xlated_size",
    "jited_size",
    "verified_insns",
    "btf_id",
    "run_cnt",
    "run_time_ns",
  ]) {
    assert.ok(key in mine, `field ${key}`);
  }

  const human = tsbpf(["prog", "list"]);
  assert.equal(human.code, 0);
  const header = human.stdout.split("\n")[0]!;
  assert.match(header, /^\s*ID\s+TYPE\s+NAME\s+TAG\s+LOADED/);
  const row = human.stdout.split("\n").find((l) => new RegExp(`^\\s*${id}\\s`).test(l));
  assert.ok(row, "the program has a row");
  assert.match(row, /\bxdp\s+cli_listed\b/);
  // Columns align: the TYPE column starts at the same offset on every line.
  assert.equal(row.indexOf("xdp"), header.indexOf("TYPE"));

  const dump = tsbpf(["prog", "dump", String(id)]);
  assert.equal(dump.code, 0, dump.stderr);
  assert.match(dump.stdout, new RegExp(`r1 = map\\[id:${map.id}\\]`));
  assert.match(dump.stdout, /\(95\) exit\n$/);
  const dumpJson = ndjson(tsbpf(["prog", "dump", String(id), "--json"]).stdout);
  assert.deepEqual(dumpJson.at(-1), {
    index: dumpJson.at(-1)!.index,
    code: "95",
    text: "exit",
    hex: "9500000000000000",
  });
});

test("map dump ID prints the keys and values the test wrote, as hex", () => {
  using map = HashMap.create({ name: "cli_dump", key: u32, value: u64, maxEntries: 4 });
  map.set(7, 0x2an);
  map.set(0x01020304, 0x1122334455667788n);

  const r = tsbpf(["map", "dump", String(map.id)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^key: 07 00 00 00 {2}value: 2a 00 00 00 00 00 00 00$/m);
  assert.match(r.stdout, /^key: 04 03 02 01 {2}value: 88 77 66 55 44 33 22 11$/m);
  assert.match(r.stdout, /^Found 2 elements$/m);

  const entries = ndjson(tsbpf(["map", "dump", String(map.id), "--json"]).stdout);
  assert.deepEqual(
    entries.sort((a, b) => String(a.key).localeCompare(String(b.key))),
    [
      { key: "04030201", value: "8877665544332211" },
      { key: "07000000", value: "2a00000000000000" },
    ],
  );

  const list = ndjson(tsbpf(["map", "list", "--json"]).stdout).find((m) => m.id === map.id);
  assert.deepEqual(
    list && {
      name: list.name,
      type: list.type,
      key_size: list.key_size,
      value_size: list.value_size,
      max_entries: list.max_entries,
    },
    { name: "cli_dump", type: "hash", key_size: 4, value_size: 8, max_entries: 4 },
  );
});

test("map dump of a per-CPU map prints one value per CPU", () => {
  using map = PerCpuArrayMap.create({ name: "cli_percpu", value: u64, maxEntries: 1 });
  const values = Array.from({ length: map.cpus }, (_, i) => BigInt(i + 1));
  map.set(0, values);
  const [entry] = ndjson(tsbpf(["map", "dump", String(map.id), "--json"]).stdout);
  assert.deepEqual(entry, {
    key: "00000000",
    values: values.map((v, i) => ({ cpu: i, value: Buffer.from(new BigUint64Array([v]).buffer).toString("hex") })),
  });
  const human = tsbpf(["map", "dump", String(map.id)]).stdout;
  assert.match(human, /^ {2}value \(CPU 00\): 01 00 00 00 00 00 00 00$/m);
});

test("features --json and link list --json parse", () => {
  const r = tsbpf(["features", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const records = ndjson(r.stdout);
  assert.equal(records[0]!.kind, "system");
  const xdp = records.find((x) => x.kind === "program_type" && x.name === "xdp");
  assert.deepEqual(xdp, { kind: "program_type", name: "xdp", supported: true, status: "supported", reason: null });
  assert.ok(
    records.some(
      (x) => x.kind === "helper" && x.program_type === "xdp" && x.name === "bpf_ringbuf_output" && x.supported === true,
    ),
  );
  assert.equal(records.at(-1)!.kind, "timings");

  const links = tsbpf(["link", "list", "--json"]);
  assert.equal(links.code, 0, links.stderr);
  for (const l of ndjson(links.stdout)) assert.equal(typeof l.id, "number");
});

test("usage errors exit with 2, one line and a pointer to --help; --help and --version work", () => {
  const unknown = tsbpf(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'tsbpf: unknown command "frobnicate"\nsee "tsbpf --help" for the commands\n');
  assert.equal(unknown.stdout, "");

  const badSub = tsbpf(["prog", "frobnicate"]);
  assert.equal(badSub.code, 2);
  assert.match(badSub.stderr, /^tsbpf prog: .+\nsee "tsbpf prog --help"\n$/);

  const badId = tsbpf(["map", "dump", "twelve"]);
  assert.equal(badId.code, 2);
  assert.match(badId.stderr, /invalid map id "twelve"/);

  const badOption = tsbpf(["map", "list", "--colour"]);
  assert.equal(badOption.code, 2);

  const missing = tsbpf(["prog", "dump", "4294967295"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split("\n").length, 1, "runtime errors are one line");
  assert.match(missing.stderr, /not found/);

  const help = tsbpf(["--help"]);
  assert.equal(help.code, 0);
  for (const name of ["prog", "map", "link", "features", "count", "flows", "top"])
    assert.match(help.stdout, new RegExp(`^  ${name}\\s`, "m"));

  assert.match(tsbpf(["--version"]).stdout, /^tsbpf \d+\.\d+\.\d+/);
  assert.match(tsbpf(["map", "--help"]).stdout, /usage: tsbpf map list/);
});

test("without privileges, a command fails with exit code 1 and names the capability", () => {
  const r = tsbpf(["prog", "list"], UNPRIVILEGED);
  assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.match(r.stderr, /CAP_BPF/);
  assert.match(r.stderr, /root/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
  assert.equal(r.stdout, "");

  const features = tsbpf(["features"], UNPRIVILEGED);
  assert.equal(features.code, 1);
  assert.match(features.stderr, /CAP_BPF/);
});
