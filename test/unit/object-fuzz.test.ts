// Mutation fuzzing of the object parser and linker over the test corpus: thousands of seeded,
// byte-flipped objects (bits flipped, bytes replaced, u32 fields set to edge values, truncations,
// chunks copied), aimed mostly at the parts that steer parsing (ELF header, section table,
// symbols, relocations, .BTF, .BTF.ext, .maps, code). Every one must either parse, link (against
// the kernel's BTF), fix up its BTF and describe its types — or fail with a typed error. No other
// exception, no crash, no hang. A sample of the survivors is loaded into the kernel too: the
// kernel may refuse them, but only through typed errors, and nothing is left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { BpfObjectFile, ElfFile, kernelBtfBlob, link } from "../../src/object/index.js";
import { loadObject } from "../../src/loader/index.js";
import { generateTypes } from "../../src/loader/gen-types.js";
import { btfCodec } from "../../src/loader/btf-codec.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { TsbpfError } from "../../src/errors.js";
import { MapType } from "../../src/uapi.js";
import { corpusNames, corpusObject } from "../helpers/bpf-corpus.js";

const SEED = Number(process.env.TSBPF_FUZZ_SEED ?? 0x5eed_0b1e);
const PER_OBJECT = Number(process.env.TSBPF_FUZZ_PER_OBJECT ?? 300);
/** Every LOAD_EVERY-th mutant that links is also loaded. */
const LOAD_EVERY = 25;
/** A mutant taking this long is a hang for our purposes. */
const SLOW_MS = 2000;

/** xorshift32: a small seeded generator, so a failure can be replayed from its seed and index. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

interface Region {
  start: number;
  end: number;
}

/** The byte ranges worth mutating: headers, tables and the sections the parser reads. */
function regions(bytes: Uint8Array): Region[] {
  const elf = ElfFile.parse(bytes);
  const out: Region[] = [{ start: 0, end: 64 }];
  const shoff = Number(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readBigUInt64LE(40));
  out.push({ start: shoff, end: shoff + elf.sections.length * 64 });
  for (const s of elf.sections) {
    if (s.name.startsWith(".debug") || s.name.startsWith(".rel.debug") || s.data.length === 0) continue;
    out.push({ start: s.offset, end: s.offset + s.data.length });
  }
  return out;
}

function mutate(good: Uint8Array, targets: Region[], next: () => number): Uint8Array {
  const pick = (): number => {
    const r = targets[next() % targets.length]!;
    return r.start + (next() % Math.max(1, r.end - r.start));
  };
  const kind = next() % 7;
  if (kind === 2) return good.slice(0, next() % good.length); // truncation
  const m = new Uint8Array(good);
  const count = 1 + (next() % 4);
  for (let i = 0; i < count; i++) {
    switch (kind) {
      case 0: {
        const at = pick();
        m[at] = m[at]! ^ (1 << (next() % 8));
        break;
      }
      case 1: {
        const at = pick();
        m[at] = next() & 0xff;
        break;
      }
      case 3: {
        const at = pick() & ~3;
        if (at + 4 > m.length) break;
        const edges = [0, 1, 0xffff_ffff, 0x7fff_ffff, 0x8000_0000, m.length, m.length + 8, next()];
        new DataView(m.buffer).setUint32(at, edges[next() % edges.length]! >>> 0, true);
        break;
      }
      case 4: {
        const at = next() % m.length;
        m[at] = next() & 0xff;
        break;
      }
      case 5: {
        const from = pick(),
          to = pick(),
          len = 1 + (next() % 32);
        m.copyWithin(to, from, Math.min(m.length, from + len));
        break;
      }
      default: {
        const at = pick();
        m[at] = m[at]! ^ 0xff;
        break;
      }
    }
  }
  return m;
}

/** Bytes of kernel memory the maps would take (mutants asking for more are not loaded). */
function mapFootprint(file: BpfObjectFile): number {
  let total = 0;
  for (const m of file.maps) {
    if (m.type === MapType.RINGBUF || m.type === MapType.USER_RINGBUF) total += m.maxEntries;
    else if (m.type === MapType.ARENA) total += Infinity;
    else total += m.maxEntries * (m.keySize + m.valueSize + 64);
  }
  return total;
}

test("byte-flipped objects get typed errors only: no other exception, no hang", { timeout: 15 * 60_000 }, (t) => {
  const target = kernelBtf();
  const pinRoot = `/sys/fs/bpf/tsbpf_fuzz_${process.pid}`;
  mkdirSync(pinRoot);
  t.after(() => rmSync(pinRoot, { recursive: true, force: true }));
  const outcomes = new Map<string, number>();
  const count = (k: string): void => {
    outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  };
  let linkedCount = 0,
    loadAttempts = 0,
    loaded = 0,
    slowest = 0,
    total = 0;
  const started = performance.now();
  for (const [objectIndex, name] of corpusNames().entries()) {
    const good = new Uint8Array(readFileSync(corpusObject(name)));
    const targets = regions(good);
    const next = rng(SEED + objectIndex * 0x9e3779b9);
    for (let i = 0; i < PER_OBJECT; i++) {
      const mutant = mutate(good, targets, next);
      const where = `${name} mutant #${i} (seed 0x${SEED.toString(16)})`;
      const t0 = performance.now();
      let file: BpfObjectFile | undefined;
      try {
        file = BpfObjectFile.parse(mutant, { file: `${name}.bpf.o`, name });
        kernelBtfBlob(file);
        link(file, { targetBtf: target });
        generateTypes(file);
        if (file.btf)
          for (const m of file.maps) {
            if (m.keyTypeId) btfCodec(file.btf, m.keyTypeId);
            if (m.valueTypeId) btfCodec(file.btf, m.valueTypeId);
          }
        count("ok");
        linkedCount++;
      } catch (err) {
        if (!(err instanceof TsbpfError))
          assert.fail(`${where}: untyped ${err instanceof Error ? err.stack : String(err)}`);
        if (process.env.TSBPF_FUZZ_VERBOSE)
          t.diagnostic(
            `${where}: ${err.name}: ${err.message.split("\n")[0]}${process.env.TSBPF_FUZZ_VERBOSE === "stack" ? `\n${err.stack}` : ""}`,
          );
        count(err.name);
        file = undefined;
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < SLOW_MS, `${where} took ${ms.toFixed(0)} ms`);
      total++;
      if (file && linkedCount % LOAD_EVERY === 0 && mapFootprint(file) < 16 << 20) {
        loadAttempts++;
        try {
          const obj = loadObject(file, { pinRoot });
          loaded++;
          obj.unpinMaps();
          obj.close();
        } catch (err) {
          if (!(err instanceof TsbpfError))
            assert.fail(`${where}: loading threw untyped ${err instanceof Error ? err.stack : String(err)}`);
        }
      }
    }
  }
  const elapsed = performance.now() - started;
  t.diagnostic(
    `${total} mutants in ${(elapsed / 1000).toFixed(1)} s (slowest ${slowest.toFixed(0)} ms): ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(", ")}; loaded ${loaded}/${loadAttempts}`,
  );
  assert.ok(total >= 1000, "thousands of mutants");
  assert.ok(
    (outcomes.get("ok") ?? 0) > 0 && (outcomes.get("ok") ?? 0) < total,
    "some mutants survive, some are refused",
  );
  assert.ok(loadAttempts > 0, "a sample was loaded into the kernel");
  assert.ok(outcomes.size > 4, "several kinds of typed errors were met");
});
