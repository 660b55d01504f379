import { describe, expect, it } from 'vitest';
import { type DeviceRef, type FoldPlan, identityMac, type KnownOwners, planFold } from './identity.ts';

const A = 'device-a';
const B = 'device-b';
const MAC_A = 'aa:bb:cc:00:00:0a';
const MAC_B = 'aa:bb:cc:00:00:0b';
const MAC_NEW = '02:42:ac:11:00:02';
const MAC_NEW_2 = '02:42:ac:11:00:03';

const existing = (id: string): DeviceRef => ({ kind: 'existing', id });
const fresh = (index: number): DeviceRef => ({ kind: 'new', index });
const owners = (byMac: Record<string, string> = {}, byIp: Record<string, string> = {}): KnownOwners => ({
  byMac: new Map(Object.entries(byMac)),
  byIp: new Map(Object.entries(byIp)),
});
/** Known world: device A owns MAC_A and 10.0.0.10; device B owns MAC_B and 10.0.0.11. */
const known = owners({ [MAC_A]: A, [MAC_B]: B }, { '10.0.0.10': A, '10.0.0.11': B });

/** Where each IP ends up after the plan is applied. */
const ipOwners = (plan: FoldPlan): Record<string, DeviceRef> =>
  Object.fromEntries(plan.ipFacts.map((fact) => [fact.ip, fact.device]));

describe('identityMac', () => {
  it('normalises to lower-case colon form', () => {
    expect(identityMac(' AA:BB:CC:DD:EE:FF ')).toBe('aa:bb:cc:dd:ee:ff');
    expect(identityMac('aa-bb-cc-dd-ee-f0')).toBe('aa:bb:cc:dd:ee:f0');
    expect(identityMac(MAC_NEW)).toBe(MAC_NEW); // locally administered unicast is fine
  });

  it('ignores values that cannot identify one host', () => {
    for (const mac of [
      undefined,
      '',
      '00:00:00:00:00:00',
      'ff:ff:ff:ff:ff:ff',
      'FF:FF:FF:FF:FF:FF',
      '01:00:5e:00:00:fb', // IPv4 multicast
      '33:33:00:00:00:01', // IPv6 multicast
      '03:00:00:00:00:01', // any group bit
      'aa:bb:cc:dd:ee',
      'aabb.ccdd.eeff',
      'zz:bb:cc:dd:ee:ff',
    ]) {
      expect(identityMac(mac), String(mac)).toBeUndefined();
    }
  });
});

describe('planFold (SPEC §5.7, G-25)', () => {
  it('creates one device per unknown MAC with its MAC and IP facts', () => {
    const plan = planFold(
      [
        { ip: '10.0.0.2', mac: 'AA:BB:CC:00:00:01' },
        { ip: '10.0.0.3', mac: 'aa:bb:cc:00:00:02' },
      ],
      owners(),
    );
    expect(plan).toEqual<FoldPlan>({
      newDevices: 2,
      macFacts: [
        { device: fresh(0), mac: 'aa:bb:cc:00:00:01' },
        { device: fresh(1), mac: 'aa:bb:cc:00:00:02' },
      ],
      ipFacts: [
        { device: fresh(0), ip: '10.0.0.2' },
        { device: fresh(1), ip: '10.0.0.3' },
      ],
      ipMoves: [],
    });
  });

  it('keeps the device when a known MAC shows up on a new IP (the IP is added)', () => {
    const plan = planFold([{ ip: '10.0.0.99', mac: MAC_A.toUpperCase() }], known);
    expect(plan).toEqual<FoldPlan>({
      newDevices: 0,
      macFacts: [{ device: existing(A), mac: MAC_A }],
      ipFacts: [{ device: existing(A), ip: '10.0.0.99' }],
      ipMoves: [],
    });
  });

  it('makes a new MAC on a known IP a new device and moves the IP to it (MAC identity wins)', () => {
    const plan = planFold([{ ip: '10.0.0.10', mac: MAC_NEW }], known);
    expect(plan).toEqual<FoldPlan>({
      newDevices: 1,
      macFacts: [{ device: fresh(0), mac: MAC_NEW }],
      ipFacts: [{ device: fresh(0), ip: '10.0.0.10' }],
      ipMoves: [{ ip: '10.0.0.10', fromDeviceId: A, to: fresh(0) }],
    });
  });

  it('moves an IP between two known devices when the other MAC answers on it', () => {
    const plan = planFold([{ ip: '10.0.0.10', mac: MAC_B }], known);
    expect(plan.newDevices).toBe(0);
    expect(plan.ipMoves).toEqual([{ ip: '10.0.0.10', fromDeviceId: A, to: existing(B) }]);
    expect(plan.ipFacts).toEqual([{ device: existing(B), ip: '10.0.0.10' }]);
  });

  it('records no move when a MAC is seen on its own IP', () => {
    const plan = planFold(
      [
        { ip: '10.0.0.10', mac: MAC_A },
        { ip: '10.0.0.11', mac: MAC_B },
      ],
      known,
    );
    expect(plan.newDevices).toBe(0);
    expect(plan.ipMoves).toEqual([]);
    expect(ipOwners(plan)).toEqual({ '10.0.0.10': existing(A), '10.0.0.11': existing(B) });
  });

  it('lets a device no host ever answered for with a MAC adopt the first new MAC on its IP, once', () => {
    const neighbourOnly: KnownOwners = { ...known, withoutLearntMac: new Set([B]) };
    const plan = planFold(
      [
        { ip: '10.0.0.11', mac: MAC_NEW },
        { ip: '10.0.0.11', mac: MAC_NEW_2 },
      ],
      neighbourOnly,
    );
    expect(plan.newDevices).toBe(1);
    expect(plan.macFacts).toEqual([
      { device: existing(B), mac: MAC_NEW },
      { device: fresh(0), mac: MAC_NEW_2 },
    ]);
    // The second MAC is another host again: it takes the IP as usual (MAC identity wins).
    expect(ipOwners(plan)['10.0.0.11']).toEqual(fresh(0));
    // A device that has a learnt MAC never adopts: a new MAC on its IP is a new device.
    const learnt = planFold([{ ip: '10.0.0.10', mac: MAC_NEW }], { ...known, withoutLearntMac: new Set([B]) });
    expect(learnt.macFacts).toEqual([{ device: fresh(0), mac: MAC_NEW }]);
  });

  it('keys observations without a MAC by IP: the owner of the IP, or a new device', () => {
    const plan = planFold([{ ip: '10.0.0.11' }, { ip: '172.16.5.5' }, { ip: '172.16.5.6', mac: undefined }], known);
    expect(plan).toEqual<FoldPlan>({
      newDevices: 2,
      macFacts: [],
      ipFacts: [
        { device: existing(B), ip: '10.0.0.11' },
        { device: fresh(0), ip: '172.16.5.5' },
        { device: fresh(1), ip: '172.16.5.6' },
      ],
      ipMoves: [],
    });
  });

  it('treats zero, broadcast and multicast MACs as no MAC at all', () => {
    const plan = planFold(
      [
        { ip: '10.0.0.10', mac: '00:00:00:00:00:00' },
        { ip: '10.0.0.20', mac: 'ff:ff:ff:ff:ff:ff' },
        { ip: '10.0.0.21', mac: '01:00:5e:00:00:01' },
      ],
      known,
    );
    expect(plan.macFacts).toEqual([]);
    expect(plan.ipMoves).toEqual([]);
    expect(plan.newDevices).toBe(2);
    expect(ipOwners(plan)).toEqual({ '10.0.0.10': existing(A), '10.0.0.20': fresh(0), '10.0.0.21': fresh(1) });
  });

  it('gives a MAC-less observation the device a MAC observation just created for that IP', () => {
    const plan = planFold([{ ip: '10.0.0.50', mac: MAC_NEW }, { ip: '10.0.0.50' }], owners());
    expect(plan.newDevices).toBe(1);
    expect(plan.ipFacts).toEqual([{ device: fresh(0), ip: '10.0.0.50' }]);
  });

  it('de-duplicates repeated observations within a batch', () => {
    const plan = planFold(
      [
        { ip: '10.0.0.2', mac: MAC_NEW },
        { ip: '10.0.0.2', mac: MAC_NEW.toUpperCase() },
        { ip: '10.0.0.3', mac: MAC_NEW },
        { ip: '10.0.0.9' },
        { ip: '10.0.0.9' },
      ],
      owners(),
    );
    expect(plan).toEqual<FoldPlan>({
      newDevices: 2,
      macFacts: [{ device: fresh(0), mac: MAC_NEW }],
      ipFacts: [
        { device: fresh(0), ip: '10.0.0.2' },
        { device: fresh(0), ip: '10.0.0.3' },
        { device: fresh(1), ip: '10.0.0.9' },
      ],
      ipMoves: [],
    });
  });

  it('gives the IP to the later of two new MACs answering on one IP in one batch', () => {
    const plan = planFold(
      [
        { ip: '10.0.0.60', mac: MAC_NEW },
        { ip: '10.0.0.60', mac: MAC_NEW_2 },
      ],
      owners(),
    );
    expect(plan.newDevices).toBe(2);
    expect(plan.macFacts).toEqual([
      { device: fresh(0), mac: MAC_NEW },
      { device: fresh(1), mac: MAC_NEW_2 },
    ]);
    expect(plan.ipFacts).toEqual([{ device: fresh(1), ip: '10.0.0.60' }]);
    expect(plan.ipMoves).toEqual([]);
  });

  it('reports a move of a known IP to the device that ends up owning it', () => {
    // Device A owned 10.0.0.10; two new MACs answer on it in one batch: the second keeps it.
    const plan = planFold(
      [
        { ip: '10.0.0.10', mac: MAC_NEW },
        { ip: '10.0.0.10', mac: MAC_NEW_2 },
      ],
      known,
    );
    expect(ipOwners(plan)).toEqual({ '10.0.0.10': fresh(1) });
    expect(plan.ipMoves).toEqual([{ ip: '10.0.0.10', fromDeviceId: A, to: fresh(1) }]);
  });
});
