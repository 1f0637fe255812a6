import { type ConsoleMessage } from '@playwright/test';
import { test, expect } from './fixtures';
import { checkA11y, hydrated } from './helpers';

test('the front page asks strangers to sign in', async ({ request }) => {
  const html = await (await request.get('/')).text();
  expect(html).toContain('<h1 class="brand">Roster</h1>');
  expect(html).toContain('href="/sign-in"');
  expect(html).not.toContain('data-testid="user-count"');
});

test('the front page renders on the server, hydrates and reloads the user count', async ({ page, request }) => {
  const signedIn = await request.post('/api/auth/login', {
    data: { user: 'e2eadmin', password: 'e2e admin password' },
  });
  expect(signedIn.status()).toBe(200);
  await page.context().addCookies(
    (await request.storageState()).cookies.map((c) => ({ ...c })),
  );
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));

  const html = await (await request.get('/')).text();
  expect(html).toContain('<h1 class="brand">Roster</h1>');
  expect(html).toMatch(/data-testid="user-count"[^>]*>\s*\d+/);

  const wasm = await request.get('/pkg/roster.wasm');
  expect(wasm.status()).toBe(200);
  expect(wasm.headers()['content-type']).toBe('application/wasm');

  await page.goto('/');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const count = page.getByTestId('user-count');
  await expect(count).toHaveText(/^\d+$/);
  const before = Number(await count.textContent());
  const readAt = await page.getByTestId('read-at').textContent();

  const made = await request.post('/api/admin/users', {
    data: { username: `home${Date.now() % 100000}`, email: `home${Date.now()}@example.com`, name_first: 'Ho', name_last: 'Me' },
  });
  expect(made.status()).toBe(200);

  await checkA11y(page);
  await page.getByRole('button', { name: 'Reload count' }).click();
  await expect(count).toHaveText(String(before + 1));
  await expect(page.getByTestId('read-at')).not.toHaveText(readAt ?? '');
  expect(problems).toEqual([]);
});

test('unknown API routes answer JSON 404', async ({ request }) => {
  const response = await request.get('/api/does/not/exist');
  expect(response.status()).toBe(404);
  expect(await response.json()).toEqual({ errors: ['route not found'] });
});

test('an unknown page says so with a 404 and a way back', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Back to Roster' })).toHaveAttribute('href', '/');
  await checkA11y(page);
});

test('a stranger is a normal state: visiting pages makes no failing request', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  for (const path of ['/', '/sign-in', '/forgot-password']) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(problems).toEqual([]);
});
