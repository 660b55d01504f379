// The sign-in and account page of the UI server (the full web app replaces it when built).
const $ = (id) => document.getElementById(id);
let csrfToken = '';

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

function show(session) {
  $('login').hidden = session !== undefined;
  $('account').hidden = session === undefined;
  if (session) {
    csrfToken = session.csrf_token;
    $('who').textContent = session.username;
    $('role').textContent = session.role;
    $('read-only-banner').hidden = session.role !== 'read-only';
    $('change-password').hidden = !session.can_manage_own_password;
  } else {
    csrfToken = '';
  }
}

function say(text) {
  $('message').textContent = text;
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await call('POST', '/api/auth/login', {
    username: form.get('username'),
    password: form.get('password'),
  });
  if (result.ok) {
    say('');
    show(result.data);
  } else say(result.data.error?.message ?? `Request failed (${result.status})`);
});

$('logout').addEventListener('click', async () => {
  await call('POST', '/api/auth/logout');
  show(undefined);
  say('Signed out.');
});

$('change-password').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const result = await call('POST', '/api/auth/change-password', {
    current_password: form.get('current_password'),
    new_password: form.get('new_password'),
  });
  if (result.ok) {
    show(result.data);
    event.target.reset();
    say('Password changed; your other sessions have ended.');
  } else say(result.data.error?.message ?? `Request failed (${result.status})`);
});

const current = await call('GET', '/api/auth/session');
show(current.ok ? current.data : undefined);
