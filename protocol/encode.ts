/*
 * encodeCommand: argv -> the RESP multibulk a client sends (`*<n>\r\n$<len>\r\n<bytes>\r\n...`).
 * The AOF stores commands in exactly this form, and tests use it to build requests.
 */

export function encodeCommand(argv: readonly (Buffer | string)[]): Buffer {
  let size = 16;
  for (const a of argv) size += a.length + 16;
  const out = Buffer.allocUnsafe(size);
  let p = out.latin1Write(`*${argv.length}\r\n`, 0);
  for (const a of argv) {
    const bytes = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    p += out.latin1Write(`$${bytes.length}\r\n`, p);
    p += bytes.copy(out, p);
    out[p++] = 13;
    out[p++] = 10;
  }
  return out.subarray(0, p);
}
