import { test } from "node:test";
import assert from "node:assert/strict";
import { openPacketSocket, socketPair, SocketFilterProgram } from "../../src/programs/socket-filter.js";
import { InterfaceNotFoundError } from "../../src/programs/net-common.js";
import { SyscallError } from "../../src/sys/errors.js";
import { Assembler, R0, R1, R2, R3, R4, R6, R10, Size } from "../../src/asm/index.js";
import { vethPairFor } from "../helpers/netns.js";

/** Keeps datagrams whole, drops those starting with "D", cuts those starting with "T" to 3 bytes. */
function firstByteFilter(): Buffer {
  const a = new Assembler();
  a.mov64(R6, R1);
  a.mov64(R2, 0).mov64(R3, R10).add64(R3, -8).mov64(R4, 1).call("skb_load_bytes");
  a.jne(R0, 0, "keep");
  a.ldx(Size.B, R0, R10, -8);
  a.jeq(R0, "D".charCodeAt(0), "drop");
  a.jeq(R0, "T".charCodeAt(0), "cut");
  a.label("keep").ldx(Size.W, R0, R6, 0).exit(); // skb->len: keep everything
  a.label("drop").mov64(R0, 0).exit();
  a.label("cut").mov64(R0, 3).exit();
  return a.assemble().bytes;
}

/** Keeps only IPv4 ICMP echo requests (Ethernet frames, as a raw packet socket sees them). */
function echoRequestFilter(): Buffer {
  const a = new Assembler();
  a.mov64(R6, R1);
  a.mov64(R2, 0).mov64(R3, R10).add64(R3, -40).mov64(R4, 35).call("skb_load_bytes");
  a.jne(R0, 0, "drop");
  a.ldx(Size.H, R0, R10, -40 + 12).jne(R0, 0x0008, "drop"); // EtherType IPv4
  a.ldx(Size.B, R0, R10, -40 + 14).jne(R0, 0x45, "drop");
  a.ldx(Size.B, R0, R10, -40 + 23).jne(R0, 1, "drop"); // ICMP
  a.ldx(Size.B, R0, R10, -40 + 34).jne(R0, 8, "drop"); // echo request
  a.ldx(Size.W, R0, R6, 0).exit();
  a.label("drop").mov64(R0, 0).exit();
  return a.assemble().bytes;
}

test("a socket filter on a socketpair keeps, drops and cuts datagrams as the program decides", () => {
  using prog = SocketFilterProgram.load({ name: "first_byte", code: firstByteFilter() });
  const [left, right] = socketPair();
  using _l = left;
  using _r = right;
  const attachment = prog.attachTo(right);
  assert.match(attachment.description, /^socket filter on fd \d+$/);
  for (const message of ["keep me", "Drop me", "Truncate me", "also kept"]) left.send(message);
  assert.deepEqual(right.drain().map(String), ["keep me", "Tru", "also kept"]);

  attachment.detach();
  left.send("Drop me, but nobody filters");
  assert.deepEqual(right.drain().map(String), ["Drop me, but nobody filters"]);
  attachment.detach(); // harmless a second time
});

test("a socket filter attached by fd stays until detached; closing the socket first is fine", () => {
  using prog = SocketFilterProgram.load({ name: "first_byte", code: firstByteFilter() });
  const [left, right] = socketPair();
  using _l = left;
  const attachment = prog.attachTo(right.fd);
  left.send("Dropped");
  left.send("kept");
  assert.deepEqual(right.drain().map(String), ["kept"]);
  right.close();
  attachment.detach(); // the socket (and its filter) is gone: nothing to undo, no error
});

test("attaching to something that is not a socket fails with the errno", () => {
  using prog = SocketFilterProgram.load({ name: "first_byte", code: firstByteFilter() });
  assert.throws(
    () => prog.attachTo(prog.fd),
    (err: unknown) => {
      assert.ok(err instanceof SyscallError);
      assert.match(err.message, /setsockopt\(SO_ATTACH_BPF\) failed: (errno 88|ENOTSOCK)/);
      return true;
    },
  );
});

test("a socket filter on an AF_PACKET socket in a namespace sees exactly the echo requests of ping -c 5", (t) => {
  const pair = vethPairFor(t);
  using prog = SocketFilterProgram.load({ name: "echo_requests", code: echoRequestFilter() });
  using sock = pair.within(pair.b, () => openPacketSocket("veth1"));
  using _attachment = prog.attachTo(sock);
  sock.drain(); // whatever arrived before the filter was on

  pair.ping(pair.a, 5);
  const packets = sock.drain();
  assert.equal(packets.length, 5);
  for (const p of packets) {
    assert.equal(p.readUInt16BE(12), 0x0800);
    assert.equal(p[23], 1);
    assert.equal(p[34], 8);
  }
});

test("a packet socket on a missing interface is an InterfaceNotFoundError", () => {
  assert.throws(() => openPacketSocket("tsbpf-nosuch0"), InterfaceNotFoundError);
});
