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
