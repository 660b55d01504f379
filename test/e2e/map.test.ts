// The map explorer end to end (issue 8 item 4): the real `roller start` on a fresh PostgreSQL database
// seeded the way discovery writes it (devices, IPs with their real prefixes, interfaces with PVIDs,
// LLDP/CDP links, services), driven by Chromium: every layer, focus by search, cross-layer navigation,
// truncation, deep-link reload, build-mode edits (a manual link, zones, members, a policy), dragged
// positions saved and restored, and the SVG, PNG and draw.io exports checked as files. Screenshots
// land in test-results/e2e/map-*.png. Discovery itself into the map is covered by the lab e2e.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { type Kysely, sql } from 'kysely';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDeviceSummaries } from '../../src/storage/device-summary.ts';
import type { Schema } from '../../src/storage/schema.ts';
import { POSTGRES, type TestDatabase } from '../support/backends.ts';
import { nameUuid } from '../support/name-uuid.ts';
import { IN_CI } from '../support/test-env.ts';
import {
  ADMIN,
  closeBrowser,
  describeInBrowser,
  type E2eStack,
  newPage,
  screenshot,
  signIn,
  startStack,
  VIEWER,
} from './e2e-stack.ts';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

const uuid = nameUuid;
const ID = {
  core: uuid('core-sw'),
  dist: uuid('dist-sw'),
  web1: uuid('web-1'),
  web2: uuid('web-2'),
  db: uuid('db-1'),
  laptop: uuid('laptop'),
};
const CROWD = 125;

async function seed(db: Kysely<Schema>): Promise<void> {
  const device = (id: string, name: string) =>
    sql`INSERT INTO devices (id, display_name) VALUES (${id}::uuid, ${name})`.execute(db);
  const ip = (owner: string, address: string, prefix: number) =>
    sql`INSERT INTO ip_addresses (device_id, ip, prefix_length, source) VALUES (${owner}::uuid, ${address}::inet, ${prefix}, 'snmp')`.execute(
      db,
    );
  const pvid = async (owner: string, name: string, vlan: number) => {
    const { rows } = await sql<{ id: string }>`
      INSERT INTO interfaces (device_id, name) VALUES (${owner}::uuid, ${name}) RETURNING id`.execute(db);
    await sql`INSERT INTO interface_vlans (interface_id, vlan_id, role, source)
              VALUES (${rows[0]?.id}::uuid, ${vlan}, 'pvid', 'snmp')`.execute(db);
  };
  const link = (a: string, b: string, key: string, protocol: string) =>
    sql`INSERT INTO links (link_key, a_device_id, b_device_id, source, protocols, link_type)
        VALUES (${key}, ${a}::uuid, ${b}::uuid, ${protocol}, ARRAY[${protocol}]::text[], 'ethernet')`.execute(db);
  const service = (owner: string, port: number, name: string) =>
    sql`INSERT INTO services (device_id, protocol, port, name, state, source, observed_at)
        VALUES (${owner}::uuid, 'tcp', ${port}, ${name}, 'open', 'nmap', now())`.execute(db);

  for (const [key, name] of Object.entries({
    core: 'core-sw',
    dist: 'dist-sw',
    web1: 'web-1',
    web2: 'web-2',
    db: 'db-1',
    laptop: 'laptop-ana',
  })) {
    await device(ID[key as keyof typeof ID], name);
  }
  await ip(ID.core, '10.10.0.1', 24);
  await ip(ID.core, '10.10.1.1', 26);
  await ip(ID.dist, '10.10.0.2', 24);
  await ip(ID.web1, '10.10.1.10', 26);
  await ip(ID.web2, '10.10.1.11', 26);
  await ip(ID.db, '10.20.0.5', 24);
  await ip(ID.laptop, '10.10.0.50', 24);
  await pvid(ID.core, 'ge-0/0/1', 10);
  await pvid(ID.web1, 'eth0', 10);
  await pvid(ID.web2, 'eth0', 10);
  await pvid(ID.db, 'eth0', 20);
  await link(ID.core, ID.dist, 'lldp:core-dist', 'lldp');
  await link(ID.core, ID.web1, 'lldp:core-web1', 'lldp');
  await link(ID.dist, ID.db, 'cdp:dist-db', 'cdp');
  await service(ID.web1, 22, 'ssh');
  await service(ID.web1, 80, 'http');
  await service(ID.web1, 443, 'https');
  await service(ID.db, 5432, 'postgresql');
  // A crowded subnet: more devices than the node cap.
  await sql`
    WITH crowd AS (
      INSERT INTO devices (display_name) SELECT 'crowd-' || lpad(g::text, 3, '0') FROM generate_series(1, ${CROWD}) g
      RETURNING id, display_name)
    INSERT INTO ip_addresses (device_id, ip, prefix_length, source)
    SELECT id, ('10.30.0.0'::inet + substr(display_name, 7)::int), 24, 'arp' FROM crowd`.execute(db);
  // What every repository does after writing facts: primary IP, search text and the other derived columns.
  const { rows } = await sql<{ id: string }>`SELECT id::text AS id FROM devices`.execute(db);
  await refreshDeviceSummaries(
    db,
    rows.map((row) => row.id),
  );
}

interface CanvasElement {
  cy: {
    getElementById(id: string): { position(): { x: number; y: number }; renderedPosition(): { x: number; y: number } };
    elements(): {
      filter(test: (item: { visible(): boolean }) => boolean): { map<T>(f: (item: { id(): string }) => T): T[] };
    };
  };
}

/** Focus by search: type, then choose the result (the outline has buttons of the same names). */
async function findFocus(page: Page, text: string, result: string | RegExp): Promise<void> {
  await page.getByLabel('Find a focus').fill(text);
  await page.getByRole('list', { name: 'Search results' }).getByRole('button', { name: result }).click();
}

/** A real mouse drag of a canvas node (its drawn position read from the Cytoscape instance on the canvas). */
async function dragNode(page: Page, key: string, dx: number, dy: number): Promise<void> {
  const canvas = page.locator('[data-map-canvas]');
  const box = await canvas.boundingBox();
  const at = await canvas.evaluate(
    (element, id) => (element as unknown as CanvasElement).cy.getElementById(id).renderedPosition(),
    key,
  );
  const x = (box?.x ?? 0) + at.x;
  const y = (box?.y ?? 0) + at.y;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 8 });
  await page.mouse.up();
}

const canvasReady = (page: Page) => page.locator('[data-map-canvas][data-layout="ready"]').waitFor();
const outline = (page: Page) => page.locator('details.map-outline');
const elementButton = (page: Page, key: string) => page.locator(`[data-map-element="${key}"]`);

async function savedDownload(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

if (POSTGRES.unavailable && IN_CI) {
  describe('web app: map explorer', () => {
    it('can run (CI=true requires PostgreSQL)', () => {
      throw new Error(`map e2e needs PostgreSQL: ${POSTGRES.unavailable}`);
    });
  });
} else {
  describeInBrowser(`web app: map explorer${POSTGRES.unavailable ? ' (skipped: no PostgreSQL)' : ''}`, () => {
    let stack: E2eStack;
    let database: TestDatabase;

    beforeAll(async () => {
      if (POSTGRES.unavailable) return;
      database = await POSTGRES.fresh();
      await seed(database.database.db);
      stack = await startStack({ DATABASE_URL: database.url as string });
    }, 120_000);

    afterAll(async () => {
      await closeBrowser();
      await stack?.stop();
      await database?.dispose();
    });

    it.skipIf(POSTGRES.unavailable !== undefined)(
      'walks every layer from a search, keeps the focus across layers and shows truncation',
      async () => {
        const { context, page } = await newPage();
        await signIn(page, stack, ADMIN);
        await page.goto(`${stack.uiUrl}/map`);
        await page.waitForURL(/layer=l3/);
        await page.getByText('Nothing to draw yet').waitFor();
        await page.getByRole('link', { name: 'Map' }).first().waitFor();
        await screenshot(page, 'map-empty');

        // Focus by search: a device by name.
        await findFocus(page, 'core-sw', /^core-sw/);
        await page.waitForURL(new RegExp(`focusType=device&focusId=${ID.core}`));
        await canvasReady(page);
        await elementButton(page, 'region:10.10.0.0/24').waitFor();
        await elementButton(page, 'region:10.10.1.0/26').waitFor();
        await eventually(() => page.locator('[data-map-focus]').textContent()).toBe('Device core-sw');
        await screenshot(page, 'map-l3-device');
        // Every element is drawn (a node Cytoscape cannot size would be invisible, and its edges with it).
        const hidden = await page.locator('[data-map-canvas]').evaluate((element) =>
          (element as unknown as CanvasElement).cy
            .elements()
            .filter((item) => !item.visible())
            .map((item) => item.id()),
        );
        expect(hidden).toEqual([]);

        // Physical keeps the device focus: its LLDP neighbours, one link per cable.
        await page.getByRole('link', { name: /^Physical/ }).click();
        await page.waitForURL(/layer=physical/);
        await canvasReady(page);
        await eventually(() => elementButton(page, `node:${ID.dist}`).textContent()).toBe('dist-sw');
        await eventually(() => elementButton(page, `node:${ID.web1}`).textContent()).toBe('web-1');
        await eventually(() => outline(page).locator('[data-map-element^="edge:"]').count()).toBe(2);
        await screenshot(page, 'map-physical');

        // L2: the VLAN of the focus, drill in from the inspector of a selected region.
        await page.getByRole('link', { name: /^L2/ }).click();
        await canvasReady(page);
        await elementButton(page, 'region:10').click();
        await eventually(() => page.locator('.map-selection').textContent()).toContain('VLAN 10');
        await page.locator('.map-selection').getByRole('link', { name: 'Open' }).click();
        await page.waitForURL(/layer=l2&focusType=vlan&focusId=10/);
        await canvasReady(page);
        await eventually(() => outline(page).locator('[data-map-element^="node:"]').count()).toBe(3);
        await screenshot(page, 'map-l2-vlan');

        // Services of another device, found by search: its ports as nodes in the host region.
        await findFocus(page, 'web-1', /^web-1/);
        await page.waitForURL(new RegExp(`layer=l2&focusType=device&focusId=${ID.web1}`));
        await page.getByRole('link', { name: /^Services/ }).click();
        await canvasReady(page);
        await eventually(() => outline(page).textContent()).toContain('tcp/443 https');
        await eventually(() => outline(page).textContent()).toContain('tcp/22 ssh');
        await screenshot(page, 'map-services');

        // Cross-layer navigation from the inspector keeps the focus where the layer takes it.
        await page.locator('.map-inspector').getByRole('link', { name: 'View in L3' }).click();
        await page.waitForURL(new RegExp(`layer=l3&focusType=device&focusId=${ID.web1}`));
        await canvasReady(page);

        // A subnet typed as a literal: the crowded one is capped and says so.
        await findFocus(page, '10.30.0.0/24', 'Subnet 10.30.0.0/24');
        await page.waitForURL(/focusType=subnet/);
        await canvasReady(page);
        await page.getByRole('alert').filter({ hasText: 'Node cap hit' }).waitFor();
        await eventually(() => outline(page).locator('[data-map-element^="node:"]').count()).toBe(120);
        await screenshot(page, 'map-l3-truncated');

        // Security without zones: guidance; switching to it from a subnet drops the focus.
        const securityLink = page.getByRole('link', { name: /^Security/ });
        expect(await securityLink.getAttribute('title')).toMatch(/focus will be dropped/);
        await securityLink.click();
        await page.waitForURL((url) => url.search === '?layer=security');
        await eventually(() => page.locator('[data-map-focus]').textContent()).toBe('No focus selected');

        // A deep link reloads to the same view.
        await page.goto(`${stack.uiUrl}/map?layer=physical&focusType=device&focusId=${ID.dist}`);
        await canvasReady(page);
        await page.reload();
        await canvasReady(page);
        await eventually(() => page.locator('[data-map-focus]').textContent()).toBe('Device dist-sw');
        await eventually(() => elementButton(page, `node:${ID.db}`).textContent()).toBe('db-1');
        await context.close();
      },
      180_000,
    );

    it.skipIf(POSTGRES.unavailable !== undefined)(
      'build mode: a manual link, zones with members and a policy, all drawn and stored in core',
      async () => {
        const { context, page } = await newPage();
        await signIn(page, stack, ADMIN);
        await page.goto(`${stack.uiUrl}/map?layer=physical&focusType=device&focusId=${ID.web2}`);
        await canvasReady(page);
        await page.getByRole('link', { name: 'Build mode' }).click();
        await page.waitForURL(/mode=build/);

        // A manual link web-2 ↔ core-sw with a label.
        const linkForm = page.getByRole('form', { name: 'Add a manual link' });
        await linkForm.getByLabel('Peer device').fill('core-sw');
        await linkForm.getByRole('button', { name: /^core-sw/ }).click();
        await linkForm.getByLabel('Link label').fill('patch B-12');
        await linkForm.getByRole('button', { name: 'Add link' }).click();
        await eventually(() => outline(page).locator('[data-map-element^="edge:"]').count()).toBe(1);
        const links = await stack.core<{
          links: { label?: string; a: { device_id: string }; b: { device_id: string } }[];
        }>('GET', '/api/v1/manual-links');
        expect(links.body.links).toHaveLength(1);
        expect(links.body.links[0]?.label).toBe('patch B-12');
        await screenshot(page, 'map-build-link');

        // Zones: Office LAN with the laptop, DMZ with web-1, a policy LAN → DMZ tcp/443.
        await page.getByRole('link', { name: /^Security/ }).click();
        await canvasReady(page);
        const newZone = page.getByRole('form', { name: 'New zone' });
        await newZone.getByLabel('Zone name').fill('Office LAN');
        await newZone.getByRole('button', { name: 'Create zone' }).click();
        await page.waitForURL(/focusType=zone&focusId=office-lan/);
        const members = page.getByRole('form', { name: 'Add a device to this zone' });
        await members.getByLabel('Device').fill('laptop');
        await members.getByRole('button', { name: /^laptop-ana/ }).click();
        await members.getByRole('button', { name: 'Add to zone' }).click();
        await elementButton(page, `node:${ID.laptop}`).waitFor();

        await page.getByRole('form', { name: 'New zone' }).getByLabel('Zone name').fill('DMZ');
        await page.getByRole('form', { name: 'New zone' }).getByRole('button', { name: 'Create zone' }).click();
        await page.waitForURL(/focusId=dmz/);
        await page.getByRole('form', { name: 'Add a device to this zone' }).getByLabel('Device').fill('web-1');
        await page
          .getByRole('form', { name: 'Add a device to this zone' })
          .getByRole('button', { name: /^web-1/ })
          .click();
        await page
          .getByRole('form', { name: 'Add a device to this zone' })
          .getByRole('button', { name: 'Add to zone' })
          .click();
        await elementButton(page, `node:${ID.web1}`).waitFor();

        const policy = page.getByRole('form', { name: 'Add a policy' });
        await policy.getByLabel('Direction').selectOption('to');
        await policy.getByLabel('Other zone').selectOption('office-lan');
        await policy.getByLabel('Protocol').selectOption('tcp');
        await policy.getByLabel('Ports').fill('443');
        await policy.getByRole('button', { name: 'Add policy' }).click();
        await outline(page).getByRole('button', { name: 'Office LAN → DMZ (allow tcp/443)' }).waitFor();
        await elementButton(page, 'region:office-lan').waitFor();
        const policies = await stack.core<{ policies: { from_zone_id: string; to_zone_id: string; ports: string }[] }>(
          'GET',
          '/api/v1/zone-policies',
        );
        expect(policies.body.policies).toMatchObject([{ from_zone_id: 'office-lan', to_zone_id: 'dmz', ports: '443' }]);
        await canvasReady(page);
        await screenshot(page, 'map-security-zones');

        // Remove a member again through the selection.
        await elementButton(page, `node:${ID.web1}`).click();
        await page.getByRole('button', { name: 'Remove from this zone' }).click();
        await eventually(() => elementButton(page, `node:${ID.web1}`).count()).toBe(0);
        const dmzMembers = await stack.core<{ devices: unknown[] }>('GET', '/api/v1/zones/dmz/devices');
        expect(dmzMembers.body.devices).toEqual([]);
        await context.close();
      },
      180_000,
    );

    it.skipIf(POSTGRES.unavailable !== undefined)(
      'saves dragged positions per layer and focus, restores them on reload, and exports SVG, PNG and draw.io',
      async () => {
        const { context, page } = await newPage();
        await signIn(page, stack, ADMIN);
        const url = `${stack.uiUrl}/map?layer=physical&focusType=device&focusId=${ID.core}`;
        await page.goto(url);
        await canvasReady(page);
        const key = `n:${ID.dist}`;
        await dragNode(page, key, 60, 40);
        await page.getByText('Positions saved for everyone.').waitFor();
        const layout = await stack.core<{ positions: Record<string, { x: number; y: number }>; updated_by: string }>(
          'GET',
          `/api/v1/map/physical/layout?focusType=device&focusId=${ID.core}`,
        );
        expect(layout.body.updated_by).toBe(ADMIN.username);
        const saved = layout.body.positions[key];
        expect(saved).toBeDefined();

        await page.reload();
        await canvasReady(page);
        const restored = await page
          .locator('[data-map-canvas]')
          .evaluate((element, id) => (element as unknown as CanvasElement).cy.getElementById(id).position(), key);
        expect(restored.x).toBeCloseTo(saved?.x ?? Number.NaN, 0);
        expect(restored.y).toBeCloseTo(saved?.y ?? Number.NaN, 0);
        // Another focus of the same layer has its own (no) layout.
        const other = await stack.core<{ positions: object }>(
          'GET',
          `/api/v1/map/physical/layout?focusType=device&focusId=${ID.dist}`,
        );
        expect(other.body.positions).toEqual({});

        const svg = await savedDownload(
          (
            await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()])
          )[0],
        );
        const svgText = svg.toString('utf8');
        expect(svgText).toMatch(/<svg[\s>]/);
        expect(svgText).toContain('dist-sw');
        const png = await savedDownload(
          (
            await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()])
          )[0],
        );
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(png.readUInt32BE(16)).toBeGreaterThan(100);
        const [drawioDownload] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Export draw.io' }).click(),
        ]);
        expect(drawioDownload.suggestedFilename()).toBe(`roller-map-physical-device-${ID.core}.drawio`);
        const drawio = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
          (await savedDownload(drawioDownload)).toString('utf8'),
        );
        const cells = drawio.mxfile.diagram.mxGraphModel.root.mxCell as { id: string; value?: string; edge?: string }[];
        expect(cells.map((cell) => cell.value)).toEqual(
          expect.arrayContaining(['core-sw', 'dist-sw', 'web-1', 'web-2']),
        );
        expect(cells.filter((cell) => cell.edge === '1').length).toBe(3);
        await context.close();
      },
      180_000,
    );

    it.skipIf(POSTGRES.unavailable !== undefined)(
      'read-only: no build mode, positions kept only in the page',
      async () => {
        const { context, page } = await newPage();
        await signIn(page, stack, VIEWER);
        await page.goto(`${stack.uiUrl}/map?layer=l3&focusType=device&focusId=${ID.core}&mode=build`);
        await canvasReady(page);
        await eventually(() => page.getByRole('link', { name: 'Build mode' }).count()).toBe(0);
        await eventually(() => page.getByRole('heading', { name: 'Build mode' }).count()).toBe(0);
        await dragNode(page, `n:${ID.web1}`, 40, 30);
        await page.getByText('Positions are kept until you leave: only admins save them.').waitFor();
        const layout = await stack.core<{ positions: object }>(
          'GET',
          `/api/v1/map/l3/layout?focusType=device&focusId=${ID.core}`,
        );
        expect(layout.body.positions).toEqual({});
        await screenshot(page, 'map-read-only');
        await context.close();
      },
      120_000,
    );
  });
}
