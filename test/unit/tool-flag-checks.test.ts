// Flags a user can get wrong before anything reaches the kernel: a snap length tcpdump would
// refuse, an empty interface name, a --metrics value that is a URL or a malformed IPv4 address
// (refused without a DNS lookup), and integer presets that do not fit their variable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseListenAddress, MetricsAddressError } from "../../src/tools/common/listen-address.js";
import { selectInterfaces } from "../../src/tools/common/interfaces.js";
import { integerRangeProblem } from "../../src/loader/globals.js";
import { runTool } from "../helpers/tool-process.js";

test("dump -s outside 0…262144 is an invalid snaplen, in tcpdump's words", () => {
  for (const value of ["99999999999", "262145", "-1", "ten"]) {
    const r = runTool(["dump", "-s", value, "-c", "1"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`invalid snaplen ${value} \\(must be >= 0 and <= 262144\\)`));
  }
});

test("dump -T knows rpc alone: another packet type is a usage error, not a silent default", () => {
  for (const value of ["vat", "RPC", ""]) {
    const r = runTool(["dump", "-T", value, "-r", "-"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /-T supports only rpc \(Sun RPC over UDP\), not "/);
  }
});

test("an empty interface name is an error, not the default interface", () => {
  for (const requested of [[""], ["lo,"], [" "]]) {
    assert.throws(() => selectInterfaces(requested, { fallback: () => "lo" }), /interface name cannot be empty/);
  }
  assert.deepEqual(
    selectInterfaces(undefined, { fallback: () => "lo" }).map((t) => t.name),
    ["lo"],
    "no -i at all still means the default",
  );
});

test("--metrics refuses a malformed IPv4 address without resolving it, and a URL with its own words", () => {
  const refused = (text: string): string => {
    try {
      parseListenAddress(text);
    } catch (err) {
      assert.ok(err instanceof MetricsAddressError, String(err));
      return err.message;
    }
    throw new Error(`${text} was accepted`);
  };
  assert.match(refused("999.0.0.1:9435"), /"999\.0\.0\.1" is not an IPv4 address/);
  assert.match(refused("1.2.3:9435"), /not an IPv4 address/);
  assert.match(refused("http://127.0.0.1:9100/metrics"), /give ADDR:PORT .* not a URL/);
  assert.doesNotMatch(refused("http://127.0.0.1:9100"), /IPv6|brackets/);
  assert.deepEqual(parseListenAddress("10.1.2.3:9435"), { host: "10.1.2.3", port: 9435 });
  assert.deepEqual(parseListenAddress("localhost:9435"), { host: "localhost", port: 9435 });

  // Through the CLI: a usage error (exit 2) before the tool starts, and quickly even with no resolver.
  const r = runTool(["count", "--metrics", "999.0.0.1:9435", "--count", "1"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /invalid --metrics address "999\.0\.0\.1:9435": "999\.0\.0\.1" is not an IPv4 address/);
  const url = runTool(["top", "--metrics", "http://localhost:9100", "--count", "1"]);
  assert.equal(url.code, 2, url.stderr);
  assert.match(url.stderr, /not a URL/);
});

test("integer presets are checked against the variable's type", () => {
  assert.equal(integerRangeProblem(4294967295, 4, false), undefined);
  assert.equal(
    integerRangeProblem(99999999999999999999n, 8, false),
    "99999999999999999999 does not fit an unsigned 64-bit integer (0 to 18446744073709551615)",
  );
  assert.match(
    integerRangeProblem(99999999999999999999n, 4, false)!,
    /does not fit an unsigned 32-bit integer \(0 to 4294967295\)/,
  );
  assert.match(integerRangeProblem(-1, 4, false)!, /does not fit/);
  assert.equal(integerRangeProblem(-128, 1, true), undefined);
  assert.match(integerRangeProblem(128, 1, true)!, /signed 8-bit integer \(-128 to 127\)/);
  assert.match(integerRangeProblem(1.5, 4, false)!, /not an integer/);
  assert.equal(integerRangeProblem("text", 4, false), undefined, "non-numbers are the codec's business");
});
