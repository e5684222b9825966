import { hashLogIdBytesInto, hashLogIdInto, logIdHashHex } from '../../../src/decode/logIdHash';
import { seededRandom } from '../rollup/rollupTestKit';

// Bound once: inside Jest's vm context each global look-up in these loops costs more than the hashing.
const { floor } = Math;
const { fromCharCode } = String;
const toBigInt = BigInt;

/** Reference FNV-1a 64 in BigInt, straight from the definition: xor the unit, multiply by the prime mod 2^64. */
function referenceFnv1a64(text: string): string {
  const prime = 0x100000001b3n;
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= toBigInt(text.charCodeAt(i));
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

describe('log_id hash (64-bit FNV-1a over UTF-16 code units)', () => {
  it.each([
    // Published FNV-1a 64 test vectors (byte-wise; equal here because the strings are ASCII).
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('hashes %j to %s', (text, expected) => {
    expect(logIdHashHex(text)).toBe(expected);
  });

  it('matches a BigInt implementation on realistic ids and arbitrary UTF-16 strings', () => {
    const random = seededRandom(42);
    const samples = ['90020211104001514276223441402873466602396154780480176194', 'é', '\uffff\u0000\ud83d\ude00'];
    for (let i = 0; i < 300; i++) {
      const length = floor(random() * 80);
      let text = '';
      for (let j = 0; j < length; j++) {
        text += fromCharCode(random() < 0.7 ? 48 + floor(random() * 10) : floor(random() * 65536));
      }
      samples.push(text);
    }
    for (const text of samples) expect(logIdHashHex(text)).toBe(referenceFnv1a64(text));
  });

  it('writes [high, low] halves into the output array', () => {
    const out = new Uint32Array(2);
    hashLogIdInto('a', out);
    expect([out[0], out[1]]).toEqual([0xaf63dc4c, 0x8601ec8c]);
  });
});

describe('log_id hash from the bytes (hashLogIdBytesInto)', () => {
  /** The BigInt reference over the decoded text, as [high, low]. */
  const reference = (text: string) => {
    const hex = referenceFnv1a64(text);
    return [parseInt(hex.slice(0, 8), 16), parseInt(hex.slice(8), 16)];
  };

  it('equals the text hash on many generated ids: 56 digits, other lengths, any ASCII, inside a larger buffer', () => {
    const random = seededRandom(7);
    const ids: string[] = ['', '0', '9'.repeat(56), '9'.repeat(57), 'x'.repeat(500), '\u0000\u007f'];
    for (let i = 0; i < 20_000; i++) {
      const kind = i % 4;
      const length = kind === 0 ? 56 : floor(random() * (kind === 1 ? 120 : 60));
      let id = '';
      for (let j = 0; j < length; j++) id += fromCharCode(kind <= 1 ? 48 + floor(random() * 10) : floor(random() * 128));
      ids.push(id);
    }
    const out = new Uint32Array(2);
    // One expect over all mismatches: an expect per id costs more than the hashing.
    const mismatches: string[] = [];
    for (const id of ids) {
      // The id between other bytes, as it lies in a decoded chunk.
      const bytes = Buffer.concat([Buffer.from('{"log_id":"'), Buffer.from(id, 'latin1'), Buffer.from('"}')]);
      const taken = hashLogIdBytesInto(bytes, 11, 11 + id.length, out);
      const [hi, lo] = reference(id);
      if (!taken || out[0] !== hi || out[1] !== lo) mismatches.push(id);
    }
    expect(mismatches).toEqual([]);
  });

  it('declines bytes that are not ASCII (the text of UTF-8 differs from its bytes)', () => {
    const out = new Uint32Array(2);
    for (const id of ['é', '123€456', '\u{1f600}', '9'.repeat(55) + 'ß']) {
      const bytes = Buffer.from(id, 'utf8');
      expect(hashLogIdBytesInto(bytes, 0, bytes.length, out)).toBe(false);
    }
  });
});
