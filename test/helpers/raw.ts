/*
 * A raw socket client for byte-exact tests: send any bytes, read whole RESP replies (RESP2 and
 * RESP3, nested aggregates included) exactly as they arrived, and see when the server closes.
 *
 * readReplyAt() is a small RESP reply reader: given a buffer and an offset it says where the reply
 * starting there ends (or that more bytes are needed) and what it means. It is deliberately
 * independent of protocol/ so that it can check the server's writer.
 */
import net from 'node:net';
import { encodeCommand } from '../../protocol/encode.js';

export type RespValue =
  | { type: 'simple'; text: string }
  | { type: 'error'; text: string }
  | { type: 'integer'; value: bigint }
  | { type: 'bulk'; value: Buffer }
  | { type: 'null' }
  | { type: 'double'; text: string }
  | { type: 'bool'; value: boolean }
  | { type: 'bignum'; text: string }
  | { type: 'verbatim'; format: string; value: Buffer }
  | { type: 'bloberror'; value: Buffer }
  | { type: 'array' | 'set' | 'push'; items: Reply[] }
  | { type: 'map' | 'attribute'; items: Reply[] };

/** One reply: its exact bytes and its meaning (`$-1`, `*-1` and `_` are all type null). */
export interface Reply {
  readonly bytes: Buffer;
  readonly value: RespValue;
}

export class RespFormatError extends Error {}

/**
 * Reads the reply starting at buf[pos]. Returns it with the index after it, or null when the
 * buffer ends before the reply does. Throws RespFormatError on bytes no server should send.
 */
export function readReplyAt(buf: Buffer, pos: number): { reply: Reply; end: number } | null {
  const r = readValue(buf, pos, 0);
  if (r === null) return null;
  return { reply: { bytes: buf.subarray(pos, r.end), value: r.value }, end: r.end };
}

/** Parses a buffer holding exactly one reply (throws if incomplete or followed by more bytes). */
export function parseReply(bytes: Buffer | string): Reply {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  const r = readReplyAt(buf, 0);
  if (r === null) throw new RespFormatError(`incomplete reply: ${escapeBytes(buf)}`);
  if (r.end !== buf.length) throw new RespFormatError(`trailing bytes after reply: ${escapeBytes(buf)}`);
  return r.reply;
}

const MAX_DEPTH = 64;

function readLine(buf: Buffer, pos: number): { text: string; next: number } | null {
  const cr = buf.indexOf('\r\n', pos, 'latin1');
  if (cr < 0) return null;
  return { text: buf.toString('latin1', pos, cr), next: cr + 2 };
}

function toCount(text: string, what: string): number {
  if (!/^-?\d+$/.test(text)) throw new RespFormatError(`bad ${what} length: ${JSON.stringify(text)}`);
  return Number(text);
}

function readBlob(buf: Buffer, next: number, len: number): { value: Buffer; end: number } | null {
  if (buf.length < next + len + 2) return null;
  if (buf[next + len] !== 13 || buf[next + len + 1] !== 10) {
    throw new RespFormatError(`blob of ${len} bytes not followed by CRLF`);
  }
  return { value: buf.subarray(next, next + len), end: next + len + 2 };
}

function readValue(buf: Buffer, pos: number, depth: number): { value: RespValue; end: number } | null {
  if (depth > MAX_DEPTH) throw new RespFormatError('aggregates nested too deep');
  if (pos >= buf.length) return null;
  const prefix = String.fromCharCode(buf[pos]!);
  const line = readLine(buf, pos + 1);
  if (line === null) return null;
  const { text, next } = line;
  switch (prefix) {
    case '+':
      return { value: { type: 'simple', text }, end: next };
    case '-':
      return { value: { type: 'error', text }, end: next };
    case ':':
      if (!/^-?\d+$/.test(text)) throw new RespFormatError(`bad integer ${JSON.stringify(text)}`);
      return { value: { type: 'integer', value: BigInt(text) }, end: next };
    case '_':
      if (text !== '') throw new RespFormatError('bad null');
      return { value: { type: 'null' }, end: next };
    case ',':
      return { value: { type: 'double', text }, end: next };
    case '#':
      if (text !== 't' && text !== 'f') throw new RespFormatError(`bad boolean ${JSON.stringify(text)}`);
      return { value: { type: 'bool', value: text === 't' }, end: next };
    case '(':
      return { value: { type: 'bignum', text }, end: next };
    case '$':
    case '=':
    case '!': {
      const len = toCount(text, 'blob');
      if (len === -1 && prefix === '$') return { value: { type: 'null' }, end: next };
      if (len < 0) throw new RespFormatError(`negative blob length ${len}`);
      const blob = readBlob(buf, next, len);
      if (blob === null) return null;
      if (prefix === '$') return { value: { type: 'bulk', value: blob.value }, end: blob.end };
      if (prefix === '!') return { value: { type: 'bloberror', value: blob.value }, end: blob.end };
      if (len < 4 || blob.value[3] !== 58) throw new RespFormatError('verbatim string without format');
      return {
        value: { type: 'verbatim', format: blob.value.toString('latin1', 0, 3), value: blob.value.subarray(4) },
        end: blob.end,
      };
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = toCount(text, 'aggregate');
      if (n === -1 && prefix === '*') return { value: { type: 'null' }, end: next };
      if (n < 0) throw new RespFormatError(`negative aggregate length ${n}`);
      const count = prefix === '%' || prefix === '|' ? n * 2 : n;
      const items: Reply[] = [];
      let p = next;
      for (let i = 0; i < count; i++) {
        const r = readValue(buf, p, depth + 1);
        if (r === null) return null;
        items.push({ bytes: buf.subarray(p, r.end), value: r.value });
        p = r.end;
      }
      return { value: { type: AGGREGATE_TYPES[prefix]!, items }, end: p };
    }
    default:
      throw new RespFormatError(`unknown reply type byte 0x${buf[pos]!.toString(16)} in ${escapeBytes(buf.subarray(pos, pos + 40))}`);
  }
}

const AGGREGATE_TYPES: Record<string, 'array' | 'set' | 'push' | 'map' | 'attribute'> = {
  '*': 'array', '~': 'set', '>': 'push', '%': 'map', '|': 'attribute',
};

/** Bytes as a readable, unambiguous string: printable ASCII kept, the rest as \r \n \xHH. */
export function escapeBytes(buf: Buffer, max = 600): string {
  let out = '';
  const n = Math.min(buf.length, max);
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 13) out += '\\r';
    else if (b === 10) out += '\\n';
    else if (b === 92) out += '\\\\';
    else if (b === 34) out += '\\"';
    else if (b >= 32 && b < 127) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  if (buf.length > max) out += `... (${buf.length} bytes)`;
  return `"${out}"`;
}

/** A plain JS view of a reply for readable assertions (bulk strings as latin1 text). */
export function simplify(value: RespValue): unknown {
  switch (value.type) {
    case 'simple':
    case 'double':
    case 'bignum':
      return value.text;
    case 'error':
      return new Error(value.text);
    case 'integer':
      return Number.isSafeInteger(Number(value.value)) ? Number(value.value) : value.value;
    case 'bulk':
    case 'bloberror':
      return value.value.toString('latin1');
    case 'verbatim':
      return value.value.toString('latin1');
    case 'null':
      return null;
    case 'bool':
      return value.value;
    default:
      return value.items.map((i) => simplify(i.value));
  }
}

export class ReplyTimeoutError extends Error {}
export class ConnectionClosedError extends Error {}

/** A TCP client that reads replies byte-exactly. All waits have a deadline. */
export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private isClosed = false;
  private waiters: (() => void)[] = [];
  /** Everything received since connect (for close/bytes comparisons). */
  private received: Buffer[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    const onGone = (): void => {
      this.isClosed = true;
      this.wake();
    };
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new RawClient(socket));
      });
      const onError = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      socket.once('error', onError);
    });
  }

  /** True once the server closed the connection (or it failed). */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes received and not yet consumed by a read. */
  get pending(): Buffer {
    return this.buf;
  }

  /** All bytes received since connect, consumed or not. */
  get allReceived(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Writes bytes as they are (a string is sent as latin1). Resolves when handed to the kernel. */
  write(bytes: Buffer | string): Promise<void> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new ConnectionClosedError('write after close'));
        return;
      }
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends argv as a RESP multibulk and reads one reply. */
  async call(...argv: (string | Buffer)[]): Promise<Reply> {
    await this.write(encodeCommand(argv));
    return this.readReply();
  }

  /** Reads the next complete reply; rejects on close before it is complete, or on timeout. */
  async readReply(timeoutMs = 5000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = readReplyAt(this.buf, 0);
      if (r !== null) {
        const bytes = Buffer.from(r.reply.bytes);
        this.buf = this.buf.subarray(r.end);
        return { bytes, value: r.reply.value };
      }
      if (this.isClosed) {
        throw new ConnectionClosedError(`connection closed; unread bytes ${escapeBytes(this.buf)}`);
      }
      if (!(await this.waitEvent(deadline))) {
        throw new ReplyTimeoutError(`no complete reply within ${timeoutMs} ms; have ${escapeBytes(this.buf)}`);
      }
    }
  }

  async readReplies(n: number, timeoutMs = 5000): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.readReply(timeoutMs));
    return out;
  }

  /** Reads exactly n bytes (for checking framing without parsing). */
  async readBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.isClosed) throw new ConnectionClosedError(`closed after ${this.buf.length} of ${n} bytes`);
      if (!(await this.waitEvent(deadline))) throw new ReplyTimeoutError(`timeout after ${this.buf.length} of ${n} bytes`);
    }
    const out = Buffer.from(this.buf.subarray(0, n));
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Resolves true when the server closes within the deadline, false otherwise. */
  async waitClose(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed) {
      if (!(await this.waitEvent(deadline))) return false;
    }
    return true;
  }

  /** Waits for the close and returns every unconsumed byte received before it. */
  async readUntilClose(timeoutMs = 5000): Promise<Buffer> {
    if (!(await this.waitClose(timeoutMs))) {
      throw new ReplyTimeoutError(`server did not close within ${timeoutMs} ms; have ${escapeBytes(this.buf)}`);
    }
    const out = this.buf;
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** Closes our side and waits until the socket is fully closed. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits for data or close; false when the deadline passed first. */
  private waitEvent(deadline: number): Promise<boolean> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onEvent);
        resolve(false);
      }, left);
      const onEvent = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(onEvent);
    });
  }
}

/** Connects a raw client to 127.0.0.1:port. */
export function rawClient(port: number, host = '127.0.0.1'): Promise<RawClient> {
  return RawClient.connect(port, host);
}
