import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { RollerError } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { hashPassword } from '../ui-server/users/password-hash.ts';
import { isRole, passwordProblem, ROLES, type Role, usernameProblem } from '../ui-server/users/user.types.ts';
import { resolveUserSource, UserStore } from '../ui-server/users/user-store.ts';

type LoadConfig = () => Config;

/** More than any acceptable password (1024 characters): stdin beyond this is refused, not buffered. */
const MAX_STDIN_BYTES = 64 * 1024;

interface PasswordOptions {
  passwordStdin?: boolean;
  generate?: boolean;
}

function parseRole(text: string): Role {
  if (!isRole(text)) throw new Error(`role must be one of ${ROLES.join(', ')}, got "${text}"`);
  return text;
}

function checkUsername(username: string): void {
  const problem = usernameProblem(username);
  if (problem) throw new Error(`invalid username: ${problem}`);
}

/** The first line of stdin (up to the first newline or the end), without its line ending. */
async function readPasswordFromStdin(): Promise<string> {
  const stdin = process.stdin;
  const chunks: Buffer[] = [];
  let size = 0;
  const text = await new Promise<string>((resolveText, reject) => {
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.off('end', finish);
      stdin.off('error', onError);
      stdin.pause();
      resolveText(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => reject(new Error(`cannot read the password from stdin: ${error.message}`));
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (chunk.includes(0x0a)) finish();
      else if (size > MAX_STDIN_BYTES) {
        stdin.pause();
        reject(new Error('stdin holds no line ending within 64 KiB: not a password'));
      }
    };
    stdin.on('data', onData);
    stdin.once('end', finish);
    stdin.once('error', onError);
    stdin.resume();
  });
  // Reading stopped at the first line; do not let the rest of a pipe keep the process alive.
  stdin.destroy();
  const [line = ''] = text.split('\n');
  const password = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (password === '') throw new Error('no password on stdin (pipe one in, or use --generate)');
  return password;
}

/** Asks for a password on the terminal twice, without echo; the prompts go to stderr. */
async function promptPassword(what: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer | string, encoding, callback) {
      if (!muted) process.stderr.write(chunk, encoding);
      callback();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal: true });
  const ask = (prompt: string): Promise<string> =>
    new Promise<string>((resolveAnswer, reject) => {
      const onClose = (): void => reject(new Error('no password entered'));
      lines.once('close', onClose);
      lines.question(prompt, (answer) => {
        lines.off('close', onClose);
        muted = false;
        process.stderr.write('\n');
        resolveAnswer(answer);
      });
      muted = true;
    });
  lines.on('SIGINT', () => {
    muted = false;
    process.stderr.write('\n');
    lines.close();
  });
  try {
    const first = await ask(`${what}: `);
    const problem = passwordProblem(first);
    if (problem) throw new Error(problem);
    const second = await ask(`${what} (again): `);
    if (first !== second) throw new Error('the two passwords differ');
    return first;
  } finally {
    muted = false;
    lines.close();
  }
}

/**
 * The password a command works with: generated, read from stdin (--password-stdin, or whenever
 * stdin is not a terminal), or asked for twice on the terminal. Checked against the password rules.
 */
async function obtainPassword(
  options: PasswordOptions,
  what: string,
): Promise<{ password: string; generated: boolean }> {
  if (options.generate && options.passwordStdin)
    throw new Error('give either --password-stdin or --generate, not both');
  if (options.generate) return { password: randomBytes(15).toString('base64url'), generated: true };
  const password =
    options.passwordStdin || !process.stdin.isTTY ? await readPasswordFromStdin() : await promptPassword(what);
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  return { password, generated: false };
}

/** The users file the UI server uses, opened without creating a first admin. */
async function openStore(loadConfig: LoadConfig): Promise<UserStore> {
  const config = loadConfig();
  const source = resolveUserSource(config.auth, config.dataDir);
  if (source.kind === 'environment') {
    throw new Error(
      'the UI users come from the environment (AUTH_USERS or AUTH_PASSWORD), which roller users cannot edit: ' +
        'set AUTH_USERS_FILE to a users file (the environment users seed it) to manage users, or edit the variables',
    );
  }
  const logger = createLogger('cli', config.logLevel, process.stderr);
  // Without bootstrap the store leaves the no-admin warning to the commands below, which say what to do.
  return UserStore.open(source, { logger, bootstrap: false });
}

function fileOf(store: UserStore): string {
  return resolve(store.usersFile ?? '');
}

/** The store's refusals with the username in them; its conflict message (last admin) as it is. */
async function change(username: string, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RollerError && error.code === 'not_found') throw unknownUser(username);
    if (error instanceof RollerError && error.code === 'conflict')
      throw new Error(`${error.message} (user "${username}")`);
    throw error;
  }
}

function unknownUser(username: string): Error {
  return new Error(`user "${username}" does not exist (roller users list shows the users)`);
}

function requireUser(store: UserStore, username: string): void {
  if (!store.find(username)) throw unknownUser(username);
}

const PICKUP = 'a running UI server picks the change up within a second';

function confirm(message: string, store: UserStore, endsSessions: boolean): void {
  const sessions = endsSessions ? ", and the user's existing sessions end" : '';
  process.stdout.write(`${message} in ${fileOf(store)}; ${PICKUP}${sessions}\n`);
}

/** A users file without any admin leaves nobody able to change anything: say so. */
function warnWithoutAdmin(store: UserStore): void {
  if (!store.list().some((user) => user.role === 'admin')) {
    process.stderr.write(
      'roller: warning: no user has the admin role, so nobody can change data: add one with --role admin, ' +
        'or `roller users set-role <username> admin`\n',
    );
  }
}

/**
 * `roller users add|set-password|set-role|remove|list|hash`: the users of the UI server, in the users
 * file it reads (AUTH_USERS_FILE, else ROLLER_DATA_DIR/users.json). The server notices edits by itself.
 */
export function registerUsersCommands(program: Command, loadConfig: LoadConfig): void {
  const users = program
    .command('users')
    .description('manage the UI users in the users file (AUTH_USERS_FILE, else ROLLER_DATA_DIR/users.json)');

  users
    .command('add <username>')
    .description('add a user; the password is asked for twice, read from stdin, or generated')
    .option('--role <role>', `${ROLES.join(' or ')}`, 'read-only')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--generate', 'generate a random password and print it (once)')
    .action(async (username: string, options: PasswordOptions & { role: string }) => {
      checkUsername(username);
      const role = parseRole(options.role);
      const store = await openStore(loadConfig);
      if (store.find(username)) {
        throw new Error(
          `user "${username}" already exists: use roller users set-password or roller users set-role to change it`,
        );
      }
      const { password, generated } = await obtainPassword(options, `Password for ${username}`);
      await change(username, () => store.upsert(username, { password, role }));
      confirm(`added user "${username}" (${role})`, store, false);
      if (generated) process.stdout.write(`generated password for "${username}" (shown only this once): ${password}\n`);
      warnWithoutAdmin(store);
    });

  users
    .command('set-password <username>')
    .description('replace the password of a user; the password is asked for twice, read from stdin, or generated')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--generate', 'generate a random password and print it (once)')
    .action(async (username: string, options: PasswordOptions) => {
      const store = await openStore(loadConfig);
      requireUser(store, username);
      const { password, generated } = await obtainPassword(options, `New password for ${username}`);
      await change(username, () => store.setPassword(username, password));
      confirm(`changed the password of "${username}"`, store, true);
      if (generated) process.stdout.write(`generated password for "${username}" (shown only this once): ${password}\n`);
    });

  users
    .command('set-role <username> <role>')
    .description(`change the role of a user (${ROLES.join(' or ')}); the last admin cannot be demoted`)
    .action(async (username: string, roleText: string) => {
      const role = parseRole(roleText);
      const store = await openStore(loadConfig);
      requireUser(store, username);
      await change(username, () => store.setRole(username, role));
      confirm(`set the role of "${username}" to ${role}`, store, true);
      warnWithoutAdmin(store);
    });

  users
    .command('remove <username>')
    .description('remove a user; the last admin cannot be removed')
    .action(async (username: string) => {
      const store = await openStore(loadConfig);
      requireUser(store, username);
      await change(username, () => store.remove(username));
      confirm(`removed user "${username}"`, store, true);
    });

  users
    .command('list')
    .description('list the users: username<TAB>role per line')
    .option('--json', 'print a JSON array of {username, role}')
    .action(async (options: { json?: boolean }) => {
      const store = await openStore(loadConfig);
      const list = store.list();
      if (options.json) process.stdout.write(`${JSON.stringify(list)}\n`);
      else process.stdout.write(list.map((user) => `${user.username}\t${user.role}\n`).join(''));
      if (list.length > 0) warnWithoutAdmin(store);
    });

  users
    .command('hash')
    .description('print the scrypt$ hash of a password, for AUTH_USERS or AUTH_PASSWORD (which accept it instead)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (options: { passwordStdin?: boolean }) => {
      const { password } = await obtainPassword({ passwordStdin: options.passwordStdin }, 'Password');
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
