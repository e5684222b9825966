import { describe, expect, it } from '@jest/globals';
import { S3InputSet } from '../../../src/sources/s3/s3InputSet';

const at = (bucket: string, prefix: string) => ({ bucket, prefix });

describe('S3InputSet', () => {
  it('says which inputs nest with another: a prefix inside another, the same prefix twice, the whole bucket', () => {
    const inputs = new S3InputSet();
    const logs = at('archive', 'logs/');
    const january = at('archive', 'logs/2024/01/');
    const other = at('archive', 'other/');
    const elsewhere = at('another-bucket', 'logs/');
    for (const input of [logs, january, other, elsewhere]) inputs.add(input);
    expect([logs, january, other, elsewhere].map((input) => inputs.overlaps(input))).toEqual([true, true, false, false]);

    const twice = new S3InputSet();
    twice.add(at('archive', 'logs/'));
    twice.add(at('archive', 'logs/'));
    expect(twice.overlaps(at('archive', 'logs/'))).toBe(true);

    const whole = new S3InputSet();
    whole.add(at('archive', ''));
    whole.add(at('archive', 'other/'));
    expect(whole.overlaps(at('archive', 'other/'))).toBe(true);

    // Prefixes are matched byte for byte, as S3 lists them: 'logs' also lists 'logs-old/…'.
    const bare = new S3InputSet();
    bare.add(at('archive', 'logs'));
    bare.add(at('archive', 'logs-old/'));
    expect(bare.overlaps(at('archive', 'logs'))).toBe(true);
  });

  it('a single input nests with nothing', () => {
    const inputs = new S3InputSet();
    inputs.add(at('archive', 'logs/'));
    expect(inputs.overlaps(at('archive', 'logs/'))).toBe(false);
  });

  it('lists a key the first time only, per bucket', () => {
    const inputs = new S3InputSet();
    expect([
      inputs.firstListing('archive', 'logs/a.gz'),
      inputs.firstListing('archive', 'logs/a.gz'),
      inputs.firstListing('other', 'logs/a.gz'),
      inputs.firstListing('archive', 'logs/b.gz'),
    ]).toEqual([true, false, true, true]);
  });
});
