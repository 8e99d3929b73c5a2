import { test } from "node:test";
import assert from "node:assert/strict";
import { TcProgram, tcInfo, TcxAction, type TcDirection } from "../../src/programs/tc.js";
import { AttachPointBusyError, InterfaceNotFoundError } from "../../src/programs/net-common.js";
import { LegacyAttachment, Link } from "../../src/links/link.js";
import { AlreadyAttachedError } from "../../src/sys/errors.js";
import { qdiscList, resolveInterface } from "../../src/sys/netlink.js";
import { vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";
import {
  icmpCounterProgram,
  icmpCounters,
  returnProgram,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
} from "../helpers/packet-programs.js";

const TC_ACT_OK = 0,
  TC_ACT_SHOT = 2;

function tcFilterShow(pair: VethPair, end: NetnsEnd, direction: TcDirection): string {
  return pair.run(end, "tc", ["filter", "show", "dev", end.ifname, direction]).stdout.trim();
}

function hasClsact(pair: VethPair, end: NetnsEnd): boolean {
  return pair.within(end, () => qdiscList(resolveInterface(end.ifname).ifindex)).some((q) => q.kind === "clsact");
}

for (const via of ["tcx", "clsact"] as const) {
  test(`tc via ${via}: ingress on the receiver and egress on the sender each count exactly ping -c 5`, (t) => {
    const pair = vethPairFor(t);
    using ingressCounts = icmpCounters("tc_in");
    using egressCounts = icmpCounters("tc_out");
    using ingress = TcProgram.load({
      name: "tc_in",
      code: icmpCounterProgram(ingressCounts, { ctx: "skb", l2: true, verdict: TC_ACT_OK }),
      maps: [ingressCounts],
    });
    using egress = TcProgram.load({
      name: "tc_out",
      code: icmpCounterProgram(egressCounts, { ctx: "skb", l2: true, verdict: TC_ACT_OK }),
      maps: [egressCounts],
    });

    const onB = pair.within(pair.b, () => ingress.attach("veth1", "ingress", { via }));
    let onA;
    try {
      onA = pair.within(pair.a, () => egress.attach("veth0", "egress", { via }));
    } catch (err) {
      onB.detach();
      throw err;
    }
    try {
      if (via === "tcx") {
        assert.ok(onB instanceof Link && onA instanceof Link);
        assert.equal(onB.description, "tc ingress on veth1 (tcx link)");
        assert.equal(pair.within(pair.b, () => tcInfo("veth1", "ingress")).tcx.length, 1);
        assert.equal(pair.within(pair.a, () => tcInfo("veth0", "egress")).tcx.length, 1);
      } else {
        assert.ok(onB instanceof LegacyAttachment && onA instanceof LegacyAttachment);
        assert.match(
          onB.description,
          /^tc ingress on veth1 \(clsact, cls_bpf pref \d+ handle 0x[0-9a-f]+, direct-action\)$/,
        );
        const [filter] = pair.within(pair.b, () => tcInfo("veth1", "ingress")).clsact;
        assert.equal(filter?.kind, "bpf");
        assert.equal(filter?.bpfName, "tc_in");
        assert.equal(filter?.directAction, true);
        assert.match(tcFilterShow(pair, pair.b, "ingress"), /bpf .*tc_in direct-action/);
        assert.match(tcFilterShow(pair, pair.a, "egress"), /bpf .*tc_out direct-action/);
        assert.ok(hasClsact(pair, pair.b));
      }

      pair.ping(pair.a, 5);
      assert.equal(ingressCounts.get(ICMP_ECHO_REQUEST), 5n);
      assert.equal(ingressCounts.get(ICMP_ECHO_REPLY), 0n);
      assert.equal(egressCounts.get(ICMP_ECHO_REQUEST), 5n);
      assert.equal(egressCounts.get(ICMP_ECHO_REPLY), 0n);
    } finally {
      onA.detach();
      onB.detach();
    }
    for (const [end, direction] of [
      [pair.b, "ingress"],
      [pair.a, "egress"],
    ] as const) {
      assert.deepEqual(
        pair.within(end, () => tcInfo(end.ifname, direction)),
        { tcx: [], clsact: [] },
      );
      assert.equal(tcFilterShow(pair, end, direction), "", "tc filter show is empty after detach");
      assert.equal(hasClsact(pair, end), false, "the clsact qdisc we made is gone too");
    }
    pair.ping(pair.a, 2);
    assert.equal(ingressCounts.get(ICMP_ECHO_REQUEST), 5n, "nothing counted after detach");
  });
}

for (const via of ["tcx", "clsact"] as const) {
  test(`tc via ${via}: TC_ACT_SHOT on echo requests makes ping fail`, (t) => {
    const pair = vethPairFor(t);
    using counts = icmpCounters();
    using prog = TcProgram.load({
      name: "tc_drop",
      maps: [counts],
      code: icmpCounterProgram(counts, { ctx: "skb", l2: true, verdict: TC_ACT_OK, requestVerdict: TC_ACT_SHOT }),
    });
    {
      using _attachment = pair.within(pair.b, () => prog.attach("veth1", "ingress", { via }));
      const result = pair.run(pair.a, "ping", ["-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", pair.b.address], {
        allowFailure: true,
      });
      assert.match(result.stdout, /3 packets transmitted, 0 received/);
      assert.equal(counts.get(ICMP_ECHO_REQUEST), 3n);
    }
    pair.ping(pair.a, 1);
  });
}

test("tcx runs several programs in order; each attaches once", (t) => {
  const pair = vethPairFor(t);
  using first = TcProgram.load({ name: "tcx_first", code: returnProgram(TcxAction.NEXT) });
  using second = TcProgram.load({ name: "tcx_second", code: returnProgram(TcxAction.PASS) });
  pair.within(pair.b, () => {
    using _a = first.attach("veth1", "ingress");
    using _b = second.attach("veth1", "ingress");
    assert.equal(tcInfo("veth1", "ingress").tcx.length, 2);
    assert.throws(
      () => first.attach("veth1", "ingress"),
      (err: unknown) => {
        assert.ok(err instanceof AlreadyAttachedError, String(err));
        assert.match(err.message, /"tcx_first" is already attached to tc ingress on veth1/);
        return true;
      },
    );
  });
  assert.deepEqual(pair.within(pair.b, () => tcInfo("veth1", "ingress")).tcx, []);
});

test("clsact: an existing qdisc is used and kept; other filters on it survive our detach", (t) => {
  const pair = vethPairFor(t);
  pair.run(pair.b, "tc", ["qdisc", "add", "dev", "veth1", "clsact"]);
  using ours = TcProgram.load({ name: "tc_ours", code: returnProgram(TC_ACT_OK) });
  using theirs = TcProgram.load({ name: "tc_theirs", code: returnProgram(TC_ACT_OK) });
  pair.within(pair.b, () => {
    const other = theirs.attach("veth1", "egress", { via: "clsact", priority: 7, handle: 3 });
    try {
      assert.match(other.description, /pref 7 handle 0x3/);
      const attachment = ours.attach("veth1", "ingress", { via: "clsact" });
      attachment.detach();
      assert.deepEqual(tcInfo("veth1", "ingress").clsact, []);
      assert.equal(tcInfo("veth1", "egress").clsact.length, 1);
      // The same priority and handle again: taken.
      assert.throws(
        () => ours.attach("veth1", "egress", { via: "clsact", priority: 7, handle: 3 }),
        AttachPointBusyError,
      );
    } finally {
      other.detach();
    }
  });
  assert.equal(tcFilterShow(pair, pair.b, "egress"), "");
  assert.ok(hasClsact(pair, pair.b), "a qdisc we did not make stays");
});

test("clsact: the qdisc we made stays while another of our filters still uses it", (t) => {
  const pair = vethPairFor(t);
  using prog = TcProgram.load({ name: "tc_two", code: returnProgram(TC_ACT_OK) });
  pair.within(pair.b, () => {
    const ingress = prog.attach("veth1", "ingress", { via: "clsact" }); // makes the qdisc
    const egress = prog.attach("veth1", "egress", { via: "clsact" });
    ingress.detach();
    assert.equal(tcInfo("veth1", "egress").clsact.length, 1, "the egress filter survives");
    egress.detach();
  });
  assert.equal(hasClsact(pair, pair.b), true, "the second attachment did not make the qdisc, so it leaves it");
});

test("tc on a missing interface is an InterfaceNotFoundError naming it", () => {
  using prog = TcProgram.load({ name: "tc_nowhere", code: returnProgram(TC_ACT_OK) });
  for (const via of ["tcx", "clsact"] as const) {
    assert.throws(
      () => prog.attach("tsbpf-nosuch0", "ingress", { via }),
      (err: unknown) => {
        assert.ok(err instanceof InterfaceNotFoundError, String(err));
        assert.match(err.message, /network interface "tsbpf-nosuch0" not found/);
        return true;
      },
    );
    assert.throws(() => prog.attach(987_654, "egress", { via }), /ifindex 987654/);
  }
  assert.throws(() => prog.attach("lo", "sideways" as TcDirection), /"ingress" or "egress"/);
});
