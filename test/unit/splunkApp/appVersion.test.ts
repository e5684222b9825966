import { AppVersionError, buildNumber, stampAppConf } from '../../../src/splunkApp/appVersion';

describe('buildNumber', () => {
  it('is major × 1,000,000 + minor × 1,000 + patch, so every release raises it', () => {
    expect(buildNumber('0.1.0')).toBe(1000);
    expect(buildNumber('1.2.3')).toBe(1002003);
    expect(buildNumber('2.0.0')).toBeGreaterThan(buildNumber('1.999.999'));
  });

  it.each(['1.2', '1.2.3-beta', '1000.0.0', 'v1.2.3', ''])('refuses "%s"', (version) => {
    expect(() => buildNumber(version)).toThrow(AppVersionError);
  });
});

describe('stampAppConf', () => {
  const source = [
    '# version = 9.9.9 in a comment stays',
    '[id]',
    'name = x',
    'version = 0.0.0',
    '',
    '[install]',
    'build = 0',
    '',
    '[launcher]',
    'author = someone',
    'version=0.0.0',
    '',
    '[other]',
    'version = 5',
    '',
  ].join('\n');

  it('writes the three values and leaves every other line as it was', () => {
    expect(stampAppConf(source, '1.2.3').split('\n')).toEqual([
      '# version = 9.9.9 in a comment stays',
      '[id]',
      'name = x',
      'version = 1.2.3',
      '',
      '[install]',
      'build = 1002003',
      '',
      '[launcher]',
      'author = someone',
      'version=1.2.3',
      '',
      '[other]',
      'version = 5',
      '',
    ]);
  });

  it('keeps CRLF line ends', () => {
    expect(stampAppConf(source.replace(/\n/g, '\r\n'), '1.2.3')).toContain('[install]\r\nbuild = 1002003\r\n');
  });

  it('names what is missing', () => {
    expect(() => stampAppConf('[id]\nversion = 0.0.0\n', '1.2.3')).toThrow(
      'app.conf has no [install] build, [launcher] version for the pack to write the version into',
    );
  });

  it('refuses a version that is not major.minor.patch', () => {
    expect(() => stampAppConf(source, '1.2')).toThrow('version "1.2" is not major.minor.patch with parts below 1000');
  });
});
