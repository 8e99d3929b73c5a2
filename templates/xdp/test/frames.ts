// Hand-made Ethernet frames for the tests.

/** An Ethernet + IPv4 frame carrying `protocol` (UDP: 17) with `payload` bytes after the IP header. */
export function ipv4Frame(protocol: number, payload = 8): Uint8Array {
  const frame = new Uint8Array(14 + 20 + payload);
  const view = new DataView(frame.buffer);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0); // destination, source MAC
  view.setUint16(12, 0x0800); // EtherType IPv4
  frame[14] = 0x45; // version 4, 20-byte header
  view.setUint16(16, 20 + payload); // total length
  frame[22] = 64; // TTL
  frame[23] = protocol;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26); // source, destination address
  return frame;
}
