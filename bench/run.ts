/**
 * Runs the benchmarks, each in a child process of its own, prints a table of the figures and
 * writes bench/results.json.
 *
 *   npm run bench                     all of them (build first: the script line does)
 *   npm run bench -- engine cli       some of them: engine, cli, poll, history, logs, extension, liveLog, processes
 *   npm run bench -- poll --runs=1    options after the names go to every benchmark
 *
 * Running some of them updates only their entries in results.json; the others are kept, each
 * with the date, Node version and CPU of the run that measured it. The table of figures in
 * bench/README.md (between its markers) is rewritten from results.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, type BenchResult, type Figure } from './lib';

const BENCHES = ['engine', 'cli', 'poll', 'history', 'logs', 'extension', 'liveLog', 'processes'] as const;
type BenchName = (typeof BENCHES)[number];

interface BenchEntry extends BenchResult {
  date: string;
  /** The commit measured; `+changes` when the tree had uncommitted changes under src/, bench/ or scripts/. */
  commit: string;
  node: string;
  cpu: string;
  cores: number;
}

interface ResultsFile {
  description: string;
  updated: string;
  benches: Partial<Record<BenchName, BenchEntry>>;
}

const RESULTS = join(BENCH_DIR, 'results.json');

function machine(): { node: string; cpu: string; cores: number } {
  const cpus = os.cpus();
  return { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length };
}

/** The commit the build measures: HEAD, marked when src/, bench/, scripts/ or package.json differ from it. */
function commitMeasured(): string {
  const git = (...a: string[]) => spawnSync('git', a, { cwd: join(BENCH_DIR, '..'), encoding: 'utf8' });
  const head = git('rev-parse', '--short=12', 'HEAD').stdout.trim() || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src', 'bench/*.ts', 'scripts', 'package.json').stdout.trim();
  return dirty ? `${head}+changes` : head;
}

function runOne(name: BenchName, options: string[]): BenchEntry {
  const dir = mkdtempSync(join(os.tmpdir(), 'arv-bench-'));
  const out = join(dir, 'result.json');
  const started = new Date();
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`), `--out=${out}`, ...options], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(out)) throw new Error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    return { ...result, date: started.toISOString(), commit: commitMeasured(), ...machine() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function formatValue(f: Figure): string {
  const v = f.value;
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(v);
}

/** Every run's value when there was more than one (the value is their median). */
function runsOf(f: Figure): string {
  return f.runs && f.runs.length > 1 ? f.runs.map((r) => (Math.abs(r) >= 1000 ? Math.round(r) : r)).join(' ') : '';
}

export function table(entries: BenchEntry[]): string {
  const rows: string[][] = [['bench', 'figure', 'value', 'unit', 'target', 'met', 'runs']];
  for (const e of entries) {
    for (const f of e.figures) {
      rows.push([e.bench, f.label, formatValue(f), f.unit, f.target ?? '', f.met === undefined ? '' : f.met ? 'yes' : 'NO', runsOf(f)]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The figures as a Markdown table; `targetsOnly` keeps those with a target (the project README's summary). */
function markdown(results: ResultsFile, targetsOnly = false): string {
  const out = ['| bench | figure | value | unit | target | met | runs |', '|---|---|---:|---|---|---|---|'];
  const machines = new Set<string>();
  for (const name of BENCHES) {
    const e = results.benches[name];
    if (!e) continue;
    machines.add(`${e.bench}: commit ${e.commit ?? 'not recorded'}, ${e.date.slice(0, 16).replace('T', ' ')} UTC, bench Node ${e.node}${e.hostNode ? `, extension host Node ${e.hostNode} (code-server's)` : ''}, ${e.cores} × ${e.cpu}`);
    for (const f of e.figures) {
      if (targetsOnly && !f.target) continue;
      const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
      out.push(`| ${e.bench} | ${f.label} | ${formatValue(f)} | ${f.unit} | ${f.target ?? ''} | ${met} | ${runsOf(f)} |`);
    }
  }
  return [...out, '', ...[...machines].map((m) => `- ${m}`)].join('\n');
}

/** Replaces what is between the figure markers of bench/README.md (every figure) and README.md (those with a target). */
function updateReadmes(results: ResultsFile): void {
  updateReadme(join(BENCH_DIR, 'README.md'), markdown(results));
  updateReadme(join(BENCH_DIR, '..', 'README.md'), markdown(results, true));
}

function updateReadme(file: string, figures: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const begin = '<!-- figures:begin (written by bench/run.ts) -->';
  const end = '<!-- figures:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(file, `${text.slice(0, i + begin.length)}\n${figures}\n${text.slice(j)}`);
}

function main(): void {
  const argv = process.argv.slice(2);
  const names = argv.filter((a) => !a.startsWith('--'));
  const options = argv.filter((a) => a.startsWith('--'));
  const unknown = names.filter((n) => !(BENCHES as readonly string[]).includes(n));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
    process.exit(2);
  }
  const chosen = (names.length ? names : [...BENCHES]) as BenchName[];
  const started = Date.now();
  const entries: BenchEntry[] = [];
  const failed: string[] = [];
  for (const name of chosen) {
    console.error(`\n== ${name}`);
    try {
      entries.push(runOne(name, options));
    } catch (err) {
      console.error((err as Error).message);
      failed.push(name);
    }
  }
  let previous: ResultsFile | undefined;
  try {
    previous = JSON.parse(readFileSync(RESULTS, 'utf8')) as ResultsFile;
  } catch {
    previous = undefined;
  }
  const results: ResultsFile = {
    description: 'Figures of `npm run bench` (see bench/README.md): each value is the median of its runs; ratios are taken within interleaved pairs of runs.',
    updated: new Date().toISOString(),
    benches: { ...(previous?.benches ?? {}) },
  };
  for (const e of entries) results.benches[e.bench as BenchName] = e;
  writeFileSync(RESULTS, JSON.stringify(results, null, 2) + '\n');
  updateReadmes(results);

  console.log('');
  console.log(table(entries));
  for (const e of entries) for (const n of e.notes) console.log(`\n[${e.bench}] ${n}`);
  const m = machine();
  console.log(`\n${m.node} on ${m.cores} × ${m.cpu}; ${Math.round((Date.now() - started) / 1000)} s in all; written to bench/results.json`);
  const missed = entries.flatMap((e) => e.figures.filter((f) => f.met === false).map((f) => `${f.key} = ${f.value} ${f.unit} (target ${f.target})`));
  if (missed.length) console.log(`targets missed: ${missed.join('; ')}`);
  if (failed.length) console.error(`failed: ${failed.join(', ')}`);
  // A missed target fails the run as a failed benchmark does (results.json and the tables are written first).
  if (missed.length || failed.length) process.exit(1);
}

main();
