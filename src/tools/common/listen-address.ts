// The `--metrics ADDR:PORT` value, parsed without loading node:http (tools that start fast load
// the metrics server only when the flag is given).
import { isIP } from "node:net";
import { TsbpfError } from "../../errors.js";

/** Where to listen: host (IPv4 or IPv6 literal, or a name) and port. */
export interface ListenAddress {
  host: string;
  port: number;
}

export class MetricsAddressError extends TsbpfError {
  override name = "MetricsAddressError";
}

/**
 * Parses `--metrics`: "PORT" and ":PORT" listen on 127.0.0.1; "ADDR:PORT" and "[V6ADDR]:PORT"
 * on that address ("0.0.0.0:PORT" for every interface). Port 0 picks a free port.
 */
export function parseListenAddress(text: string): ListenAddress {
  const bad = (why: string): never => {
    throw new MetricsAddressError(`invalid --metrics address "${text}": ${why}`);
  };
  // A URL is a natural thing to paste; it is not an address to listen on.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    bad("give ADDR:PORT to listen on (e.g. 127.0.0.1:9100), not a URL; the metrics are then at /metrics");
  let host = "127.0.0.1";
  let portText = text;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    if (isIP(host) !== 6) bad("the part in brackets is not an IPv6 address");
  } else if (text.includes(":")) {
    const at = text.lastIndexOf(":");
    if (text.indexOf(":") !== at) bad("write IPv6 addresses in brackets: [::1]:9100");
    if (at > 0) host = text.slice(0, at);
    portText = text.slice(at + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) bad("the port must be a number from 0 to 65535");
  if (!/^[A-Za-z0-9.\-]+$/.test(host) && isIP(host) === 0) bad(`"${host}" is not an address`);
  // Digits and dots are meant as an IPv4 address; a wrong one must not become a DNS lookup.
  if (/^[\d.]+$/.test(host) && isIP(host) !== 4) bad(`"${host}" is not an IPv4 address`);
  return { host, port: Number(portText) };
}
