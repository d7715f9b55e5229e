/* How MONITOR shows an argument: quoted, with C escapes for what is not printable (Redis's sdscatrepr). */

export function quoteForMonitor(a: Buffer): string {
  let out = '"';
  for (let i = 0; i < a.length; i++) {
    const b = a[i]!;
    if (b === 34 || b === 92) out += `\\${String.fromCharCode(b)}`;
    else if (b === 10) out += '\\n';
    else if (b === 13) out += '\\r';
    else if (b === 9) out += '\\t';
    else if (b === 7) out += '\\a';
    else if (b === 8) out += '\\b';
    else if (b < 32 || b > 126) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}
