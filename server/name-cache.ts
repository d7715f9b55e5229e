/*
 * The command table's lookup by the name bytes a client sent, cached per spelling.
 */
import type { CommandSpec } from '../commands/table.js';
import type { CommandStats } from '../commands/context.js';

export interface CommandEntry {
  readonly spec: CommandSpec;
  readonly stats: CommandStats;
}

/**
 * Command names by their exact bytes: 256 buckets hashed on length and three bytes, one entry
 * each (a miss overwrites). A hit costs a short byte compare instead of a string and a Map lookup.
 */
export class NameCache {
  private names: (Buffer | undefined)[] = new Array<Buffer | undefined>(256);
  private entries: (CommandEntry | undefined)[] = new Array<CommandEntry | undefined>(256);

  private static bucket(b: Buffer): number {
    const n = b.length;
    if (n === 0) return 0;
    return (n * 31 + b[0]! * 7 + b[n - 1]! * 13 + b[n >> 1]!) & 255;
  }

  get(b: Buffer): CommandEntry | undefined {
    const i = NameCache.bucket(b);
    const known = this.names[i];
    if (known === undefined || known.length !== b.length) return undefined;
    for (let k = 0; k < b.length; k++) if (known[k] !== b[k]) return undefined;
    return this.entries[i];
  }

  set(b: Buffer, entry: CommandEntry): void {
    const i = NameCache.bucket(b);
    this.names[i] = Buffer.from(b);
    this.entries[i] = entry;
  }

  clear(): void {
    this.names.fill(undefined);
    this.entries.fill(undefined);
  }
}
