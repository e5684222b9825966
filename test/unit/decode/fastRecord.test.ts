import { decodeItem } from '../../../src/decode/decodeStream';
import { DECLINED, FastRecordReader } from '../../../src/decode/fastRecord';
import { NOT_JSON } from '../../../src/decode/jsonBytes';
import type { LogRecord } from '../../../src/decode/logRecord';
import { isRejection } from '../../../src/decode/normalize';
import { generateItemText, mutate, seededRandom } from './archiveGenerator';

const ID = '90020250508083910862978000000000000001223372036854918178';

/**
 * Reads `text` (one item) with the fast path, the byte after it being a line feed as the scanner guarantees. A
 * reader given is reused, as a decoder reuses one for every item: its string cache then holds earlier items' values.
 */
function fastRead(text: string, reader = new FastRecordReader('dflt')): { end: number; record: LogRecord | null; length: number } {
  const buf = Buffer.from(`${text}\n`);
  const end = reader.read(buf, 0, buf.length - 1);
  return { end, record: end >= 0 ? reader.toLogRecord(buf) : null, length: buf.length - 1 };
}

function generalRead(text: string): LogRecord | 'rejected' | 'malformed' {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  const result = decodeItem(value, 'dflt');
  return isRejection(result) ? 'rejected' : result;
}

describe('FastRecordReader', () => {
  it('reads an EventBridge event straight from its bytes', () => {
    const text = JSON.stringify({
      'detail-type': 'Auth0 log',
      detail: { log_id: ID, data: { date: '2025-05-08T08:39:10.838Z', type: 'seccft', client_id: 'c1', client_name: 'Zoë', audience: 'https://api/', hostname: 'acme.eu.auth0.com', details: { a: [1, -2.5e3, true, null, { b: '}{' }] } } },
    });
    const { end, record, length } = fastRead(text);
    expect(end).toBe(length);
    expect(record).toEqual({
      logId: ID, dateMs: Date.UTC(2025, 4, 8, 8, 39, 10, 838), type: 'seccft', tenant: 'acme', hostname: 'acme.eu.auth0.com',
      clientId: 'c1', clientName: 'Zoë', audience: 'https://api/', userId: '',
    });
  });

  it('takes the last of duplicate keys and decodes escaped values, as JSON.parse does', () => {
    const text = '{"type":"early","date":"2024-01-01T00:00:00.000Z","type":"s","log_id":null,"log_id":"1\\u0032","tenant_name":"a\\"b","hostname":"h","client_id":"\\/x"}';
    expect(fastRead(text).record).toEqual({
      logId: '12', dateMs: Date.UTC(2024, 0, 1), type: 's', tenant: 'a"b', hostname: 'h', clientId: '/x', clientName: '', audience: '', userId: '',
    });
  });

  it('decodes invalid UTF-8 in a value as JSON.parse of the decoded line sees it', () => {
    const bad = [Buffer.from('{"type":"s","date":"2024-01-01T00:00:00.000Z","client_name":"a'), Buffer.from([0xc3, 0x41, 0xff, 0xf0, 0x9f, 0x99]),
      Buffer.from('","user_id":"'), Buffer.from([0x80, 0x41]), Buffer.from('"}\n')];
    const buf = Buffer.concat(bad);
    const reader = new FastRecordReader('d');
    expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);
    const expected = decodeItem(JSON.parse(buf.toString('utf8', 0, buf.length - 1)), 'd') as LogRecord;
    expect(reader.toLogRecord(buf)).toEqual(expected);
    expect([expected.clientName, expected.userId]).toEqual(['a\ufffdA\ufffd\ufffd', '\ufffdA']);
  });

  it('reads only the object at the start, ending where the grammar ends it', () => {
    const buf = Buffer.from('{"type":"s","date":"2024-01-01T00:00:00.000Z"}{"type":"f"}\n');
    expect(new FastRecordReader('d').read(buf, 0, buf.length - 1)).toBe(46);
  });

  it('declines what it does not read the same way for certain, and what decodeItem rejects', () => {
    const base = '"date":"2024-01-01T00:00:00.000Z"';
    for (const text of [
      `{"typ\\u0065":"s",${base}}`, // an escaped key
      `{"detail-type":["Auth0 log"],"detail":{"type":"s",${base}}}`,
      `{"type":"s",${base},"deep":${'['.repeat(70)}${']'.repeat(70)}}`,
      `{"type":"s",${base},"log_id":123}`,
      `{"type":"",${base}}`,
      `{"type":"s","date":"2024-02-30T00:00:00.000Z"}`,
    ]) {
      expect(fastRead(text).end).toBe(DECLINED);
    }
  });

  it('says NOT_JSON for bytes that are not one complete object before the limit', () => {
    for (const text of ['{"type":"s"', '{"type":"s",}', '{"a":tru}', '{"a":"x\ty"}', '{"a":01}', '{"a":1.}', '{"a":"\\x"}', '{"a" 1}', '{"a":[1,]}', '{"a":"é"x}']) {
      expect(fastRead(text).end).toBe(NOT_JSON);
    }
    // The limit may be a '"' (the last in a chunk): nothing at or after it belongs to the object.
    const buf = Buffer.from('{"type":"s","x":"abc"');
    expect(new FastRecordReader('d').read(buf, 0, buf.length - 1)).toBe(NOT_JSON);
    // A well-formed object that spans lines is left to the scanner, which counts lines.
    const spanning = Buffer.from('{"type":"s",\n"date":"2024-01-01T00:00:00.000Z"}{"x":"');
    expect(new FastRecordReader('d').read(spanning, 0, spanning.length - 1)).toBe(NOT_JSON);
  });

  it('agrees with JSON.parse + decodeItem on 8 000 generated and damaged items', () => {
    const rnd = seededRandom(7);
    const outcomes = { fast: 0, declined: 0, notJson: 0 };
    // Disagreements are collected and checked once: an expect per item costs more than the reading.
    const canonical = (value: unknown) =>
      value !== null && typeof value === 'object' ? JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : JSON.stringify(value);
    const disagreements: Array<{ text: string; fast: unknown; general: unknown }> = [];
    const agree = (text: string, fast: unknown, general: unknown) => {
      if (canonical(fast) !== canonical(general)) disagreements.push({ text, fast, general });
    };
    const reader = new FastRecordReader('dflt');
    for (let i = 0; i < 8_000; i++) {
      let text = generateItemText(rnd);
      if (rnd() < 0.3) text = mutate(rnd, text, 1 + Math.floor(rnd() * 3)).replace(/[\r\n]/g, ' ');
      const trimmed = text.trim();
      if (!trimmed.startsWith('{')) continue;
      const { end, record, length } = fastRead(trimmed, reader);
      const general = generalRead(trimmed);
      if (end >= 0) {
        outcomes.fast++;
        // A record read fast is the one decodeItem gives, for an object that fills the text (else the rest of
        // the line is another item, and the general reader fails on the whole line).
        if (end === length) agree(trimmed, record, general);
        else agree(trimmed, record, generalRead(trimmed.slice(0, end)));
      } else if (end === NOT_JSON) {
        outcomes.notJson++;
        agree(trimmed, 'malformed', general);
      } else {
        outcomes.declined++;
      }
    }
    expect(disagreements).toEqual([]);
    // Every outcome must be well represented, or the agreement above proves little.
    expect(outcomes.fast).toBeGreaterThan(3000);
    expect(outcomes.declined).toBeGreaterThan(1500);
    expect(outcomes.notJson).toBeGreaterThan(700);
  });
});
