/**
 * Fuzzing of every parser of outside input (issue 8, item 10): RUNS generated inputs each, fixed
 * seed, bounded time. The properties are in fuzz-properties.ts; each runs in a worker thread with
 * a deadline, because a synchronous endless loop cannot be interrupted from its own thread.
 * Inputs the fuzzer once broke a parser with are kept below as plain regression tests.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { RUNS, SEED, type FuzzResult } from './fuzz-properties';
import { ConfigError, FilterError } from '../../../src/arvados/errors';
import { classifyFrame, eventFromLogRow, type LogRow } from '../../../src/arvados/eventShape';
import { compileFilter } from '../../../src/arvados/filterMatch';
import { parseFilter } from '../../../src/arvados/filters';
import { defaultKinds, KindTable } from '../../../src/arvados/kinds';
import { normalizeApiHost, parseSettingsFile } from '../../../src/arvados/config';
import { errorsOf } from '../../../src/arvados/rest';
import type { ArvadosEvent } from '../../../src/arvados/types';

type WorkerOutcome = FuzzResult | { status: 'hung'; ms: number } | { status: 'crashed'; error: string; ms: number };

/**
 * Wall-clock bounds of one property. Each takes 4-25 s of CPU (about 100 s for all nine, run two
 * at a time); the limit leaves room for a busy machine. Past it the property fails (fast-check's
 * interruptAfterTimeLimit); past the deadline the worker, stuck in a loop, is terminated and the
 * property fails as a hang.
 */
const TIME_LIMIT_MS = 180_000;
const DEADLINE_MS = TIME_LIMIT_MS + 30_000;

/** Runs one property in a worker, terminating it (and reporting a hang) past the deadline. */
function fuzz(name: string, options: { runs?: number; timeLimitMs?: number; deadlineMs?: number } = {}): Promise<WorkerOutcome> {
  const started = Date.now();
  const file = path.join(__dirname, 'fuzz-properties.ts');
  // The worker compiles TypeScript with tsx as the test process does.
  const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, {
    eval: true,
    // Node's default stack rather than a worker's larger one: deep nesting must overflow where it would in the extension.
    resourceLimits: { stackSizeMb: 1 },
    workerData: { fuzzProperty: name, runs: options.runs, timeLimitMs: options.timeLimitMs ?? TIME_LIMIT_MS },
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: WorkerOutcome) => {
      if (done) return; // terminate() below makes the worker exit too
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 'hung', ms: Date.now() - started }), options.deadlineMs ?? DEADLINE_MS);
    worker.once('message', (result: FuzzResult) => finish(result));
    worker.once('error', (e) => finish({ status: 'crashed', error: String(e?.stack ?? e), ms: Date.now() - started }));
    worker.once('exit', (code) => finish({ status: 'crashed', error: `the worker exited (${code}) without a result`, ms: Date.now() - started }));
  });
}

function explain(name: string, outcome: WorkerOutcome): string {
  switch (outcome.status) {
    case 'passed':
      return `${outcome.runs} inputs in ${outcome.ms} ms`;
    case 'failed':
      return outcome.report;
    case 'hung':
      // In the main thread the slow-call check names the input, unless the loop is endless.
      return `no answer after ${outcome.ms} ms: a parser hangs (seed ${SEED}). To see the input: node --import tsx -e "console.log(require('./test/unit/arvados/fuzz-properties.ts').runProperty('${name}'))"`;
    case 'crashed':
      return outcome.error;
  }
}

const PARSERS: Array<[string, string]> = [
  ['frames', 'classifyFrame: websocket frames'],
  ['logRows', 'eventFromLogRow: logs API rows'],
  ['validFilters', 'parseFilter: filters from the grammar are accepted, and compiled filters match any event'],
  ['anyFilters', 'parseFilter: anything typed as a filter'],
  ['likePatterns', "compiled 'like' filters: the same matches as the plain RegExp reading, in linear time"],
  ['discovery', 'KindTable.fromDiscovery and ApiClient.pathForUuid: the discovery document'],
  ['settings', 'parseSettingsFile: settings.conf'],
  ['apiHost', 'normalizeApiHost: ARVADOS_API_HOST'],
  ['errorBodies', 'errorsOf: REST error bodies'],
];

// Two at a time: the properties are independent, and CPU-bound.
describe(`fuzzing what comes from outside (${RUNS} inputs per parser, seed ${SEED})`, { concurrency: 2 }, () => {
  for (const [name, title] of PARSERS) {
    test(title, async (t) => {
      const outcome = await fuzz(name);
      assert.equal(outcome.status, 'passed', explain(name, outcome));
      assert.equal((outcome as { runs: number }).runs, RUNS);
      t.diagnostic(explain(name, outcome));
    });
  }
});

describe('the fuzzing harness itself', () => {
  test('a parser that throws a TypeError fails its property, with the seed to replay it', async () => {
    const outcome = await fuzz('selfcheck-throws', { runs: 10_000 });
    assert.equal(outcome.status, 'failed', explain('selfcheck-throws', outcome));
    const report = (outcome as { report: string }).report;
    assert.match(report, /classifyFrame threw TypeError: planted crash; it must never throw/);
    assert.match(report, new RegExp(`seed: ${SEED}`));
  });

  test('a parser that never returns is stopped at the deadline and reported as a hang', async () => {
    const outcome = await fuzz('selfcheck-hangs', { runs: 10_000, deadlineMs: 3_000 });
    assert.equal(outcome.status, 'hung', explain('selfcheck-hangs', outcome));
  });
});

// ---------------------------------------------------------------------------------------------
// Inputs the fuzzer broke a parser with, kept as plain tests.

describe('inputs that once broke a parser', () => {
  test('classifyFrame: a field or id that is a map with a "toString" key is no crash (was TypeError)', () => {
    assert.deepEqual(classifyFrame('{"event_type":"update","id":{"toString":1}}'), { type: 'malformed', reason: 'event without a valid id' });
    assert.deepEqual(classifyFrame('{"event_type":"update","id":{"toString":1,"valueOf":1}}'), { type: 'malformed', reason: 'event without a valid id' });
    const frame = classifyFrame('{"event_type":"update","id":5,"uuid":{"toString":1},"object_uuid":[{}],"event_at":7}');
    assert.equal(frame.type, 'event');
    const ev = (frame as { event: ArvadosEvent }).event;
    assert.equal(ev.uuid, '', 'a non-scalar field is empty, as NULL is');
    assert.equal(ev.object_uuid, '', 'not "[object Object]"');
    assert.equal(ev.event_at, '7', 'numbers are spelled out');
    assert.equal(classifyFrame('{"event_type":"update","id":true}').type, 'malformed', 'true is no id');
    assert.equal(classifyFrame('{"event_type":"update","id":"42"}').type, 'event', 'numeric text still is');
  });

  test('eventFromLogRow: fields of any type become text, and kindOf only ever sees text (was TypeError)', () => {
    const seen: unknown[] = [];
    const kindOf = (u: string) => (seen.push(u), defaultKinds.kindOf(u));
    const row = { id: 7, uuid: null, object_uuid: { toString: 1 }, object_kind: null, event_type: ['x'], properties: {} } as unknown as LogRow;
    const ev = eventFromLogRow(row, kindOf);
    assert.deepEqual([ev.id, ev.uuid, ev.object_uuid, ev.object_kind, ev.event_type], [7, '', '', '', '']);
    assert.deepEqual(seen, ['']);
    assert.ok(Number.isNaN(eventFromLogRow({ id: { toString: 1 } } as unknown as LogRow, kindOf).id), 'an id that is a map is NaN, not a crash');
  });

  test('parseFilter: JSON nested 100,000 deep is a FilterError, not a RangeError', () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
    assert.throws(() => parseFilter(deep), (e: unknown) => e instanceof FilterError && /^Condition 1 \(a list\): has 1 element/.test(e.message));
    assert.throws(() => parseFilter(JSON.parse(deep)), FilterError);
  });

  test('parseFilter: what is quoted from the input is clipped and kept on one line', () => {
    const messageOf = (input: unknown) => {
      try {
        parseFilter(input);
      } catch (e) {
        assert.ok(e instanceof FilterError);
        return e.message;
      }
      return assert.fail('accepted');
    };
    for (const input of [
      [['a\nb'.repeat(1000), '=', 1]],
      [['event_type', `x\u2028${'y'.repeat(1000)}`, 1]],
      [['object_uuid', 'is_a', `arvados#${'x'.repeat(1000)}`]],
      [[`properties.${'k'.repeat(1000)}`, 'exists', 'yes']],
      '[\n["a",\n x]]',
    ]) {
      const message = messageOf(input);
      assert.ok(!/[\r\n\u2028\u2029]/.test(message), `one line: ${JSON.stringify(message)}`);
      assert.ok(message.length <= 500, `${message.length} characters`);
    }
  });

  test("compiled 'like' filters: '%a%a%a%a%b' on a long name answers at once (the old RegExp took 24 s on 200 characters)", () => {
    const matches = compileFilter(parseFilter([['uuid', 'like', '%a%a%a%a%b']]));
    const start = Date.now();
    assert.equal(matches({ uuid: 'a'.repeat(400) }), false);
    assert.equal(matches({ uuid: `${'a'.repeat(400)}b` }), true);
    assert.ok(Date.now() - start < 1000, `${Date.now() - start} ms`);
    const anyCase = compileFilter(parseFilter([['event_type', 'ilike', 'C%e_t%']]));
    assert.deepEqual(['create', 'CREATE', 'crEAtet!', 'cet', 'update'].map((t) => anyCase({ event_type: t })), [true, true, true, false, false]);
    const literal = compileFilter(parseFilter([['event_type', 'like', '50\\%%']]));
    assert.deepEqual(['50%', '50% off', '500'].map((t) => literal({ event_type: t })), [true, true, false]);
  });

  test('KindTable.fromDiscovery: a document that is not a map, or schemas with names that are not models, keep the built-in table', () => {
    for (const doc of [null, 'x', 5, [], { schemas: null }, { schemas: [{ uuidPrefix: 'gj3su' }] }, { schemas: { '': { uuidPrefix: 'gj3su' } } }, JSON.parse('{"schemas":{"__proto__":{"uuidPrefix":"gj3su"}}}'), { schemas: { Thing: { uuidPrefix: 'ABCDE' } } }]) {
      assert.deepEqual(KindTable.fromDiscovery(doc).kinds(), defaultKinds.kinds(), JSON.stringify(doc));
    }
    const table = KindTable.fromDiscovery({ schemas: { Collection: { uuidPrefix: '4zz18' }, ContainerRequestList: {}, Bogus: 'x' } });
    assert.deepEqual(table.kinds(), ['arvados#collection']);
  });

  test('parseSettingsFile: a key named __proto__ is read like any other (was silently dropped)', () => {
    const values = parseSettingsFile('__proto__=a=b=c\nconstructor = x\n', 'settings.conf');
    assert.deepEqual(Object.keys(values), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(values, '__proto__')?.value, 'a=b=c');
    assert.equal(Object.getPrototypeOf(values), Object.prototype);
  });

  test('normalizeApiHost: a port outside 1-65535 is refused here, not by a RangeError when connecting; messages stay on one line', () => {
    for (const host of ['zzzzz.example.com:65536', 'zzzzz.example.com:99999', 'zzzzz.example.com:0']) {
      assert.throws(() => normalizeApiHost(host), /ARVADOS_API_HOST has port \d+, but a port is a number from 1 to 65535/);
    }
    assert.equal(normalizeApiHost('zzzzz.example.com:65535'), 'zzzzz.example.com:65535');
    for (const value of ['a b\nc', `http://${'x'.repeat(1000)}\n`, `h\u2028${'y'.repeat(500)}`]) {
      assert.throws(() => normalizeApiHost(value), (e: unknown) => e instanceof ConfigError && !/[\r\n\u2028\u2029]/.test(e.message) && e.message.length <= 300);
    }
  });

  test('errorsOf: entries that are not text are shown as JSON, empty ones dropped, each on one line', () => {
    assert.deepEqual(errorsOf('{"errors":[[]]}'), ['[]'], 'was an empty entry');
    assert.deepEqual(errorsOf('{"errors":[{"message":"x"}]}'), ['{"message":"x"}'], 'was "[object Object]"');
    assert.deepEqual(errorsOf('{"errors":[{"toString":1}, "Forbidden"]}'), ['{"toString":1}', 'Forbidden'], 'was the whole body');
    assert.deepEqual(errorsOf('{"errors":["", "  ", "two\\nlines"]}'), ['two lines']);
    assert.deepEqual(errorsOf('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n</html>\r\n'), ['<html> <head><title>502 Bad Gateway</title></head> </html>']);
    assert.equal(errorsOf(`{"errors":["${'e'.repeat(1000)}"]}`)[0].length, 300);
    assert.deepEqual(errorsOf('  '), []);
  });
});
