import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

/**
 * A unicast stand-in for an mDNS responder, for session tests on loopback (which has no
 * multicast): the session's `destination` seam points at it. It answers each question the way a
 * responder answers a legacy-unicast query (RFC 6762 §6.7: to the query's source, same id,
 * question echoed) from a fixed set of records.
 */
export interface ZoneRecord {
  name: string;
  type: 'PTR' | 'SRV' | 'A' | 'TXT';
  data: unknown;
}

export interface ResponderBehaviour {
  /** Added to every answer: records for other questions that a shared responder may send. */
  noise?: ZoneRecord[];
  /** Questions (lower-case name) whose first query is ignored, to exercise resends. */
  dropFirst?: string[];
  delayMs?: number;
  /** Answer PTR questions with the instances' SRV and A records as additionals (like mDNSResponder). */
  additionals?: boolean;
}

export class MdnsResponder {
  readonly asked: string[] = [];
  private readonly dropped = new Set<string>();

  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    private readonly zone: ZoneRecord[],
    private readonly behaviour: ResponderBehaviour,
  ) {
    socket.on('message', (message, peer) => this.answer(message, peer.address, peer.port));
  }

  static async start(
    address: string,
    port: number,
    zone: ZoneRecord[],
    behaviour: ResponderBehaviour = {},
  ): Promise<MdnsResponder> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => resolve());
    });
    return new MdnsResponder(socket, address, socket.address().port, zone, behaviour);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(message: Buffer, address: string, port: number): void {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (query.type !== 'query' || !question) return;
    const key = `${question.type} ${question.name.toLowerCase()}`;
    this.asked.push(key);
    if (this.behaviour.dropFirst?.includes(question.name.toLowerCase()) && !this.dropped.has(key)) {
      this.dropped.add(key);
      return;
    }
    const answers = this.zone.filter(
      (record) => record.type === question.type && record.name.toLowerCase() === question.name.toLowerCase(),
    );
    if (answers.length === 0) return; // mDNS responders stay silent when they know nothing
    const additionals = this.behaviour.additionals && question.type === 'PTR' ? this.related(answers) : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [question],
      answers: [...(this.behaviour.noise ?? []), ...answers].map(toAnswer),
      additionals: additionals.map(toAnswer),
    });
    const send = (): void => {
      this.socket.send(response, port, address);
    };
    if (this.behaviour.delayMs) setTimeout(send, this.behaviour.delayMs);
    else send();
  }

  private related(answers: readonly ZoneRecord[]): ZoneRecord[] {
    const out: ZoneRecord[] = [];
    for (const answer of answers) {
      const instance = String(answer.data).toLowerCase();
      for (const srv of this.zone.filter((r) => r.type === 'SRV' && r.name.toLowerCase() === instance)) {
        out.push(srv);
        const target = String((srv.data as { target: string }).target).toLowerCase();
        out.push(...this.zone.filter((r) => r.type === 'A' && r.name.toLowerCase() === target));
      }
    }
    return out;
  }
}

function toAnswer(record: ZoneRecord): dnsPacket.Answer {
  return { name: record.name, type: record.type, ttl: 10, data: record.data } as dnsPacket.Answer;
}

/** A small segment: two hosts, three service types, and the reverse PTRs of the first host. */
export function sampleZone(): ZoneRecord[] {
  return [
    { name: '5.0.9.10.in-addr.arpa', type: 'PTR', data: 'fake-host.local' },
    { name: '_services._dns-sd._udp.local', type: 'PTR', data: '_http._tcp.local' },
    { name: '_services._dns-sd._udp.local', type: 'PTR', data: '_ipp._udp.local' },
    { name: '_services._dns-sd._udp.local', type: 'PTR', data: '_ssh._tcp.local' },
    { name: '_http._tcp.local', type: 'PTR', data: 'Fake Web._http._tcp.local' },
    { name: '_ipp._udp.local', type: 'PTR', data: 'Fake Printer._ipp._udp.local' },
    { name: '_ssh._tcp.local', type: 'PTR', data: 'other._ssh._tcp.local' },
    {
      name: 'Fake Web._http._tcp.local',
      type: 'SRV',
      data: { priority: 0, weight: 0, port: 8080, target: 'fake-host.local' },
    },
    {
      name: 'Fake Printer._ipp._udp.local',
      type: 'SRV',
      data: { priority: 0, weight: 0, port: 631, target: 'fake-host.local' },
    },
    { name: 'other._ssh._tcp.local', type: 'SRV', data: { priority: 0, weight: 0, port: 22, target: 'other.local' } },
    { name: 'fake-host.local', type: 'A', data: '10.9.0.5' },
    { name: 'other.local', type: 'A', data: '10.9.0.6' },
  ];
}
