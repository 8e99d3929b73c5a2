// The tools' shared framework (src/tools/common): the live view's escape sequences, the
// Prometheus exposition and its HTTP endpoint, NDJSON, the run lifecycle, interface selection,
// capability checks, number formatting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { request } from "node:http";
import {
  LiveView,
  fitWidth,
  fitHeight,
  MetricsRegistry,
  MetricsServer,
  parseExposition,
  parseListenAddress,
  MetricsAddressError,
  jsonNumber,
  ndjsonLine,
  nonSnakeCaseKeys,
  NdjsonWriter,
  ToolRuntime,
  selectInterfaces,
  listInterfaces,
  hasCapability,
  formatBytes,
  formatBitRate,
  formatRate,
  siNumber,
  formatDuration,
  type Sample,
} from "../../src/tools/common/index.js";
import { InterfaceNotFoundError } from "../../src/sys/netlink.js";

// ---- live view ------------------------------------------------------------------------------------

class FakeTty extends EventEmitter {
  writes: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

const ESC = "\x1b[";

test("LiveView on a terminal: one write per frame, redrawn in place over the previous one, never cleared first", () => {
  const out = new FakeTty(20, 10);
  const view = new LiveView(out);
  assert.equal(view.tty, true);
  view.render(["header", "row 1", "row 2"]);
  assert.equal(out.writes.length, 1);
  assert.equal(out.writes[0], `${ESC}?2026h${ESC}?25lheader${ESC}K\nrow 1${ESC}K\nrow 2${ESC}K\n${ESC}J${ESC}?2026l`);

  view.render(["header", "row 1 changed"]);
  assert.equal(out.writes.length, 2);
  // Back up three lines (the previous frame), overwrite two, erase what is left below.
  assert.equal(out.writes[1], `${ESC}?2026h\r${ESC}3Aheader${ESC}K\nrow 1 changed${ESC}K\n${ESC}J${ESC}?2026l`);
  view.render(["a"]);
  assert.ok(
    out.writes[2]!.startsWith(`${ESC}?2026h\r${ESC}2A`),
    "the next frame backs up over the two lines now shown",
  );

  view.finish();
  assert.equal(out.writes.at(-1), `${ESC}?25h`);
  view.render(["after finish"]);
  assert.equal(out.writes.length, 4, "nothing is drawn after finish()");
  assert.equal(out.listenerCount("resize"), 0);
});

test("LiveView cuts lines to the width (minus the last column) and frames to the height", () => {
  const out = new FakeTty(12, 5);
  const view = new LiveView(out);
  view.render(["0123456789abcdef", "1", "2", "3", "4", "5", "6"]);
  const text = out.writes[0]!.replace(`${ESC}?2026h${ESC}?25l`, "").replace(`${ESC}J${ESC}?2026l`, "");
  const lines = text
    .split("\n")
    .filter(Boolean)
    .map((l) => l.replace(`${ESC}K`, ""));
  // 5 rows: 4 for the frame (the cursor's line needs one), the last of them saying what is hidden.
  assert.deepEqual(lines, ["0123456789…", "1", "2", "… 4 more lines (enlarge the terminal)".slice(0, 10) + "…"]);
  view.render(["x"]);
  assert.ok(out.writes[1]!.includes(`\r${ESC}4A`), "backs up over the 4 lines really drawn");
  view.finish();
});

test("LiveView after a resize clears the screen once, then redraws in place again", () => {
  const out = new FakeTty(40, 10);
  const view = new LiveView(out);
  view.render(["one", "two"]);
  out.columns = 30;
  out.emit("resize");
  assert.equal(out.writes.length, 2, "the last frame is redrawn at once");
  assert.ok(out.writes[1]!.includes(`${ESC}H${ESC}2J`));
  view.render(["three"]);
  assert.ok(out.writes[2]!.includes(`\r${ESC}2A`) && !out.writes[2]!.includes(`${ESC}2J`));
  view.finish();
});

test("LiveView on a pipe: plain lines, frames separated by an empty line, no escape sequences", () => {
  const writes: string[] = [];
  const view = new LiveView({
    write: (t: string) => {
      writes.push(t);
    },
    isTTY: false,
  });
  assert.equal(view.tty, false);
  view.render(["a", "b"]);
  view.render(["c"]);
  view.finish();
  assert.equal(writes.join(""), "a\nb\n\nc\n");
  assert.equal(new LiveView(new FakeTty(80, 24), { tty: false }).tty, false, "tty can be forced off");
});

test("fitWidth and fitHeight", () => {
  assert.equal(fitWidth("abc", 3), "abc");
  assert.equal(fitWidth("abcd", 3), "ab…");
  assert.deepEqual(fitHeight(["a", "b"], 3), ["a", "b"]);
  assert.deepEqual(fitHeight(["a", "b", "c"], 3), ["a", "… 2 more lines (enlarge the terminal)"]);
});

// ---- metrics --------------------------------------------------------------------------------------

test("MetricsRegistry writes text format 0.0.4: HELP and TYPE per family, escaped label values, bigints exact", () => {
  const registry = new MetricsRegistry()
    .counter("demo_bytes_total", "Bytes seen.\nSecond line with a \\ backslash.", (): Sample[] => [
      { labels: { interface: "eth0", name: 'quote " and \\ and\nnewline' }, value: 12345678901234567890n },
      { labels: { interface: "lo" }, value: 0 },
    ])
    .gauge("demo_start_time_seconds", "Start.", () => [{ value: 1.5 }])
    .gauge("demo_empty", "No samples yet.", () => []);
  assert.equal(
    registry.expose(),
    [
      "# HELP demo_bytes_total Bytes seen.\\nSecond line with a \\\\ backslash.",
      "# TYPE demo_bytes_total counter",
      'demo_bytes_total{interface="eth0",name="quote \\" and \\\\ and\\nnewline"} 12345678901234567890',
      'demo_bytes_total{interface="lo"} 0',
      "# HELP demo_start_time_seconds Start.",
      "# TYPE demo_start_time_seconds gauge",
      "demo_start_time_seconds 1.5",
      "# HELP demo_empty No samples yet.",
      "# TYPE demo_empty gauge",
      "",
    ].join("\n"),
  );
  const parsed = parseExposition(registry.expose());
  assert.equal(parsed.get("demo_bytes_total")?.samples[0]?.labels.name, 'quote " and \\ and\nnewline');
  assert.equal(parsed.get("demo_bytes_total")?.help, "Bytes seen.\nSecond line with a \\ backslash.");
  assert.equal(parsed.get("demo_empty")?.samples.length, 0);
});

test("MetricsRegistry refuses names that break the conventions", () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter("demo_packets", "x", () => []), /must end in _total/);
  assert.throws(() => r.gauge("demo_packets_total", "x", () => []), /only counters end in _total/);
  assert.throws(() => r.gauge("9bad", "x", () => []), /invalid metric name/);
  r.counter("demo_total", "x", () => [{ labels: { "bad-label": "v" }, value: 1 }]);
  assert.throws(() => r.counter("demo_total", "x", () => []), /registered twice/);
  assert.throws(() => r.expose(), /invalid label name "bad-label"/);
});

test("parseListenAddress: 127.0.0.1 unless an address is given", () => {
  assert.deepEqual(parseListenAddress("9100"), { host: "127.0.0.1", port: 9100 });
  assert.deepEqual(parseListenAddress(":9100"), { host: "127.0.0.1", port: 9100 });
  assert.deepEqual(parseListenAddress("0.0.0.0:9100"), { host: "0.0.0.0", port: 9100 });
  assert.deepEqual(parseListenAddress("[::1]:0"), { host: "::1", port: 0 });
  assert.deepEqual(parseListenAddress("localhost:8080"), { host: "localhost", port: 8080 });
  for (const bad of ["", "x", "1.2.3.4:", "1.2.3.4:65536", "::1:9100", "[1.2.3.4]:80", "a b:80"]) {
    assert.throws(() => parseListenAddress(bad), MetricsAddressError, bad);
  }
});

function get(url: string, method = "GET"): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = "";
      res
        .setEncoding("utf8")
        .on("data", (d: string) => {
          body += d;
        })
        .on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], body }));
    });
    req.on("error", reject).end();
  });
}

test("MetricsServer serves /metrics on 127.0.0.1, reads the values at scrape time, and stops listening on close", async () => {
  let packets = 0n;
  let broken = false;
  const registry = new MetricsRegistry().counter("demo_packets_total", "Packets.", () => {
    if (broken) throw new Error("map read failed");
    return [{ value: packets }];
  });
  const server = await MetricsServer.start(registry, parseListenAddress("0"));
  try {
    assert.equal(server.host, "127.0.0.1");
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    packets = 7n;
    const r = await get(server.url);
    assert.equal(r.status, 200);
    assert.equal(r.type, "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(parseExposition(r.body).get("demo_packets_total")?.samples[0]?.value, 7);
    packets = 9n;
    assert.match((await get(server.url)).body, /^demo_packets_total 9$/m);
    assert.equal((await get(server.url, "HEAD")).body, "");
    assert.equal((await get(server.url.replace("/metrics", "/other"))).status, 404);
    assert.equal((await get(server.url, "POST")).status, 405);
    broken = true;
    const failed = await get(server.url);
    assert.equal(failed.status, 500);
    assert.match(failed.body, /map read failed/);
  } finally {
    await server.close();
  }
  await assert.rejects(get(server.url), /ECONNREFUSED/);
});

test("MetricsServer says why it cannot listen", async () => {
  const first = await MetricsServer.start(new MetricsRegistry(), parseListenAddress("0"));
  try {
    await assert.rejects(
      MetricsServer.start(new MetricsRegistry(), { host: "127.0.0.1", port: first.port }),
      new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${first.port}: the address is in use`),
    );
    await assert.rejects(
      MetricsServer.start(new MetricsRegistry(), parseListenAddress("192.0.2.77:0")),
      /no local interface has that address/,
    );
  } finally {
    await first.close();
  }
});

// ---- NDJSON ---------------------------------------------------------------------------------------

test("NDJSON: bigints are numbers while exact, strings beyond 2^53; snake_case keys are checkable", () => {
  assert.equal(jsonNumber(5n), 5);
  assert.equal(jsonNumber(2n ** 53n - 1n), Number.MAX_SAFE_INTEGER);
  assert.equal(jsonNumber(2n ** 53n + 1n), "9007199254740993");
  assert.equal(
    ndjsonLine({ type: "x", packets: 3n, rows: [{ bytes: 2n ** 64n - 1n }] }),
    '{"type":"x","packets":3,"rows":[{"bytes":"18446744073709551615"}]}',
  );
  assert.deepEqual(nonSnakeCaseKeys({ type: "x", ok_key: 1, rows: [{ badKey: 1, fine_2: { AlsoBad: 0 } }] }), [
    "rows[0].badKey",
    "rows[0].fine_2.AlsoBad",
  ]);
  const lines: string[] = [];
  const writer = new NdjsonWriter((t) => lines.push(t));
  writer.record({ type: "a", n: 1n });
  writer.record({ type: "b" });
  assert.deepEqual(lines, ['{"type":"a","n":1}\n', '{"type":"b"}\n']);
});

// ---- lifecycle ------------------------------------------------------------------------------------

test("ToolRuntime: teardown runs last-first, once, collecting failures; signal handlers come and go", async () => {
  const before = process.listenerCount("SIGTERM");
  const rt = new ToolRuntime();
  assert.equal(process.listenerCount("SIGTERM"), before + 1);
  const order: string[] = [];
  rt.defer("first", 1, () => {
    order.push("first");
  });
  rt.use("disposable", {
    [Symbol.dispose]: () => {
      order.push("disposable");
    },
  });
  rt.use("async", {
    [Symbol.asyncDispose]: async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push("async");
    },
  });
  rt.defer("broken", 0, () => {
    throw new Error("boom");
  });
  const failures = await rt.close();
  assert.deepEqual(order, ["async", "disposable", "first"]);
  assert.deepEqual(
    failures.map((f) => [f.label, (f.error as Error).message]),
    [["broken", "boom"]],
  );
  assert.deepEqual(await rt.close(), []);
  assert.equal(order.length, 3);
  assert.equal(process.listenerCount("SIGTERM"), before);
  assert.equal(rt.stopReason?.kind, "done");
});

test("ToolRuntime: SIGTERM stops the run and wakes the sleepers; ticks stop with it", async () => {
  const seen: string[] = [];
  const rt = new ToolRuntime({ onSignal: (s) => seen.push(s) });
  try {
    const ticks: number[] = [];
    const loop = (async () => {
      for await (const tick of rt.ticks(20)) ticks.push(tick.index);
    })();
    await new Promise((r) => setTimeout(r, 75));
    const t0 = performance.now();
    const sleeper = rt.sleep(60_000);
    process.emit("SIGTERM");
    assert.equal(await sleeper, false);
    await loop;
    assert.ok(performance.now() - t0 < 1000, "a sleeper wakes at once");
    assert.ok(ticks.length >= 2 && ticks.length <= 5, `ticks ${ticks.length}`);
    assert.deepEqual(
      ticks,
      ticks.map((_, i) => i),
    );
    assert.deepEqual(rt.stopReason, { kind: "signal", signal: "SIGTERM" });
    assert.deepEqual(seen, ["SIGTERM"]);
  } finally {
    await rt.close();
  }
});

test("ToolRuntime: ticks(count) yields count ticks on schedule, then stops the run as done", async () => {
  const rt = new ToolRuntime({ handleSignals: false });
  try {
    const seconds: number[] = [];
    const t0 = performance.now();
    for await (const tick of rt.ticks(30, 4)) seconds.push(tick.seconds);
    const elapsed = performance.now() - t0;
    assert.equal(seconds.length, 4);
    assert.ok(elapsed >= 115 && elapsed < 400, `4 ticks of 30 ms took ${elapsed} ms`);
    for (const s of seconds) assert.ok(s > 0.015 && s < 0.2, `tick length ${s}`);
    assert.deepEqual(rt.stopReason, { kind: "done" });
  } finally {
    await rt.close();
  }
});

test("ToolRuntime follows an outer AbortSignal", async () => {
  const outer = new AbortController();
  const rt = new ToolRuntime({ signal: outer.signal, handleSignals: false });
  const sleeping = rt.sleep(60_000);
  outer.abort("enough");
  assert.equal(await sleeping, false);
  assert.deepEqual(rt.stopReason, { kind: "aborted", reason: "enough" });
  await rt.close();
});

// ---- interfaces, capabilities, formatting ---------------------------------------------------------

test("selectInterfaces: names, indexes, comma lists, any, the default, and clear errors", () => {
  assert.deepEqual(selectInterfaces(["lo"]), [{ name: "lo", ifindex: 1 }]);
  assert.deepEqual(selectInterfaces(["lo,1", "lo"]), [{ name: "lo", ifindex: 1 }], "duplicates collapse");
  assert.deepEqual(selectInterfaces(undefined, { fallback: () => "lo" }), [{ name: "lo", ifindex: 1 }]);
  const all = selectInterfaces(["any"]);
  assert.deepEqual(all, listInterfaces());
  assert.ok(all.some((i) => i.name === "lo"));
  assert.throws(
    () => selectInterfaces(["tsbpf-nosuch0"]),
    (err: unknown) => {
      assert.ok(err instanceof InterfaceNotFoundError);
      assert.match(
        err.message,
        /^network interface "tsbpf-nosuch0" not found: no such interface in this network namespace \(interfaces here: lo[,)]/,
      );
      return true;
    },
  );
  assert.throws(() => selectInterfaces(["987654"]), /no interface has index 987654/);
  assert.throws(() => selectInterfaces(["a-name-longer-than-15"]), /1 to 15 characters/);
});

test("hasCapability: CAP_BPF also from CAP_SYS_ADMIN; CAP_NET_ADMIN only itself", () => {
  const bit = (n: number): bigint => 1n << BigInt(n);
  assert.equal(hasCapability("CAP_BPF", bit(39)), true);
  assert.equal(hasCapability("CAP_BPF", bit(21)), true);
  assert.equal(hasCapability("CAP_BPF", bit(12)), false);
  assert.equal(hasCapability("CAP_NET_ADMIN", bit(21)), false);
  assert.equal(hasCapability("CAP_NET_ADMIN", bit(12)), true);
  assert.equal(hasCapability("CAP_NET_ADMIN", 0n), false);
});

test("human number formatting", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1500), "1.50 kB");
  assert.equal(formatBytes(12_345_678n), "12.3 MB");
  assert.equal(formatBitRate(1000), "8 kbit/s");
  assert.equal(formatBitRate(123.4), "987 bit/s");
  assert.equal(formatRate(2.5), "2.5");
  assert.equal(formatRate(1234), "1.23k");
  assert.equal(siNumber(999_999), "1.00M");
  assert.equal(formatDuration(5), "5.0 s");
  assert.equal(formatDuration(125), "2 min 05 s");
  assert.equal(formatDuration(7300), "2 h 01 min");
});
