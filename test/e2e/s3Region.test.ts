import fs from 'node:fs';
import path from 'node:path';
import { readNdjson, runCli } from '../support/cliRunner';
import { testTempDir } from '../support/testTempDir';

// The region is checked when the S3 client is made, before any request: no S3 server is needed to see the refusal,
// and a run that uses no S3 at all is not refused for a stray AWS_REGION.
describe('an AWS region the SDK would refuse', () => {
  const tmp = (): string => testTempDir('s3-region-');
  const samples = path.resolve(__dirname, '../../fixtures/samples');
  const keys = { AWS_ACCESS_KEY_ID: 'AKIAREGIONTEST', AWS_SECRET_ACCESS_KEY: 'region-test-secret' };

  it('an empty AWS_REGION with an s3:// input: exit 2, ERR_S3_CONFIG, naming the variable; the failed run recorded', async () => {
    const output = path.join(tmp(), 'out.ndjson');
    const result = await runCli(['run', '--input', 's3://usage-bucket/logs/', '--output', output], { ...keys, AWS_REGION: '' });
    expect(result.code).toBe(2);
    const closing = JSON.parse(result.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(closing).toMatchObject({ code: 'ERR_S3_CONFIG', exit_code: 2, msg: "AWS_REGION is set but empty: set it to the bucket's region (such as eu-west-1) or unset it" });
    const run = readNdjson(fs.readFileSync(output, 'utf8')).at(-1).event;
    expect(run).toMatchObject({ summary: 'run', status: 'failed', error_code: 'ERR_S3_CONFIG', objects: 0, records: 0 });
  });

  it('a bad --s3-region with an s3:// --state: exit 2 naming the flag', async () => {
    const output = path.join(tmp(), 'out.ndjson');
    const result = await runCli(['run', '--input', samples, '--state', 's3://usage-bucket/state', '--s3-region', 'eu west 1', '--output', output], keys);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--s3-region must be a region name such as eu-west-1, got \\"eu west 1\\"');
    expect(result.stderr).not.toContain('region-test-secret');
  });

  it('an empty AWS_REGION does not stop a run that reads and writes no S3', async () => {
    const output = path.join(tmp(), 'out.ndjson');
    const result = await runCli(['run', '--input', samples, '--output', output], { AWS_REGION: '' });
    expect(result.code).toBe(0);
    const files = fs.readdirSync(samples, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(readNdjson(fs.readFileSync(output, 'utf8')).at(-1).event).toMatchObject({ status: 'ok', objects: files.length });
  });
});
