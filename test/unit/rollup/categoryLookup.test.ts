import { CATEGORY_BIT, CategoryLookup } from '../../../src/rollup/categoryLookup';
import { defaultConfig } from './rollupTestKit';

describe('CategoryLookup with the default configuration', () => {
  const lookup = new CategoryLookup(defaultConfig.categories);
  const names = (type: string) => CategoryLookup.namesOf(lookup.flagsOf(type));

  it.each([
    ['s', ['login_success']],
    ['f', ['login_failure']],
    ['fp', ['login_failure']],
    ['fco', ['login_failure']],
    ['ss', ['signup_success']],
    ['fs', ['signup_failure']],
    ['pwd_leak', ['breached_password']],
    ['signup_pwd_leak', ['breached_password']],
    ['reset_pwd_leak', ['breached_password']],
    ['seccft', ['m2m_token', 'token_exchange']],
    ['feccft', ['m2m_token_failure', 'token_exchange_failure']],
    ['sertft', ['token_exchange']],
    ['ferrt', ['token_exchange_failure']],
    ['feta', ['token_exchange_failure']],
    ['sapi', []],
    ['zz_new_code', []],
  ])('%s belongs to %j', (type, expected) => {
    expect(names(type)).toEqual(expected);
  });

  it('gives each category its own bit', () => {
    const bits = Object.values(CATEGORY_BIT);
    expect(new Set(bits).size).toBe(9);
    expect(bits.reduce((a, b) => a | b, 0)).toBe(0b111111111);
  });

  it('follows the configuration it was built from', () => {
    const custom = new CategoryLookup({
      ...defaultConfig.categories,
      login_success: ['s', 'scoa'],
      token_exchange: ['seccft', 'scoa'],
    });
    expect(CategoryLookup.namesOf(custom.flagsOf('scoa'))).toEqual(['login_success', 'token_exchange']);
    expect(CategoryLookup.namesOf(custom.flagsOf('sertft'))).toEqual([]);
  });
});
