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
    const [first, second] = [at('archive', 'logs/'), at('archive', 'logs/')];
    twice.add(first);
    twice.add(second);
    expect([twice.overlaps(first), twice.overlaps(second)]).toEqual([true, true]);

    const whole = new S3InputSet();
    const [bucket, folder] = [at('archive', ''), at('archive', 'other/')];
    whole.add(bucket);
    whole.add(folder);
    expect(whole.overlaps(folder)).toBe(true);

    // Prefixes are matched byte for byte, as S3 lists them: 'logs' also lists 'logs-old/…'.
    const bare = new S3InputSet();
    const [stem, old] = [at('archive', 'logs'), at('archive', 'logs-old/')];
    bare.add(stem);
    bare.add(old);
    expect(bare.overlaps(stem)).toBe(true);
  });

  it('a single input nests with nothing', () => {
    const inputs = new S3InputSet();
    const logs = at('archive', 'logs/');
    inputs.add(logs);
    expect(inputs.overlaps(logs)).toBe(false);
  });

  it('lists a key the first time only; keys no other input lists are not remembered', () => {
    const inputs = new S3InputSet();
    const all = at('archive', 'logs/');
    const january = at('archive', 'logs/2024/01/');
    const elsewhere = at('other', 'logs/');
    for (const input of [all, january, elsewhere]) inputs.add(input);
    expect([
      inputs.firstListing(all, 'logs/2024/01/a.gz'), // under january's prefix too: remembered
      inputs.firstListing(january, 'logs/2024/01/a.gz'), // listed before, under all
      inputs.firstListing(january, 'logs/2024/01/b.gz'),
      inputs.firstListing(all, 'logs/2024/02/c.gz'), // no other input lists it: not remembered, so ...
      inputs.firstListing(all, 'logs/2024/02/c.gz'), // ... a second listing (none comes) would not be known
      inputs.firstListing(elsewhere, 'logs/2024/01/a.gz'), // another bucket
    ]).toEqual([true, false, true, true, true, true]);
  });
});
