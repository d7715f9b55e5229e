/*
 * RdbValueError: decoded RDB data that is well-formed bytes but not a value Redis would load (an
 * empty collection, a duplicate member, a NaN score, a stream whose PEL and consumers disagree, a
 * key twice in one db). Loaders refuse the file; RESTORE answers "Bad data format".
 */
export class RdbValueError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RdbValueError';
  }
}
