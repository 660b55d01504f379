import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodePtrQuery, readPtrAnswer } from './reverse-dns.codec.ts';

const OWNER = '9.78.0.127.in-addr.arpa';

function reply(options: {
  id?: number;
  rcode?: number;
  tc?: boolean;
  question?: string;
  answers?: dnsPacket.Answer[];
  type?: 'response' | 'query';
}): Buffer {
  return dnsPacket.encode({
    type: options.type ?? 'response',
    id: options.id ?? 7,
    flags: (options.rcode ?? 0) | (options.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'PTR', name: options.question ?? OWNER, class: 'IN' }],
    answers: options.answers ?? [],
  });
}

describe('encodePtrQuery', () => {
  it('asks one PTR question with recursion desired', () => {
    const decoded = dnsPacket.decode(encodePtrQuery(0x1234, OWNER));
    expect(decoded).toMatchObject({ id: 0x1234, type: 'query', flag_rd: true });
    expect(decoded.questions).toEqual([{ name: OWNER, type: 'PTR', class: 'IN' }]);
  });
});

describe('readPtrAnswer', () => {
  it('returns every PTR name of the owner, as sent', () => {
    const message = reply({
      answers: [
        { name: OWNER, type: 'PTR', data: 'printer-9.roller.test' },
        { name: '9.78.0.127.IN-ADDR.ARPA', type: 'PTR', data: 'Alias.Roller.Test' },
        { name: 'other.in-addr.arpa', type: 'PTR', data: 'not-ours.test' },
      ],
    });
    expect(readPtrAnswer(message, 7, OWNER)).toEqual({
      verdict: 'names',
      names: ['printer-9.roller.test', 'Alias.Roller.Test'],
    });
  });

  it('follows a CNAME chain (RFC 2317 classless delegation)', () => {
    const message = reply({
      answers: [
        { name: '9.78.0.127.in-addr.arpa', type: 'CNAME', data: '9.0-63.78.0.127.in-addr.arpa' },
        { name: '9.0-63.78.0.127.in-addr.arpa', type: 'CNAME', data: '9.sub.example' },
        { name: '9.sub.example', type: 'PTR', data: 'delegated.example' },
      ],
    });
    expect(readPtrAnswer(message, 7, OWNER)).toEqual({ verdict: 'names', names: ['delegated.example'] });
  });

  it('tells "no PTR" (NXDOMAIN, NODATA) from a server failure', () => {
    expect(readPtrAnswer(reply({ rcode: 3 }), 7, OWNER)).toEqual({ verdict: 'no_name', detail: 'NXDOMAIN' });
    expect(readPtrAnswer(reply({}), 7, OWNER)).toEqual({ verdict: 'no_name', detail: 'NODATA' });
    expect(readPtrAnswer(reply({ rcode: 2 }), 7, OWNER)).toEqual({ verdict: 'server_error', detail: 'SERVFAIL' });
    expect(readPtrAnswer(reply({ rcode: 5 }), 7, OWNER)).toEqual({ verdict: 'server_error', detail: 'REFUSED' });
    expect(readPtrAnswer(reply({ rcode: 9 }), 7, OWNER)).toEqual({ verdict: 'server_error', detail: 'RCODE 9' });
    expect(readPtrAnswer(reply({ tc: true }), 7, OWNER)).toEqual({
      verdict: 'server_error',
      detail: 'truncated answer without a PTR record',
    });
  });

  it('ignores what does not answer our query: other id, other question, a query, garbage', () => {
    expect(readPtrAnswer(reply({ id: 8 }), 7, OWNER)).toBeUndefined();
    expect(readPtrAnswer(reply({ question: '1.1.1.1.in-addr.arpa' }), 7, OWNER)).toBeUndefined();
    expect(readPtrAnswer(reply({ type: 'query' }), 7, OWNER)).toBeUndefined();
    expect(readPtrAnswer(Buffer.from('not dns at all'), 7, OWNER)).toBeUndefined();
    expect(readPtrAnswer(Buffer.alloc(0), 7, OWNER)).toBeUndefined();
  });
});
