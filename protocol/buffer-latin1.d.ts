/*
 * Node's Buffer has latin1Slice and latin1Write (the fast paths behind toString('latin1') and
 * write(s, 'latin1'), present in every Node release we support) but @types/node does not declare
 * them. The hot path uses them directly to skip the encoding switch.
 */
export {};

declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string;
    latin1Write(text: string, offset?: number, length?: number): number;
  }
}
