import { test, expect } from './fixtures';
import { ADMIN, adminApi, checkA11y, createUser, hydrated, signIn, unique } from './helpers';

test('an edit in the console shows on the user\'s Activity tab with its actor and the field change', async ({ page, request }) => {
  const api = await adminApi(request);
  const username = unique('act');
  const user = await createUser(api, username);
  await signIn(page);

  await page.goto(`/users?search=${username}&signed_in=false`);
  await hydrated(page);
  const row = page.getByRole('row', { name: new RegExp(username) });
  await expect(row.getByText('Never')).toBeVisible();

  await page.goto(`/users/${user.uuid}`);
  await hydrated(page);
  await expect(page.getByTestId('last-sign-in')).toHaveText('Last sign-in: Never');
  await page.getByLabel('First name').fill('Renamed');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');

  await page.getByRole('navigation', { name: 'User' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${user.uuid}/activity`));
  const newest = page.locator('li.activity').first();
  await expect(newest).toHaveAttribute('data-event', 'user:update');
  await expect(newest.locator('.activity-line')).toContainText(`${ADMIN.username} changed name first of ${username}`);
  const change = newest.getByRole('row', { name: /name first/ });
  await expect(change.locator('.before')).toHaveText('Test');
  await expect(change.locator('.after')).toHaveText('Renamed');
  await expect(newest.getByRole('link', { name: ADMIN.username })).toHaveAttribute('href', /\/users\//);
  await expect(page.locator('li.activity').last()).toHaveAttribute('data-event', 'user:create');
  await checkA11y(page);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await hydrated(page);
  // The user's Activity tab, with an Event field of its own, stays shown until this page's code
  // has arrived; only this page asks for a target.
  await expect(page.getByLabel('Target')).toBeVisible();
  await page.getByLabel('Event').selectOption('user:update');
  await page.getByLabel('Target').fill(user.uuid);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/event=user%3Aupdate|event=user:update/);
  await expect(page.getByTestId('total')).toHaveText('1 recorded');
  await expect(page.locator('li.activity .activity-line')).toContainText(`changed name first of ${username}`);
  await page.reload();
  await expect(page.getByTestId('total')).toHaveText('1 recorded');
});
