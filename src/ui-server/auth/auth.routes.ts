import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RollerError } from '../../shared/errors.ts';
import type { AccountAction } from '../audit/audit-events.ts';
import {
  assertAdmin,
  assertCsrf,
  assertSameOrigin,
  type CookiePolicy,
  clearSessionCookie,
  requireSession,
  SESSION_COOKIE,
  setSessionCookie,
} from '../http/request-guards.ts';
import { jsonObject, optionalString } from '../http/ui-errors.ts';
import type { Session, SessionManager } from '../session/session-manager.ts';
import { isRole, passwordProblem, type StoredUser } from '../users/user.types.ts';
import type { UserStore } from '../users/user-store.ts';
import type { LoginThrottle } from './login-throttle.ts';

export interface AuthRoutesOptions {
  store: UserStore;
  sessions: SessionManager;
  throttle: LoginThrottle;
  cookies: CookiePolicy;
  audit: (
    request: FastifyRequest,
    action: AccountAction,
    actor: Actor,
    details?: Record<string, unknown>,
  ) => Promise<void>;
}

interface Actor {
  username: string;
  role: StoredUser['role'] | undefined;
}

/** What the web app needs to know about the signed-in user, CSRF token included. */
function sessionBody(session: Session, store: UserStore) {
  return {
    username: session.user.username,
    role: session.user.role,
    csrf_token: session.csrfToken,
    expires_at: new Date(session.claims.exp * 1000).toISOString(),
    can_manage_own_password: store.writable,
  };
}

/**
 * Sign-in and account routes (SPEC §9.5 hardened by issue 6): throttled login with the same answer
 * for unknown users and wrong passwords, server-side logout, password change that ends the other
 * sessions, admin user management; every step audited.
 */
export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions): Promise<void> {
  const { store, sessions, throttle, cookies, audit } = options;

  app.post('/api/auth/login', async (request, reply) => {
    assertSameOrigin(request);
    const body = jsonObject(request.body);
    const username = (optionalString(body, 'username') ?? '').trim();
    const password = optionalString(body, 'password') ?? '';
    if (username === '' || password === '') {
      throw new RollerError('validation_failed', 'username and password are both required');
    }
    const address = request.ip;
    const decision = throttle.check(username, address);
    if (!decision.allowed) {
      const seconds = Math.ceil(decision.retryAfterMs / 1000);
      request.log.warn({ username, address, retry_after_s: seconds, locked: decision.locked }, 'login throttled');
      reply.header('retry-after', String(seconds));
      throw new RollerError('rate_limited', `too many failed logins; try again in ${seconds} s`, {
        retry_after_seconds: seconds,
      });
    }
    const user = await store.authenticate(username, password);
    if (!user) {
      const { lockedOut } = throttle.recordFailure(username, address);
      request.log.warn({ username, address }, 'login failed');
      await audit(request, 'auth.login.failed', { username, role: undefined }, { address });
      if (lockedOut) await audit(request, 'auth.lockout', { username, role: undefined }, { address });
      throw new RollerError('unauthorized', 'invalid username or password');
    }
    throttle.recordSuccess(username);
    const { token, session } = sessions.issue(user);
    setSessionCookie(reply, request, cookies, token, session.claims.exp);
    request.session = session;
    await audit(request, 'auth.login.succeeded', user, { address });
    return { ok: true, ...sessionBody(session, store) };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const check = await sessions.check(request.cookies[SESSION_COOKIE]);
    if (check.ok) {
      // A forged cross-site logout is harmless but still refused: every cookie mutation needs the token.
      assertCsrf(sessions, request, check.session);
      sessions.revoke(check.session.claims);
      request.session = check.session;
      await audit(request, 'auth.logout', check.session.user);
    }
    clearSessionCookie(reply, request, cookies);
    return { ok: true };
  });

  app.get('/api/auth/session', async (request, reply) => {
    const session = await requireSession(sessions, request);
    reply.header('cache-control', 'no-store');
    return sessionBody(session, store);
  });

  app.post('/api/auth/change-password', async (request, reply) => {
    const session = await requireSession(sessions, request);
    assertCsrf(sessions, request, session);
    const body = jsonObject(request.body);
    const current = optionalString(body, 'current_password') ?? '';
    const next = optionalString(body, 'new_password') ?? '';
    if (current === '' || next === '') {
      throw new RollerError('validation_failed', 'current_password and new_password are both required');
    }
    const problem = passwordProblem(next);
    if (problem) throw new RollerError('validation_failed', problem, { field: 'new_password' });
    if (!store.writable) {
      throw new RollerError('not_supported', 'password changes need a users file (AUTH_USERS_FILE)');
    }
    const username = session.user.username;
    const decision = throttle.check(username, request.ip);
    if (!decision.allowed) {
      reply.header('retry-after', String(Math.ceil(decision.retryAfterMs / 1000)));
      throw new RollerError('rate_limited', 'too many failed attempts; try again later');
    }
    if (!(await store.authenticate(username, current))) {
      throttle.recordFailure(username, request.ip);
      throw new RollerError('unauthorized', 'current password incorrect');
    }
    await store.setPassword(username, next);
    const user = store.find(username);
    if (!user) throw new RollerError('internal_error', 'user vanished while changing the password');
    // Every other session of this user ended with the old password; this one continues on a fresh cookie.
    const { token, session: fresh } = sessions.issue(user);
    setSessionCookie(reply, request, cookies, token, fresh.claims.exp);
    await audit(request, 'auth.password.changed', user);
    return { ok: true, ...sessionBody(fresh, store) };
  });

  // --- administration (admin role, users file) ---

  const adminSession = async (request: FastifyRequest): Promise<Session> => {
    const session = await requireSession(sessions, request);
    assertAdmin(session);
    return session;
  };

  app.get('/api/auth/users', async (request, reply) => {
    await adminSession(request);
    reply.header('cache-control', 'no-store');
    return { users: store.list(), writable: store.writable };
  });

  /** SPEC §9.5 compatibility: create the user, or replace its password (and role when given). */
  app.post('/api/auth/admin/reset-password', async (request) => {
    const session = await adminSession(request);
    assertCsrf(sessions, request, session);
    const body = jsonObject(request.body);
    const username = (optionalString(body, 'username') ?? '').trim();
    const password = optionalString(body, 'new_password') ?? '';
    if (username === '' || password === '') {
      throw new RollerError('validation_failed', 'username and new_password are both required');
    }
    await upsertUser(request, session, username, password, roleField(body));
    return { ok: true };
  });

  app.post('/api/auth/users', async (request, reply) => {
    const session = await adminSession(request);
    assertCsrf(sessions, request, session);
    const body = jsonObject(request.body);
    const username = (optionalString(body, 'username') ?? '').trim();
    const password = optionalString(body, 'password') ?? '';
    if (username === '' || password === '') {
      throw new RollerError('validation_failed', 'username and password are both required');
    }
    if (store.find(username)) throw new RollerError('conflict', 'user already exists', { username });
    await upsertUser(request, session, username, password, roleField(body) ?? 'read-only');
    return reply.status(201).send({ ok: true, username, role: store.find(username)?.role });
  });

  app.patch<{ Params: { username: string } }>('/api/auth/users/:username', async (request) => {
    const session = await adminSession(request);
    assertCsrf(sessions, request, session);
    const body = jsonObject(request.body);
    const username = request.params.username;
    const role = roleField(body);
    const password = optionalString(body, 'password');
    if (role === undefined && password === undefined) {
      throw new RollerError('validation_failed', 'give a role, a password or both');
    }
    if (!store.find(username)) throw new RollerError('not_found', 'user not found', { username });
    if (password !== undefined) await upsertUser(request, session, username, password, role);
    else if (role !== undefined) {
      const before = store.find(username)?.role;
      await writable(() => store.setRole(username, role));
      if (before !== role)
        await audit(request, 'user.role.changed', session.user, { username, from: before, to: role });
    }
    return { ok: true, username, role: store.find(username)?.role };
  });

  app.delete<{ Params: { username: string } }>('/api/auth/users/:username', async (request) => {
    const session = await adminSession(request);
    assertCsrf(sessions, request, session);
    const username = request.params.username;
    await writable(() => store.remove(username));
    await audit(request, 'user.removed', session.user, { username });
    return { ok: true };
  });

  function roleField(body: Record<string, unknown>) {
    const role = optionalString(body, 'role')?.trim();
    if (role === undefined || role === '') return undefined;
    if (!isRole(role)) throw new RollerError('validation_failed', 'role must be admin or read-only', { role });
    return role;
  }

  async function writable<T>(change: () => Promise<T>): Promise<T> {
    if (!store.writable) throw new RollerError('not_supported', 'user management needs a users file (AUTH_USERS_FILE)');
    return change();
  }

  async function upsertUser(
    request: FastifyRequest,
    session: Session,
    username: string,
    password: string,
    role: StoredUser['role'] | undefined,
  ): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new RollerError('validation_failed', problem, { field: 'password' });
    const before = store.find(username)?.role;
    const { created } = await writable(() => store.upsert(username, { password, ...(role ? { role } : {}) }));
    const after = store.find(username)?.role;
    if (created) await audit(request, 'user.created', session.user, { username, role: after });
    else {
      await audit(request, 'auth.password.reset', session.user, { username });
      if (before !== after)
        await audit(request, 'user.role.changed', session.user, { username, from: before, to: after });
    }
  }
}
