import { test, expect } from './fixtures';
import { ADMIN, adminApi, createUser, hydrated, signIn, unique } from './helpers';

test('an admin signs in as a user, sees their view under a banner, and returns', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('acted');
  const user = await createUser(api, username);

  await signIn(page);
  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await page.getByRole('button', { name: `Sign in as ${username}` }).click();

  // The user's own view, under a banner on every page.
  await expect(page).toHaveURL(/\/account$/);
  const banner = page.getByTestId('acting-as');
  await expect(banner).toContainText(`Acting as ${username}`);
  await expect(page.getByTestId('signed-in-as')).toHaveText(username);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/api-keys');
  await hydrated(page);
  await expect(banner).toContainText(`Acting as ${username}`);

  // Returning restores the admin, on the user's page.
  await banner.getByRole('button', { name: 'return to your account' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${user.uuid}$`));
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.username);
  await expect(banner).toHaveCount(0);

  // The log says who began acting as whom.
  const log = await api.get(`/api/admin/activity?event=user:impersonate&target=${user.uuid}`);
  const body = await log.json();
  expect(body.activities.total).toBe(1);
  expect(body.activities.data[0].user.username).toBe(ADMIN.username);
});
