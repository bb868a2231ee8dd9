// share.js: the state bytes of a share link <-> the text after '#' in its URL.
//
//   import { encodeFragment, decodeFragment, fragmentFromUrl, urlWithFragment, fragmentOpens,
//            LINK_SOFT_LIMIT, LINK_LONG } from './share.js';
//   const fragment = await encodeFragment(stateBytes);        // stateBytes: EncodeState output
//   const url = urlWithFragment(location.href, fragment);
//   if (!fragmentOpens(fragment)) offerStateFile();           // no page would open it
//   else if (url.length > LINK_LONG) noteChatTools();         // copied, but some chats cut it
//   const r = await decodeFragment(fragmentFromUrl(location.href));
//   if (r.ok) openState(r.bytes); else showMessage(r.message); // then DecodeState(r.bytes)
//
// Fragment "s1.<base64url>": the tag names the encoding so that a later one can change it. For
// s1 the base64url text (no padding) holds the CRC-32 of the state bytes (4 bytes, little-endian)
// followed by the bytes deflated raw (CompressionStream 'deflate-raw'). The checksum catches a
// garbled link whose deflate data still happens to decode.
//
// decodeFragment never throws and never trusts its input: the length is checked before anything
// else, the alphabet strictly, and the output is read incrementally and cancelled as soon as it
// passes maxDecompressedBytes (a "zip bomb" costs bounded memory and time). Plain JS for browsers
// and node >= 20; no dependencies.

export const SCHEME_TAG = 's1.';
// A link this long still fits chat messages and mail; a 100-run sweep must fit.
export const LINK_SOFT_LIMIT = 4000;
// Browsers take far longer URLs, and Copy link copies any link that opens (fragmentOpens); past
// this length it also says that some chat tools cut long messages and offers the state file. The
// public Step Law sweep and Epoch's Chinchilla extraction fit under it (bench/README.md).
export const LINK_LONG = 16000;

export const DEFAULT_DECODE_OPTIONS = Object.freeze({
  maxCompressedChars: 1 << 20,        // characters after the tag
  maxDecompressedBytes: 32 << 20,     // the core's DecodeLimits::max_input_bytes
  timeoutMs: 5000,
});

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE_TABLE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

export function base64UrlEncode(bytes) {
  let out = '';
  const n = bytes.length;
  let i = 0;
  const parts = [];
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
    if (out.length >= 8192) {  // keep string concatenation cheap on large inputs
      parts.push(out);
      out = '';
    }
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63];
    if (i + 1 < n) out += ALPHABET[(v >> 6) & 63];
  }
  parts.push(out);
  return parts.join('');
}

// Returns {ok, bytes, message}. Strict: only the 64 characters, no padding, zero leftover bits.
export function base64UrlDecode(text) {
  const n = text.length;
  if (n % 4 === 1) {
    return { ok: false, message: 'the link is truncated or damaged (its length is impossible)' };
  }
  const bytes = new Uint8Array(Math.floor((n * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? DECODE_TABLE[c] : -1;
    if (d < 0) {
      const shown = JSON.stringify(String.fromCodePoint(text.codePointAt(i)));
      return {
        ok: false,
        message: `the link is damaged (character ${shown} at position ${i + 1} is not allowed)`,
      };
    }
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    return { ok: false, message: 'the link is damaged (its last character is not possible)' };
  }
  return { ok: true, bytes: o === bytes.length ? bytes : bytes.subarray(0, o) };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// CRC-32 (IEEE, as in zlib and PNG); pass the previous value to continue over chunks.
export function crc32(bytes, previous = 0) {
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function concat(chunks, total) {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

async function deflateRaw(bytes) {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  // Not awaited before reading: the writes wait for the reader under backpressure.
  const written = Promise.all([writer.write(bytes), writer.close()]);
  const reader = stream.readable.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  await written;
  return concat(chunks, total);
}

// State bytes -> "s1.<base64url>". Rejects (TypeError) only when `bytes` is not bytes.
export async function encodeFragment(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('encodeFragment needs a Uint8Array');
  const deflated = await deflateRaw(bytes);
  const framed = new Uint8Array(4 + deflated.length);
  new DataView(framed.buffer).setUint32(0, crc32(bytes), true);
  framed.set(deflated, 4);
  return SCHEME_TAG + base64UrlEncode(framed);
}

function failure(message) {
  return { ok: false, bytes: null, message };
}

function isTruncationError(error) {
  const text = String((error && error.message) || error);
  return /truncat|end of (file|input|stream|data)|unexpected end|incomplete/i.test(text);
}

// Inflates with a cap on the output and a deadline; never throws.
async function inflateRawBounded(deflated, maxBytes, timeoutMs) {
  let stream;
  try {
    stream = new DecompressionStream('deflate-raw');
  } catch (e) {
    return failure('this browser cannot decompress links (no DecompressionStream)');
  }
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // Errors surface through the reader; these only keep the rejections handled.
  writer.write(deflated).catch(() => {});
  writer.close().catch(() => {});

  let timer = null;
  let timedOut = false;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve(null);
    }, timeoutMs);
  });

  const chunks = [];
  let total = 0;
  let crc = 0;
  try {
    for (;;) {
      const step = await Promise.race([reader.read(), deadline]);
      if (step === null || timedOut) {
        reader.cancel().catch(() => {});
        writer.abort().catch(() => {});
        return failure(`decoding the link took longer than ${timeoutMs} ms; stopped`);
      }
      if (step.done) break;
      const value = step.value;
      total += value.length;
      if (total > maxBytes) {
        // Stop the inflater now: a bomb never gets to allocate its full size.
        reader.cancel().catch(() => {});
        writer.abort().catch(() => {});
        return failure(`the link expands to more than ${maxBytes} bytes; refused`);
      }
      crc = crc32(value, crc);
      chunks.push(value);
    }
  } catch (e) {
    writer.abort().catch(() => {});
    return failure(isTruncationError(e)
      ? 'the link is truncated (its compressed data ends early)'
      : 'the link is damaged (its compressed data is not valid)');
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, bytes: concat(chunks, total), crc };
}

// "s1.<base64url>" -> {ok, bytes, message}. Options default to DEFAULT_DECODE_OPTIONS.
// ASCII whitespace is ignored (links broken across lines by mail programs).
export async function decodeFragment(text, options = {}) {
  try {
    const { maxCompressedChars, maxDecompressedBytes, timeoutMs } = {
      ...DEFAULT_DECODE_OPTIONS,
      ...options,
    };
    if (typeof text !== 'string') return failure('the link is not text');
    // Before any other work: the cost of every later step grows with the length.
    if (text.length > maxCompressedChars + SCHEME_TAG.length + 1024) {
      return failure(`the link is too long (${text.length} characters; limit ${maxCompressedChars})`);
    }
    if (text.startsWith('#')) text = text.slice(1);
    text = text.replace(/[ \t\r\n\f]+/g, '');
    if (text.length === 0) return failure('the link is empty (nothing after #)');
    if (!text.startsWith(SCHEME_TAG)) {
      const tag = /^[a-z][a-z0-9]{0,7}\./i.exec(text);
      if (tag) {
        return failure(`this link uses an encoding ('${tag[0].slice(0, -1)}') this page cannot ` +
          'read; it may come from a newer scalecalc');
      }
      return failure(`not a scalecalc link (it does not start with '${SCHEME_TAG}')`);
    }
    const body = text.slice(SCHEME_TAG.length);
    if (body.length > maxCompressedChars) {
      return failure(`the link is too long (${body.length} characters; limit ${maxCompressedChars})`);
    }
    const decoded = base64UrlDecode(body);
    if (!decoded.ok) return failure(decoded.message);
    // 4 bytes of checksum, then at least one byte of deflate data.
    if (decoded.bytes.length < 5) return failure('the link is truncated (too short)');
    const expected = new DataView(decoded.bytes.buffer, decoded.bytes.byteOffset).getUint32(0, true);
    const inflated = await inflateRawBounded(decoded.bytes.subarray(4), maxDecompressedBytes,
      timeoutMs);
    if (!inflated.ok) return inflated;
    if (inflated.crc !== expected) {
      return failure('the link is damaged (its checksum does not match)');
    }
    return { ok: true, bytes: inflated.bytes, message: '' };
  } catch (e) {
    return failure('the link could not be read (' + String((e && e.message) || e) + ')');
  }
}

// Whether decodeFragment (with its default limits) accepts a fragment of this length: a longer
// link would be refused by every page, so it is never offered.
export function fragmentOpens(fragment) {
  return typeof fragment === 'string' && fragment.startsWith(SCHEME_TAG) &&
    fragment.length - SCHEME_TAG.length <= DEFAULT_DECODE_OPTIONS.maxCompressedChars;
}

// The text after the first '#' of `href`, or '' when there is none.
export function fragmentFromUrl(href) {
  if (typeof href !== 'string') return '';
  const i = href.indexOf('#');
  return i < 0 ? '' : href.slice(i + 1);
}

// `href` with its fragment replaced by `fragment` (removed when `fragment` is empty).
export function urlWithFragment(href, fragment) {
  const base = String(href ?? '');
  const i = base.indexOf('#');
  const bare = i < 0 ? base : base.slice(0, i);
  return fragment ? `${bare}#${fragment}` : bare;
}
