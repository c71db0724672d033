/**
 * Benchmark 1, the engine's cost per event: the websocket engine (frame → JSON.parse → event
 * shape → client-side filter → dedupe by id → onEvent, here writing each event as a JSON line)
 * against the floor client (parse each frame, write its text back), by CPU time per event, on
 * the same server setup in the same run. See bench/lines.ts.
 */
import { runAsScript } from './lib';
import { compareWithFloor } from './lines';

export function run() {
  return compareWithFloor('engine', 0.9);
}

runAsScript(module, run);
