import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test, expect } from './fixtures';
import { ADMIN, adminApi, hydrated, signIn, unique } from './helpers';

/** Starts the run's real OpenID provider (npm's oidc-provider) for one Roster provider. */
async function startProvider(port: number, redirectUri: string): Promise<ChildProcess> {
  const child = spawn('node', ['oidc/provider.mjs', String(port), 'roster', 'e2e-client-secret', redirectUri], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    lines.once('line', (line) => (line.startsWith('ready') ? resolve() : reject(new Error(line))));
    child.once('exit', () => reject(new Error('the provider exited')));
  });
  return child;
}

test('signing in through a provider: the button, its sign-in page, back as a new user, and a refusal named', async ({ page, request, baseURL }) => {
  const api = await adminApi(request);
  const idpPort = Number(process.env.E2E_PORT ?? 3107) + 41;
  const issuer = `http://127.0.0.1:${idpPort}`;
  const name = unique('Corp');
  const made = await api.post('/api/admin/oauth-providers', {
    data: {
      name, enabled: true, login_only: false, login_bypass_two_factor: false, link_viewable: true,
      user_manageable: true, basic_auth: true, client_id: 'roster', client_secret: 'e2e-client-secret',
      auth_url: `${issuer}/auth`, token_url: `${issuer}/token`, info_url: `${issuer}/me`,
      scopes: ['openid', 'email', 'profile'], identifier_path: '$.sub', email_path: '$.email',
      username_path: '$.sub', name_first_path: '$.given_name', name_last_path: '$.family_name',
    },
  });
  expect(made.status(), await made.text()).toBe(200);
  const provider = (await made.json()).oauth_provider;
  const idp = await startProvider(idpPort, `${baseURL}/api/auth/oauth/${provider.uuid}`);
  try {
    const login = unique('oidc');
    await page.goto('/sign-in');
    await hydrated(page);
    await page.getByRole('link', { name: `Sign in with ${name}` }).click();
    // The provider's own pages.
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    // Back at Roster, signed in as the user the provider's identity made.
    await expect(page.getByTestId('signed-in-as')).toHaveText(login);

    // The account shows the link; it is the only way in, so it stays.
    await page.goto('/account');
    await hydrated(page);
    const providers = page.getByRole('region', { name: 'Sign-in providers' });
    await expect(providers).toContainText(`${name} · ${login}`);
    await providers.getByRole('button', { name: 'Unlink' }).click();
    await expect(providers.getByRole('alert')).toHaveText(
      'This is the only way you can sign in: set a password before you unlink it.',
    );

    // A return with a state this browser never kept is refused, and the page says why.
    await page.context().clearCookies();
    await page.goto(`/api/auth/oauth/${provider.uuid}?code=x&state=forged`);
    await expect(page).toHaveURL(/\/sign-in\?error=oauth_state$/);
    await expect(page.getByRole('alert')).toHaveText(
      'The sign-in with the provider expired or came from another browser: please try again.',
    );
  } finally {
    idp.kill();
  }
  // Signing in with a password still works beside it.
  await page.context().clearCookies();
  await signIn(page);
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.username);
});

test('the providers page: an admin adds a provider and a claim mapping, a sign-in through it gets the role, and the user page unlinks it', async ({ page, browser, request, baseURL }) => {
  const api = await adminApi(request);
  const roleName = unique('Staff');
  const role = await api.post('/api/admin/roles', { data: { name: roleName, admin_permissions: ['users.read'] } });
  expect(role.status(), await role.text()).toBe(200);
  const idpPort = Number(process.env.E2E_PORT ?? 3107) + 42;
  const issuer = `http://127.0.0.1:${idpPort}`;
  const name = unique('Staff SSO');

  await signIn(page);
  await page.getByRole('link', { name: 'Sign-in providers' }).click();
  await expect(page).toHaveURL(/\/oauth-providers$/);
  await hydrated(page);
  const form = page.getByRole('region', { name: 'New provider' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Client id', { exact: true }).fill('roster');
  await form.getByLabel('Client secret', { exact: true }).fill('e2e-client-secret');
  await form.getByLabel('Issuer (checks ID tokens; optional)', { exact: true }).fill(issuer);
  await form.getByLabel('Authorization URL', { exact: true }).fill(`${issuer}/auth`);
  await form.getByLabel('Token URL', { exact: true }).fill(`${issuer}/token`);
  await form.getByLabel('Userinfo URL', { exact: true }).fill(`${issuer}/me`);
  await form.getByLabel('Scopes (separated by spaces)', { exact: true }).fill('openid email profile');
  await form.getByLabel('Identifier path', { exact: true }).fill('$.sub');
  await form.getByLabel('Username path', { exact: true }).fill('$.sub');
  await form.getByLabel('Email path', { exact: true }).fill('$.email');
  await form.getByRole('button', { name: 'Create provider' }).click();
  const card = page.getByRole('region', { name });
  await expect(card).toContainText(`ID tokens checked against ${issuer}`);
  const redirect = (await card.locator('code').first().textContent()) ?? '';
  const uuid = redirect.split('/').pop() ?? '';
  expect(uuid).toMatch(/^[0-9a-f-]{36}$/);

  // A matcher that is not JSON is named beside its field; a good one is listed.
  await card.getByLabel('Matcher', { exact: true }).fill('{not json');
  await card.getByLabel('Role', { exact: true }).selectOption({ label: roleName });
  await card.getByRole('button', { name: 'Add mapping' }).click();
  await expect(card.locator('.field-error').first()).toContainText('is not JSON');
  await card.getByLabel('Matcher', { exact: true }).fill('{"type": "field_contains", "path": "$.groups", "contains": "staff"}');
  await card.getByRole('button', { name: 'Add mapping' }).click();
  await expect(card.getByTestId('mapping')).toContainText(`→ ${roleName}`);

  // Someone signs in through it in another browser, and is given the role by the mapping.
  const idp = await startProvider(idpPort, `${baseURL}/api/auth/oauth/${uuid}`);
  const login = unique('staff');
  try {
    const other = await browser.newContext();
    const visitor = await other.newPage();
    await visitor.goto('/sign-in');
    await hydrated(visitor);
    await visitor.getByRole('link', { name: `Sign in with ${name}` }).click();
    await visitor.locator('input[name="login"]').fill(login);
    await visitor.locator('input[name="password"]').fill('anything');
    await visitor.getByRole('button', { name: 'Sign-in' }).click();
    await visitor.getByRole('button', { name: 'Continue' }).click();
    await expect(visitor.getByTestId('signed-in-as')).toHaveText(login);
    await other.close();
  } finally {
    idp.kill();
  }
  const found = await api.get(`/api/admin/users?search=${login}`);
  const user = (await found.json()).users.data[0];
  expect(user.role?.name).toBe(roleName);

  // The user's page lists the link, and unlinks it.
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  const links = page.getByRole('region', { name: 'Sign-in providers' });
  await expect(links.getByTestId('user-link')).toContainText(`${name} · ${login}`);
  await links.getByRole('button', { name: 'Unlink' }).click();
  await expect(links.getByText('No links.')).toBeVisible();

  // Turned off, the provider leaves the sign-in page.
  await page.goto('/oauth-providers');
  await hydrated(page);
  await page.getByRole('region', { name }).getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByRole('region', { name })).toContainText('off · client roster');
  await page.context().clearCookies();
  await page.goto('/sign-in');
  await expect(page.getByRole('link', { name: `Sign in with ${name}` })).toHaveCount(0);
});
