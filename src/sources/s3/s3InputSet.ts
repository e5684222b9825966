import type { S3Location } from '../../aws/s3Url';

/**
 * The S3 inputs of one run. Two inputs in one bucket whose prefixes nest (s3://b/logs/ and s3://b/logs/2024/, or
 * the same prefix twice) list the same objects: each is read under the first input that lists it, as a local file
 * reached through two inputs is; read twice, its records without a log_id would count twice. Keys are remembered
 * only for such inputs: a backfill's listing of a million keys is not held for nothing.
 */
export class S3InputSet {
  readonly #locations: S3Location[] = [];
  /** Keys listed so far by inputs that nest with another, as `bucket/key`. */
  readonly #listed = new Set<string>();

  add(location: S3Location): void {
    this.#locations.push(location);
  }

  /** Whether another input of the run lists keys under `location`'s prefix, or it lists theirs. */
  overlaps(location: S3Location): boolean {
    let seen = 0;
    for (const other of this.#locations) {
      if (other.bucket !== location.bucket) continue;
      if (other.prefix.startsWith(location.prefix) || location.prefix.startsWith(other.prefix)) seen++;
    }
    return seen > 1; // itself, and at least one other
  }

  /** Whether `key` is listed for the first time in the run by an input that overlaps another; remembers it. */
  firstListing(bucket: string, key: string): boolean {
    const identity = `${bucket}/${key}`;
    if (this.#listed.has(identity)) return false;
    this.#listed.add(identity);
    return true;
  }
}
