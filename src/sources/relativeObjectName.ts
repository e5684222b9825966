import path from 'node:path';
import { isS3Url } from '../aws/s3Url';

/**
 * An object's name relative to the input it was listed under: the S3 key after the prefix, the path inside the
 * folder ('/'-separated), or the file's own name for an input that is a file. Machines that mount the archives
 * at different paths agree on it.
 */
export function relativeObjectName(name: string, input: string): string {
  if (isS3Url(name)) return name.startsWith(input) ? name.slice(input.length).replace(/^\/+/, '') : name;
  const relative = path.relative(path.resolve(input), path.resolve(name));
  return relative === '' ? path.basename(name) : relative.split(path.sep).join('/');
}
