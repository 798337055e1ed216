/**
 * Text appended as UTF-8 into one buffer that grows in place: a resizable ArrayBuffer, whose
 * address space is reserved up front and whose pages are committed as they are written, and
 * given back to the system (not to the C allocator) when it is collected. Used for the large
 * byte runs of a build and of the cache write (packed works, the cache's parse section): made
 * of many Buffers and joined, they held their bytes twice at the peak, and the freed pieces
 * stayed in the allocator's heap afterwards (~80 MB of RSS at 50,000 works, bench/RESULTS.md,
 * seventh session, memory).
 */

/** ES2024's resizable ArrayBuffer and growable SharedArrayBuffer (Node 20; the lib in tsconfig predates them). */
type ResizableBuffer = ArrayBuffer & { readonly maxByteLength: number; resize(length: number): void };
type GrowableShared = SharedArrayBuffer & { readonly maxByteLength: number; grow(length: number): void };
type SinkBuffer = ResizableBuffer | GrowableShared;

/** The most bytes a sink holds (offsets into it are u32). */
export const MAX_SINK_BYTES = 2 ** 32 - 1;

function resizableBuffer(length: number, max: number, shared: boolean): SinkBuffer {
  const maxByteLength = Math.min(MAX_SINK_BYTES, max);
  if (length > maxByteLength) throw new RangeError('over 4 GB of bytes');
  return shared
    ? new (SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => GrowableShared)(length, { maxByteLength })
    : new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ResizableBuffer)(length, { maxByteLength });
}

function enlarge(buffer: SinkBuffer, length: number): void {
  if ('grow' in buffer) buffer.grow(length);
  else buffer.resize(length);
}

export class ByteSink {
  private buffer: SinkBuffer;
  private readonly encoder = new TextEncoder();
  /** Bytes written so far. */
  size = 0;

  /**
   * `guess`: the address space first reserved (past it the bytes move once to a larger
   * reservation). `shared`: the bytes go into a growable SharedArrayBuffer, which another thread
   * reads in place (the index worker's packed works, workStore.ts); it cannot shrink, so
   * `bytes()` is a view of the part written (pages past it were never touched: no memory).
   */
  constructor(
    guess: number,
    private readonly shared = false,
  ) {
    this.buffer = resizableBuffer(Math.min(1 << 20, guess), Math.max(1 << 20, guess), shared);
  }

  /** Appends `text` as UTF-8; returns the size after it. */
  append(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = this.size + text.length * 3;
    const buffer = this.buffer;
    if (need > buffer.byteLength) {
      const length = Math.max(buffer.byteLength * 2, need);
      if (length <= buffer.maxByteLength) enlarge(buffer, length);
      else {
        const moved = resizableBuffer(length, Math.max(2 * length, buffer.maxByteLength * 2), this.shared);
        new Uint8Array(moved).set(new Uint8Array(buffer, 0, this.size));
        this.buffer = moved;
      }
    }
    this.size += this.encoder.encodeInto(text, new Uint8Array(this.buffer, this.size)).written;
    return this.size;
  }

  /** The bytes written, as a view of their own length (the reservation shrunk to them). */
  bytes(): Uint8Array {
    if (!('grow' in this.buffer)) this.buffer.resize(this.size);
    return new Uint8Array(this.buffer, 0, this.size);
  }
}
