import { availableParallelism } from 'node:os';
import { defaultConcurrency } from '../../../src/cli/defaultConcurrency';

// One object per core (never more than 4) for local files; 4 as soon as one input is on S3.
const perCore = Math.min(availableParallelism(), 4);

test('local inputs read one object per decode thread', () => {
  expect(defaultConcurrency(['fixtures/e2e/archives'])).toBe(perCore);
  expect(defaultConcurrency(['/var/log/a.json', './b.ndjson.gz'])).toBe(perCore);
});

test('any s3:// input reads four objects at once, to hide the network latency', () => {
  expect(defaultConcurrency(['s3://acme-logs/firehose/2024/'])).toBe(4);
  expect(defaultConcurrency(['fixtures/e2e/archives', 's3://acme-logs/webhooks/'])).toBe(4);
});
