import yargs from 'yargs';
import { s3ClientOptionsFrom, withS3Options } from '../../../src/cli/s3Options';

async function parse(args: string[]) {
  return withS3Options(yargs(args).exitProcess(false).fail((msg, err) => {
    throw err ?? new Error(msg);
  })).parseAsync();
}

describe('S3 command-line options', () => {
  it('has the documented defaults', async () => {
    const argv = await parse([]);
    // Left to the run, which picks it from its inputs (defaultConcurrency); S3 clients size their pool for 4.
    expect(argv.concurrency).toBeUndefined();
    // Defaulted once, by resolveS3Config (below), not by the flag.
    expect(argv['s3-stall-seconds']).toBeUndefined();
    expect(argv['s3-force-path-style']).toBe(false);
    expect(argv.progress).toBe(true);
    expect(s3ClientOptionsFrom(argv, {})).toEqual({
      endpoint: undefined,
      forcePathStyle: false,
      region: undefined,
      concurrency: 4,
      stallSeconds: 60,
    });
  });

  it('maps every flag into client options', async () => {
    const argv = await parse([
      '--s3-endpoint', 'http://localhost:9000', '--s3-force-path-style', '--s3-region', 'eu-central-1',
      '--concurrency', '8', '--s3-stall-seconds', '2.5', '--no-progress',
    ]);
    expect(argv.progress).toBe(false);
    expect(s3ClientOptionsFrom(argv, { AWS_ENDPOINT_URL_S3: 'http://ignored:1' })).toEqual({
      endpoint: 'http://localhost:9000',
      forcePathStyle: true,
      region: 'eu-central-1',
      concurrency: 8,
      stallSeconds: 2.5,
    });
  });

  it('takes the endpoint from AWS_ENDPOINT_URL_S3 when no flag is given', async () => {
    const options = s3ClientOptionsFrom(await parse([]), { AWS_ENDPOINT_URL_S3: 'https://s3.example.test' });
    expect(options.endpoint).toBe('https://s3.example.test');
    expect(options.region).toBe('us-east-1'); // what most S3-compatible stores sign with
    const withRegion = s3ClientOptionsFrom(await parse([]), { AWS_ENDPOINT_URL_S3: 'https://s3.example.test', AWS_REGION: 'eu-west-3' });
    expect(withRegion.region).toBeUndefined(); // left to the SDK, which reads AWS_REGION itself
    expect(() => s3ClientOptionsFrom({}, { AWS_ENDPOINT_URL_S3: 'minio:9000' })).toThrow(
      'AWS_ENDPOINT_URL_S3 must be an http:// or https:// URL, got "minio:9000"',
    );
  });

  it('rejects bad values with a message naming the flag', async () => {
    await expect(parse(['--concurrency', '0'])).rejects.toThrow('--concurrency must be a whole number from 1 to 1024, got 0');
    await expect(parse(['--concurrency', '2.5'])).rejects.toThrow('--concurrency must be a whole number from 1 to 1024, got 2.5');
    await expect(parse(['--s3-stall-seconds', '0'])).rejects.toThrow('--s3-stall-seconds must be a number of seconds above 0, got 0');
    await expect(parse(['--s3-endpoint', 'ftp://host'])).rejects.toThrow('--s3-endpoint must be an http:// or https:// URL, got "ftp://host"');
  });
});
