// Tests of web/share.js under node >= 20: `node --test tests/web/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';

import {
  LINK_LONG, LINK_SOFT_LIMIT, fragmentOpens, SCHEME_TAG, base64UrlDecode, base64UrlEncode, crc32,
  decodeFragment, encodeFragment, fragmentFromUrl, urlWithFragment,
} from '../../web/share.js';

// Deterministic bytes (xorshift32), so a failure can be replayed.
function randomBytes(n, seed) {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// Raw deflate data that inflates to `mib` MiB of zeros, built cheaply: one MiB compressed with a
// full flush (byte-aligned, no history) repeated, then an empty final block.
function zeroBomb(mib) {
  const segment = zlib.deflateRawSync(Buffer.alloc(1 << 20),
    { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  return Buffer.concat([...Array(mib).fill(segment), Buffer.from([0x03, 0x00])]);
}

// A raw fragment around arbitrary deflate data, with a correct or given checksum.
function frame(deflated, crc) {
  const framed = new Uint8Array(4 + deflated.length);
  new DataView(framed.buffer).setUint32(0, crc, true);
  framed.set(deflated, 4);
  return SCHEME_TAG + base64UrlEncode(framed);
}

test('base64url agrees with node Buffer on every length 0..300', () => {
  for (let n = 0; n <= 300; n++) {
    const bytes = randomBytes(n, n + 1);
    const ours = base64UrlEncode(bytes);
    assert.equal(ours, Buffer.from(bytes).toString('base64url'), `length ${n}`);
    const back = base64UrlDecode(ours);
    assert.ok(back.ok);
    assert.deepEqual(back.bytes, bytes);
  }
});

test('crc32 matches the standard check value', () => {
  // CRC-32/ISO-HDLC of "123456789" is 0xCBF43926 (the catalogue's check value).
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new TextEncoder().encode('6789'), crc32(new TextEncoder().encode('12345'))),
    0xcbf43926);
});

test('random bytes of many sizes round-trip', async () => {
  const sizes = [0, 1, 2, 3, 4, 5, 7, 31, 32, 33, 100, 255, 256, 1000, 4095, 65537, 150000];
  for (const n of sizes) {
    const bytes = randomBytes(n, 7 * n + 3);
    const fragment = await encodeFragment(bytes);
    assert.ok(fragment.startsWith(SCHEME_TAG));
    assert.match(fragment.slice(SCHEME_TAG.length), /^[A-Za-z0-9_-]*$/);
    const r = await decodeFragment(fragment);
    assert.equal(r.ok, true, `size ${n}: ${r.message}`);
    assert.equal(r.message, '');
    assert.deepEqual(r.bytes, bytes, `size ${n}`);
  }
  // Compressible input, and an ArrayBuffer argument.
  const text = new TextEncoder().encode('params,tokens,loss\n'.repeat(5000));
  const r = await decodeFragment(await encodeFragment(text.buffer));
  assert.deepEqual(r.bytes, text);
});

// The sweep of the brief: 4 model sizes x 5 token budgets x 5 learning rates, numbers written as
// people write them.
function sweepCsv() {
  const params = ['1.7e7', '6.4e7', '2.56e8', '1.02e9'];
  const tokens = ['2e9', '5e9', '1e10', '2e10', '5e10'];
  const lrs = ['1e-4', '1.8e-4', '3.2e-4', '5.6e-4', '1e-3'];
  const rows = ['params,tokens,lr,batch,loss'];
  let k = 0;
  for (const [i, n] of params.entries()) {
    for (const [j, t] of tokens.entries()) {
      for (const [l, lr] of lrs.entries()) {
        // A smooth loss surface with a little noise, five significant digits.
        const noise = ((k++ * 7919) % 1000) / 1e6;
        const loss = 0.45 + 0.08 / (i + 1) + 0.05 / (j + 1) + 0.01 * (l - 2) ** 2 + noise;
        rows.push(`${n},${t},${lr},81920,${loss.toFixed(5)}`);
      }
    }
  }
  return rows.join('\n') + '\n';
}

test('a 100-run sweep plus options fits the soft limit', async (t) => {
  const csv = sweepCsv();
  assert.equal(csv.trim().split('\n').length, 101);
  // ~200 bytes of option bytes: doubles and varints, as EncodeState writes them.
  const options = randomBytes(200, 99);
  const header = new TextEncoder().encode('SC\x01');
  const csvBytes = new TextEncoder().encode(csv);
  const bytes = new Uint8Array(header.length + 2 + csvBytes.length + options.length);
  bytes.set(header, 0);
  bytes.set([csvBytes.length & 0x7f | 0x80, csvBytes.length >> 7], header.length);
  bytes.set(csvBytes, header.length + 2);
  bytes.set(options, header.length + 2 + csvBytes.length);

  const fragment = await encodeFragment(bytes);
  const url = urlWithFragment('https://example.org/scalecalc/', fragment);
  t.diagnostic(`100-run sweep: ${csvBytes.length} CSV bytes + ${options.length} option bytes -> ` +
    `fragment of ${fragment.length} characters, URL of ${url.length}`);
  assert.ok(fragment.length <= LINK_SOFT_LIMIT, `fragment of ${fragment.length} characters`);
  assert.ok(LINK_SOFT_LIMIT < LINK_LONG);
  const r = await decodeFragment(fragmentFromUrl(url));
  assert.ok(r.ok, r.message);
  assert.deepEqual(r.bytes, bytes);
});

test('a decompression bomb is refused quickly with bounded memory', async (t) => {
  const bomb = zeroBomb(100);
  // The construction is sound: node's own inflater gives 3 MiB of zeros for 3 segments.
  assert.deepEqual(zlib.inflateRawSync(zeroBomb(3)), Buffer.alloc(3 << 20));
  const fragment = frame(bomb, 0);
  assert.ok(fragment.length < 200000, `bomb of ${fragment.length} characters`);

  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 1);
  const r = await decodeFragment(fragment, { maxDecompressedBytes: 1 << 20 });
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  const ms = performance.now() - start;
  t.diagnostic(`bomb refused in ${ms.toFixed(0)} ms; array buffers grew by at most ` +
    `${((peak - before) / 2 ** 20).toFixed(1)} MiB`);

  assert.equal(r.ok, false);
  assert.equal(r.bytes, null);
  assert.equal(r.message, `the link expands to more than ${1 << 20} bytes; refused`);
  // Generous bounds for a loaded machine: inflating all 100 MB would take the same order of
  // time, but the memory bound is the real check (100 MB would show).
  assert.ok(ms < 3000, `took ${ms} ms`);
  assert.ok(peak - before < 32 << 20, `array buffers grew by ${(peak - before) >> 20} MiB`);
});

test('the default output cap holds too', async () => {
  const bomb = zeroBomb(40);
  const r = await decodeFragment(frame(bomb, 0));
  assert.equal(r.message, `the link expands to more than ${32 << 20} bytes; refused`);
});

test('a slow decode stops at the deadline', async () => {
  const bomb = zeroBomb(300);
  const r = await decodeFragment(frame(bomb, 0),
    { maxDecompressedBytes: 1 << 30, timeoutMs: 1 });
  assert.equal(r.ok, false);
  assert.equal(r.message, 'decoding the link took longer than 1 ms; stopped');
});

test('truncated links are refused at every cut', async () => {
  const bytes = new TextEncoder().encode(sweepCsv());
  const fragment = await encodeFragment(bytes);
  const messages = new Set();
  for (let n = 0; n < fragment.length; n += n < 40 ? 1 : 17) {
    const r = await decodeFragment(fragment.slice(0, n));
    assert.equal(r.ok, false, `cut at ${n}`);
    assert.ok(r.message.length > 0);
    messages.add(r.message);
  }
  for (let n = fragment.length - 8; n < fragment.length; n++) {
    const r = await decodeFragment(fragment.slice(0, n));
    assert.equal(r.ok, false, `cut at ${n}`);
    messages.add(r.message);
  }
  assert.ok(messages.has('the link is truncated (its compressed data ends early)'),
    [...messages].join('\n'));
  assert.ok(messages.has('the link is truncated (too short)'));
  assert.ok(messages.has('the link is truncated or damaged (its length is impossible)'));
});

test('garbled links are refused or decode to the original', async () => {
  const bytes = new TextEncoder().encode(sweepCsv());
  const fragment = await encodeFragment(bytes);
  const messages = new Set();
  let refused = 0;
  for (let i = SCHEME_TAG.length; i < fragment.length; i += 3) {
    const c = fragment[i] === 'A' ? 'B' : 'A';
    const garbled = fragment.slice(0, i) + c + fragment.slice(i + 1);
    const r = await decodeFragment(garbled);
    if (r.ok) {
      // Only unused bits after the end of the deflate data can change without effect.
      assert.deepEqual(r.bytes, bytes, `position ${i}`);
    } else {
      refused++;
      messages.add(r.message);
    }
  }
  assert.ok(refused > 0);
  assert.ok(messages.has('the link is damaged (its checksum does not match)') ||
    messages.has('the link is damaged (its compressed data is not valid)'), [...messages].join());
  // A change the deflate data survives is caught by the checksum.
  const deflated = zlib.deflateRawSync(Buffer.from('hello, scalecalc'));
  assert.equal((await decodeFragment(frame(deflated, 12345))).message,
    'the link is damaged (its checksum does not match)');
  assert.equal((await decodeFragment(frame(Buffer.from([0xff, 0xff, 0xff]), 0))).message,
    'the link is damaged (its compressed data is not valid)');
});

test('bad characters, tags and sizes each say what is wrong', async () => {
  const good = await encodeFragment(new Uint8Array([1, 2, 3]));
  const cases = [
    ['', 'the link is empty (nothing after #)'],
    ['#', 'the link is empty (nothing after #)'],
    ['  \n', 'the link is empty (nothing after #)'],
    ['s2.AAAA', "this link uses an encoding ('s2') this page cannot read; it may come from a newer scalecalc"],
    ['hello', "not a scalecalc link (it does not start with 's1.')"],
    ['S1.AAAA', "this link uses an encoding ('S1') this page cannot read; it may come from a newer scalecalc"],
    ['s1.AAA+AAA', 'the link is damaged (character "+" at position 4 is not allowed)'],
    ['s1.AAA=', 'the link is damaged (character "=" at position 4 is not allowed)'],
    ['s1.ABé', 'the link is damaged (character "é" at position 3 is not allowed)'],
    ['s1.AB😀', 'the link is damaged (character "😀" at position 3 is not allowed)'],
    ['s1.A', 'the link is truncated or damaged (its length is impossible)'],
    ['s1.AA', 'the link is truncated (too short)'],
    ['s1.AAAAAAB', 'the link is damaged (its last character is not possible)'],
  ];
  for (const [text, message] of cases) {
    const r = await decodeFragment(text);
    assert.equal(r.ok, false, text);
    assert.equal(r.bytes, null);
    assert.equal(r.message, message, JSON.stringify(text));
  }
  for (const value of [undefined, null, 42, {}, new Uint8Array(3)]) {
    const r = await decodeFragment(value);
    assert.equal(r.message, 'the link is not text');
  }
  // Oversize input is refused before it is scanned.
  const huge = SCHEME_TAG + 'A'.repeat(3 << 20);
  const start = performance.now();
  const r = await decodeFragment(huge);
  assert.equal(r.message, `the link is too long (${huge.length} characters; limit ${1 << 20})`);
  assert.ok(performance.now() - start < 200);
  assert.equal((await decodeFragment(good, { maxCompressedChars: 4 })).message,
    `the link is too long (${good.length - 3} characters; limit 4)`);
  // Whitespace from line-wrapping mail is ignored, a leading '#' too.
  const wrapped = good.slice(0, 5) + '\n  ' + good.slice(5);
  assert.deepEqual((await decodeFragment('#' + wrapped)).bytes, new Uint8Array([1, 2, 3]));
});

test('options never make decodeFragment throw', async () => {
  const good = await encodeFragment(new Uint8Array([9]));
  for (const options of [undefined, {}, { timeoutMs: 'soon' }, { maxDecompressedBytes: 0 }]) {
    const r = await decodeFragment(good, options);
    assert.equal(typeof r.ok, 'boolean');
    assert.equal(typeof r.message, 'string');
  }
});

test('empty state bytes round-trip', async () => {
  const r = await decodeFragment(await encodeFragment(new Uint8Array(0)));
  assert.equal(r.ok, true, r.message);
  assert.equal(r.bytes.length, 0);
});

test('encodeFragment refuses what is not bytes', async () => {
  await assert.rejects(encodeFragment('text'), TypeError);
});

test('fragment helpers', () => {
  assert.equal(fragmentFromUrl('https://a.org/x?y=1#s1.abc'), 's1.abc');
  assert.equal(fragmentFromUrl('https://a.org/x#s1.a#b'), 's1.a#b');
  assert.equal(fragmentFromUrl('https://a.org/x'), '');
  assert.equal(fragmentFromUrl('https://a.org/x#'), '');
  assert.equal(fragmentFromUrl(undefined), '');
  assert.equal(urlWithFragment('https://a.org/x?y=1#old', 's1.new'), 'https://a.org/x?y=1#s1.new');
  assert.equal(urlWithFragment('https://a.org/x', 's1.new'), 'https://a.org/x#s1.new');
  assert.equal(urlWithFragment('https://a.org/x#old', ''), 'https://a.org/x');
});

test('a fragment is offered as a link exactly when decodeFragment accepts its length', async () => {
  const limit = 1 << 20;  // DEFAULT_DECODE_OPTIONS.maxCompressedChars
  assert.ok(fragmentOpens(SCHEME_TAG + 'A'.repeat(limit)));
  assert.ok(!fragmentOpens(SCHEME_TAG + 'A'.repeat(limit + 1)));
  assert.ok(!fragmentOpens('x1.AAAA'));
  assert.ok(!fragmentOpens(undefined));
  // The decoder's own verdict on the same lengths: refused past the limit for its length alone.
  const tooLong = await decodeFragment(SCHEME_TAG + 'A'.repeat(limit + 1));
  assert.match(tooLong.message, /too long/);
  const atLimit = await decodeFragment(SCHEME_TAG + 'A'.repeat(limit));
  assert.doesNotMatch(atLimit.message, /too long/);
  // A real link past LINK_LONG still opens: random bytes deflate to about their own size.
  const bytes = randomBytes(30000, 7);
  const fragment = await encodeFragment(bytes);
  assert.ok(fragment.length > LINK_LONG && fragmentOpens(fragment));
  const back = await decodeFragment(fragment);
  assert.ok(back.ok, back.message);
  assert.deepEqual(Buffer.from(back.bytes), Buffer.from(bytes));
});

test('the version-1 link fixture (tests/core/fixtures) still decodes to its state bytes', async () => {
  const fs = await import('node:fs');
  const dir = new URL('../core/fixtures/', import.meta.url);
  const fragment = fs.readFileSync(new URL('state_v1.fragment.txt', dir), 'utf8').trim();
  const payload = fs.readFileSync(new URL('state_v1.link.txt', dir), 'utf8').trim();
  const decoded = await decodeFragment(fragment);
  assert.ok(decoded.ok, decoded.message);
  const expected = Buffer.from(payload, 'base64url');
  assert.deepEqual(Buffer.from(decoded.bytes), expected);
  assert.equal(expected[2], 1, 'a version-1 state');
});

test('the version-3 link fixture (tests/core/fixtures) still decodes to its state bytes', async () => {
  const fs = await import('node:fs');
  const dir = new URL('../core/fixtures/', import.meta.url);
  const fragment = fs.readFileSync(new URL('state_v3.fragment.txt', dir), 'utf8').trim();
  const payload = fs.readFileSync(new URL('state_v3.link.txt', dir), 'utf8').trim();
  const decoded = await decodeFragment(fragment);
  assert.ok(decoded.ok, decoded.message);
  const expected = Buffer.from(payload, 'base64url');
  assert.deepEqual(Buffer.from(decoded.bytes), expected);
  assert.equal(expected[2], 3, 'a version-3 state');
});
