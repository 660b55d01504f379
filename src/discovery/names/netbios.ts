import { randomInt } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type { NameHint } from '../../domain/enrichment.types.ts';
import { udpExchange } from '../udp-exchange.ts';
import { found, type LookupOutcome, notFound } from './lookup.types.ts';
import { hintsFrom } from './name-hints.ts';
import {
  encodeNodeStatusRequest,
  type NodeStatusParse,
  parseNodeStatusResponse,
  preferredNames,
} from './nbstat.codec.ts';

export const NETBIOS_NAME_PORT = 137;
export const DEFAULT_NETBIOS_TIMEOUT_MS = 500;

export interface NodeStatusOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UDP port of the name service; only tests change it (to reach a responder on a free port). */
  port?: number;
}

export interface NodeStatus {
  /** Unique names, suffix 0x20 first then 0x00 (may be empty: the host answered with group names only). */
  names: NameHint[];
  /** MAC from the statistics block; null when not reported (Samba always reports zeros). */
  mac: string | null;
}

/**
 * Our own NBSTAT client, not `nmblookup -A`: that takes ~10 s on a dead host and never reports
 * the MAC, while one datagram with a real timeout answers in milliseconds (PLATFORM-NOTES).
 */
export async function netbiosNodeStatus(
  ip: string,
  options: NodeStatusOptions = {},
): Promise<LookupOutcome<NodeStatus>> {
  if (!isIPv4(ip)) return notFound('not_applicable', `NetBIOS node status needs an IPv4 address, not "${ip}"`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_NETBIOS_TIMEOUT_MS;
  const transactionId = randomInt(0, 0x1_0000);
  const result = await udpExchange<NodeStatusParse>({
    address: ip,
    port: options.port ?? NETBIOS_NAME_PORT,
    payload: encodeNodeStatusRequest(transactionId),
    timeoutMs,
    retransmitAfterMs: Math.floor(timeoutMs / 2),
    // A reply to another transaction (e.g. our first send answered late) is not the end.
    accept: (message) => {
      const parsed = parseNodeStatusResponse(message, transactionId);
      return !parsed.ok && parsed.wrongId ? undefined : parsed;
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  switch (result.status) {
    case 'answered': {
      if (!result.value.ok) return notFound('failed', `unusable NetBIOS answer from ${ip}: ${result.value.error}`);
      const { entries, mac } = result.value.value;
      return found({ names: hintsFrom('netbios', preferredNames(entries)), mac });
    }
    case 'timeout':
      return notFound('timeout', `no NetBIOS answer from ${ip} within ${timeoutMs} ms`);
    case 'refused':
      return notFound(
        'unreachable',
        `${ip} refused NetBIOS: nothing listens on UDP ${options.port ?? NETBIOS_NAME_PORT}`,
      );
    case 'aborted':
      return notFound('aborted', 'NetBIOS lookup aborted');
    case 'error':
      return notFound('failed', `NetBIOS query to ${ip} failed: ${result.error}`);
  }
}
