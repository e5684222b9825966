/**
 * The app icons in static/: the four files Splunk looks for, real PNGs of the sizes it expects (36 px and
 * 72 px), and the very bytes scripts/draw-splunk-app-icons.js writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ICONS, iconPng } from '../../../src/splunkApp/appIcons';
import { encodePng } from '../../../src/splunkApp/pngImage';
import { APP_DIR } from './helpers/appSources';
import { readPng } from './helpers/pngReader';

const ORANGE = [0xeb, 0x54, 0x24, 0xff];
const WHITE = [0xff, 0xff, 0xff, 0xff];
const CLEAR = [0, 0, 0, 0];
const committed = (file: string): Buffer => readFileSync(join(APP_DIR, 'static', file));

describe('static/ app icons', () => {
  it('are the four files Splunk looks for', () => {
    expect(APP_ICONS.map((icon) => [icon.file, icon.size])).toEqual([
      ['appIcon.png', 36],
      ['appIcon_2x.png', 72],
      ['appIconAlt.png', 36],
      ['appIconAlt_2x.png', 72],
    ]);
  });

  it.each([
    ['appIcon.png', 36],
    ['appIcon_2x.png', 72],
    ['appIconAlt.png', 36],
    ['appIconAlt_2x.png', 72],
  ])('%s is a valid %i px square 8-bit RGBA PNG', (file, size) => {
    const png = readPng(committed(file));
    expect(png.signatureValid).toBe(true);
    expect(png.chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(png.chunks.every((chunk) => chunk.crcValid)).toBe(true);
    expect([png.width, png.height, png.bitDepth, png.colorType, png.interlace]).toEqual([size, size, 8, 6, 0]);
  });

  it.each(APP_ICONS.map((icon) => [icon.file, icon] as const))('%s is what the drawing script writes', (_file, icon) => {
    expect(committed(icon.file).equals(iconPng(icon))).toBe(true);
  });

  it('draws white bars on orange (light) or on nothing (dark), corners cut', () => {
    // Pixel centres on the 36-unit grid: (10.5, 25.5) is on the first bar (x 7-13, y 20-28);
    // (10.5, 18.5) is above it; (0.5, 0.5) is outside the rounded corner (radius 6).
    const light = readPng(committed('appIcon.png'));
    expect([light.pixel(10, 25), light.pixel(10, 18), light.pixel(0, 0), light.pixel(18, 2)]).toEqual([WHITE, ORANGE, CLEAR, ORANGE]);
    const dark = readPng(committed('appIconAlt.png'));
    expect([dark.pixel(10, 25), dark.pixel(10, 18), dark.pixel(0, 0)]).toEqual([WHITE, CLEAR, CLEAR]);
    // 72 px: pixel (20, 50) has its centre at grid (10.25, 25.25), on the first bar; (27, 27) at (13.75, 13.75) between bars.
    const large = readPng(committed('appIcon_2x.png'));
    expect([large.pixel(20, 50), large.pixel(27, 27), large.pixel(0, 0)]).toEqual([WHITE, ORANGE, CLEAR]);
  });
});

describe('encodePng', () => {
  it('round-trips pixels through an independent reader', () => {
    const pixels = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    const png = readPng(encodePng(3, 2, pixels));
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([png.pixel(0, 0), png.pixel(2, 0), png.pixel(1, 1)]).toEqual([
      [1, 2, 3, 4],
      [9, 10, 11, 12],
      [17, 18, 19, 20],
    ]);
  });

  it('refuses pixel data of the wrong length', () => {
    expect(() => encodePng(2, 2, Buffer.alloc(15))).toThrow('2x2 RGBA needs 16 bytes, got 15');
  });
});
