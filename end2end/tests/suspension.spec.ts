import { test, expect } from './fixtures';
import { adminApi, hydrated, signIn, unique } from './helpers';

test('suspending a user refuses their sign-in, shows a badge and filters the list', async ({ page, request, playwright }) => {
  const api = await adminApi(request);
  const username = unique('susp');
  const password = 'a long enough password';
  const made = await api.post('/api/admin/users', {
    data: { username, email: `${username}@example.com`, name_first: 'Sus', name_last: 'Pended', password },
  });
  expect(made.status()).toBe(200);
  const { user } = await made.json();

  await signIn(page);
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await page.getByLabel(/Suspended/).check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  const stranger = await playwright.request.newContext({ baseURL: page.url().replace(/\/users.*/, '') });
  const refused = await stranger.post('/api/auth/login', { data: { user: username, password } });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toEqual({ errors: ['account is suspended'] });
  await stranger.dispose();

  await page.goto(`/users?search=${username}&suspended=true`);
  await hydrated(page);
  const row = page.getByRole('row', { name: new RegExp(username) });
  await expect(row.getByText('Suspended', { exact: true })).toBeVisible();
  await page.getByLabel('Show').selectOption('false');
  await expect(page).toHaveURL(/suspended=false/);
  await expect(page.getByTestId('total')).toHaveText('0 users');
});
