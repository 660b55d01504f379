import { createSocket, type Socket } from 'node:dgram';

/**
 * A tiny NetBIOS name-service responder for client tests: it answers node-status queries with a
 * hand-built answer (RFC 1002 §4.2.18), or misbehaves as told. It listens on a loopback address
 * and an ephemeral port, so it never competes with a real nmbd on port 137.
 */
export interface NbstatBehaviour {
  names?: { name: string; suffix: number; group?: boolean }[];
  mac?: number[];
  /** Ignore this many queries before answering (loss, to exercise the client's resend). */
  dropFirst?: number;
  /** Answer with a foreign transaction id first, then the real answer. */
  strayFirst?: boolean;
  /** Send these raw bytes instead of an answer. */
  raw?: Buffer;
  delayMs?: number;
}

export class NbstatResponder {
  queries = 0;
  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
    private readonly behaviour: NbstatBehaviour,
  ) {
    socket.on('message', (message, peer) => this.answer(message, peer.address, peer.port));
  }

  static async start(address: string, behaviour: NbstatBehaviour): Promise<NbstatResponder> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port: 0, exclusive: true }, () => resolve());
    });
    return new NbstatResponder(socket, address, socket.address().port, behaviour);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(query: Buffer, address: string, port: number): void {
    this.queries += 1;
    if (query.length < 12 || this.queries <= (this.behaviour.dropFirst ?? 0)) return;
    const id = query.readUInt16BE(0);
    const send = (): void => {
      if (this.behaviour.raw) {
        this.socket.send(this.behaviour.raw, port, address);
        return;
      }
      if (this.behaviour.strayFirst)
        this.socket.send(nodeStatusAnswer((id + 1) & 0xffff, this.behaviour), port, address);
      this.socket.send(nodeStatusAnswer(id, this.behaviour), port, address);
    };
    if (this.behaviour.delayMs) setTimeout(send, this.behaviour.delayMs);
    else send();
  }
}

export function nodeStatusAnswer(id: number, behaviour: NbstatBehaviour): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8400, 2); // response, authoritative
  header.writeUInt16BE(1, 6); // one answer, no question (as Samba and Windows send it)
  const name = Buffer.concat([Buffer.from([0x20]), Buffer.from(`CK${'AA'.repeat(15)}`, 'latin1'), Buffer.from([0])]);
  const entries = (behaviour.names ?? []).map((entry) => {
    const row = Buffer.alloc(18);
    row.write(entry.name.padEnd(15, ' '), 0, 'latin1');
    row.writeUInt8(entry.suffix, 15);
    row.writeUInt16BE(entry.group ? 0x8400 : 0x0400, 16);
    return row;
  });
  const statistics = Buffer.alloc(46);
  Buffer.from(behaviour.mac ?? [0, 0, 0, 0, 0, 0]).copy(statistics);
  const data = Buffer.concat([Buffer.from([entries.length]), ...entries, statistics]);
  const rr = Buffer.alloc(10);
  rr.writeUInt16BE(0x21, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(data.length, 8);
  return Buffer.concat([header, name, rr, data]);
}
