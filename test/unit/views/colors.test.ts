/**
 * The icons' colours reach 3:1 (WCAG's contrast for graphics) against the sidebar of VS Code's
 * default themes. Computed from the values package.json contributes (`contributes.colors`), which
 * the icons use (COLORS in src/model/labels.ts). The sidebar backgrounds are those of the
 * built-in themes (theme-defaults: light_modern, light_plus via VS Code's default #F3F3F3,
 * 2026-light; dark_modern, dark_plus via #252526, 2026-dark; high contrast black and white).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COLORS } from '../../../src/model/labels';

const SIDEBARS = {
  light: { 'Default Light Modern': '#F8F8F8', 'Default Light+': '#F3F3F3', 'Light 2026': '#FAFAFD' },
  dark: { 'Default Dark Modern': '#181818', 'Default Dark+': '#252526', 'Dark 2026': '#191A1B' },
  highContrast: { 'Default High Contrast': '#000000' },
  highContrastLight: { 'Default High Contrast Light': '#FFFFFF' },
} as const;

/** WCAG relative luminance of `#RRGGBB`. */
function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  assert.ok(m, `an opaque #RRGGBB colour: ${hex}`);
  const [r, g, b] = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('contrast is computed as WCAG does', () => {
  assert.equal(contrast('#000000', '#FFFFFF'), 21);
  assert.equal(contrast('#777777', '#777777'), 1);
  // The old success green (testing.iconPassed, #73C991) on the light sidebar: the complaint.
  assert.ok(contrast('#73C991', '#F3F3F3') < 2);
});

test('every icon colour reaches 3:1 on the sidebars of the default light, dark and high-contrast themes', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  const contributed = new Map<string, Record<string, string>>((manifest.contributes.colors ?? []).map((c: { id: string; defaults: Record<string, string> }) => [c.id, c.defaults]));
  const failures: string[] = [];
  for (const id of Object.values(COLORS)) {
    const defaults = contributed.get(id);
    assert.ok(defaults, `${id} is contributed with its own values`);
    for (const [kind, sidebars] of Object.entries(SIDEBARS)) {
      const value = defaults[kind];
      assert.ok(value, `${id} has a ${kind} value`);
      for (const [theme, background] of Object.entries(sidebars)) {
        const ratio = contrast(value, background);
        if (ratio < 3) failures.push(`${id} ${value} on ${theme} ${background}: ${ratio.toFixed(2)}:1`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
