/*
 * Accepted TCP connections, read into one reusable buffer.
 *
 * A plain net.Socket allocates a fresh 64 KiB buffer and walks the Readable stream machinery for
 * every read; at one command per read (redis-benchmark -P 1) that is ~15% of the server's CPU.
 * Node's documented `onread` option reads into a caller-owned buffer instead, but only for sockets
 * constructed with it, so each accepted handle is moved into such a socket. Where that is not
 * possible (a Node without `_handle`), the connection falls back to 'data' events.
 *
 * Contract for the callback: the chunk is valid only until it returns. The server parses and runs
 * every complete command inside it and then asks the parser to copy whatever it still holds.
 */
import net from 'node:net';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export type ChunkHandler = (socket: net.Socket, chunk: Buffer) => void;

interface HandleOwner {
  _handle?: unknown;
}

/** net.Socket accepts an existing handle and `onread`; @types/node declares neither here. */
interface AdoptOptions extends net.SocketConstructorOpts {
  handle: unknown;
  onread: net.OnReadOpts;
}

/**
 * Takes over an accepted socket (from a server made with pauseOnConnect) and returns the socket
 * to use from now on; onChunk gets every read.
 */
export function adoptConnection(accepted: net.Socket, onChunk: ChunkHandler): net.Socket {
  const owner = accepted as unknown as HandleOwner;
  const handle = owner._handle;
  if (handle === undefined || handle === null) {
    accepted.on('data', (chunk: Buffer) => onChunk(accepted, chunk));
    accepted.resume();
    return accepted;
  }
  owner._handle = null;
  // The husk still counts as one of the net.Server's connections until it closes.
  accepted.destroy();
  const options: AdoptOptions = {
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer: READ_BUFFER,
      callback: (nread: number, buf: Uint8Array): boolean => {
        onChunk(socket, (buf as Buffer).subarray(0, nread));
        return true;
      },
    },
  };
  const socket: net.Socket = new net.Socket(options);
  socket.resume();
  return socket;
}
