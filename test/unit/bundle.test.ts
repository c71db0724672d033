/**
 * What the extension loads at activation, built by the real build (scripts/build.mjs) into a
 * temporary folder: under 200 KB, without the event streams (ws and the clients load with the
 * first connection), and no module bundled twice across the split files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { activationFiles } from '../../scripts/activationFiles';

const REPO = resolve(__dirname, '..', '..');
const LIMIT = 200_000;

test('the code loaded at activation is under 200 KB, leaves the transport for the first connection and bundles nothing twice', async (t) => {
  // A computed specifier keeps TypeScript (CommonJS here) from resolving the .mjs itself.
  const { extensionBuild } = (await import(pathToFileURL(join(REPO, 'scripts', 'build.mjs')).href)) as { extensionBuild(outdir: string): esbuild.BuildOptions };
  const out = mkdtempSync(join(tmpdir(), 'arv-bundle-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const { metafile } = await esbuild.build({ ...extensionBuild(out), metafile: true, sourcemap: false });

  const loaded = activationFiles(join(out, 'extension.mjs'));
  const bytes = loaded.reduce((n, f) => n + statSync(f).size, 0);
  assert.ok(bytes < LIMIT, `${bytes} bytes load at activation (${loaded.map((f) => relative(out, f)).join(', ')}); the limit is ${LIMIT}`);

  const outputs = Object.entries(metafile.outputs).filter(([f]) => f.endsWith('.mjs'));
  const inputsOf = (file: string) => Object.keys(outputs.find(([f]) => resolve(REPO, f) === file)![1].inputs);
  const atActivation = loaded.flatMap(inputsOf);
  for (const input of ['src/arvados/eventClient.ts', 'src/arvados/pollClient.ts', 'src/arvados/subscribe.ts', 'ws/lib/websocket.js']) {
    assert.ok(!atActivation.some((i) => i.endsWith(input)), `${input} loads at activation`);
    assert.ok(outputs.some(([, o]) => Object.keys(o.inputs).some((i) => i.endsWith(input))), `${input} is in no chunk at all`);
  }

  const seen = new Map<string, string>();
  for (const [file, o] of outputs) {
    for (const input of Object.keys(o.inputs)) {
      if (o.inputs[input].bytesInOutput === 0) continue;
      assert.equal(seen.get(input), undefined, `${input} is bundled in ${seen.get(input)} and ${file}`);
      seen.set(input, file);
    }
  }
});
