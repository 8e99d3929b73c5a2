// The live web dashboard (`tsbpf top --web`) in a real browser: headless Chromium opens the page
// inside the namespace where top watches one end of a veth pair, the test pings from the other end
// and execs a marker program, and the page — updated live over server-sent events — must show the
// exact ICMP packet count and the marker's exec. The same for the agent's `web:` setting. Also:
// only / and /events are served and the page loads nothing from elsewhere (the connection limits
// are test/unit/web-dashboard-limits.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vethPairFor } from "../helpers/netns.js";
import { HeadlessBrowser } from "../helpers/browser.js";
import { commandExists, scrapeIn, ToolProcess } from "../helpers/tool-process.js";

const PINGS = 6;
const CHROMIUM = ["chromium", "chromium-browser"].find(commandExists);

test("top --web: headless Chromium shows the exact pings and a marker's exec, live", {
  skip: CHROMIUM ? false : "chromium is not installed (npm test installs it on Debian: scripts/test-setup.ts)",
}, async (t) => {
  const pair = vethPairFor(t);
  const top = ToolProcess.start(["top", "-i", pair.b.ifname, "--interval", "0.5", "--json", "--web", "127.0.0.1:0"], {
    netnsPath: pair.b.path,
  });
  t.after(() => {
    if (top.running) top.kill("SIGKILL");
  });
  const url = await top.waitFor(
    (p) => /serving the web dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.stderr)?.[1],
    "the dashboard address",
  );
  const browser = HeadlessBrowser.launch({ command: CHROMIUM!, netnsPath: pair.b.path });
  t.after(() => browser.close());
  const page = await browser.open(url);
  await page.waitFor<string>("document.body.dataset.connected", (v) => v === "true", "a connected event stream");
  await page.waitFor<number>("Number(document.getElementById('records').textContent)", (n) => n > 0, "a first record");

  pair.ping(pair.a, PINGS);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-web-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, "tsbpfwebmark");
  copyFileSync("/bin/true", marker);
  chmodSync(marker, 0o755);

  // ICMP echo requests in and replies out, both counted: 2 × PINGS in the protocol table.
  const icmp = `document.querySelector('#protocols tr[data-key="IPv4 icmp"] td[data-field="total_packets"]')?.textContent ?? null`;
  assert.equal(
    await page.waitFor<string | null>(icmp, (v) => v === String(2 * PINGS), `${2 * PINGS} ICMP packets`),
    String(2 * PINGS),
  );
  const commands = "[...document.querySelectorAll('#exec-events td[data-field=command]')].map((td) => td.textContent)";
  // top watches the whole machine's execs and the page lists the newest 15: on a busy machine other
  // execs may push the marker out before the page is read, so it is run again until seen.
  let seen: string[] = [];
  for (let attempt = 1; !seen.some((c) => c.includes("tsbpfwebmark")); attempt++) {
    assert.equal(spawnSync(marker, ["--seen-by-the-page"]).status, 0);
    seen = await page
      .waitFor<string[]>(commands, (list) => list.some((c) => c.includes("tsbpfwebmark")), "the marker's exec", 3_000)
      .catch((err: Error) => {
        if (attempt === 10) throw err;
        return [];
      });
  }
  assert.ok(
    seen.some((c) => c === `${marker} --seen-by-the-page`),
    seen.join("\n"),
  );
  // The charts are drawn from the same records: one line per protocol seen.
  const lines = await page.evaluate<number>("document.querySelectorAll('#packets-chart polyline').length");
  assert.ok(lines >= 1, `chart lines: ${lines}`);
  // A few more intervals: the count stays exact (no double counting as records arrive).
  const records = await page.evaluate<number>("Number(document.getElementById('records').textContent)");
  await page.waitFor<number>(
    "Number(document.getElementById('records').textContent)",
    (n) => n >= records + 3,
    "three more records",
  );
  assert.equal(await page.evaluate<string | null>(icmp), String(2 * PINGS));

  if (process.env.TSBPF_SCREENSHOT) writeFileSync(process.env.TSBPF_SCREENSHOT, await page.screenshot());
  top.kill("SIGINT");
  assert.equal((await top.exit()).code, 0, top.stderr);
});

test("agent with web: headless Chromium shows the agent's exact pings and a marker's exec, live", {
  skip: CHROMIUM ? false : "chromium is not installed (npm test installs it on Debian: scripts/test-setup.ts)",
}, async (t) => {
  const pair = vethPairFor(t);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-web-agent-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "agent.yaml");
  writeFileSync(
    config,
    [
      `interfaces: [${pair.b.ifname}]`,
      "interval: 500ms",
      "metrics: false",
      "web: 127.0.0.1:0",
      "events: false",
      "collectors:",
      "  packets: true",
      "  flows: { top: 5 }",
      // Execs of the agent's namespace only: the page shows the newest 15, and a busy machine
      // would push the marker out of them.
      "  exec: { keep: 20, scope: netns }",
    ].join("\n"),
  );
  const agent = ToolProcess.start(["agent", "--config", config], { netnsPath: pair.b.path });
  t.after(() => {
    if (agent.running) agent.kill("SIGKILL");
  });
  const url = await agent.waitFor(
    (p) => /tsbpf agent: serving the web dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.stderr)?.[1],
    "the dashboard address",
  );
  const browser = HeadlessBrowser.launch({ command: CHROMIUM!, netnsPath: pair.b.path });
  t.after(() => browser.close());
  const page = await browser.open(url);
  await page.waitFor<string>("document.body.dataset.connected", (v) => v === "true", "a connected event stream");
  await page.waitFor<number>("Number(document.getElementById('records').textContent)", (n) => n > 0, "a first record");
  assert.match(await page.evaluate<string>("document.title"), /^tsbpf agent on .* — Network on /);

  pair.ping(pair.a, PINGS);
  const marker = join(dir, "tsbpfagentmark");
  copyFileSync("/bin/true", marker);
  chmodSync(marker, 0o755);
  assert.equal(spawnSync("nsenter", [`--net=${pair.b.path}`, marker, "--seen-by-the-agent-page"]).status, 0);

  const icmp = `document.querySelector('#protocols tr[data-key="IPv4 icmp"] td[data-field="total_packets"]')?.textContent ?? null`;
  await page.waitFor<string | null>(icmp, (v) => v === String(2 * PINGS), `${2 * PINGS} ICMP packets`);
  const commands = "[...document.querySelectorAll('#exec-events td[data-field=command]')].map((td) => td.textContent)";
  const seen = await page.waitFor<string[]>(
    commands,
    (list) => list.some((c) => c.includes("tsbpfagentmark")),
    "the marker's exec",
  );
  assert.ok(
    seen.some((c) => c === `${marker} --seen-by-the-agent-page`),
    seen.join("\n"),
  );
  // The tcp collector is off: its panel stays empty rather than showing another's figures.
  assert.equal(await page.evaluate<number>("document.querySelectorAll('#tcp-processes tbody tr').length"), 0);
  const records = await page.evaluate<number>("Number(document.getElementById('records').textContent)");
  await page.waitFor<number>(
    "Number(document.getElementById('records').textContent)",
    (n) => n >= records + 3,
    "three more records",
  );
  assert.equal(await page.evaluate<string | null>(icmp), String(2 * PINGS));
  agent.kill("SIGTERM");
  assert.equal((await agent.exit()).code, 0, agent.stderr);
});

test("top --web serves only the page and its event stream, with nothing from elsewhere", async (t) => {
  const pair = vethPairFor(t);
  const top = ToolProcess.start(["top", "-i", pair.b.ifname, "--interval", "0.5", "--web", "127.0.0.1:0"], {
    netnsPath: pair.b.path,
  });
  t.after(() => {
    if (top.running) top.kill("SIGKILL");
  });
  const url = await top.waitFor(
    (p) => /serving the web dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.stderr)?.[1],
    "the dashboard address",
  );
  const page = scrapeIn(pair.b.path, url);
  assert.equal(page.status, 200);
  assert.equal(page.type, "text/html; charset=utf-8");
  // No external asset: no src/href pointing at another origin, no CDN.
  assert.deepEqual(page.body.match(/(?:src|href)=["']?(?:https?:)?\/\//g), null);
  for (const path of ["metrics", "favicon.ico", "events/../x", "index.html"])
    assert.equal(scrapeIn(pair.b.path, url + path).status, 404, path);
  top.kill("SIGTERM");
  assert.equal((await top.exit()).code, 0, top.stderr);
});

test("top --web with a bad address: one line in tsbpf's words, exit 2", () => {
  const r = spawnSync(
    process.execPath,
    [join(import.meta.dirname, "../../bin/tsbpf.js"), "top", "--web", "localhost:99999"],
    {
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 2);
  assert.match(
    r.stderr,
    /^tsbpf top: invalid --web address "localhost:99999": the port must be a number from 0 to 65535\n/,
  );
});
