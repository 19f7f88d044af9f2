import { describe, expect, it } from 'vitest';
import { claim, emptyMacState, expire, markCounted } from './state.js';

describe('accounting state', () => {
  it('counts a record once: new, then covered', () => {
    const state = emptyMacState();
    expect(claim(state, 'f', 100, 200)).toEqual({ kind: 'new' });
    expect(claim(state, 'f', 100, 200)).toEqual({ kind: 'covered' });
    expect(claim(state, 'f', 150, 150)).toEqual({ kind: 'covered' });
    expect(claim(state, 'g', 150, 150)).toEqual({ kind: 'new' });
    expect(claim(state, 'f', 201, 300)).toEqual({ kind: 'new' });
    expect(state.flows.get('f')).toEqual([100, 200, 201, 300]);
  });

  it('measures the uncovered share of a straddling record', () => {
    const state = emptyMacState();
    claim(state, 'f', 100, 199);
    expect(claim(state, 'f', 150, 249)).toEqual({ kind: 'partial', share: 0.5 });
    expect(state.flows.get('f')).toEqual([100, 199]); // not marked until the caller counts it
    markCounted(state, 'f', 150, 249);
    expect(state.flows.get('f')).toEqual([100, 249]);
  });

  it('stretches the last interval for consecutive records of one run', () => {
    const state = emptyMacState();
    claim(state, 'f', 100, 200);
    expect(claim(state, 'f', 300, 400, 200)).toEqual({ kind: 'new' });
    expect(state.flows.get('f')).toEqual([100, 400]);
    expect(claim(state, 'f', 500, 600, 123)).toEqual({ kind: 'new' });
    expect(state.flows.get('f')).toEqual([100, 400, 500, 600]);
  });

  it('expires idle entries and refuses records before the horizon', () => {
    const state = emptyMacState();
    claim(state, 'old', 100, 200);
    claim(state, 'recent', 900, 1000);
    expect(expire(state, 500)).toBe(1);
    expect(state.horizonUs).toBe(500);
    expect([...state.flows.keys()]).toEqual(['recent']);
    expect(claim(state, 'old', 100, 200)).toEqual({ kind: 'stale' });
    expect(claim(state, 'other', 400, 600)).toEqual({ kind: 'partial', share: 101 / 201 });
  });
});
