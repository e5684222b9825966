import { QUARANTINE_BATCH_CHARS, QUARANTINE_BATCH_ITEMS, QuarantineBatchWriter, readQuarantineBatch } from '../../../src/decode/quarantineBatch';
import type { QuarantineItem, QuarantineKind } from '../../../src/decode/logRecord';

function readAll(writer: QuarantineBatchWriter, object: number): Array<[QuarantineKind, QuarantineItem]> {
  const message = writer.take(object);
  expect(message.object).toBe(object);
  const items: Array<[QuarantineKind, QuarantineItem]> = [];
  readQuarantineBatch(structuredClone(message), (kind, item) => items.push([kind, item]));
  return items;
}

describe('QuarantineBatchWriter', () => {
  it('carries items, in order, with their kinds, lines, reasons and texts (empty, non-ASCII, repeated reasons)', () => {
    const items: Array<[QuarantineKind, QuarantineItem]> = [
      ['malformed', { source: 's3://b/k.gz', line: 1, reason: 'malformed: bad', raw: 'x' }],
      ['rejected', { source: 's3://b/k.gz', line: 2, reason: 'rejected: no date', raw: '{"ü":"😀"}' }],
      ['malformed', { source: 's3://b/k.gz', line: 9_007_199_254, reason: 'malformed: bad', raw: '' }],
      ['malformed', { source: 's3://b/k.gz', line: 4, reason: 'malformed: other', raw: 'yy' }],
    ];
    const writer = new QuarantineBatchWriter();
    for (const [kind, item] of items) expect(writer.add(kind, item)).toBe(false);
    expect(writer.size).toBe(4);
    const message = writer.take(3);
    expect(message.reasons).toEqual(['malformed: bad', 'rejected: no date', 'malformed: other']);
    expect(writer.size).toBe(0);
    for (const [kind, item] of items) writer.add(kind, item);
    expect(readAll(writer, 3)).toEqual(items);
  });

  it(`is full at ${QUARANTINE_BATCH_ITEMS} items, or at ${QUARANTINE_BATCH_CHARS} characters of text`, () => {
    const writer = new QuarantineBatchWriter();
    const item = (raw: string): QuarantineItem => ({ source: 'f', line: 1, reason: 'r', raw });
    for (let i = 1; i < QUARANTINE_BATCH_ITEMS; i++) expect(writer.add('malformed', item('a'))).toBe(false);
    expect(writer.add('malformed', item('a'))).toBe(true);
    expect(readAll(writer, 1)).toHaveLength(QUARANTINE_BATCH_ITEMS);
    const half = 'b'.repeat(QUARANTINE_BATCH_CHARS / 2);
    expect(writer.add('malformed', item(half))).toBe(false);
    expect(writer.add('malformed', item(`${half.slice(1)}`))).toBe(false);
    expect(writer.add('malformed', item('c'))).toBe(true);
    expect(readAll(writer, 1).map(([, { raw }]) => raw)).toEqual([half, half.slice(1), 'c']);
  });
});
