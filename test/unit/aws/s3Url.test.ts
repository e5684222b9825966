import { formatS3Url, isS3Url, parseS3Url, S3UrlError } from '../../../src/aws/s3Url';

describe('parseS3Url', () => {
  it('splits bucket and prefix, keeping the prefix literally', () => {
    expect(parseS3Url('s3://my-bucket/firehose/2024/')).toEqual({ bucket: 'my-bucket', prefix: 'firehose/2024/' });
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://b/a%20b/')).toEqual({ bucket: 'b', prefix: 'a%20b/' });
  });

  it('rejects what is not an s3 URL with an S3UrlError naming it', () => {
    expect(() => parseS3Url('s3:///prefix')).toThrow(new S3UrlError('invalid S3 URL s3:///prefix: expected s3://bucket/prefix'));
    expect(() => parseS3Url('/local/path')).toThrow(S3UrlError);
    expect(isS3Url('S3://b/x')).toBe(true);
    expect(isS3Url('./s3/x')).toBe(false);
  });

  it('formats object names', () => {
    expect(formatS3Url('b', 'a b/ü.json')).toBe('s3://b/a b/ü.json');
  });
});
