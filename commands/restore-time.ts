/*
 * The times a restore accepts (`--restore-to`, REWIND RESTORE): Unix seconds, Unix milliseconds
 * (13 digits or more), or an ISO 8601 date-time with an explicit offset. A local time without an
 * offset is refused on purpose: its meaning would depend on the machine it runs on.
 */

/** The Unix second `text` names, or an Error whose message says what is accepted. */
export function parseRestoreTime(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return t.length >= 13 ? Math.floor(n / 1000) : n;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    throw new Error(`cannot read the restore time '${text}': use Unix seconds, Unix milliseconds, or an ISO 8601 date-time with an offset such as 2025-12-05T07:03:21Z`);
  }
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`'${text}' is not a valid date-time`);
  return Math.floor(ms / 1000);
}
