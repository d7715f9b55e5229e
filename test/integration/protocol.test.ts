/*
 * The protocol over TCP: malformed input gets `-ERR Protocol error: ...` and the connection closes
 * after the reply; commands earlier in the same packet still run; other clients are unaffected; the
 * server survives garbage. Then the same bytes go to a real redis-server and the reply bytes and
 * the close must match (skipped with a warning when redis-server is absent).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeCommand } from '../../protocol/encode.js';
import { RawClient, escapeBytes } from '../helpers/raw.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { rng } from '../helpers/rng.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[protocol] redis-server not found on PATH: differential protocol tests are SKIPPED');

function b(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

const protoErr = (reason: string): string => `-ERR Protocol error: ${reason}\r\n`;


/** Polls `check` until it is true or the deadline passes. */
async function until(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

interface Case {
  name: string;
  input: Buffer;
}

/** Inputs Redis answers with a protocol error and a close. */
const MALFORMED: (Case & { reply: string })[] = [
  { name: 'invalid multibulk length', input: b('*abc\r\n'), reply: protoErr('invalid multibulk length') },
  { name: 'multibulk length 2^31', input: b('*2147483648\r\n'), reply: protoErr('invalid multibulk length') },
  { name: 'multibulk length -0', input: b('*-0\r\n'), reply: protoErr('invalid multibulk length') },
  { name: 'invalid bulk length', input: b('*1\r\n$abc\r\n'), reply: protoErr('invalid bulk length') },
  { name: 'negative bulk length', input: b('*1\r\n$-1\r\n'), reply: protoErr('invalid bulk length') },
  { name: 'bulk over proto-max-bulk-len', input: b('*1\r\n$536870913\r\n'), reply: protoErr('invalid bulk length') },
  { name: "expected '$'", input: b('*1\r\nx4\r\nPING\r\n'), reply: protoErr("expected '$', got 'x'") },
  { name: 'unbalanced quotes "a"b', input: b('ECHO "a"b\r\n'), reply: protoErr('unbalanced quotes in request') },
  { name: 'unterminated quote', input: b('ECHO "abc\r\n'), reply: protoErr('unbalanced quotes in request') },
  { name: 'too big inline request', input: b('A'.repeat(64 * 1024 + 100)), reply: protoErr('too big inline request') },
  { name: 'too big mbulk count string', input: b(`*${'1'.repeat(64 * 1024 + 100)}`), reply: protoErr('too big mbulk count string') },
  { name: 'too big bulk count string', input: b(`*1\r\n$${'1'.repeat(64 * 1024 + 100)}`), reply: protoErr('too big bulk count string') },
  {
    name: 'commands before the error run, those after do not',
    input: b('PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$x\r\nPING\r\n'),
    reply: `+PONG\r\n$2\r\nhi\r\n${protoErr('invalid bulk length')}`,
  },
];

describe('protocol errors over TCP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  for (const c of MALFORMED) {
    test(`${c.name}: error reply, then close`, async () => {
      const raw = await RawClient.connect(server.port);
      try {
        await raw.write(c.input);
        const got = await raw.readUntilClose(5000);
        expect(escapeBytes(got)).toBe(escapeBytes(b(c.reply)));
      } finally {
        await raw.close();
      }
    });
  }

  test('a SET before the error in the same packet is applied', async () => {
    const raw = await RawClient.connect(server.port);
    await raw.write(Buffer.concat([encodeCommand(['SET', 'proto:k', 'v1']), b('*1\r\n$-5\r\n')]));
    const got = await raw.readUntilClose();
    expect(got.toString('latin1')).toBe(`+OK\r\n${protoErr('invalid bulk length')}`);
    const other = await RawClient.connect(server.port);
    expect((await other.call('GET', 'proto:k')).bytes.toString('latin1')).toBe('$2\r\nv1\r\n');
    await other.close();
  });

  test('the error arrives even when the bad bytes come in a later packet', async () => {
    const raw = await RawClient.connect(server.port);
    await raw.write('*2\r\n$4\r\nECHO\r\n');
    await raw.write('$3\r\nabc\r\n');
    expect((await raw.readReply()).bytes.toString('latin1')).toBe('$3\r\nabc\r\n');
    await raw.write('*1\r\n');
    await raw.write('%4\r\n');
    const got = await raw.readUntilClose();
    expect(got.toString('latin1')).toBe(protoErr("expected '$', got '%'"));
  });

  test('other clients are unaffected by a protocol error', async () => {
    const good = await RawClient.connect(server.port);
    await good.write('*2\r\n$4\r\nECHO\r\n$5\r\nhel');
    const bad = await RawClient.connect(server.port);
    await bad.write('*zzz\r\n');
    expect(await bad.waitClose()).toBe(true);
    await good.write('lo\r\n');
    expect((await good.readReply()).bytes.toString('latin1')).toBe('$5\r\nhello\r\n');
    expect((await good.call('PING')).bytes.toString('latin1')).toBe('+PONG\r\n');
    expect(good.closed).toBe(false);
    await good.close();
  });

  test('random garbage from several sockets never crashes the server', async () => {
    const survivor = await RawClient.connect(server.port);
    const r = rng(20240607);
    const valid = [
      encodeCommand(['PING']),
      encodeCommand(['ECHO', 'x\r\ny']),
      encodeCommand(['SET', 'fuzz', 'v']),
      encodeCommand(['GET', 'fuzz']),
      b('PING\r\n'),
      b('ECHO "a b" \'c\'\r\n'),
    ];
    const sockets = await Promise.all(Array.from({ length: 8 }, () => RawClient.connect(server.port)));
    await Promise.all(
      sockets.map(async (s, i) => {
        for (let round = 0; round < 30; round++) {
          let chunk: Buffer;
          const kind = r();
          if (kind < 0.4) {
            chunk = Buffer.alloc(1 + Math.floor(r() * 512));
            for (let k = 0; k < chunk.length; k++) chunk[k] = Math.floor(r() * 256);
          } else if (kind < 0.8) {
            // A valid command with one byte changed, or cut short.
            chunk = Buffer.from(valid[Math.floor(r() * valid.length)]!);
            const at = Math.floor(r() * chunk.length);
            if (r() < 0.5) chunk[at] = Math.floor(r() * 256);
            else chunk = chunk.subarray(0, at);
          } else {
            // Structure-shaped noise.
            const pieces = ['*', '$', '\r\n', '\r', '\n', '"', "'", '\\x', '-1', '0', '2147483647', '99999999999', ' ', '\x00'];
            let text = '';
            for (let k = 0; k < 20; k++) text += pieces[Math.floor(r() * pieces.length)];
            chunk = b(text);
          }
          if (s.closed) break;
          await s.write(chunk).catch(() => undefined);
        }
        if (i % 2 === 0) await s.close();
      }),
    );
    await Promise.all(sockets.map((s) => s.close()));
    const fresh = await RawClient.connect(server.port);
    expect((await fresh.call('PING')).bytes.toString('latin1')).toBe('+PONG\r\n');
    expect((await survivor.call('ECHO', 'still here')).bytes.toString('latin1')).toBe('$10\r\nstill here\r\n');
    // Every fuzz connection is gone from the server's client list.
    expect(await until(() => server.server.state.clientCount === 2)).toBe(true);
    await Promise.all([fresh.close(), survivor.close()]);
  });

  test('a client that disconnects mid-command leaves no trace', async () => {
    const raw = await RawClient.connect(server.port);
    await raw.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\nabc');
    await raw.close();
    const other = await RawClient.connect(server.port);
    expect((await other.call('PING')).bytes.toString('latin1')).toBe('+PONG\r\n');
    expect(await until(() => server.server.state.clientCount === 1)).toBe(true);
    await other.close();
  });
});

interface Observed {
  bytes: string;
  closed: boolean;
}

/** Sends the bytes on a fresh connection; returns what came back until close or the deadline. */
async function observe(port: number, input: Buffer, waitMs: number): Promise<Observed> {
  const c = await RawClient.connect(port);
  try {
    await c.write(input).catch(() => undefined);
    const closed = await c.waitClose(waitMs);
    return { bytes: escapeBytes(c.allReceived, 2000), closed };
  } finally {
    await c.close();
  }
}

/** Inputs whose outcome (reply bytes and close, or silence) must match Redis. */
const DIFF_CASES: Case[] = [
  ...MALFORMED,
  { name: 'two bytes after a bulk skipped', input: b('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n') },
  { name: 'byte after count CR skipped', input: b('*1\rX$4\r\nPING\r\n') },
  { name: '*-5 then inline', input: b('*-5\r\nPING\r\n') },
  { name: '*0 then inline', input: b('*0\r\nPING\r\n') },
  { name: 'empty command name', input: b('*1\r\n$0\r\n\r\n') },
  { name: 'blank lines', input: b('\r\n\n\r\nPING\r\n') },
  { name: 'inline a"b c"', input: b('ECHO a"b c"\r\n') },
  { name: "inline 'it\\'s'", input: b("ECHO 'it\\'s'\r\n") },
  { name: 'inline hex escapes', input: b('ECHO "\\x41\\n\\xZZ"\r\n') },
  { name: 'inline PING\\0\\n (NUL before the newline)', input: b('PING\x00\n') },
  { name: 'inline NUL inside a line', input: b('ECHO a\x00b\r\nPING\r\n') },
  { name: 'inline NUL inside quotes', input: b('ECHO "\x00"\r\n') },
  { name: 'NUL in a count line', input: b('*1\x00\r\n$4\r\nPING\r\n') },
  { name: 'NUL as a bulk header', input: b('*1\r\n\x00\r\n') },
  { name: "expected '$', got ':'", input: b('*2\r\n$4\r\nECHO\r\n:1\r\n') },
  { name: 'incomplete command then silence', input: b('*3\r\n$3\r\nSET\r\n') },
  { name: 'inline of exactly 64 KiB without newline', input: b('A'.repeat(64 * 1024)) },
  { name: 'a 70000-byte inline with its newline', input: b(`ECHO ${'A'.repeat(70_000)}\r\n`) },
  { name: 'pipelined inline and multibulk', input: Buffer.concat([b('PING\r\n'), encodeCommand(['ECHO', '\x00\xff']), b('ECHO x\n')]) },
  { name: 'unknown command with CRLF in args', input: encodeCommand(['NOPE', 'a\r\nb', 'c\nd']) },
];

describe.skipIf(!HAVE_REDIS)('protocol edge cases vs real Redis (bytes and close)', () => {
  let redis: RealRedis | undefined;
  let rewind: TestServer | undefined;
  let redisAuth: RealRedis | undefined;
  let rewindAuth: TestServer | undefined;
  let redisSmall: RealRedis | undefined;
  let rewindSmall: TestServer | undefined;

  beforeAll(async () => {
    // One at a time, so that afterAll stops whatever started even if a later start fails.
    redis = await startRealRedis();
    rewind = await startTestServer();
    redisAuth = await startRealRedis(['--requirepass', 'secret']);
    rewindAuth = await startTestServer({ requirepass: 'secret' });
    redisSmall = await startRealRedis(['--proto-max-bulk-len', '1048576']);
    rewindSmall = await startTestServer({ 'proto-max-bulk-len': 1048576 });
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), rewind?.close(), redisAuth?.stop(), rewindAuth?.close(), redisSmall?.stop(), rewindSmall?.close()]);
  });

  async function compare(redisPort: number, rewindPort: number, input: Buffer): Promise<void> {
    // Both at once; a server that stays silent costs the deadline once, not twice.
    const [a, w] = await Promise.all([observe(redisPort, input, 600), observe(rewindPort, input, 600)]);
    expect(w, 'rewind (left) vs redis (right)').toEqual(a);
  }

  for (const c of DIFF_CASES) {
    test(c.name, async () => {
      await compare(redis!.port, rewind!.port, c.input);
    });
  }

  test.each([
    ['*10 before AUTH', b('*10\r\n')],
    ['*11 before AUTH', b('*11\r\n')],
    ['$16384 before AUTH', b('*1\r\n$16384\r\n')],
    ['$16385 before AUTH', b('*1\r\n$16385\r\n')],
    ['a command before AUTH', b('*1\r\n$4\r\nPING\r\n')],
    ['*11 after AUTH', Buffer.concat([encodeCommand(['AUTH', 'secret']), b('*11\r\n')])],
    ['$16385 after AUTH', Buffer.concat([encodeCommand(['AUTH', 'secret']), b('*1\r\n$16385\r\n')])],
  ])('requirepass: %s', async (_name, input) => {
    await compare(redisAuth!.port, rewindAuth!.port, input);
  });

  test.each([
    ['$1048576 (at the limit)', b('*1\r\n$1048576\r\n')],
    ['$1048577 (over the limit)', b('*1\r\n$1048577\r\n')],
  ])('proto-max-bulk-len 1mb: %s', async (_name, input) => {
    await compare(redisSmall!.port, rewindSmall!.port, input);
  });
});
