/** What every probe returns: expected failures are values, never throws (ARCHITECTURE rule 6). */
export type ProbeOutcome<T> =
  | { status: 'ok'; value: T }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string };

export const ok = <T>(value: T): ProbeOutcome<T> => ({ status: 'ok', value });
export const skipped = <T>(reason: string): ProbeOutcome<T> => ({ status: 'skipped', reason });
export const failed = <T>(error: string): ProbeOutcome<T> => ({ status: 'failed', error });

/** One host that answered, and how: a MAC when the probe saw one on the local segment. */
export interface Sighting {
  ip: string;
  mac?: string;
  via: 'icmp' | 'arp' | 'tcp' | 'neighbour';
}
