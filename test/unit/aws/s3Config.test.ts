import { checkS3Endpoint, checkS3Region, resolveS3Config, S3ConfigError } from '../../../src/aws/s3Config';

describe('resolveS3Config', () => {
  it('fills what was not given once: 4 sockets, a 60 s stall limit, virtual-hosted addressing, the SDK region chain', () => {
    expect(resolveS3Config({}, {})).toEqual({ endpoint: undefined, forcePathStyle: false, region: undefined, concurrency: 4, stallSeconds: 60 });
  });

  it('keeps what was given, over the environment', () => {
    const given = { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, region: 'eu-central-1', concurrency: 8, stallSeconds: 2.5 };
    expect(resolveS3Config(given, { AWS_ENDPOINT_URL_S3: 'https://other.example', AWS_REGION: 'us-west-2' })).toEqual(given);
  });

  it('an S3-compatible endpoint signs as us-east-1 unless AWS_REGION says otherwise (then the SDK reads it)', () => {
    expect(resolveS3Config({}, { AWS_ENDPOINT_URL_S3: 'https://s3.example.test' })).toMatchObject({ endpoint: 'https://s3.example.test', region: 'us-east-1' });
    expect(resolveS3Config({ endpoint: 'http://127.0.0.1:9000' }, {}).region).toBe('us-east-1');
    expect(resolveS3Config({}, { AWS_ENDPOINT_URL_S3: 'https://s3.example.test', AWS_REGION: 'eu-west-3' }).region).toBeUndefined();
    // No endpoint: AWS itself, whose region comes from the SDK's chain.
    expect(resolveS3Config({}, { AWS_REGION: 'eu-west-3' }).region).toBeUndefined();
  });

  it('does not change the environment it reads', () => {
    const env = { AWS_ENDPOINT_URL_S3: 'https://s3.example.test' };
    resolveS3Config({}, env);
    expect(env).toEqual({ AWS_ENDPOINT_URL_S3: 'https://s3.example.test' });
  });
});

describe('checkS3Region', () => {
  it('takes region names, and no region at all (the SDK chain then decides: a profile, or its own error)', () => {
    for (const region of ['us-east-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'garage']) {
      expect(() => checkS3Region(region, {})).not.toThrow();
      expect(() => checkS3Region(undefined, { AWS_REGION: region })).not.toThrow();
    }
    expect(() => checkS3Region(undefined, {})).not.toThrow();
  });

  it('refuses an empty AWS_REGION, which the SDK would send on as the region "" (exit 2)', () => {
    expect(() => checkS3Region(undefined, { AWS_REGION: '' })).toThrow(new S3ConfigError("AWS_REGION is set but empty: set it to the bucket's region (such as eu-west-1) or unset it"));
  });

  it('refuses what is not a host-name label, naming the flag when given, else the variable', () => {
    expect(() => checkS3Region('eu west 1', { AWS_REGION: 'us-east-1' })).toThrow(new S3ConfigError('--s3-region must be a region name such as eu-west-1, got "eu west 1"'));
    expect(() => checkS3Region(undefined, { AWS_REGION: 'eu_west_1' })).toThrow('AWS_REGION must be a region name such as eu-west-1, got "eu_west_1"');
    expect(() => checkS3Region('-eu-west-1', {})).toThrow('--s3-region must be a region name');
    expect(() => checkS3Region('eu-west-1-', {})).toThrow('--s3-region must be a region name');
    expect(() => checkS3Region('a'.repeat(64), {})).toThrow('--s3-region must be a region name');
    // A flag given wins over the variable, as the SDK takes it: a bad AWS_REGION beside a good flag is not read.
    expect(() => checkS3Region('eu-west-1', { AWS_REGION: '' })).not.toThrow();
  });
});

describe('checkS3Endpoint', () => {
  it('takes http and https URLs as they are', () => {
    expect(checkS3Endpoint('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
    expect(checkS3Endpoint('https://s3.eu-central-1.amazonaws.com/')).toBe('https://s3.eu-central-1.amazonaws.com/');
  });

  it('refuses other schemes and bare host names, naming where the value came from (exit 2)', () => {
    expect(() => checkS3Endpoint('ftp://host')).toThrow(new S3ConfigError('--s3-endpoint must be an http:// or https:// URL, got "ftp://host"'));
    expect(() => checkS3Endpoint('minio:9000', 'AWS_ENDPOINT_URL_S3')).toThrow('AWS_ENDPOINT_URL_S3 must be an http:// or https:// URL, got "minio:9000"');
    expect(S3ConfigError.exitCode).toBe(2);
  });

  it('refuses a query string or fragment without repeating it: S3 takes nothing from there, and it may hold a token', () => {
    for (const value of ['https://s3.example.test/?X-Amz-Security-Token=secret-session-token', 'http://127.0.0.1:9000#secret-session-token']) {
      const err = (() => {
        try {
          checkS3Endpoint(value, 'AWS_ENDPOINT_URL_S3');
        } catch (error) {
          return error as Error;
        }
        throw new Error(`${value} was taken`);
      })();
      expect(err).toEqual(new S3ConfigError('AWS_ENDPOINT_URL_S3 must not have a query string or fragment'));
      expect(err.message).not.toContain('secret-session-token');
    }
    expect(checkS3Endpoint('https://s3.example.test/')).toBe('https://s3.example.test/');
  });

  it('refuses credentials in the URL without repeating them', () => {
    let message = '';
    try {
      checkS3Endpoint('https://AKIDEXAMPLE:wJalrXUtnFEMI@s3.example.test');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('--s3-endpoint must not contain credentials (user:password@): give them as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile');
  });
});
