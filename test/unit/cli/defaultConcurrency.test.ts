import { defaultConcurrency } from '../../../src/cli/defaultConcurrency';

test('local inputs read one object per decode thread, and one at a time on the main thread alone', () => {
  expect(defaultConcurrency(['fixtures/e2e/archives'], 2)).toBe(2);
  expect(defaultConcurrency(['/var/log/a.json', './b.ndjson.gz'], 16)).toBe(16);
  expect(defaultConcurrency(['fixtures/e2e/archives'], 0)).toBe(1);
});

test('any s3:// input reads four objects at once, to hide the network latency', () => {
  expect(defaultConcurrency(['s3://acme-logs/firehose/2024/'], 2)).toBe(4);
  expect(defaultConcurrency(['fixtures/e2e/archives', 's3://acme-logs/webhooks/'], 16)).toBe(4);
});
