import type { MapProjectionT } from '../../api/types.ts';

/** Saves a blob through a temporary object URL and a download link (no server round trip). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `roller-map-l3-subnet-10.0.1.0_24.svg`: layer and focus, with anything unsafe in a file name replaced. */
export function exportFileName(projection: MapProjectionT, format: 'svg' | 'png' | 'drawio'): string {
  const focus = projection.focus ? `-${projection.focus.type}-${projection.focus.id}` : '';
  const base = `roller-map-${projection.layer}${focus}`.replace(/[^a-zA-Z0-9._-]+/g, '_');
  return `${base}.${format === 'drawio' ? 'drawio' : format}`;
}
