/**
 * Whether the engine build for this CPU is worth using: it must do a completion's typical work (a prompt of 256
 * tokens evaluated, 32 generated; the workload the thread choice optimises too) at least `margin` faster than the
 * prebuilt binary, measured in the same run on the same model and threads. Anything else keeps the prebuilt.
 */

export interface EngineSpeed {
  readonly prefillTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
}

export interface EngineVerdict {
  readonly useLocal: boolean;
  /** local / prebuilt, per figure and for the whole workload (> 1: the local build is faster). */
  readonly prefillRatio: number;
  readonly decodeRatio: number;
  readonly workloadRatio: number;
}

const WORKLOAD_PREFILL_TOKENS = 256;
const WORKLOAD_DECODE_TOKENS = 32;

function workloadMs(speed: EngineSpeed): number {
  return (WORKLOAD_PREFILL_TOKENS / speed.prefillTokensPerSecond + WORKLOAD_DECODE_TOKENS / speed.decodeTokensPerSecond) * 1000;
}

/** `margin`: how much faster the local build must be (default 3 %, above the noise of one short measurement). */
export function engineVerdict(prebuilt: EngineSpeed, local: EngineSpeed, margin = 0.03): EngineVerdict {
  const valid = (s: EngineSpeed): boolean => Number.isFinite(s.prefillTokensPerSecond) && Number.isFinite(s.decodeTokensPerSecond) && s.prefillTokensPerSecond > 0 && s.decodeTokensPerSecond > 0;
  if (!valid(prebuilt) || !valid(local)) return { useLocal: false, prefillRatio: 0, decodeRatio: 0, workloadRatio: 0 };
  const workloadRatio = workloadMs(prebuilt) / workloadMs(local);
  return {
    useLocal: workloadRatio >= 1 + margin,
    prefillRatio: local.prefillTokensPerSecond / prebuilt.prefillTokensPerSecond,
    decodeRatio: local.decodeTokensPerSecond / prebuilt.decodeTokensPerSecond,
    workloadRatio,
  };
}
