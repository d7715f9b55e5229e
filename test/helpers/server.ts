/*
 * startTestServer: one in-process Rewind server per test (or per file), on a kernel-chosen port,
 * with its own temp dir. Never share one between test files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../server/index.js';

export type ServerConfig = Record<string, string | number | boolean>;

export interface TestServer {
  readonly port: number;
  /** The server's `dir` (a fresh temp dir unless the config named one). */
  readonly dir: string;
  readonly server: RunningServer;
  /** Stops the server and removes the temp dir it created. Idempotent. */
  close(): Promise<void>;
}

export async function tempDir(prefix = 'rewind-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Starts Rewind on 127.0.0.1, port 0 (overridable by `config`), persistence off by default. */
export async function startTestServer(config: ServerConfig = {}): Promise<TestServer> {
  const ownDir = config.dir === undefined ? await tempDir() : null;
  const dir = ownDir ?? String(config.dir);
  let server: RunningServer;
  try {
    server = await startServer({ config: { port: 0, bind: '127.0.0.1', appendonly: 'no', save: '', dir, ...config } });
  } catch (e) {
    if (ownDir !== null) await rm(ownDir, { recursive: true, force: true });
    throw e;
  }
  let closing: Promise<void> | null = null;
  return {
    port: server.port,
    dir,
    server,
    close() {
      closing ??= (async () => {
        await server.close();
        if (ownDir !== null) await rm(ownDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/**
 * Replaces the server's propagator with one that records every logged command as 'ARG ARG ...'
 * (latin1), for tests of what reaches the AOF. Returns the live list.
 */
export function recordPropagation(ts: TestServer): string[] {
  const logged: string[] = [];
  ts.server.state.propagator = {
    feed: (_db, argv) => logged.push(argv.map((a) => a.toString('latin1')).join(' ')),
    flush: () => true,
  };
  return logged;
}

/** Resolves once exactly n clients are blocked on keys (polls the registry; no fixed sleeps). */
export async function waitForBlocked(ts: TestServer, n: number, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (ts.server.state.blocking.count !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients, have ${ts.server.state.blocking.count}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}
