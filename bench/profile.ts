/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, and
 * the share of time under chosen functions (total time).
 *
 *   node --import tsx bench/profile.ts FILE.cpuprofile [--top=25]
 */
import { readFileSync } from 'node:fs';
import { argsOf } from './lib';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  selfMs: number;
  selfPct: number;
}

function where(n: Node): string {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/(node_modules\/)/, '$1').replace(/.*\/work\/main\//, '');
  const fn = n.callFrame.functionName || '(anonymous)';
  return url ? `${fn} ${url}:${n.callFrame.lineNumber + 1}` : fn;
}

/** Where a function's code comes from, for the per-origin shares. */
function originOf(n: Node): string {
  const url = n.callFrame.url;
  const fn = n.callFrame.functionName;
  if (!url) return fn === '(idle)' ? 'idle' : fn === '(garbage collector)' ? 'garbage collector' : 'native, (program) and builtins';
  if (/extensionHostProcess\.js$/.test(url)) return 'VS Code extension host';
  if (/dist\/(extension|cli)\.js$/.test(url)) return 'this project\'s bundle (dist/, ws included)';
  if (/\/work\/main\/src\/|\/src\/arvados\//.test(url)) return 'this project (src/)';
  if (/node_modules\/ws\//.test(url)) return 'ws';
  if (/\/bench\//.test(url)) return 'bench harness';
  if (url.startsWith('node:')) return 'Node internals';
  return 'other JavaScript';
}

/** Self time per function (summed over its nodes), largest first, and per origin. */
export function summarize(file: string, top = 25): { totalMs: number; lines: ProfileLine[]; origins: ProfileLine[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byName = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    total += us;
    const name = where(n);
    byName.set(name, (byName.get(name) ?? 0) + us);
    const origin = originOf(n);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
  }
  const origins = [...byOrigin.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, selfMs: us / 1000, selfPct: (100 * us) / total }));
  const lines = [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, selfPct: (100 * us) / total }));
  return { totalMs: total / 1000, lines, origins };
}

export function formatSummary(s: { totalMs: number; lines: ProfileLine[]; origins: ProfileLine[] }): string {
  const row = (l: ProfileLine) => `${l.selfPct.toFixed(1).padStart(5)}%  ${l.selfMs.toFixed(0).padStart(6)} ms  ${l.name}`;
  return [`total ${s.totalMs.toFixed(0)} ms sampled; by origin:`, ...s.origins.map(row), 'top functions (self time):', ...s.lines.map(row)].join('\n');
}

if (require.main === module) {
  const args = argsOf();
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  for (const f of files) {
    console.log(`== ${f}`);
    console.log(formatSummary(summarize(f, Number(args.top ?? 25))));
  }
}
