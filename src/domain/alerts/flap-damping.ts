/** The flap state of one device for one rule, as stored. */
export interface FlapState {
  flappingSince: Date;
  lastTransitionAt: Date;
}

export type FlapDecision =
  /** Not flapping: alert as usual (and forget an old flap episode). */
  | { action: 'alert'; clear: boolean }
  /** More than the threshold of transitions in the window: one "flapping" alert, then quiet. */
  | { action: 'start_flapping' }
  /** Still flapping (the previous transition is within the window): suppressed. */
  | { action: 'suppress' };

/**
 * A device that changed state more than `threshold` times within `windowMs` is flapping: it gets
 * one "flapping" alert and its transitions are suppressed until it has been stable (no
 * transition) for a whole window. `transitionsInWindow` counts this transition too.
 */
export function decideFlap(input: {
  state: FlapState | undefined;
  at: Date;
  transitionsInWindow: number;
  threshold: number;
  windowMs: number;
}): FlapDecision {
  const { state, at, transitionsInWindow, threshold, windowMs } = input;
  if (threshold <= 0) return { action: 'alert', clear: state !== undefined };
  if (state && at.getTime() - state.lastTransitionAt.getTime() < windowMs) return { action: 'suppress' };
  if (transitionsInWindow > threshold) return { action: 'start_flapping' };
  return { action: 'alert', clear: state !== undefined };
}
