import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

/**
 * WCAG AA for the console's colours, computed from web/static/console.css itself so a palette
 * change cannot quietly undo it: text at least 4.5:1 against the background it is drawn on, and
 * the focus ring at least 3:1 against every surface next to it (WCAG 2.2, 1.4.3 and 1.4.11).
 */
const CSS = readFileSync(new URL('../web/static/console.css', import.meta.url), 'utf8');

/** The custom properties of :root that are plain hex colours. */
function palette(css: string): Map<string, string> {
  const root = /:root\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
  return new Map([...root.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{3,6})\b/gi)].map((m) => [m[1] as string, (m[2] as string).toLowerCase()]));
}

/** Relative luminance of an sRGB colour (WCAG 2.x definition). */
function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const colours = palette(CSS);
const colour = (name: string): string => {
  const value = colours.get(name);
  assert.ok(value, `--${name} is not a hex colour in :root`);
  return value;
};

/** [text, background] as the stylesheet combines them. */
const TEXT: readonly [string, string][] = [
  ['ink', 'bg'], ['ink', 'card'], ['ink', 'button-hover'], ['ink', 'info-bg'], ['ink', 'hover-bg'],
  ['muted', 'bg'], ['muted', 'card'], ['muted', 'head-bg'], ['muted', 'hover-bg'], ['muted', 'low-bg'],
  ['accent', 'card'], ['accent', 'bg'], ['accent-ink', 'accent'], ['accent-ink', 'accent-hover'],
  ['high', 'high-bg'], ['high', 'card'], ['normal', 'normal-bg'], ['normal', 'card'], ['low', 'low-bg'], ['low', 'card'],
  ['bad', 'card'], ['bad', 'bad-bg'], ['bad', 'hover-bg'], ['bad', 'high-bg'],
  ['warn', 'pending-bg'], ['warn', 'card'], ['ok', 'ok-bg'],
  ['topbar-ink', 'topbar'], ['topbar-muted', 'topbar'], ['topbar-current', 'topbar'],
];

/** Every surface a focused control can sit on. */
const FOCUS_NEIGHBOURS = ['card', 'bg', 'head-bg', 'topbar', 'info-bg', 'high-bg', 'low-bg', 'normal-bg'];

describe('console colours (WCAG AA)', () => {
  it('computes contrast the WCAG way (black on white is 21:1, a colour on itself 1:1)', () => {
    assert.equal(Math.round(contrast('#000000', '#ffffff') * 100) / 100, 21);
    assert.equal(contrast('#777', '#777777'), 1);
    // The ring this replaced: amber #f59e0b on white, 2.15:1.
    assert.equal(Math.round(contrast('#f59e0b', '#fff') * 100) / 100, 2.15);
  });

  for (const [text, background] of TEXT) {
    it(`--${text} on --${background} reaches 4.5:1`, () => {
      const ratio = contrast(colour(text), colour(background));
      assert.ok(ratio >= 4.5, `--${text} ${colour(text)} on --${background} ${colour(background)}: ${ratio.toFixed(2)}:1`);
    });
  }

  it('draws the focus ring in --focus, at 3:1 against every surface beside it', () => {
    assert.match(CSS, /:focus-visible\s*\{[^}]*outline:\s*3px solid var\(--focus\)/);
    for (const surface of FOCUS_NEIGHBOURS) {
      const ratio = contrast(colour('focus'), colour(surface));
      assert.ok(ratio >= 3, `--focus ${colour('focus')} beside --${surface} ${colour(surface)}: ${ratio.toFixed(2)}:1`);
    }
  });

  it('names every text colour through the palette, so this test sees it', () => {
    // A literal colour in a `color:` declaration would escape the checks above.
    const literal = [...CSS.matchAll(/(?:^|[;{\s])color:\s*(#[0-9a-f]{3,6})/gi)].map((m) => m[1]);
    assert.deepEqual(literal, []);
  });
});
