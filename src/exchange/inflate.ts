/**
 * A decompressor for a response's content-encoding, or undefined when it is not compressed. Taps that see
 * raw bytes (http, the proxy) feed the codec through it, on a side copy: the agent gets the bytes as sent.
 */
import zlib from 'node:zlib';

export type Inflater = zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;

export function inflaterFor(encoding: string | undefined): Inflater | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}
