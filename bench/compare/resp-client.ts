/*
 * A small RESP2 client for the persistence benchmark: one TCP connection, commands pipelined in
 * order, replies matched FIFO. It parses what the benchmark needs (simple strings, errors,
 * integers, bulk strings, arrays of those) and nothing else, so its own cost per request stays
 * small and constant on both servers.
 */
import net from 'node:net';

export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError extends Error {
  constructor(readonly text: string) {
    super(text);
    this.name = 'ReplyError';
  }
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

/** Incremental RESP2 parser over a growing buffer; returns undefined until a whole reply is in. */
class Parser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  push(chunk: Buffer): void {
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /** The next complete reply, or undefined (and nothing consumed) when more bytes are needed. */
  next(): Reply | undefined {
    const start = this.pos;
    const r = this.parse();
    if (r === undefined) this.pos = start;
    return r;
  }

  private line(): string | undefined {
    const end = this.buf.indexOf(13, this.pos);
    if (end < 0 || end + 1 >= this.buf.length) return undefined;
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 2;
    return s;
  }

  private parse(): Reply | undefined {
    if (this.pos >= this.buf.length) return undefined;
    const type = this.buf[this.pos]!;
    this.pos++;
    const l = this.line();
    if (l === undefined) return undefined;
    switch (type) {
      case 43: // +
        return l;
      case 45: // -
        return new ReplyError(l);
      case 58: // :
        return Number(l);
      case 36: { // $
        const len = Number(l);
        if (len < 0) return null;
        if (this.pos + len + 2 > this.buf.length) return undefined;
        const s = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len + 2;
        return s;
      }
      case 42: { // *
        const n = Number(l);
        if (n < 0) return null;
        const out: Reply[] = [];
        for (let i = 0; i < n; i++) {
          const item = this.parse();
          if (item === undefined) return undefined;
          out.push(item);
        }
        return out;
      }
      default:
        throw new Error(`unexpected RESP type byte ${type}`);
    }
  }
}

export function encodeCommand(args: readonly string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return Buffer.from(s);
}

export class RespClient {
  private readonly parser = new Parser();
  private readonly pending: Pending[] = [];
  private closedError: Error | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => this.onData(d));
    const fail = (e: Error): void => {
      this.closedError ??= e;
      for (const p of this.pending.splice(0)) p.reject(e);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed')));
  }

  /** Connects, or rejects (ECONNREFUSED while a server is still starting, for instance). */
  static connect(host: string, port: number, timeoutMs = 2000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new RespClient(sock));
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
      });
    });
  }

  private onData(d: Buffer): void {
    this.parser.push(d);
    for (;;) {
      const r = this.parser.next();
      if (r === undefined) return;
      const p = this.pending.shift();
      if (p === undefined) throw new Error('reply without a request');
      p.resolve(r);
    }
  }

  /** Sends one command; resolves with its reply (an error reply resolves as a ReplyError). */
  send(args: readonly string[]): Promise<Reply> {
    return this.sendRaw(encodeCommand(args));
  }

  /** Sends pre-encoded bytes holding exactly one command. */
  sendRaw(bytes: Buffer): Promise<Reply> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.sock.write(bytes);
    });
  }

  /** Like send, but an error reply rejects. */
  async call(...args: string[]): Promise<Reply> {
    const r = await this.send(args);
    if (r instanceof ReplyError) throw new Error(`${args.join(' ')}: ${r.text}`);
    return r;
  }

  close(): void {
    this.sock.destroy();
  }
}

/** `INFO <section>` as a field map. */
export async function info(c: RespClient, section: string): Promise<Map<string, string>> {
  const r = await c.call('INFO', section);
  if (typeof r !== 'string') throw new Error(`INFO ${section}: unexpected reply`);
  const out = new Map<string, string>();
  for (const line of r.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}
