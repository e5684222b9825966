import { CATEGORY_NAMES, type CategoryName, type UsageConfig } from '../config/schema';

/** One bit per category, in CATEGORY_NAMES order, so a record's categories are a single integer. */
export const CATEGORY_BIT: Readonly<Record<CategoryName, number>> = Object.freeze(
  Object.fromEntries(CATEGORY_NAMES.map((name, index) => [name, 1 << index])) as Record<CategoryName, number>,
);

/** Categories whose records feed the per-client M2M buckets. */
export const M2M_CATEGORY_MASK = CATEGORY_BIT.m2m_token | CATEGORY_BIT.m2m_token_failure;

/** Categories whose users count as active. */
export const ACTIVE_USER_CATEGORY_MASK = CATEGORY_BIT.login_success | CATEGORY_BIT.signup_success;

/**
 * Type code → category flags, built once from config. A code may sit in several categories
 * (e.g. `seccft` is both an M2M token and a token exchange), hence flags rather than one name.
 */
export class CategoryLookup {
  private readonly flagsByType = new Map<string, number>();

  constructor(categories: UsageConfig['categories']) {
    for (const name of CATEGORY_NAMES) {
      for (const type of categories[name]) {
        this.flagsByType.set(type, (this.flagsByType.get(type) ?? 0) | CATEGORY_BIT[name]);
      }
    }
  }

  /** The type codes in any of the categories of `mask`. */
  typesIn(mask: number): string[] {
    return [...this.flagsByType].filter(([, flags]) => (flags & mask) !== 0).map(([type]) => type);
  }

  /** The category flags of a type code; 0 when it belongs to no category. */
  flagsOf(type: string): number {
    return this.flagsByType.get(type) ?? 0;
  }

  /** The category names a set of flags stands for, in CATEGORY_NAMES order. */
  static namesOf(flags: number): CategoryName[] {
    return CATEGORY_NAMES.filter((name) => (flags & CATEGORY_BIT[name]) !== 0);
  }
}
