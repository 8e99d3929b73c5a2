// A real headless browser for the web dashboard's tests: Debian's chromium, driven through the
// DevTools protocol over a pipe (--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so
// no WebSocket client or port is needed. Started in a test's network namespace when given one;
// its profile lives in a temporary directory removed on close.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

export class HeadlessBrowser {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #buffer = "";
  #stderr = "";

  private constructor(child: ChildProcess, profile: string) {
    this.#child = child;
    this.#profile = profile;
    const output = child.stdio[4] as Readable;
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => this.#receive(chunk));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-4000);
    });
    child.once("exit", () => {
      for (const p of this.#pending.values()) p.reject(new Error(`chromium exited: ${this.#stderr}`));
      this.#pending.clear();
    });
  }

  /** Starts chromium (in the network namespace at `netnsPath`, if given). */
  static launch(options: { command: string; netnsPath?: string }): HeadlessBrowser {
    const profile = mkdtempSync(join(tmpdir(), "tsbpf-chromium-"));
    const args = [
      "--headless=new",
      "--no-sandbox", // the tests run as root
      "--disable-gpu",
      "--no-first-run",
      "--disable-extensions",
      "--remote-debugging-pipe",
      `--user-data-dir=${profile}`,
      "--window-size=1400,1000",
      "about:blank",
    ];
    const argv = options.netnsPath
      ? ["nsenter", `--net=${options.netnsPath}`, options.command, ...args]
      : [options.command, ...args];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
    return new HeadlessBrowser(child, profile);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf("\0"); end >= 0; end = this.#buffer.indexOf("\0")) {
      const message = JSON.parse(this.#buffer.slice(0, end)) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      this.#buffer = this.#buffer.slice(end + 1);
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!pending) continue;
      this.#pending.delete(message.id!);
      if (message.error) pending.reject(new Error(message.error.message));
      else pending.resolve(message.result ?? {});
    }
  }

  /** One DevTools command; `sessionId` addresses a page. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const input = this.#child.stdio[3] as Writable;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  /** Opens `url` in a new page and returns its session. */
  async open(url: string): Promise<BrowserPage> {
    const { targetId } = (await this.send("Target.createTarget", { url })) as { targetId: string };
    const { sessionId } = (await this.send("Target.attachToTarget", { targetId, flatten: true })) as {
      sessionId: string;
    };
    return new BrowserPage(this, sessionId);
  }

  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = new Promise((resolve) => this.#child.once("exit", resolve));
      this.send("Browser.close").catch(() => {});
      const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#profile, { recursive: true, force: true });
  }
}

export class BrowserPage {
  constructor(
    readonly browser: HeadlessBrowser,
    readonly sessionId: string,
  ) {}

  /** Evaluates `expression` in the page and returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.browser.send("Runtime.evaluate", { expression, returnByValue: true }, this.sessionId)) as {
      result: { value?: T };
      exceptionDetails?: { text: string };
    };
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Polls `expression` until `accept` takes its value (or the timeout passes, then rejects). */
  async waitFor<T>(expression: string, accept: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    let failure: Error | undefined;
    while (Date.now() < deadline) {
      try {
        last = await this.evaluate<T>(expression);
        failure = undefined;
        if (accept(last)) return last;
      } catch (err) {
        // While the page is still loading (no body yet) an expression on it throws: not yet.
        if (!(err as Error).message.startsWith("in the page:")) throw err;
        failure = err as Error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `the page never showed ${what}; ${failure ? `last evaluation failed ${failure.message}` : `last value: ${JSON.stringify(last)}`}`,
    );
  }

  /** A PNG of the page as shown. */
  async screenshot(): Promise<Buffer> {
    const { data } = (await this.browser.send("Page.captureScreenshot", { format: "png" }, this.sessionId)) as {
      data: string;
    };
    return Buffer.from(data, "base64");
  }
}
