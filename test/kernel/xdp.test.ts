import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { XdpProgram, xdpInfo, type XdpMode } from "../../src/programs/xdp.js";
import { AttachPointBusyError, InterfaceNotFoundError } from "../../src/programs/net-common.js";
import { LegacyAttachment, Link } from "../../src/links/link.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";
import { vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";
import {
  icmpCounterProgram,
  icmpCounters,
  returnProgram,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
} from "../helpers/packet-programs.js";

const XDP_PASS = 2,
  XDP_DROP = 1;

/** `ip -d link show` of the interface: "prog/xdp" and the xdp flag appear only while one is attached. */
function ipLinkShowsXdp(pair: VethPair, end: NetnsEnd): boolean {
  const out = pair.run(end, "ip", ["-d", "link", "show", "dev", end.ifname]).stdout;
  return /\bxdp(generic|drv|offload)?\b|prog\/xdp/.test(out);
}

for (const [via, mode] of [
  ["link", "driver"],
  ["link", "skb"],
  ["netlink", "skb"],
  ["netlink", "driver"],
] as const) {
  test(`XDP via ${via} in ${mode} mode counts exactly the echo requests of ping -c 5, and detaches cleanly`, (t) => {
    const pair = vethPairFor(t);
    using counters = icmpCounters();
    using prog = XdpProgram.load({
      name: "xdp_icmp",
      code: icmpCounterProgram(counters, { ctx: "xdp", l2: true, verdict: XDP_PASS }),
      maps: [counters],
    });
    const attachment = pair.within(pair.b, () => prog.attach(pair.b.ifname, { mode: mode as XdpMode, via }));
    try {
      assert.ok(via === "link" ? attachment instanceof Link : attachment instanceof LegacyAttachment);
      assert.match(attachment.description, new RegExp(`^xdp on veth1 \\(${mode} mode, ${via}\\)$`));
      const state = pair.within(pair.b, () => xdpInfo(pair.b.ifname));
      assert.equal(state.attached, mode);
      assert.ok(state.progId > 0);
      assert.ok(ipLinkShowsXdp(pair, pair.b), "ip -d link shows the program while attached");

      pair.ping(pair.a, 5);
      // XDP sees what veth1 receives: the five requests, not the replies veth1 sends.
      assert.equal(counters.get(ICMP_ECHO_REQUEST), 5n);
      assert.equal(counters.get(ICMP_ECHO_REPLY), 0n);
    } finally {
      attachment.detach();
    }
    assert.deepEqual(
      pair.within(pair.b, () => xdpInfo("veth1")),
      { attached: "none", progId: 0, driverProgId: 0, skbProgId: 0, hwProgId: 0 },
    );
    assert.equal(ipLinkShowsXdp(pair, pair.b), false, "ip -d link shows no XDP after detach");
    pair.ping(pair.a, 2);
    assert.equal(counters.get(ICMP_ECHO_REQUEST), 5n, "nothing counted after detach");
  });
}

test("an XDP program's verdict applies: XDP_DROP on echo requests makes ping fail", (t) => {
  const pair = vethPairFor(t);
  using counters = icmpCounters();
  using prog = XdpProgram.load({
    name: "xdp_drop_icmp",
    maps: [counters],
    code: icmpCounterProgram(counters, { ctx: "xdp", l2: true, verdict: XDP_PASS, requestVerdict: XDP_DROP }),
  });
  {
    using _link = pair.within(pair.b, () => prog.attach("veth1"));
    const result = pair.run(pair.a, "ping", ["-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", pair.b.address], {
      allowFailure: true,
    });
    assert.notEqual(result.status, 0, "ping must fail while requests are dropped");
    assert.match(result.stdout, /3 packets transmitted, 0 received/);
    assert.equal(counters.get(ICMP_ECHO_REQUEST), 3n);
  }
  pair.ping(pair.a, 1); // the link is gone: traffic flows again
});

test("a second XDP program on the same interface is refused, naming the one that is there", (t) => {
  const pair = vethPairFor(t);
  using first = XdpProgram.load({ name: "xdp_first", code: returnProgram(XDP_PASS) });
  using second = XdpProgram.load({ name: "xdp_second", code: returnProgram(XDP_PASS) });
  const expectBusy = (fn: () => unknown, errno: RegExp): void => {
    assert.throws(
      () => pair.within(pair.b, fn),
      (err: unknown) => {
        assert.ok(err instanceof AttachPointBusyError, String(err));
        assert.match(
          err.message,
          /^xdp on veth1 is already taken by program "xdp_first" \(id \d+\) in (driver|skb) mode: /,
        );
        assert.match(String(err.errno), errno);
        return true;
      },
    );
  };

  for (const via of ["link", "netlink"] as const) {
    const held = pair.within(pair.b, () => first.attach("veth1", { mode: "driver", via }));
    try {
      expectBusy(() => second.attach("veth1", { mode: "driver", via: "link" }), /^16$/); // EBUSY
      expectBusy(() => second.attach("veth1", { mode: "driver", via: "netlink" }), /^16$/);
      // Native and generic XDP cannot be active together.
      expectBusy(() => second.attach("veth1", { mode: "skb", via: "netlink" }), /^(16|17)$/);
    } finally {
      held.detach();
    }
    assert.equal(pair.within(pair.b, () => xdpInfo("veth1")).attached, "none");
  }
});

test("detaching a netlink attachment leaves alone a program that replaced it", (t) => {
  const pair = vethPairFor(t);
  using first = XdpProgram.load({ name: "xdp_first", code: returnProgram(XDP_PASS) });
  const attachment = pair.within(pair.b, () => first.attach("veth1", { mode: "skb", via: "netlink" }));
  // Someone else replaces it with iproute2 (which can: it does not ask for UPDATE_IF_NOEXIST).
  pair.run(pair.b, "ip", ["link", "set", "dev", "veth1", "xdpgeneric", "off"]);
  using second = XdpProgram.load({ name: "xdp_second", code: returnProgram(XDP_PASS) });
  const other = pair.within(pair.b, () => second.attach("veth1", { mode: "skb", via: "netlink" }));
  try {
    attachment.detach();
    const state = pair.within(pair.b, () => xdpInfo("veth1"));
    assert.equal(state.attached, "skb");
    assert.ok(state.skbProgId > 0);
  } finally {
    other.detach();
  }
  assert.equal(pair.within(pair.b, () => xdpInfo("veth1")).attached, "none");
});

test("a netlink attachment detaches in its own namespace, wherever the thread is by then", (t) => {
  const pair = vethPairFor(t);
  using prog = XdpProgram.load({ name: "xdp_ns", code: returnProgram(XDP_PASS) });
  const attachment = pair.within(pair.b, () => prog.attach("veth1", { via: "netlink" }));
  attachment.detach(); // called from the original namespace
  assert.equal(pair.within(pair.b, () => xdpInfo("veth1")).attached, "none");
});

test("attaching to a missing interface is an InterfaceNotFoundError naming it", () => {
  using prog = XdpProgram.load({ name: "xdp_nowhere", code: returnProgram(XDP_PASS) });
  for (const via of ["link", "netlink"] as const) {
    assert.throws(
      () => prog.attach("tsbpf-nosuch0", { via }),
      (err: unknown) => {
        assert.ok(err instanceof InterfaceNotFoundError, String(err));
        assert.ok(err instanceof TargetNotFoundError);
        assert.match(err.message, /network interface "tsbpf-nosuch0" not found/);
        return true;
      },
    );
    assert.throws(
      () => prog.attach(987_654, { via }),
      (err: unknown) => {
        assert.ok(err instanceof InterfaceNotFoundError, String(err));
        assert.match(err.message, /ifindex 987654/);
        return true;
      },
    );
  }
  assert.throws(() => xdpInfo("tsbpf-nosuch0"), InterfaceNotFoundError);
});

test("an XDP link dies with its process: a SIGKILLed child leaves nothing attached", async (t) => {
  const pair = vethPairFor(t);
  const script = fileURLToPath(new URL("../helpers/xdp-attach-child.js", import.meta.url));
  const child = spawn("nsenter", [`--net=${pair.b.path}`, process.execPath, script, "veth1", "driver"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stdout = "",
    stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("\n")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
  });
  assert.match(stdout, /^attached xdp on veth1 \(driver mode, link\)/);
  const attached = pair.within(pair.b, () => xdpInfo("veth1"));
  assert.equal(attached.attached, "driver");

  const exited = once(child, "exit");
  child.kill("SIGKILL");
  const [, signal] = await exited;
  assert.equal(signal, "SIGKILL");
  // The link's fd closes as the process dies; allow the kernel a moment to release it.
  let state = pair.within(pair.b, () => xdpInfo("veth1"));
  for (let i = 0; i < 50 && state.attached !== "none"; i++) {
    await new Promise((r) => setTimeout(r, 20));
    state = pair.within(pair.b, () => xdpInfo("veth1"));
  }
  assert.equal(state.attached, "none");
  assert.equal(ipLinkShowsXdp(pair, pair.b), false);
});
