#!/usr/bin/env node
// Tiny UDP clients the lab runs INSIDE a namespace (`ip netns exec <ns> node lab/probe.mjs …`): readiness
// probes for its daemons, and the tests' raw NBSTAT and mDNS queries. Plain Node, no dependencies. Every
// command retries every 100 ms until an answer arrives or `--wait` ms pass (exit 0 + JSON on stdout, exit 1
// + reason on stderr), so one process covers one bounded wait.
//
//   probe.mjs snmp-get <ip> <community> <oid>            SNMPv2c GET; prints { oid, type, value }
//   probe.mjs nbstat <ip> [--name NAME]                  NetBIOS node status (RFC 1002, UDP 137, QTYPE 0x21);
//                                                        prints { names: [{ name, suffix, group }] }; with
//                                                        --name, only an answer listing NAME<20> counts
//   probe.mjs dns <server> <qname> <qtype>               unicast DNS query (port 53, --port to change)
//   probe.mjs mdns <bind-ip> <qname> <qtype>             one-shot mDNS query to 224.0.0.251:5353 sent from
//                                                        bind-ip (its interface: no multicast route needed);
//                                                        the responder answers by unicast (legacy query)
//   common: --wait MS (default 1000)
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const QTYPES = { A: 1, PTR: 12, TXT: 16, SRV: 33, ANY: 255 };
const QTYPE_NAMES = Object.fromEntries(Object.entries(QTYPES).map(([name, code]) => [code, name]));

// ---------------------------------------------------------------------------------------------------------
// DNS messages

function encodeName(name) {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const bytes = [];
  for (const part of parts) {
    const label = Buffer.from(part, 'utf8');
    bytes.push(label.length, ...label);
  }
  bytes.push(0);
  return Buffer.from(bytes);
}

export function encodeDnsQuery(id, qname, qtype, { recursion = true } = {}) {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(recursion ? 0x0100 : 0, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(QTYPES[qtype] ?? Number(qtype), 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, encodeName(qname), tail]);
}

function readName(message, start) {
  const labels = [];
  let offset = start;
  let end = -1;
  for (let jumps = 0; jumps < 64; jumps++) {
    const length = message[offset];
    if (length === undefined) throw new Error('truncated name');
    if (length === 0) {
      if (end < 0) end = offset + 1;
      return { name: labels.join('.'), end };
    }
    if ((length & 0xc0) === 0xc0) {
      if (end < 0) end = offset + 2;
      offset = message.readUInt16BE(offset) & 0x3fff;
      continue;
    }
    labels.push(message.toString('utf8', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  throw new Error('name compression loop');
}

export function decodeDns(message) {
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((at) => message.readUInt16BE(at));
  let offset = 12;
  for (let i = 0; i < counts[0]; i++) offset = readName(message, offset).end + 4;
  const records = [];
  for (let i = 0; i < counts[1] + counts[2] + counts[3]; i++) {
    const { name, end } = readName(message, offset);
    const type = message.readUInt16BE(end);
    const ttl = message.readUInt32BE(end + 4);
    const length = message.readUInt16BE(end + 8);
    const rdata = end + 10;
    let data;
    if (type === QTYPES.A) data = [...message.subarray(rdata, rdata + 4)].join('.');
    else if (type === QTYPES.PTR || type === 5) data = readName(message, rdata).name;
    else if (type === QTYPES.SRV) {
      data = {
        priority: message.readUInt16BE(rdata),
        weight: message.readUInt16BE(rdata + 2),
        port: message.readUInt16BE(rdata + 4),
        target: readName(message, rdata + 6).name,
      };
    } else if (type === QTYPES.TXT) {
      data = [];
      for (let at = rdata; at < rdata + length; at += 1 + message[at]) {
        data.push(message.toString('utf8', at + 1, at + 1 + message[at]));
      }
    } else data = message.subarray(rdata, rdata + length).toString('hex');
    const section = i < counts[1] ? 'answer' : i < counts[1] + counts[2] ? 'authority' : 'additional';
    records.push({ section, name, type: QTYPE_NAMES[type] ?? type, ttl, data });
    offset = rdata + length;
  }
  return {
    id,
    rcode: flags & 0x0f,
    authoritative: (flags & 0x0400) !== 0,
    answers: records.filter((record) => record.section === 'answer'),
    additionals: records.filter((record) => record.section !== 'answer'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// NetBIOS node status

export function encodeNbstat(id) {
  const name = Buffer.alloc(34);
  name[0] = 0x20;
  const raw = Buffer.from('*'.padEnd(16, '\0'), 'latin1');
  for (let i = 0; i < 16; i++) {
    name[1 + 2 * i] = 0x41 + (raw[i] >> 4);
    name[2 + 2 * i] = 0x41 + (raw[i] & 0x0f);
  }
  const header = Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, name, Buffer.from([0x00, 0x21, 0x00, 0x01])]);
}

export function decodeNbstat(message, id) {
  if (message.length < 12 || message.readUInt16BE(0) !== id || message.readUInt16BE(6) === 0) return null;
  const offset = readName(message, 12).end; // the answer name: `*` in first-level encoding
  const type = message.readUInt16BE(offset);
  if (type !== 0x21) return null;
  const count = message[offset + 10];
  const names = [];
  for (let i = 0; i < count; i++) {
    const entry = offset + 11 + 18 * i;
    if (entry + 18 > message.length) break;
    names.push({
      name: message.toString('latin1', entry, entry + 15).trimEnd(),
      suffix: message[entry + 15],
      group: (message.readUInt16BE(entry + 16) & 0x8000) !== 0,
    });
  }
  const macAt = offset + 11 + 18 * count;
  const mac =
    macAt + 6 <= message.length
      ? [...message.subarray(macAt, macAt + 6)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')
      : null;
  return { names, mac };
}

// ---------------------------------------------------------------------------------------------------------
// SNMPv2c GET (BER)

function berLength(length) {
  if (length < 0x80) return Buffer.from([length]);
  const bytes = [];
  for (let value = length; value > 0; value >>= 8) bytes.unshift(value & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, body) => Buffer.concat([Buffer.from([tag]), berLength(body.length), body]);
function berInt(value) {
  const bytes = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
function berOid(oid) {
  const parts = oid.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128))
      chunk.unshift(0x80 | (rest & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

export function encodeSnmpGet(id, community, oid) {
  const varbind = tlv(0x30, Buffer.concat([berOid(oid), Buffer.from([0x05, 0x00])]));
  const pdu = tlv(0xa0, Buffer.concat([berInt(id), berInt(0), berInt(0), tlv(0x30, varbind)]));
  return tlv(0x30, Buffer.concat([berInt(1), tlv(0x04, Buffer.from(community)), pdu]));
}

function readTlv(buffer, offset) {
  const tag = buffer[offset];
  let length = buffer[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[start + i];
    start += octets;
  }
  return { tag, start, end: start + length };
}

export function decodeSnmpResponse(message, id) {
  const outer = readTlv(message, 0);
  let at = outer.start;
  at = readTlv(message, at).end; // version
  at = readTlv(message, at).end; // community
  const pdu = readTlv(message, at);
  if (pdu.tag !== 0xa2) return null;
  const fields = [];
  at = pdu.start;
  for (let i = 0; i < 3; i++) {
    const field = readTlv(message, at);
    fields.push(message.subarray(field.start, field.end).reduce((sum, byte) => sum * 256 + byte, 0));
    at = field.end;
  }
  if (fields[0] !== id) return null;
  if (fields[1] !== 0) return { error: fields[1] };
  const list = readTlv(message, at);
  const varbind = readTlv(message, list.start);
  const name = readTlv(message, varbind.start);
  const value = readTlv(message, name.end);
  const raw = message.subarray(value.start, value.end);
  const types = new Map([
    [0x02, 'integer'],
    [0x04, 'octets'],
    [0x06, 'oid'],
    [0x40, 'ip'],
    [0x41, 'counter32'],
    [0x42, 'gauge32'],
  ]);
  const type = types.get(value.tag) ?? `tag-0x${value.tag.toString(16)}`;
  if (value.tag === 0x80 || value.tag === 0x81 || value.tag === 0x82) return { error: `exception ${value.tag}` };
  const decoded = type === 'octets' ? raw.toString('latin1') : raw.toString('hex');
  return { type, value: decoded };
}

// ---------------------------------------------------------------------------------------------------------
// Retry loop

function ask({ host, port, bindIp, multicast, build, accept, waitMs }) {
  return new Promise((resolvePromise) => {
    const socket = dgram.createSocket('udp4');
    let done = false;
    const finish = (result) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      socket.close();
      resolvePromise(result);
    };
    const id = randomInt(1, 0xffff); // one id for every retransmission, so a late answer still counts
    const query = build(id);
    const send = () => socket.send(query, port, host, () => {});
    socket.on('error', () => {}); // ECONNREFUSED from an ICMP port-unreachable: keep retrying
    socket.on('message', (message, remote) => {
      try {
        const result = accept(message, id, remote);
        if (result) finish({ ok: true, from: remote.address, ...result });
      } catch {}
    });
    const timer = setInterval(send, 100);
    const deadline = setTimeout(() => finish({ ok: false }), waitMs);
    socket.bind({ port: 0, address: bindIp ?? undefined }, () => {
      if (multicast) socket.setMulticastInterface(bindIp);
      send();
    });
  });
}

async function main(argv) {
  const options = { wait: '1000', port: undefined, name: undefined };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) options[argv[i].slice(2)] = argv[++i];
    else positional.push(argv[i]);
  }
  const waitMs = Number(options.wait);
  const [command, ...args] = positional;
  let result;
  switch (command) {
    case 'snmp-get': {
      const [host, community, oid] = args;
      result = await ask({
        host,
        port: Number(options.port ?? 161),
        waitMs,
        build: (id) => encodeSnmpGet(id, community, oid),
        accept: (message, id) => {
          const answer = decodeSnmpResponse(message, id);
          return answer && !answer.error ? { oid, ...answer } : null;
        },
      });
      break;
    }
    case 'nbstat': {
      const [host] = args;
      result = await ask({
        host,
        port: Number(options.port ?? 137),
        waitMs,
        build: (id) => encodeNbstat(id),
        accept: (message, id) => {
          const answer = decodeNbstat(message, id);
          if (!answer) return null;
          if (options.name && !answer.names.some((entry) => entry.name === options.name && entry.suffix === 0x20)) {
            return null;
          }
          return answer;
        },
      });
      break;
    }
    case 'dns': {
      const [host, qname, qtype] = args;
      result = await ask({
        host,
        port: Number(options.port ?? 53),
        waitMs,
        build: (id) => encodeDnsQuery(id, qname, qtype),
        accept: (message, id) => {
          const answer = decodeDns(message);
          return answer.id === id ? answer : null;
        },
      });
      break;
    }
    case 'mdns': {
      const [bindIp, qname, qtype] = args;
      result = await ask({
        host: '224.0.0.251',
        port: 5353,
        bindIp,
        multicast: true,
        waitMs,
        build: (id) => encodeDnsQuery(id, qname, qtype, { recursion: false }),
        accept: (message, id) => {
          const answer = decodeDns(message);
          return answer.id === id && answer.answers.length > 0 ? answer : null;
        },
      });
      break;
    }
    default:
      process.stderr.write('usage: probe.mjs snmp-get|nbstat|dns|mdns … [--wait MS]\n');
      return 2;
  }
  if (!result.ok) {
    process.stderr.write(`no answer within ${waitMs} ms\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  main(process.argv.slice(2)).then((code) => process.exit(code));
