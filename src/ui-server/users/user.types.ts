/** The two roles of Roller (issue 6): admin may change things, read-only may read and export. */
export const ROLES = ['admin', 'read-only'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A user as the UI server holds it in memory: the password only ever as a hash. */
export interface StoredUser {
  readonly username: string;
  readonly role: Role;
  readonly passwordHash: string;
  /**
   * What a session is bound to besides username and role: the stored hash for file users, the
   * password text for environment users (hashed with a fresh salt at every start, so the hash
   * would end their sessions at each restart). Never leaves the process; sessions carry an HMAC of it.
   */
  readonly credentialMaterial: string;
}

/** The public face of a user (listings, the session endpoint). */
export interface UserSummary {
  readonly username: string;
  readonly role: Role;
}

/** A usable username: trimmed, 1-64 characters, printable, no ":" or "," (AUTH_USERS separators). */
export function usernameProblem(username: string): string | undefined {
  if (username === '') return 'username is empty';
  if (username.length > 64) return 'username is longer than 64 characters';
  if (username !== username.trim()) return 'username has leading or trailing spaces';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f:,]/.test(username)) return 'username contains a control character, ":" or ","';
  return undefined;
}

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}
