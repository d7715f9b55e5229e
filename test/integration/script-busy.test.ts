/*
 * Rewind runs as a child process here: a busy script holds its event loop, and an in-process
 * server would hold the test's own clients with it.
 *
 * A script past busy-reply-threshold (lua-time-limit): other clients get -BUSY, SCRIPT KILL stops
 * a script that has not written (even one that catches errors with pcall), a script that wrote is
 * UNKILLABLE, FUNCTION KILL and SCRIPT KILL refuse each other's kind, MULTI is still allowed, and
 * the server serves normally afterwards. The same scenario runs against real Redis 7.0 when it is
 * on PATH, and every reply must be the same bytes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/server.js';
import { sleep } from '../helpers/waiting.js';
import { rawClient, type RawClient } from '../helpers/raw.js';
import { encodeCommand } from '../../protocol/encode.js';
import { freePort, redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[script-busy] redis-server not found on PATH: the comparison with real Redis is SKIPPED');

const THRESHOLD_MS = 100;

const BIN = join(import.meta.dirname, '../../server/bin.js');

interface ChildServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts server/bin.js on a free port and waits until it accepts connections. */
async function startChild(extra: string[] = []): Promise<ChildServer> {
  const port = await freePort();
  const dir = await tempDir();
  const child: ChildProcess = spawn(process.execPath, [BIN, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...extra], {
    env: { ...process.env, REWIND_LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const c = await rawClient(port);
      await c.close();
      return { port, stop };
    } catch (e) {
      if (Date.now() > deadline) {
        await stop();
        throw e;
      }
      await sleep(50);
    }
  }
}

/** Reply bytes as text, for comparing and reading failures. */
async function send(c: RawClient, ...args: string[]): Promise<string> {
  return (await c.call(...args)).bytes.toString('latin1');
}

/** Sends a command whose reply may take long (the busy script itself). */
async function start(c: RawClient, ...args: string[]): Promise<string> {
  await c.write(encodeCommand(args));
  return (await c.readReply(20_000)).bytes.toString('latin1');
}

/** Waits until `probe` answers -BUSY: the script has passed the threshold. */
async function untilBusy(probe: RawClient): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await send(probe, 'PING');
    if (r.startsWith('-BUSY')) return;
    if (Date.now() > deadline) throw new Error(`never busy: ${r}`);
    await sleep(20);
  }
}

/** The scenario; returns every reply in order. */
async function scenario(port: number): Promise<string[]> {
  const out: string[] = [];
  const [a, b] = [await rawClient(port), await rawClient(port)];
  try {
    out.push(await send(b, 'CONFIG', 'SET', 'lua-time-limit', String(THRESHOLD_MS)));
    out.push(await send(b, 'SCRIPT', 'KILL'));
    // 1. A read-only loop, killed; pcall cannot catch the kill.
    let running = start(a, 'EVAL', 'while true do pcall(function() local x = 0; while true do x = x + 1 end end) end', '0');
    await untilBusy(b);
    out.push(await send(b, 'GET', 'k'));
    out.push(await send(b, 'MULTI'));
    out.push(await send(b, 'DISCARD'));
    out.push(await send(b, 'FUNCTION', 'KILL'));
    out.push(await send(b, 'SHUTDOWN'));
    out.push(await send(b, 'SCRIPT', 'KILL'));
    out.push(await running);
    out.push(await send(b, 'PING'));
    // 2. A script that wrote cannot be killed; it ends by itself.
    running = start(a, 'EVAL', "redis.call('set', 'k', 'v'); local t = redis.call('time')[1] + 1; while tonumber(redis.call('time')[1]) <= tonumber(t) do end; return 'done'", '0');
    await untilBusy(b);
    out.push(await send(b, 'SCRIPT', 'KILL'));
    out.push(await running);
    out.push(await send(b, 'GET', 'k'));
    // 3. A function, killed with FUNCTION KILL after SCRIPT KILL is refused.
    out.push(await send(b, 'FUNCTION', 'LOAD', "#!lua name=busy\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}"));
    running = start(a, 'FCALL', 'spin', '0');
    await untilBusy(b);
    out.push(await send(b, 'SCRIPT', 'KILL'));
    out.push(await send(b, 'FUNCTION', 'KILL'));
    out.push(await running);
    out.push(await send(b, 'PING'));
  } finally {
    await a.close();
    await b.close();
  }
  return out;
}

describe('a script past busy-reply-threshold', () => {
  let ts: ChildServer;
  let real: RealRedis | null = null;

  beforeAll(async () => {
    ts = await startChild();
    if (HAVE_REDIS) real = await startRealRedis();
  });

  afterAll(async () => {
    await ts.stop();
    await real?.stop();
  });

  test('BUSY for others, SCRIPT KILL, UNKILLABLE after a write, FUNCTION KILL', async () => {
    const ours = await scenario(ts.port);
    expect(ours[0]).toBe('+OK\r\n');
    expect(ours[1]).toBe('-NOTBUSY No scripts in execution right now.\r\n');
    expect(ours[2]).toBe('-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n');
    expect(ours[8]).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    expect(ours[10]).toMatch(/^-UNKILLABLE /);
    expect(ours[11]).toBe('$4\r\ndone\r\n');
    expect(ours.at(-1)).toBe('+PONG\r\n');
    if (real !== null) expect(ours).toEqual(await scenario(real.port));
  });

  test('SHUTDOWN NOSAVE stops a script that wrote, and the server', async () => {
    const own = await startChild(['--busy-reply-threshold', String(THRESHOLD_MS)]);
    const [a, b] = [await rawClient(own.port), await rawClient(own.port)];
    try {
      const running = start(a, 'EVAL', "redis.call('set', 'k', 'v'); while true do end", '0').then(
        (r) => `reply ${r}`,
        (e: unknown) => `closed ${String(e)}`,
      );
      await untilBusy(b);
      await b.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      expect(await running).toMatch(/^(closed|reply -ERR Script killed)/);
    } finally {
      await a.close();
      await b.close();
      await own.stop();
    }
  });
});
