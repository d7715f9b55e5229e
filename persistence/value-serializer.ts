/*
 * DUMP and RESTORE payloads: one value in RDB form with a footer, as Redis's createDumpPayload
 * writes it and verifyDumpPayload + rdbLoadObject read it.
 *
 * Bytes:
 *   <type byte> <value payload>           rdb-value-writer.ts: the same bytes as in an RDB file, no key
 *   <RDB version: u16 LE>                 we write 10 (Redis 7.0); any version up to 11 is accepted
 *   <CRC-64/Jones: u64 LE>                of every byte before it (crc64.ts, init 0)
 * Invariants: DUMP lays a value out by its in-memory encoding with the server's rdbcompression and
 * list-max-listpack-size, so a value Redis 7.0 would hold in the same encoding dumps to the same
 * bytes, LZF-compressed parts included (lzf.ts makes liblzf's choices). RESTORE checks
 * the footer before it decodes anything: shorter than 10 bytes, a version above 11 or a CRC
 * mismatch is Redis's "DUMP payload version or checksum are wrong"; anything the RDB reader or the
 * keyspace codec refuses (unknown or module type, truncated value, empty collection, duplicate
 * member) is "Bad data format". As in Redis 7.0 the value is read from the whole payload, footer
 * included (a value that runs into the footer takes those bytes), and what follows the value is
 * ignored. Pure bytes; nothing survives a crash.
 */
import {
  ERR_BAD_DATA_FORMAT, ERR_DUMP_PAYLOAD, type ValueSerializer,
} from '../commands/context.js';
import type { Value } from '../commands/keyspace/value.js';
import { RedisError } from '../protocol/errors.js';
import { crc64 } from './crc64.js';
import { encodingLimits, fromRdbValue, toRdbValue, type EncodingLimits } from './keyspace-codec.js';
import { RdbValueError } from './keyspace-error.js';
import { RdbSink } from './rdb-encode.js';
import { RdbCursor } from './rdb-strings.js';
import { MAX_READ_VERSION, OP, RdbFormatError, WRITE_VERSION, type RdbValue } from './rdb-types.js';
import { DEFAULT_LIST_FILL, writeValue } from './rdb-value-writer.js';
import { readValue } from './rdb-values.js';

const FOOTER = 10;

export interface DumpOptions {
  /** rdbcompression: LZF for strings over 20 bytes when it saves 4. Default true. */
  compression?: boolean;
  /** list-max-listpack-size, which decides a list's quicklist nodes. Default -2. */
  listFill?: number;
}

/** The DUMP payload of a value in neutral form (a HintedValue to get Redis's layout). */
export function dumpPayload(v: RdbValue, opts: DumpOptions = {}): Buffer {
  const sink = new RdbSink(opts.compression ?? true);
  writeValue(sink, null, v, opts.listFill ?? DEFAULT_LIST_FILL);
  return withFooter(sink.take());
}

/** The body followed by the RDB version and the CRC-64 of both. */
function withFooter(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length + FOOTER);
  body.copy(out, 0);
  out.writeUInt16LE(WRITE_VERSION, body.length);
  out.writeBigUInt64LE(crc64(out, 0n, 0, body.length + 2), body.length + 2);
  return out;
}

/** Why a payload was refused: its footer (version, checksum) or its contents. */
export class DumpPayloadError extends Error {
  constructor(readonly kind: 'footer' | 'format', reason: string) {
    super(reason);
    this.name = 'DumpPayloadError';
  }
}

/** True when the footer is sound: at least 10 bytes, version <= 11, CRC-64 matching. */
export function verifyDumpPayload(payload: Buffer): boolean {
  const n = payload.length;
  if (n < FOOTER) return false;
  if (payload.readUInt16LE(n - FOOTER) > MAX_READ_VERSION) return false;
  return crc64(payload, 0n, 0, n - 8) === payload.readBigUInt64LE(n - 8);
}

/** The value in a payload, in neutral form. Throws DumpPayloadError. */
export function readDumpPayload(payload: Buffer): RdbValue {
  if (!verifyDumpPayload(payload)) throw new DumpPayloadError('footer', 'DUMP payload version or checksum are wrong');
  const c = new RdbCursor(payload);
  try {
    const type = c.u8('the value type');
    return readValue(c, type, 'DUMP payload');
  } catch (e) {
    if (e instanceof RdbFormatError) throw new DumpPayloadError('format', e.message);
    throw e;
  }
}

/** The keyspace value in a payload, encoded for `limits`. Throws DumpPayloadError. */
export function restorePayload(payload: Buffer, limits: EncodingLimits): Value {
  const v = readDumpPayload(payload);
  try {
    return fromRdbValue(v, limits);
  } catch (e) {
    if (e instanceof RdbValueError) throw new DumpPayloadError('format', e.message);
    throw e;
  }
}

/** What the serializer reads from the server's configuration, at each call. */
export interface SerializerConfig {
  get(name: string): string;
}

/**
 * The server's ValueSerializer. `config` is read at each call (CONFIG SET applies at once); it is
 * a getter so the server can create the serializer before its config field is assigned.
 */
export function createValueSerializer(config: () => SerializerConfig): ValueSerializer {
  return {
    dump(value: Value): Buffer {
      const cfg = config();
      return dumpPayload(toRdbValue(value), {
        compression: cfg.get('rdbcompression') === 'yes',
        listFill: Number(cfg.get('list-max-listpack-size')),
      });
    },
    dumpFunctions(sources: readonly Buffer[]): Buffer {
      return functionsPayload(sources, config().get('rdbcompression') === 'yes');
    },
    restoreFunctions(payload: Buffer): Buffer[] {
      return readFunctionsPayload(payload);
    },
    restore(payload: Buffer): Value {
      try {
        return restorePayload(payload, encodingLimits(config()));
      } catch (e) {
        if (e instanceof DumpPayloadError) throw new RedisError(e.kind === 'footer' ? ERR_DUMP_PAYLOAD : ERR_BAD_DATA_FORMAT);
        throw e;
      }
    },
  };
}

/** FUNCTION DUMP's payload: a FUNCTION2 record per library, then the DUMP footer. */
export function functionsPayload(sources: readonly Buffer[], compression: boolean): Buffer {
  const sink = new RdbSink(compression);
  for (const code of sources) {
    sink.byte(OP.FUNCTION2);
    sink.string(code);
  }
  return withFooter(sink.take());
}

/** FUNCTION RESTORE's reading of a payload (functionRestoreCommand): the library sources. */
export function readFunctionsPayload(payload: Buffer): Buffer[] {
  if (!verifyDumpPayload(payload)) throw new RedisError(ERR_DUMP_PAYLOAD);
  const c = new RdbCursor(payload, 0, payload.length - FOOTER);
  const out: Buffer[] = [];
  try {
    while (c.pos < payload.length - FOOTER) {
      const type = c.u8('the record type');
      if (type === OP.FUNCTION_PRE_GA) throw new RedisError('ERR Pre-GA function format not supported');
      if (type !== OP.FUNCTION2) throw new RedisError('ERR given type is not a function');
      out.push(c.string('the library code'));
    }
  } catch (e) {
    if (e instanceof RdbFormatError) throw new RedisError('ERR failed loading the given functions payload');
    throw e;
  }
  return out;
}
