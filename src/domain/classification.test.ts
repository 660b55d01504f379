import { describe, expect, it } from 'vitest';
import {
  DEVICE_TAGS,
  isDeviceTag,
  mergeStoredTag,
  mergeSuggestions,
  NAME_RULES,
  nameTokens,
  normaliseTag,
  PORT_RULES,
  SYS_DESCR_EXTRA_RULES,
  SYS_DESCR_PRIMARY_RULES,
  suggestFromName,
  suggestFromNames,
  suggestFromOpenPorts,
  suggestFromSysDescr,
  suggestTags,
  TAXONOMY,
  truncateForEvidence,
} from './classification.ts';
import type { TagSuggestion } from './enrichment.types.ts';

describe('taxonomy (SPEC §5.12)', () => {
  it('lists exactly the SPEC tags, labels and descriptions, in order', () => {
    expect(TAXONOMY.map((entry) => [entry.tag, entry.label, entry.description])).toEqual([
      ['router', 'Router', 'gateway / router'],
      ['switch', 'Switch', 'layer-2 switch'],
      ['access_point', 'Access point', 'wireless AP'],
      ['firewall', 'Firewall', 'firewall / VPN edge'],
      ['printer', 'Printer', 'printer / MFD'],
      ['server', 'Server', 'server or appliance'],
      ['workstation', 'Workstation', 'PC / laptop'],
      ['nas', 'NAS', 'storage / NAS'],
      ['camera', 'Camera', 'camera / NVR'],
      ['vm_host', 'VM host', 'hypervisor / VM host'],
      ['iot', 'IoT', 'IoT / embedded'],
    ]);
    expect(TAXONOMY.map((entry) => entry.tag)).toEqual([...DEVICE_TAGS]);
    expect(Object.isFrozen(TAXONOMY)).toBe(true);
  });

  it('marks server and workstation manual-only, and no rule ever produces them', () => {
    expect(TAXONOMY.filter((entry) => !entry.auto).map((entry) => entry.tag)).toEqual(['server', 'workstation']);
    const ruleTags = [
      ...NAME_RULES.map((rule) => rule.tag),
      ...SYS_DESCR_PRIMARY_RULES.map((rule) => rule.tag),
      ...SYS_DESCR_EXTRA_RULES.map((rule) => rule.tag),
      ...PORT_RULES.map((rule) => rule.tag),
    ];
    expect(ruleTags).not.toContain('server');
    expect(ruleTags).not.toContain('workstation');
    const autoTags = TAXONOMY.filter((entry) => entry.auto).map((entry) => entry.tag);
    for (const tag of ruleTags) expect(autoTags).toContain(tag);
  });

  it.each([
    ['server', 'PC-SERVER-01'],
    ['workstation', 'workstation-12'],
    ['pc', 'desktop-pc'],
    ['laptop', 'bobs-laptop'],
  ])('never suggests a manual-only tag from the name %s (%s)', (_label, name) => {
    expect(suggestFromName(name)).toBeNull();
  });

  it('never suggests server/workstation from any sysDescr', () => {
    expect(suggestFromSysDescr('Windows Server 2022 workstation')).toEqual([]);
  });

  it('recognises tags exactly (case-sensitive, after normalisation)', () => {
    expect(isDeviceTag('vm_host')).toBe(true);
    expect(isDeviceTag('VM_HOST')).toBe(false);
    expect(isDeviceTag('vm-host')).toBe(false);
    expect(isDeviceTag('')).toBe(false);
    expect(isDeviceTag('toString')).toBe(false);
    expect(normaliseTag('  VM_Host \t')).toBe('vm_host');
  });
});

describe('rule set 1: names', () => {
  it.each([
    ['Core_SW.1', ['core', 'sw', '1']],
    ['AP-Lobby', ['ap', 'lobby']],
    ['hpe--switch', ['hpe', 'switch']],
    ['café-ap', ['caf', 'ap']],
    ['  ', []],
    ['', []],
    ['---', []],
    ['HP LaserJet M404', ['hp', 'laserjet', 'm404']],
  ])('tokens of %j', (name, tokens) => {
    expect(nameTokens(name)).toEqual(tokens);
  });

  const cases: [string, string | null, string | null][] = [
    // name, expected tag, expected match
    ['ap-lobby', 'access_point', 'ap'],
    ['WAP.office', 'access_point', 'ap'],
    ['unifi-u6-lr', 'access_point', 'ap'],
    ['eap225', null, null],
    ['tp-link-eap', 'access_point', 'ap'],
    ['wlan-ctrl', 'access_point', 'ap'],
    ['Wireless Bridge', 'access_point', 'ap'],
    ['core-sw-1', 'switch', 'switch'],
    ['Core_SW.1', 'switch', 'switch'],
    ['switch', 'switch', 'switch'],
    ['sw01', null, null],
    ['swift-build', null, null],
    ['gw', 'router', 'router'],
    ['home-router', 'router', 'router'],
    ['Gateway.home.arpa', 'router', 'router'],
    ['edge-01', 'router', 'router'],
    ['fw1', null, null],
    ['fw-1', 'firewall', 'firewall'],
    ['pfsense.lan', 'firewall', 'firewall'],
    ['OPNsense', 'firewall', 'firewall'],
    ['FortiGate-60F', 'firewall', 'firewall'],
    ['fortinet-hq', 'firewall', 'firewall'],
    ['paloalto-01', 'firewall', 'firewall'],
    ['panos', 'firewall', 'firewall'],
    ['ASA-5506', 'firewall', 'firewall'],
    ['printer-2f', 'printer', 'printer'],
    ['HP-LaserJet', 'printer', 'printer'],
    ['hpe-proliant', null, null],
    ['hp', 'printer', 'printer'],
    ['BRN-brother.local', 'printer', 'printer'],
    ['EPSON1A2B3C', null, null],
    ['epson-et-2750', 'printer', 'printer'],
    ['Canon_MF', 'printer', 'printer'],
    ['nas', 'nas', 'nas'],
    ['DiskStation.synology.me', 'nas', 'nas'],
    ['qnap-ts453', 'nas', 'nas'],
    ['truenas.local', 'nas', 'nas'],
    ['freenas', 'nas', 'nas'],
    ['esxi-01', 'vm_host', 'vm_host'],
    ['vmware-host', 'vm_host', 'vm_host'],
    ['proxmox', 'vm_host', 'vm_host'],
    ['pve2', null, null],
    ['pve-2', 'vm_host', 'vm_host'],
    ['hyperv.corp', 'vm_host', 'vm_host'],
    ['hyper-v', null, null],
    ['xen-dom0', 'vm_host', 'vm_host'],
    ['cam-garage', 'camera', 'camera'],
    ['Camera 3', 'camera', 'camera'],
    ['nvr', 'camera', 'camera'],
    ['dvr-01', 'camera', 'camera'],
    ['webcam', null, null],
    ['iot-hub', 'iot', 'iot'],
    ['iothub', null, null],
    ['laptop', null, null],
    ['', null, null],
    ['...', null, null],
  ];
  it.each(cases)('%j → %s', (name, tag, match) => {
    const got = suggestFromName(name);
    if (tag === null) {
      expect(got).toBeNull();
    } else {
      expect(got).toEqual({ tag, confidence: 70, evidence: { signal: 'name', name, match } });
    }
  });

  it.each([
    ['ap-sw-1', 'access_point'],
    ['sw-gw', 'switch'],
    ['gw-fw', 'router'],
    ['fw-printer', 'firewall'],
    ['hp-nas', 'printer'],
    ['proxmox-nas', 'nas'],
    ['cam-esxi', 'vm_host'],
    ['iot-cam', 'camera'],
    ['iot-router-ap', 'access_point'],
  ])('takes the first rule in table order, not the first token: %j → %s', (name, tag) => {
    expect(suggestFromName(name)?.tag).toBe(tag);
  });

  it('keeps the original name in evidence (not lower-cased or trimmed)', () => {
    expect(suggestFromName('  Core-SW ')?.evidence).toEqual({ signal: 'name', name: '  Core-SW ', match: 'switch' });
  });

  it('applies to every name, one suggestion per matching name, unmerged', () => {
    expect(suggestFromNames(['core-sw', 'nothing', 'ap-1', 'sw-2'])).toEqual([
      { tag: 'switch', confidence: 70, evidence: { signal: 'name', name: 'core-sw', match: 'switch' } },
      { tag: 'access_point', confidence: 70, evidence: { signal: 'name', name: 'ap-1', match: 'ap' } },
      { tag: 'switch', confidence: 70, evidence: { signal: 'name', name: 'sw-2', match: 'switch' } },
    ]);
    expect(suggestFromNames([])).toEqual([]);
  });
});

describe('rule set 2: SNMP sysDescr', () => {
  const snmp = (tag: string, confidence: number, sysDescr: string, match = tag): TagSuggestion => ({
    tag,
    confidence,
    evidence: { signal: 'snmp', match, sys_descr: sysDescr },
  });

  it.each<[string, [string, number][]]>([
    ['Cisco IOS Software, C2960 Software, Catalyst Switch', [['switch', 90]]],
    ['UniFi Access Point U6-LR', [['access_point', 90]]],
    ['Wireless Router WR-841N', [['access_point', 90]]],
    ['Managed wireless SWITCH', [['access_point', 90]]],
    ['Layer 3 switch with routing', [['switch', 90]]],
    ['Juniper Networks, Inc. mx480 internet router', [['router', 88]]],
    ['RouterOS CCR2004', [['router', 88]]],
    ['Quagga routing daemon', [['router', 88]]],
    [
      'pfSense firewall.home 2.7.2-RELEASE FreeBSD router',
      [
        ['router', 88],
        ['firewall', 90],
      ],
    ],
    ['OPNsense 24.1', [['firewall', 90]]],
    ['FortiGate-60F v7.2', [['firewall', 90]]],
    ['Palo Alto Networks PA-220 series firewall', [['firewall', 90]]],
    ['PAN-OS 10.1', [['firewall', 90]]],
    ['VMware ESXi 8.0.2 build-22380479', [['vm_host', 88]]],
    ['VMware Workstation', []],
    ['Linux pve 6.8.4-2-pve Proxmox', [['vm_host', 88]]],
    ['Microsoft Hyper-V Server', [['vm_host', 88]]],
    ['Linux DiskStation 4.4.302+ Synology', [['nas', 86]]],
    ['QNAP TS-453D', [['nas', 86]]],
    ['TrueNAS-13.0', [['nas', 86]]],
    ['FreeNAS-11.3', [['nas', 86]]],
    ['HP ETHERNET MULTI-ENVIRONMENT, Printer', [['printer', 82]]],
    [
      'QNAP switch with firewall, proxmox, synology, printer',
      [
        ['switch', 90],
        ['firewall', 90],
        ['vm_host', 88],
        ['nas', 86],
        ['printer', 82],
      ],
    ],
    ['Linux host 5.15.0-91-generic x86_64', []],
    ['', []],
    ['   ', []],
  ])('%j', (sysDescr, expected) => {
    expect(suggestFromSysDescr(sysDescr)).toEqual(expected.map(([tag, confidence]) => snmp(tag, confidence, sysDescr)));
  });

  it('ignores null and undefined', () => {
    expect(suggestFromSysDescr(null)).toEqual([]);
    expect(suggestFromSysDescr(undefined)).toEqual([]);
  });

  it('uses the match labels of SPEC', () => {
    expect(suggestFromSysDescr('access point')[0]?.evidence.match).toBe('access_point');
    expect(suggestFromSysDescr('routing')[0]?.evidence.match).toBe('router');
  });

  it('keeps a sysDescr of exactly 240 characters and cuts a longer one to 240 ending in …', () => {
    const exact = `switch ${'x'.repeat(233)}`;
    expect(exact).toHaveLength(240);
    expect(suggestFromSysDescr(exact)[0]?.evidence.sys_descr).toBe(exact);

    const long = `Switch ${'y'.repeat(300)}`;
    const shown = suggestFromSysDescr(long)[0]?.evidence.sys_descr;
    expect(shown).toBe(`${long.slice(0, 239)}…`);
    expect(Array.from(String(shown))).toHaveLength(240);

    const oneOver = `switch ${'z'.repeat(234)}`;
    expect(oneOver).toHaveLength(241);
    expect(suggestFromSysDescr(oneOver)[0]?.evidence.sys_descr).toBe(`${oneOver.slice(0, 239)}…`);
  });

  it('truncates on characters (code points), never splitting a surrogate pair', () => {
    const emoji = '😀'.repeat(300);
    const cut = truncateForEvidence(emoji);
    expect(Array.from(cut)).toHaveLength(240);
    expect(cut).toBe(`${'😀'.repeat(239)}…`);
    expect(truncateForEvidence('😀'.repeat(240))).toBe('😀'.repeat(240));
    expect(truncateForEvidence('abcdef', 4)).toBe('abc…');
    expect(truncateForEvidence('abcd', 4)).toBe('abcd');
    expect(truncateForEvidence('', 4)).toBe('');
  });

  it('matches on the lower-cased text but keeps the original in evidence', () => {
    expect(suggestFromSysDescr('CATALYST SWITCH')).toEqual([snmp('switch', 90, 'CATALYST SWITCH')]);
  });
});

describe('rule set 3: open TCP ports', () => {
  const ports = (tag: string, confidence: number, list: number[]): TagSuggestion => ({
    tag,
    confidence,
    evidence: { signal: 'ports', ports: list },
  });

  it.each<[number[], TagSuggestion[]]>([
    [[9100], [ports('printer', 85, [9100])]],
    [[631, 22, 515, 9100], [ports('printer', 85, [515, 631, 9100])]],
    [[631], [ports('printer', 85, [631])]],
    [[554], [ports('camera', 82, [554])]],
    [[8554, 554, 80], [ports('camera', 82, [554, 8554])]],
    [[53], []],
    [[67, 68], []],
    [[53, 67], [ports('router', 80, [53, 67])]],
    [[68, 53], [ports('router', 80, [53, 68])]],
    [[68, 67, 53], [ports('router', 80, [53, 67, 68])]],
    [[2049], [ports('nas', 78, [2049])]],
    [[3260, 2049], [ports('nas', 78, [2049, 3260])]],
    [[22, 80, 443, 8080], []],
    [[], []],
    [
      [9100, 9100, 554, 53, 67, 2049],
      [
        ports('printer', 85, [9100]),
        ports('camera', 82, [554]),
        ports('router', 80, [53, 67]),
        ports('nas', 78, [2049]),
      ],
    ],
  ])('%j', (open, expected) => {
    expect(suggestFromOpenPorts(open)).toEqual(expected);
  });

  it('accepts any iterable', () => {
    expect(suggestFromOpenPorts(new Set([515]))).toEqual([ports('printer', 85, [515])]);
  });
});

describe('mergeSuggestions', () => {
  const s = (tag: string, confidence: number, evidence: Record<string, unknown> = {}): TagSuggestion => ({
    tag,
    confidence,
    evidence,
  });

  it('normalises tags and drops unknown tags and non-positive or non-finite confidence', () => {
    expect(
      mergeSuggestions([
        s('  Switch ', 70),
        s('SERVER', 10),
        s('toaster', 99),
        s('router', 0),
        s('nas', -5),
        s('camera', Number.NaN),
        s('iot', Number.POSITIVE_INFINITY),
        s('', 50),
      ]),
    ).toEqual([s('switch', 70), s('server', 10)]);
  });

  it('caps confidence at 100', () => {
    expect(mergeSuggestions([s('nas', 150)])).toEqual([s('nas', 100)]);
  });

  it('keeps the highest confidence per tag and merges evidence: higher confidence wins a key, then earlier input', () => {
    const merged = mergeSuggestions([
      s('router', 70, { signal: 'name', name: 'gw', match: 'router', from_low: 1 }),
      s('router', 88, { signal: 'snmp', match: 'router', sys_descr: 'x' }),
      s('Router', 80, { signal: 'ports', ports: [53, 67], from_mid: true, match: 'mid' }),
      s('router', 88, { signal: 'later-equal', late: true }),
    ]);
    expect(merged).toEqual([
      s('router', 88, {
        signal: 'snmp',
        match: 'router',
        sys_descr: 'x',
        name: 'gw',
        from_low: 1,
        ports: [53, 67],
        from_mid: true,
        late: true,
      }),
    ]);
  });

  it('sorts by confidence DESC then tag ASC', () => {
    expect(
      mergeSuggestions([s('switch', 70), s('camera', 82), s('access_point', 70), s('printer', 85), s('nas', 82)]).map(
        (x) => [x.tag, x.confidence],
      ),
    ).toEqual([
      ['printer', 85],
      ['camera', 82],
      ['nas', 82],
      ['access_point', 70],
      ['switch', 70],
    ]);
  });

  it('does not mutate its inputs and returns fresh evidence objects', () => {
    const low = s('nas', 70, { a: 1 });
    const high = s('nas', 90, { b: 2 });
    const input = [low, high];
    const [out] = mergeSuggestions(input);
    expect(out?.evidence).toEqual({ a: 1, b: 2 });
    expect(low.evidence).toEqual({ a: 1 });
    expect(high.evidence).toEqual({ b: 2 });
    expect(out?.evidence).not.toBe(high.evidence);
    expect(input).toEqual([low, high]);
  });

  it('returns [] for nothing', () => {
    expect(mergeSuggestions([])).toEqual([]);
  });
});

describe('mergeStoredTag', () => {
  it('keeps the max confidence and lets new evidence keys win', () => {
    expect(
      mergeStoredTag(
        { confidence: 90, evidence: { signal: 'snmp', sys_descr: 'old', match: 'switch' } },
        { tag: 'switch', confidence: 70, evidence: { signal: 'name', name: 'sw-1', match: 'switch' } },
      ),
    ).toEqual({
      tag: 'switch',
      confidence: 90,
      evidence: { signal: 'name', sys_descr: 'old', match: 'switch', name: 'sw-1' },
    });
    expect(
      mergeStoredTag({ confidence: 70, evidence: { a: 1 } }, { tag: 'nas', confidence: 86, evidence: { b: 2 } }),
    ).toEqual({ tag: 'nas', confidence: 86, evidence: { a: 1, b: 2 } });
  });

  it('treats null stored evidence as empty and a missing row as the suggestion itself', () => {
    const next = { tag: 'nas', confidence: 78, evidence: { signal: 'ports', ports: [2049] } };
    expect(mergeStoredTag({ confidence: 50, evidence: null }, next)).toEqual(next);
    const copy = mergeStoredTag(null, next);
    expect(copy).toEqual(next);
    expect(copy.evidence).not.toBe(next.evidence);
    expect(mergeStoredTag(undefined, next)).toEqual(next);
  });
});

describe('suggestTags (one device)', () => {
  it('runs all rule sets and merges them', () => {
    expect(
      suggestTags({
        names: ['hp-officejet.local', 'BRN001'],
        sysDescr: 'HP OfficeJet Pro printer',
        openTcpPorts: [80, 631, 9100],
      }),
    ).toEqual([
      {
        tag: 'printer',
        confidence: 85,
        // ports (85) beats snmp (82) beats name (70) on shared keys.
        evidence: {
          signal: 'ports',
          ports: [631, 9100],
          match: 'printer',
          sys_descr: 'HP OfficeJet Pro printer',
          name: 'hp-officejet.local',
        },
      },
    ]);
  });

  it('copes with no signals at all', () => {
    expect(suggestTags({})).toEqual([]);
    expect(suggestTags({ names: [], sysDescr: null, openTcpPorts: [] })).toEqual([]);
  });
});
