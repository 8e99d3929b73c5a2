// `-i IF`: which network interfaces a tool watches. Several -i options (or a comma list) name
// several; "any" means every interface of the current network namespace, loopback included;
// no -i means the interface of the default route ("lo" when there is none).
import { readFileSync } from "node:fs";
import { InterfaceNotFoundError, resolveInterface } from "../../sys/netlink.js";
import { defaultInterface } from "../../sys/route.js";

export interface InterfaceTarget {
  name: string;
  ifindex: number;
}

/**
 * Every interface of the calling thread's network namespace, by name. Read from /proc/net/dev,
 * which follows the reader's namespace (unlike /sys/class/net, which shows the namespace /sys was
 * mounted in — after `nsenter --net`, the host's).
 */
export function listInterfaces(): InterfaceTarget[] {
  let text: string;
  try {
    text = readFileSync("/proc/net/dev", "utf8");
  } catch {
    return [];
  }
  const out: InterfaceTarget[] = [];
  for (const line of text.split("\n").slice(2)) {
    const name = line.split(":")[0]?.trim();
    if (!name) continue;
    try {
      out.push({ name, ifindex: resolveInterface(name).ifindex });
    } catch {
      /* vanished between the read and the lookup */
    }
  }
  return out.sort((a, b) => a.ifindex - b.ifindex);
}

export interface SelectOptions {
  /** The interface used when none is requested (default: the default route's, see src/sys/route.ts). */
  fallback?: () => string;
}

/**
 * Resolves the -i values to interfaces, in the order given, without duplicates. Throws
 * InterfaceNotFoundError naming the missing interface and listing the ones that exist.
 */
export function selectInterfaces(
  requested: readonly string[] | undefined,
  options: SelectOptions = {},
): InterfaceTarget[] {
  const names = (requested ?? []).flatMap((r) => r.split(",")).map((n) => n.trim());
  // An empty -i is a mistake (an unset shell variable, a stray comma), not a wish for the default.
  if (names.includes(""))
    throw new InterfaceNotFoundError("", 'an interface name cannot be empty (give one, or "any" for every interface)');
  if (names.length === 0) names.push((options.fallback ?? defaultInterface)());
  const out: InterfaceTarget[] = [];
  const add = (target: InterfaceTarget): void => {
    if (!out.some((t) => t.ifindex === target.ifindex)) out.push(target);
  };
  for (const name of names) {
    if (name === "any") {
      const all = listInterfaces();
      if (all.length === 0)
        throw new InterfaceNotFoundError(
          "any",
          "this network namespace has no interfaces (or /proc/net/dev is unreadable)",
        );
      all.forEach(add);
      continue;
    }
    if (/^\d+$/.test(name)) {
      // An index: accept it only if it exists here, and use the interface's name.
      const found = listInterfaces().find((t) => t.ifindex === Number(name));
      if (!found)
        throw new InterfaceNotFoundError(
          Number(name),
          `no interface has index ${name} in this network namespace${available()}`,
        );
      add(found);
      continue;
    }
    try {
      add({ name, ifindex: resolveInterface(name).ifindex });
    } catch (err) {
      if (err instanceof InterfaceNotFoundError)
        throw new InterfaceNotFoundError(name, `${err.message.replace(/^.*?not found: /, "")}${available()}`);
      throw err;
    }
  }
  return out;
}

function available(): string {
  const names = listInterfaces().map((t) => t.name);
  return names.length ? ` (interfaces here: ${names.join(", ")})` : "";
}
