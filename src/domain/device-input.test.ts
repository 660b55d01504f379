import { describe, expect, it } from 'vitest';
import { toCreateInput, toPatch } from './device-input.ts';

describe('device input', () => {
  it('creates with trimmed metadata and a kept-as-typed name', () => {
    expect(toCreateInput({ display_name: ' Core ', metadata: { owner: ' ops ', notes: '   ' } })).toEqual({
      displayName: ' Core ',
      metadata: { owner: 'ops', location: null, notes: null },
    });
    expect(toCreateInput({ display_name: '   ' }).displayName).toBeNull();
  });

  it('builds merge patches: omitted = unchanged, null or blank = clear', () => {
    expect(toPatch({})).toEqual({});
    expect(toPatch({ display_name: null })).toEqual({ displayName: null });
    expect(toPatch({ display_name: ' ' })).toEqual({ displayName: null });
    expect(toPatch({ metadata: { owner: ' a ', notes: '' } })).toEqual({ metadata: { owner: 'a', notes: null } });
    expect(toPatch({ metadata: null })).toEqual({ metadata: { owner: null, location: null, notes: null } });
  });
});
