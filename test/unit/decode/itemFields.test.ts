import { FIELD_EMPTY, FastRecordReader, RECORD_STRING_FIELDS } from '../../../src/decode/fastRecord';
import {
  ABSENT, FIELD_COUNT, F_AUDIENCE, F_CLIENT_ID, F_CLIENT_NAME, F_DATA, F_DATE, F_DETAIL, F_DETAIL_TYPE, F_HOSTNAME, F_ID, F_LOG_ID,
  F_SOURCE, F_TENANT_NAME, F_TYPE, F_TYPE_CODE, F_USER_ID, F__ID, ITEM, ItemFields, SCALAR,
} from '../../../src/decode/itemFields';

const NOTED: Array<[string, number]> = [
  ['type', F_TYPE], ['type_code', F_TYPE_CODE], ['date', F_DATE], ['log_id', F_LOG_ID], ['_id', F__ID], ['id', F_ID],
  ['hostname', F_HOSTNAME], ['tenant_name', F_TENANT_NAME], ['client_id', F_CLIENT_ID], ['client_name', F_CLIENT_NAME],
  ['audience', F_AUDIENCE], ['user_id', F_USER_ID], ['detail', F_DETAIL], ['data', F_DATA], ['detail-type', F_DETAIL_TYPE], ['source', F_SOURCE],
];

/** The fields ItemFields notes for an item with one key, `name`, holding a number. */
function notedFields(name: string): number[] {
  const fields = new ItemFields();
  const buf = Buffer.from(`{"${name}":1}\n`);
  expect(fields.scan(buf, 0, buf.length - 1)).toBe(buf.length - 1);
  const noted: number[] = [];
  for (let f = 0; f < FIELD_COUNT; f++) if (fields.kind[ITEM * FIELD_COUNT + f] !== ABSENT) noted.push(f);
  return noted;
}

describe('ItemFields', () => {
  it('notes each field by its exact name, and no name that differs from one in a single byte', () => {
    for (const [name, field] of NOTED) {
      expect([name, notedFields(name)]).toEqual([name, [field]]);
      const fields = new ItemFields();
      const buf = Buffer.from(`{"${name}":1}\n`);
      fields.scan(buf, 0, buf.length - 1);
      expect(fields.kind[ITEM * FIELD_COUNT + field]).toBe(SCALAR);
      for (let at = 0; at < name.length; at++) {
        for (const replacement of ['x', name[at].toUpperCase(), '\u00e9']) {
          const near = name.slice(0, at) + replacement + name.slice(at + 1);
          if (near === name) continue;
          expect([near, notedFields(near)]).toEqual([near, []]);
        }
      }
      expect([`${name}s`, notedFields(`${name}s`)]).toEqual([`${name}s`, []]);
      expect([name.slice(1), notedFields(name.slice(1))]).toEqual([name.slice(1), NOTED.filter(([n]) => n === name.slice(1)).map(([, f]) => f)]);
    }
  });
});

describe('FastRecordReader string fields', () => {
  it('marks missing, non-string and empty fields empty without looking them up', () => {
    const buf = Buffer.from('{"type":"s","date":"2024-01-01T00:00:00.000Z","hostname":"","client_id":null,"audience":7,"user_id":"u1"}\n');
    const reader = new FastRecordReader('dflt');
    expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);
    const empty = RECORD_STRING_FIELDS.filter((_, k) => reader.refs[k] === FIELD_EMPTY);
    expect(empty).toEqual(['hostname', 'clientId', 'clientName', 'audience']);
    expect(reader.toLogRecord(buf)).toEqual({ logId: null, dateMs: Date.UTC(2024, 0, 1), type: 's', tenant: 'dflt', hostname: '', clientId: '', clientName: '', audience: '', userId: 'u1' });
  });
});
