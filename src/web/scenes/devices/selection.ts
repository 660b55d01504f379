import { useCallback, useMemo, useState } from 'react';

/**
 * Row selection for bulk actions. Only rows on the current page can be selected: the selection is
 * always read through the visible ids, so paging or filtering never leaves hidden rows selected.
 */
export interface Selection {
  /** Selected ids, in page order. */
  ids: string[];
  has(id: string): boolean;
  toggle(id: string): void;
  /** Selects every visible row, or clears when all are already selected. */
  toggleAll(): void;
  clear(): void;
  allSelected: boolean;
  someSelected: boolean;
}

export function visibleSelection(chosen: ReadonlySet<string>, visible: readonly string[]): string[] {
  return visible.filter((id) => chosen.has(id));
}

export function useSelection(visible: readonly string[]): Selection {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set());
  const ids = useMemo(() => visibleSelection(chosen, visible), [chosen, visible]);
  const toggle = useCallback((id: string) => {
    setChosen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);
  const allSelected = visible.length > 0 && ids.length === visible.length;
  const toggleAll = useCallback(() => {
    setChosen(allSelected ? new Set() : new Set(visible));
  }, [allSelected, visible]);
  const clear = useCallback(() => setChosen(new Set()), []);
  const selectedSet = useMemo(() => new Set(ids), [ids]);
  return {
    ids,
    has: (id) => selectedSet.has(id),
    toggle,
    toggleAll,
    clear,
    allSelected,
    someSelected: ids.length > 0 && !allSelected,
  };
}
