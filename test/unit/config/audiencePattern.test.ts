import { compileAudiencePattern } from '../../../src/config/audiencePattern';

test('a pattern is compiled once per process: the same source gives the same compiled pattern', () => {
  const first = compileAudiencePattern('^https://[^/]+\\.example\\.com/api/?$');
  expect(compileAudiencePattern('^https://[^/]+\\.example\\.com/api/?$')).toBe(first);
  expect(compileAudiencePattern('^https://other\\.example\\.com/')).not.toBe(first);
  expect([first.test('https://t1.example.com/api'), first.test('https://t1.example.com/api/v2'), first.test('xhttps://t1.example.com/api')]).toEqual([true, false, false]);
});

test('a pattern RE2 refuses throws every time, never a cached answer', () => {
  expect(() => compileAudiencePattern('(?<=a)b')).toThrow();
  expect(() => compileAudiencePattern('(?<=a)b')).toThrow();
});
