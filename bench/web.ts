// The web dashboard's update latency: from a packet on the wire to the page showing it, in a real
// browser (Debian's headless chromium), against the way a user would get the same figure on a
// screen without it: Prometheus scraping the tool's /metrics every second, read by a dashboard
// that polls the query every 100 ms (more often than Grafana's refresh allows: the peer's best
// case).
//   - ours: `tsbpf top --web` at its default 1 s interval; the page's ICMP packet count (a
//     MutationObserver in the page notes the moment the count changes in the DOM);
//   - peer: the same `tsbpf top` process's --metrics, scraped by Prometheus at 1 s;
//     `sum(tsbpf_flows_packets_total{protocol="icmp"})` polled over Prometheus' HTTP API.
// Each round sends one ping (a request in and a reply out on the watched interface) at a random
// moment of the interval, and times both from the ping's start. Both wait for the tool's interval
// or the scrape, so the figures are dominated by half a period on average; the spread shows it.
// Run alone: npx tsc -p . && node dist/bench/web.js
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { HeadlessBrowser } from "../test/helpers/browser.js";
import { VethPair } from "../test/helpers/netns.js";
import { PrometheusProcess } from "../test/helpers/prometheus.js";
import { commandExists, ToolProcess } from "../test/helpers/tool-process.js";
import { median } from "./c-peer.js";
import type { Figures } from "./run.js";

const ROUNDS = 15;
const METRICS_PORT = 9464;
const ICMP_CELL = `document.querySelector('#protocols tr[data-key="IPv4 icmp"] td[data-field="total_packets"]')`;

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export async function run(): Promise<Figures> {
  const chromium = ["chromium", "chromium-browser"].find(commandExists);
  if (!chromium || !commandExists("prometheus"))
    throw new Error("the web bench needs Debian's chromium and prometheus");
  const cleanups: (() => Promise<void> | void)[] = [];
  const pair = VethPair.create();
  cleanups.push(() => pair.delete());
  try {
    const top = ToolProcess.start(
      ["top", "-i", pair.b.ifname, "--json", "--web", "127.0.0.1:0", "--metrics", `127.0.0.1:${METRICS_PORT}`],
      { netnsPath: pair.b.path },
    );
    cleanups.unshift(async () => {
      if (top.running) top.kill("SIGKILL");
      await top.exit();
    });
    const url = await top.waitFor(
      (p) => /serving the web dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.stderr)?.[1],
      "the dashboard address",
    );
    const prometheus = PrometheusProcess.start(
      { after: (fn) => void cleanups.unshift(fn) },
      pair.b.path,
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [{ job_name: "tsbpf", static_configs: [{ targets: [`127.0.0.1:${METRICS_PORT}`] }] }],
      }),
    );
    await prometheus.ready();
    const browser = HeadlessBrowser.launch({ command: chromium, netnsPath: pair.b.path });
    cleanups.unshift(() => browser.close());
    const page = await browser.open(url);
    await page.waitFor<string>("document.body.dataset.connected", (v) => v === "true", "a connected event stream");
    await page.waitFor<number>("Number(document.getElementById('records').textContent)", (n) => n > 0, "a record");

    const promCount = async (): Promise<number> => {
      const r = await prometheus.query('sum(tsbpf_flows_packets_total{protocol="icmp"})');
      return Number(r.result[0]?.value?.[1] ?? 0);
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    let sent = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Let both settle on the previous round's count, then start at a random phase of the period.
      const expected = 2 * sent;
      await page.waitFor<string | null>(
        `${ICMP_CELL}?.textContent ?? "0"`,
        (v) => v === String(expected),
        `${expected} ICMP packets`,
      );
      while ((await promCount()) !== expected) await sleep(100);
      await sleep(Math.random() * 1000);
      await page.evaluate(`(() => {
        window.tsbpfSeenAt = 0;
        const target = "${expected + 2}";
        const observer = new MutationObserver(() => {
          if (${ICMP_CELL}?.textContent === target) { window.tsbpfSeenAt = Date.now(); observer.disconnect(); }
        });
        observer.observe(document.getElementById("protocols"), { subtree: true, childList: true, characterData: true });
      })()`);
      const start = Date.now();
      const ping = spawn("nsenter", [`--net=${pair.a.path}`, "ping", "-q", "-c", "1", "-W", "2", pair.b.address], {
        stdio: "ignore",
      });
      sent++;
      let promAt = 0;
      while (!promAt) {
        if ((await promCount()) >= expected + 2) promAt = Date.now();
        else await sleep(100);
        if (Date.now() - start > 30_000) throw new Error("Prometheus never showed the ping");
      }
      const seenAt = await page.waitFor<number>("window.tsbpfSeenAt", (v) => v > 0, "the ping on the page", 30_000);
      await new Promise((r) => (ping.exitCode === null ? ping.once("exit", r) : r(undefined)));
      ours.push(seenAt - start);
      theirs.push(promAt - start);
    }
    top.kill("SIGINT");
    return {
      update_latency_ms: {
        value: median(ours),
        unit: "ms",
        peer: "Prometheus (1 s scrape) polled every 100 ms",
        peer_value: median(theirs),
        ratio: median(ours) / median(theirs),
        rounds: ROUNDS,
        spread: [Math.min(...ours), Math.max(...ours)],
        peer_spread: [Math.min(...theirs), Math.max(...theirs)],
      },
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const figures = await run();
  console.log(JSON.stringify(figures, null, 2));
}
