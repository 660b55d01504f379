/**
 * Security: zones as regions and policies as edges once zones exist (build mode, issue 8 item 2).
 * Until then: the focus and its inspector, plus guidance on defining zones. Kept on its own so the
 * zone data can be plugged in here without touching the other layers.
 */
import type { ResolvedFocus } from './inspector.ts';
import type { Caps, MapProjection } from './model.ts';
import { scaffoldProjection } from './scaffold.ts';

export const SECURITY_GUIDANCE =
  'No security zones are defined yet. Zones and their policies are curated by hand: define them with the build-mode APIs, then focus a zone or a device here.';

export function securityProjection(focus: ResolvedFocus, caps: Caps): MapProjection {
  return scaffoldProjection('security', focus, caps, { guidance: SECURITY_GUIDANCE });
}
