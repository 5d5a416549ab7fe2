/**
 * Tracks the framing of a chunked body (RFC 9112 §7.1) without decoding it: the bytes are forwarded verbatim,
 * this only finds where the message ends (after the last chunk and the trailer section) and rejects malformed
 * framing. Chunk data is skipped in one step, so the cost is per chunk, not per byte. State is a few numbers:
 * one instance per connection direction, reset per message.
 */
import { hexValue } from './chars.ts';

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const LINE_START = 6;
const TRAILER = 7;
const TRAILER_LF = 8;
const END_LF = 9;
const DONE = 10;

/** The body is not over yet: every byte given belongs to it. */
export const MORE = -1;
/** The framing is malformed. */
export const MALFORMED = -2;

/** Longest chunk-size line (extensions included) and trailer section accepted. */
const MAX_LINE = 4096;
const MAX_TRAILERS = 16 * 1024;

/** The framing state of one chunked message. */
export class ChunkedFramer {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  /** Bytes of chunk data still to skip. */
  private left = 0;
  /** Bytes of the current size line / of the trailers, to bound them. */
  private lineBytes = 0;
  private trailerBytes = 0;
  /** The trailer line being read has content (a non-empty line is a field, an empty one ends the message). */
  private lineHasContent = false;

  /** Starts a new message. */
  reset(): void {
    this.state = SIZE;
    this.size = 0;
    this.digits = 0;
    this.left = 0;
    this.lineBytes = 0;
    this.trailerBytes = 0;
    this.lineHasContent = false;
  }

  /** Whether the last chunk and trailers were seen. */
  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Reads buf[start..end): returns the offset just past the end of the message when it ends within, MORE when
   * all of it belongs to the body, MALFORMED on bad framing.
   */
  feed(buf: Buffer, start: number, end: number): number {
    let i = start;
    while (i < end) {
      const st = this.state;
      if (st === DATA) {
        const n = Math.min(this.left, end - i);
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = DATA_CR;
        continue;
      }
      const c = buf[i++];
      if (st === SIZE) {
        const h = hexValue(c);
        if (h >= 0) {
          if (++this.digits > 12) return MALFORMED; // 2^48 bytes is plenty and stays exact in a double
          this.size = this.size * 16 + h;
        } else if (this.digits === 0) return MALFORMED;
        else if (c === 13) this.state = SIZE_LF;
        else if (c === 59 /* ; */ || c === 32 || c === 9) this.state = EXT;
        else return MALFORMED;
        if (++this.lineBytes > MAX_LINE) return MALFORMED;
      } else if (st === EXT) {
        if (c === 13) this.state = SIZE_LF;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127) return MALFORMED;
        if (++this.lineBytes > MAX_LINE) return MALFORMED;
      } else if (st === SIZE_LF) {
        if (c !== 10) return MALFORMED;
        this.lineBytes = 0;
        this.digits = 0;
        if (this.size === 0) this.state = LINE_START;
        else {
          this.left = this.size;
          this.size = 0;
          this.state = DATA;
        }
      } else if (st === DATA_CR) {
        if (c !== 13) return MALFORMED;
        this.state = DATA_LF;
      } else if (st === DATA_LF) {
        if (c !== 10) return MALFORMED;
        this.state = SIZE;
      } else if (st === LINE_START || st === TRAILER) {
        if (++this.trailerBytes > MAX_TRAILERS) return MALFORMED;
        if (c === 13) this.state = this.lineHasContent ? TRAILER_LF : END_LF;
        else if (c === 10 || (c < 32 && c !== 9) || c === 127) return MALFORMED;
        else {
          this.lineHasContent = true;
          this.state = TRAILER;
        }
      } else if (st === TRAILER_LF) {
        if (c !== 10) return MALFORMED;
        this.lineHasContent = false;
        this.state = LINE_START;
      } else if (st === END_LF) {
        if (c !== 10) return MALFORMED;
        this.state = DONE;
        return i;
      } else return MALFORMED; // DONE: nothing may follow inside this message
    }
    return MORE;
  }
}
