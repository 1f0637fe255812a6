import { expect, test } from '@playwright/test';
import { checkA11y, signIn, unique } from './helpers';

test('the provisioning page makes a key for a provider, which pushes a user the console then shows, and lists its requests', async ({ page, playwright, baseURL }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Provisioning', exact: true }).click();
  await expect(page).toHaveURL(/\/provisioning$/);
  await expect(page.getByTestId('scim-base-url')).toHaveText(`${baseURL}/scim/v2`);
  await checkA11y(page);

  const provider = unique('okta');
  await page.getByLabel('Provider', { exact: true }).fill(provider);
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-key').textContent()) ?? '';
  expect(key).toMatch(/^ptlc_/);
  const card = page.getByTestId('provisioning-key').filter({ hasText: provider });
  await expect(card).toContainText('No requests yet.');

  const scim = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/scim+json' },
  });
  const userName = `${unique('pushed')}@example.com`;
  const created = await scim.post('/scim/v2/Users', {
    data: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      name: { givenName: 'Pushed', familyName: 'Person' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      active: true,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const lookup = await scim.get(`/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  expect((await lookup.json()).totalResults).toBe(1);

  await page.reload();
  await expect(card.getByRole('table')).toContainText('POST /scim/v2/Users');
  await expect(card.getByRole('table')).toContainText('201');
  await expect(card.getByRole('table')).toContainText('GET /scim/v2/Users?filter=');
  await page.screenshot({ path: 'test-results/provisioning.png', fullPage: true });

  await page.goto(`/users?search=${encodeURIComponent(userName)}`);
  await expect(page.getByRole('cell', { name: userName })).toBeVisible();
  await page.goto('/activity');
  await expect(page.getByText(`via key ‘${provider}’`).first()).toBeVisible();
});
