/*
 * FunctionLibraries: the function libraries a server holds, by name, as their source text
 * ("#!lua name=<lib>\n..."). Loading a library with a name already held replaces it, as
 * FUNCTION LOAD REPLACE does; the AOF and RDB writers emit them in name order.
 */

export class FunctionLibraries {
  private readonly byName = new Map<string, Buffer>();

  get size(): number {
    return this.byName.size;
  }

  /** Adds (or replaces) a library; returns its name, or null when the shebang names none. */
  add(code: Buffer): string | null {
    const name = libraryName(code);
    if (name === null) return null;
    this.byName.set(name, code);
    return name;
  }

  clear(): void {
    this.byName.clear();
  }

  /** Sources in name order. */
  all(): Buffer[] {
    return [...this.byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, code]) => code);
  }
}

/** The `name=` of the first line, `#!<engine> name=<lib> [...]`. */
export function libraryName(code: Buffer): string | null {
  const nl = code.indexOf(10);
  const first = code.toString('latin1', 0, nl < 0 ? code.length : nl);
  if (!first.startsWith('#!')) return null;
  for (const part of first.slice(2).split(' ')) {
    if (part.startsWith('name=') && part.length > 5) return part.slice(5);
  }
  return null;
}
