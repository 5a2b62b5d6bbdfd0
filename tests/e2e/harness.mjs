// What every end-to-end browser test shares: its arguments and paths, logging, checks and waits, a real
// `onair serve` with its JSON log, tokens, and the run wrapper with its deadline watchdog.
//
//   node tests/e2e/<name>.test.mjs <path/to/onair> [<web root>]
//
// Environment: ONAIR_TEST_ARTIFACTS (screenshots; default ./test-artifacts), CHROMIUM_PATH (default
// /usr/bin/chromium), E2E_HEADFUL=1 to watch. Needs `npm ci` in tests/e2e (see setup.sh).

import { spawn, execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
export const onairBin = path.resolve(process.argv[2] || process.env.ONAIR_BIN || path.join(repo, "build/debug/src/onair"));
export const webRoot = path.resolve(process.argv[3] || path.join(repo, "web"));
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const artifacts = path.resolve(process.env.ONAIR_TEST_ARTIFACTS || "test-artifacts");
const TEST_DEADLINE_MS = 240_000; // below the CTest TIMEOUT of 300 s

const started = Date.now();
export const log = (message) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}`);

export class TestFailure extends Error {}
export function check(condition, message) {
  if (!condition) throw new TestFailure(message);
}

export async function waitFor(what, probe, { timeoutMs = 20_000, intervalMs = 200 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : "";
      throw new TestFailure(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// A real `onair serve` on a free loopback port with a fresh secret, SQLite file and the given extra
// environment; its JSON log lines are kept (`published(topic)` reads the bus events it logged).
export class OnairServer {
  constructor({ name, env = {} }) {
    this.name = name;
    this.extraEnv = env;
    this.secret = crypto.randomBytes(32).toString("hex");
    this.lines = [];
    this.events = [];
    this.process = null;
    this.exited = null;
  }

  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `onair-e2e-${this.name}-`));
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.env = {
      PATH: process.env.PATH,
      HOME: this.dir,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS || "",
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || "",
      ONAIR_JWT_SECRET: this.secret,
      ONAIR_PORT: String(this.port),
      ONAIR_BIND_ADDRESS: "127.0.0.1",
      ONAIR_WEB_ROOT: webRoot,
      ONAIR_SQLITE_PATH: path.join(this.dir, "onair.db"),
      ONAIR_LOG_LEVEL: "info",
      ONAIR_SHUTDOWN_DRAIN_SECONDS: "2",
      ...this.extraEnv,
    };
    log(`starting ${onairBin} serve on ${this.base} (web root ${webRoot})`);
    this.process = spawn(onairBin, ["serve"], { env: this.env, cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.process.on("exit", (code, signal) => resolve({ code, signal })));
    this.process.on("error", (e) => this.lines.push(`spawn error: ${e.message}`));
    for (const stream of [this.process.stdout, this.process.stderr]) {
      let buffered = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk) => {
        buffered += chunk;
        let nl;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          this._line(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
      });
    }
    await waitFor("the server's /healthz", async () => {
      if (this.process.exitCode !== null) throw new TestFailure(`onair exited early (${this.process.exitCode})`);
      const r = await fetch(`${this.base}/healthz`);
      return r.status === 200;
    }, { timeoutMs: 30_000 });
    log("server is up");
  }

  _line(line) {
    this.lines.push(line);
    try {
      this.events.push(JSON.parse(line));
    } catch {
      // not a JSON log line
    }
  }

  published(topic) {
    return this.events.filter((e) => e.msg === "event published" && e.topic === topic);
  }

  async token(account, sessionId, role = "user") {
    const { stdout } = await promisify(execFile)(
      onairBin,
      ["token", "--account", account, "--session", sessionId, "--role", role],
      { env: this.env },
    );
    const token = stdout.trim().split("\n").pop().trim();
    check(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token), `onair token printed no JWT: ${stdout}`);
    return token;
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 10_000);
    const { code, signal } = await this.exited;
    clearTimeout(timer);
    log(`server stopped (${signal || "exit " + code})`);
  }

  // Stops the server and removes its directory; safe to call twice.
  async dispose() {
    await this.stop().catch(() => {});
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Loads playwright-core, or fails with how to install it.
export async function loadChromium() {
  check(fs.existsSync(chromiumPath), `no Chromium at ${chromiumPath} (run tests/e2e/setup.sh)`);
  try {
    return (await import("playwright-core")).chromium;
  } catch {
    throw new TestFailure("playwright-core is missing: run tests/e2e/setup.sh (npm ci in tests/e2e)");
  }
}

// Runs `main(servers)` (it registers the servers it starts in `servers`), prints FAIL with the reason,
// exits 0/1, and kills everything when the test overruns its deadline.
export function run(main) {
  const servers = [];
  const watchdog = setTimeout(() => {
    console.error(`\nFAIL: the test took longer than ${TEST_DEADLINE_MS / 1000} s`);
    // Playwright kills the browser it launched when this process exits; the servers are ours to kill.
    for (const s of servers) {
      if (s.process?.exitCode === null) s.process.kill("SIGKILL");
      if (s.dir) fs.rmSync(s.dir, { recursive: true, force: true });
    }
    process.exit(1);
  }, TEST_DEADLINE_MS);
  watchdog.unref();
  main(servers)
    .then((code) => (typeof code === "number" ? code : 0))
    .catch((e) => {
      console.error(`\nFAIL: ${e instanceof TestFailure ? e.message : e.stack || e}`);
      return 1;
    })
    .then((code) => {
      clearTimeout(watchdog);
      process.exit(code);
    });
}
