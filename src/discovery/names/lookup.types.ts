/**
 * What one name lookup returns. Expected failures are values (ARCHITECTURE rule 6); `kind` says
 * which kind, so the caller can tell "the source knows no name" (normal) from "the source is dead"
 * (worth a warning) without parsing the text, and `error` is the line for the debug log.
 */
export type LookupFailureKind =
  /** The source answered: it has no name for this address (NXDOMAIN, no PTR, no unique name). */
  | 'no_name'
  /** Nobody answered within the lookup's budget. */
  | 'timeout'
  /** The peer refused (ICMP port unreachable): nothing listens there. */
  | 'unreachable'
  /** The source answered with an error, or the answer was unusable, or sending failed. */
  | 'failed'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** The lookup does not apply to this address (e.g. NetBIOS for IPv6). */
  | 'not_applicable';

export type LookupOutcome<T> = { ok: true; value: T } | { ok: false; kind: LookupFailureKind; error: string };

export const found = <T>(value: T): LookupOutcome<T> => ({ ok: true, value });
export const notFound = <T>(kind: LookupFailureKind, error: string): LookupOutcome<T> => ({ ok: false, kind, error });
