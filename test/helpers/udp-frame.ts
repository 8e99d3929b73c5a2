// The Ethernet/IPv4/UDP frame the crafted decoder captures carry their messages in.

/** One's-complement sum of big-endian 16-bit words (an odd last byte padded), before the complement. */
export function sum16(bytes: number[], initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * `payload` in UDP from `sport` to `dport`, in IPv4 from 10.0.0.1 to 10.0.0.2 (identification
 * `ipId & 0xff`), on Ethernet from 06:07:08:09:0a:0b to 00:01:02:03:04:05; both checksums right.
 */
export function udpFrame(payload: number[], sport: number, dport: number, ipId: number): Uint8Array {
  const length = 8 + payload.length;
  const udp = [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, length >> 8, length & 0xff, 0, 0];
  const pseudo = sum16([10, 0, 0, 1, 10, 0, 0, 2, 0, 17, length >> 8, length & 0xff]);
  const check = ~sum16([...udp, ...payload], pseudo) & 0xffff || 0xffff;
  udp[6] = check >> 8;
  udp[7] = check & 0xff;
  const total = 20 + length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, ipId & 0xff, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const ipCheck = ~sum16(ip) & 0xffff;
  ip[10] = ipCheck >> 8;
  ip[11] = ipCheck & 0xff;
  return new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 8, 0, ...ip, ...udp, ...payload]);
}
