// Hand-made Ethernet frames for the tests.

/** An Ethernet + IPv4 + UDP (protocol 17) or TCP (6) frame to `port`, with `payload` bytes of data. */
export function ipv4Frame(protocol: 6 | 17, port: number, payload = 8): Uint8Array {
  const l4 = protocol === 6 ? 20 : 8;
  const frame = new Uint8Array(14 + 20 + l4 + payload);
  const view = new DataView(frame.buffer);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0); // destination, source MAC
  view.setUint16(12, 0x0800); // EtherType IPv4
  frame[14] = 0x45; // version 4, 20-byte header
  view.setUint16(16, 20 + l4 + payload); // total length
  frame[22] = 64; // TTL
  frame[23] = protocol;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26); // source, destination address
  view.setUint16(34, 40000); // source port
  view.setUint16(36, port); // destination port
  if (protocol === 6)
    frame[46] = 5 << 4; // TCP data offset: 20 bytes
  else view.setUint16(38, 8 + payload); // UDP length
  return frame;
}
