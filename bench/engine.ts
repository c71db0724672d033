/**
 * Benchmark 1, the engine's cost per event: the websocket engine (frame → JSON.parse → event
 * shape → client-side filter → dedupe by id → onEvent, here writing each event as a JSON line)
 * against the floor client (parse each frame, write its text back), by CPU time per event, on
 * the same server setup in the same run. See bench/lines.ts.
 */
import { argsOf, runAsScript } from './lib';
import { compareWithFloor } from './lines';

export function run() {
  const args = argsOf();
  return compareWithFloor('engine', 'engine', {
    n: Number(args.n ?? 50_000),
    liveN: Number(args.liveN ?? 30_000),
    replayRuns: Number(args.runs ?? 3),
    liveRuns: Number(args.liveRuns ?? 3),
    profile: !!args.profile,
    target: 0.9,
  });
}

runAsScript(module, run);
