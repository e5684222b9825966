import type { S3Location } from '../../aws/s3Url';

/**
 * The S3 inputs of one run. Two inputs in one bucket whose prefixes nest (s3://b/logs/ and s3://b/logs/2024/, or
 * the same prefix twice) list the same objects: each is read under the first input that lists it, as a local file
 * reached through two inputs is; read twice, its records without a log_id would count twice. Only keys another input
 * also lists are remembered: a backfill's listing of a million keys is not held for nothing.
 */
export class S3InputSet {
  readonly #locations: S3Location[] = [];
  /** Keys listed so far that another input lists too, as `bucket/key`. */
  readonly #listed = new Set<string>();

  add(location: S3Location): void {
    this.#locations.push(location);
  }

  /** Whether another input of the run (not `location`, the object given to add()) lists keys of its prefix, or it theirs. */
  overlaps(location: S3Location): boolean {
    return this.#locations.some(
      (other) => other !== location && other.bucket === location.bucket && (other.prefix.startsWith(location.prefix) || location.prefix.startsWith(other.prefix)),
    );
  }

  /**
   * Whether `key`, listed by the input at `location` (the object given to add()), is listed for the first time in
   * the run; remembers it when another input lists it too.
   */
  firstListing(location: S3Location, key: string): boolean {
    const elsewhere = this.#locations.some((other) => other !== location && other.bucket === location.bucket && key.startsWith(other.prefix));
    if (!elsewhere) return true;
    const identity = `${location.bucket}/${key}`;
    if (this.#listed.has(identity)) return false;
    this.#listed.add(identity);
    return true;
  }
}
