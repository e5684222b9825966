import { createHash } from 'node:crypto';
import { summaryId } from '../../../src/rollup/summaryId';

describe('summaryId', () => {
  it('reproduces ids computed independently', () => {
    // Computed outside the code under test, with both
    //   node -e "const c=require('crypto');console.log(c.createHash('sha256')
    //     .update(JSON.stringify(['daily','acme','2024-03-10','America/New_York'])).digest('hex').slice(0,32))"
    // and
    //   printf '%s' '["daily","acme","2024-03-10","America/New_York"]' | sha256sum | cut -c1-32
    expect(summaryId('daily', 'acme', '2024-03-10', 'America/New_York')).toBe('fc5a0d29847284141b965c77bc265993');
    // Same two methods over ["m2m","acme","2024-03-10","America/New_York","cid_1","https://api.acme.com"].
    expect(summaryId('m2m', 'acme', '2024-03-10', 'America/New_York', 'cid_1', 'https://api.acme.com')).toBe(
      '4c226d258ef7e28c35edde3bf30f0781',
    );
    // node -e as above over ["event_type","acme","2024-03-10","America/New_York","seccft"].
    expect(summaryId('event_type', 'acme', '2024-03-10', 'America/New_York', 'seccft')).toBe(
      '8b35929405946914cfaddc181724d3d2',
    );
  });

  it('is 32 lowercase hex digits', () => {
    expect(summaryId('daily', 't', '2024-01-01', 'UTC')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs whenever any part differs', () => {
    const ids = [
      summaryId('daily', 'acme', '2024-03-10', 'UTC'),
      summaryId('daily', 'acme', '2024-03-11', 'UTC'),
      summaryId('daily', 'acme2', '2024-03-10', 'UTC'),
      summaryId('daily', 'acme', '2024-03-10', 'Europe/Berlin'),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c1', 'https://api.acme.com'),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c2', 'https://api.acme.com'),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c1', 'https://acme.eu.auth0.com/api/v2/'),
      // Concatenation ambiguities stay apart because the parts are JSON-quoted.
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c1,x', 'y'),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c1', 'x,y'),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', 'c1x', ''),
      summaryId('m2m', 'acme', '2024-03-10', 'UTC', '', 'c1x'),
      summaryId('event_type', 'acme', '2024-03-10', 'UTC', 's'),
      summaryId('event_type', 'acme', '2024-03-10', 'UTC', 'ss'),
      summaryId('event_type', 'acme', '2024-03-10', 'UTC'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hashes the JSON text of the array of its parts, whatever characters they hold', () => {
    const parts = ['a"b', 'back\\slash', 'tab\tnl\n\u0000\u001f', 'lone \ud800 high', 'lone \udfff low', 'pair \ud83d\ude00', 'é \u2028 \u007f', ''];
    for (const part of parts) {
      const expected = createHash('sha256').update(JSON.stringify(['m2m', part, '2024-03-10', 'UTC', part, 'x'])).digest('hex').slice(0, 32);
      expect(summaryId('m2m', part, '2024-03-10', 'UTC', part, 'x')).toBe(expected);
    }
  });

  it('makes the JSON text of plain parts without JSON.stringify', () => {
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      summaryId('m2m', 'acme', '2024-03-10', 'America/New_York', 'cid_1', 'https://api.acme.com');
      expect(stringify).not.toHaveBeenCalled();
      summaryId('event_type', 'acme', '2024-03-10', 'UTC', 'quote"');
      expect(stringify).toHaveBeenCalledTimes(1); // only the part that needs escaping
    } finally {
      stringify.mockRestore();
    }
  });
});
