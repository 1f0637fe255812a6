import { test, expect } from './fixtures';
import { adminApi, hydrated, mailedLink, signIn, unique } from './helpers';

test('billing flow: a user created with send_email sets a password from the mailed link and signs in', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('bill');
  const email = `${username}@example.com`;
  const created = await api.post('/api/admin/users', {
    data: { username, email, name_first: 'Bil', name_last: 'Ling', send_email: true },
  });
  expect(created.status()).toBe(200);

  const link = await mailedLink(email);
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('New password').fill('short');
  await expect(page.locator('#reset-password-error')).toHaveText('length is lower than 8');
  await page.getByLabel('New password').fill('chosen by the customer');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, username, 'chosen by the customer');
});

test('forgot password: the link from the sign-in page sets a new password', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('forgot');
  const email = `${username}@example.com`;
  const created = await api.post('/api/admin/users', {
    data: { username, email, name_first: 'For', name_last: 'Got', password: 'the old password' },
  });
  expect(created.status()).toBe(200);

  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password/);
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send link' }).click();
  await expect(page.getByRole('status')).toHaveText('If that address has an account, a link is on its way.');

  await page.goto(await mailedLink(email));
  await hydrated(page);
  await page.getByLabel('New password').fill('the new password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, username, 'the new password');
});
