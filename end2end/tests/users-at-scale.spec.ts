import { test, expect } from './fixtures';
import { adminApi, checkA11y, hydrated, signIn, unique } from './helpers';

/** The usernames in the table, top to bottom. */
async function shownUsernames(page: import('@playwright/test').Page): Promise<string[]> {
  return page.locator('tbody tr td:nth-child(2)').allInnerTexts();
}

test.describe('the users list at scale', () => {
  test('a column header sorts, again the other way, and the order stays in the URL', async ({ page, request }) => {
    const api = await adminApi(request);
    const tag = unique('srt');
    // Created in this order; their last names sort the other way round.
    for (const [n, last] of [
      ['a', 'Young'],
      ['b', 'Morgan'],
      ['c', 'adams'],
    ]) {
      const response = await api.post('/api/admin/users', {
        data: { username: `${tag}_${n}`, email: `${tag}_${n}@example.com`, name_first: 'Pat', name_last: last },
      });
      expect(response.status(), await response.text()).toBe(200);
    }
    await signIn(page);
    await page.goto(`/users?search=${tag}`);
    await hydrated(page);
    await expect(page.getByTestId('total')).toHaveText('3 users');
    expect(await shownUsernames(page)).toEqual([`${tag}_a`, `${tag}_b`, `${tag}_c`]);

    await page.getByRole('link', { name: 'Name', exact: true }).click();
    await expect(page).toHaveURL(/sort=name_last/);
    await expect(page.locator('th[aria-sort="ascending"]')).toHaveText('Name ↑');
    await expect.poll(() => shownUsernames(page)).toEqual([`${tag}_c`, `${tag}_b`, `${tag}_a`]);

    await page.getByRole('link', { name: 'Name ↑' }).click();
    await expect(page).toHaveURL(/sort=-name_last/);
    await expect.poll(() => shownUsernames(page)).toEqual([`${tag}_a`, `${tag}_b`, `${tag}_c`]);
    await checkA11y(page);

    // A search typed now keeps the order.
    await page.getByLabel('Search users').fill(`${tag}_`);
    await expect(page).toHaveURL(new RegExp(`search=${tag}_.*sort=-name_last|sort=-name_last.*search=${tag}_`));

    // The order from a URL alone, server-rendered.
    await page.goto(`/users?search=${tag}&sort=-username`);
    await expect(page.locator('th[aria-sort="descending"]')).toHaveText('Username ↓');
    expect(await shownUsernames(page)).toEqual([`${tag}_c`, `${tag}_b`, `${tag}_a`]);
  });

  test('the export downloads the view as CSV with the columns ticked', async ({ page, request }) => {
    const api = await adminApi(request);
    const tag = unique('exp');
    for (const [n, first] of [
      ['a', '=1+1'],
      ['b', 'Bea'],
    ]) {
      const response = await api.post('/api/admin/users', {
        data: { username: `${tag}_${n}`, email: `${tag}_${n}@example.com`, name_first: first, name_last: 'Person' },
      });
      expect(response.status(), await response.text()).toBe(200);
    }
    await signIn(page);
    await page.goto(`/users?search=${tag}&sort=-username`);
    await hydrated(page);
    await page.getByText('Export CSV').click();
    const form = page.getByTestId('export-form');
    await form.getByLabel('UUID').uncheck();
    await form.getByLabel('Role').uncheck();
    await form.getByLabel('Suspended').uncheck();
    await form.getByLabel('Two-factor').uncheck();
    await form.getByLabel('Last sign-in').uncheck();
    await form.getByLabel('Created').uncheck();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      form.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('users.csv');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(await download.path(), 'utf8');
    expect(text.trimEnd().split('\n')).toEqual([
      'username,email,name_first,name_last',
      `${tag}_b,${tag}_b@example.com,Bea,Person`,
      `${tag}_a,${tag}_a@example.com,'=1+1,Person`,
    ]);
  });
});

test.describe('bulk actions', () => {
  test('a bulk suspend of a search runs dry first, reports the refused row, survives a reload, then runs for real', async ({ page, request }) => {
    const api = await adminApi(request);
    const tag = unique('blk');
    const role = await api.post('/api/admin/roles', {
      data: { name: `helpers ${tag}`, admin_permissions: ['users.read', 'users.update'] },
    });
    expect(role.status(), await role.text()).toBe(200);
    const roleUuid = (await role.json()).role.uuid;
    const helper = unique('helper');
    const password = 'helper password 123';
    for (const [username, extra] of [
      [`${tag}_a`, {}],
      [`${tag}_b`, {}],
      [`${tag}_boss`, { admin: true }],
      [helper, { role_uuid: roleUuid, password }],
    ] as const) {
      const response = await api.post('/api/admin/users', {
        data: { username, email: `${username}@example.com`, name_first: 'Pat', name_last: 'Person', ...extra },
      });
      expect(response.status(), await response.text()).toBe(200);
    }

    await signIn(page, helper, password);
    await page.goto(`/users?search=${tag}`);
    await hydrated(page);
    await expect(page.getByTestId('total')).toHaveText('3 users');
    await page.getByRole('link', { name: 'Bulk action on all 3 users' }).click();
    await expect(page.getByTestId('selection')).toHaveText(`For every user matching “${tag}”.`);
    await hydrated(page);
    await checkA11y(page);
    await page.getByLabel('Action').selectOption('suspend');
    await page.getByRole('button', { name: 'Dry run' }).click();
    await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
    await expect(page.getByRole('heading', { name: 'Dry run: Suspend' })).toBeVisible();
    await expect(page.getByTestId('job-state')).toHaveText('finished');
    await expect(page.getByTestId('job-counts')).toHaveText('2 will be done, 0 skipped, 1 refused');
    const boss = page.getByRole('row').filter({ hasText: `${tag}_boss` });
    await expect(boss.getByRole('cell').nth(1)).toHaveText('refused');
    await expect(boss.getByRole('cell').nth(2)).toHaveText('only global admins can modify or delete an admin');

    // The job is the URL's: a reload shows where it stands.
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId('job-progress')).toHaveText('3 of 3 users');
    await expect(page.locator('progress')).toHaveAttribute('value', '3');
    await checkA11y(page);

    await page.getByRole('button', { name: 'Confirm: suspend for real' }).click();
    await expect(page.getByRole('heading', { name: 'Suspend', exact: true })).toBeVisible();
    await expect(page.getByTestId('job-state')).toHaveText('finished');
    await expect(page.getByTestId('job-counts')).toHaveText('2 done, 0 skipped, 1 refused');
    const listed = await api.get(`/api/admin/users?search=${tag}&suspended=true`);
    const names = (await listed.json()).users.data.map((u: { username: string }) => u.username).sort();
    expect(names).toEqual([`${tag}_a`, `${tag}_b`]);
  });
});
