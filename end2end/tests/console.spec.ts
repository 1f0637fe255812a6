import { test, expect } from './fixtures';
import { adminApi, checkA11y, createUser, hydrated, signIn, unique } from './helpers';

test.describe('signed-in console', () => {
  test('wrong credentials say so without saying which part was wrong', async ({ page }) => {
    await page.goto('/sign-in');
    await hydrated(page);
    await checkA11y(page);
    await page.getByLabel('Username or email').fill('e2eadmin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');
  });

  test('signing in shows the user and the navigation; signing out returns to sign-in', async ({ page }) => {
    await signIn(page);
    for (const link of ['Users', 'Roles', 'Servers', 'API keys']) {
      await expect(page.getByRole('link', { name: link, exact: true })).toBeVisible();
    }
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  });

  test('the users list searches as you type and keeps its view in the URL', async ({ page, request }) => {
    const api = await adminApi(request);
    const tag = unique('zq');
    for (const n of [1, 2, 3]) await createUser(api, `${tag}_${n}`);
    await signIn(page);
    await checkA11y(page);
    await page.keyboard.press('/');
    await expect(page.getByLabel('Search users')).toBeFocused();
    await page.keyboard.type(tag);
    await expect(page).toHaveURL(new RegExp(`search=${tag}`));
    await expect(page.getByTestId('total')).toHaveText('3 users');
    await expect(page.getByRole('row')).toHaveCount(4);

    await page.getByLabel('Per page').selectOption('10');
    await page.goto(`/users?search=${tag}&per_page=2&page=2`);
    await expect(page.getByTestId('page-of')).toHaveText('Page 2 of 2');
    await expect(page.getByRole('row')).toHaveCount(2);
    await page.getByRole('link', { name: '← Previous' }).click();
    await expect(page.getByTestId('page-of')).toHaveText('Page 1 of 2');
    await page.goBack();
    await expect(page.getByTestId('page-of')).toHaveText('Page 2 of 2');

    await page.getByLabel('Search users').fill('no-such-user-anywhere');
    await expect(page.getByTestId('empty')).toContainText('No users match');
  });

  test('creating a user checks fields as you type and puts server errors on the field', async ({ page, request }) => {
    const api = await adminApi(request);
    const taken = unique('taken');
    await createUser(api, taken);
    await signIn(page);
    await page.getByRole('link', { name: 'New user' }).click();
    await hydrated(page);
    await checkA11y(page);
    await page.getByLabel('Username').fill('ab');
    await expect(page.locator('#field-username-error')).toHaveText('length is lower than 3');
    await page.getByLabel('Username').fill(taken);
    await expect(page.locator('#field-username-error')).toHaveText('');
    await page.getByLabel('Email').fill(`${unique('fresh')}@example.com`);
    await page.getByLabel('First name').fill('Fresh');
    await page.getByLabel('Last name').fill('Person');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.locator('#field-username-error')).toHaveText('user with email/username already exists');

    const name = unique('made');
    await page.getByLabel('Username').fill(name);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    await expect(page).toHaveURL(/\/users\/[0-9a-f-]{36}$/);
  });

  test('editing a user saves every field', async ({ page, request }) => {
    const api = await adminApi(request);
    const user = await createUser(api, unique('edit'));
    await signIn(page);
    await page.goto(`/users/${user.uuid}`);
    await hydrated(page);
    await checkA11y(page);
    await page.getByLabel('First name').fill('É');
    await page.getByLabel('External ID (optional)').fill(unique('ext-'));
    await page.getByLabel('Language').selectOption('sv');
    await page.getByRole('checkbox', { name: /^Frozen/ }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const stored = await (await api.get(`/api/admin/users/${user.uuid}`)).json();
    expect(stored.user.name_first).toBe('É');
    expect(stored.user.language).toBe('sv');
    expect(stored.user.frozen).toBe(true);
    // What the form does not show is kept as it was.
    expect(stored.user.toast_position).toBe('top_right');
    expect(stored.user.start_on_grouped_servers).toBe(true);
  });

  test('saving a user someone else changed meanwhile says so and overwrites nothing', async ({ page, request }) => {
    const api = await adminApi(request);
    const user = await createUser(api, unique('raced'));
    await signIn(page);
    await page.goto(`/users/${user.uuid}`);
    await hydrated(page);
    const meanwhile = await api.patch(`/api/admin/users/${user.uuid}`, { data: { name_last: 'Elsewhere' } });
    expect(meanwhile.status()).toBe(200);
    await page.getByLabel('First name').fill('Mine');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Someone else changed this while you were editing; nothing was saved.')).toBeVisible();
    const stored = await (await api.get(`/api/admin/users/${user.uuid}`)).json();
    expect(stored.user.name_first).not.toBe('Mine');
    expect(stored.user.name_last).toBe('Elsewhere');

    await page.reload();
    await hydrated(page);
    await page.getByLabel('First name').fill('Mine');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByRole('status')).toHaveText('Saved.');
    const saved = await (await api.get(`/api/admin/users/${user.uuid}`)).json();
    expect(saved.user.name_first).toBe('Mine');
    expect(saved.user.name_last).toBe('Elsewhere');
  });

  test('deleting a user who owns servers: transfer or delete them, then delete the user', async ({ page, request }) => {
    const api = await adminApi(request);
    const owner = await createUser(api, unique('owner'));
    const heir = await createUser(api, unique('heir'));
    for (const name of ['alpha', 'beta']) {
      const response = await api.post('/api/admin/servers', { data: { name, owner_uuid: owner.uuid } });
      expect(response.status()).toBe(200);
    }
    await signIn(page);
    await page.goto(`/users/${owner.uuid}`);
    await hydrated(page);
    await expect(page.getByTestId('owns-servers')).toHaveText(/owns 2 servers/);
    await expect(page.getByRole('button', { name: 'Delete user' })).toBeDisabled();
    await page.getByLabel('Transfer to').first().fill(heir.username);
    await page.getByRole('button', { name: 'Transfer' }).first().click();
    await expect(page.getByTestId('owns-servers')).toHaveText(/owns 1 server\./);
    await page.getByRole('button', { name: 'Delete server' }).click();
    await expect(page.getByTestId('owns-servers')).toHaveCount(0);
    await page.getByLabel('I understand this permanently deletes the account.').check();
    await page.getByRole('button', { name: 'Delete user' }).click();
    await expect(page).toHaveURL(/\/users$/);
    expect((await api.get(`/api/admin/users/${owner.uuid}`)).status()).toBe(404);
    const heirs = await (await api.get(`/api/admin/users/${heir.uuid}/servers`)).json();
    expect(heirs.servers.total).toBe(1);
  });

  test('roles can be created with grouped permissions, edited and deleted', async ({ page }) => {
    await signIn(page);
    await page.goto('/roles');
    await hydrated(page);
    await checkA11y(page);
    const name = unique('Role ');
    const form = page.locator('section.card', { hasText: 'New role' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Description').fill('Reads users');
    await form.getByRole('checkbox', { name: /users\.read/ }).check();
    await form.getByRole('button', { name: 'Create role' }).click();
    const card = page.locator('li.role', { hasText: name });
    await expect(card).toContainText('users.read');
    await card.getByText(`Edit ${name}`).click();
    await card.getByRole('checkbox', { name: /users\.update/ }).check();
    await card.getByRole('button', { name: 'Save role' }).click();
    await expect(page.locator('li.role', { hasText: name })).toContainText('users.read, users.update');
    await page.locator('li.role', { hasText: name }).getByRole('button', { name: 'Delete role' }).click();
    await expect(page.locator('li.role', { hasText: name })).toHaveCount(0);
  });

  test('servers can be created, transferred and deleted', async ({ page, request }) => {
    const api = await adminApi(request);
    const first = await createUser(api, unique('srvA'));
    const second = await createUser(api, unique('srvB'));
    await signIn(page);
    await page.goto('/servers');
    await hydrated(page);
    await checkA11y(page);
    const name = unique('world');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Owner (username or email)').fill(first.username);
    await page.getByRole('button', { name: 'Create server' }).click();
    const row = page.getByRole('row', { name: new RegExp(name) });
    await expect(row).toContainText(first.username);
    await row.getByLabel(`New owner of ${name}`).fill(second.username);
    await row.getByRole('button', { name: 'Transfer' }).click();
    await expect(page.getByRole('row', { name: new RegExp(name) })).toContainText(second.username);
    await page.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  });

  test('an API key is shown once, works, and can be revoked', async ({ page, playwright }) => {
    await signIn(page);
    await page.goto('/api-keys');
    await hydrated(page);
    await checkA11y(page);
    const name = unique('key');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('checkbox', { name: /users\.read/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByTestId('new-key').textContent();
    expect(key).toMatch(/^ptlc_/);
    await expect(page.locator('li.key', { hasText: name })).toContainText('users.read');

    const client = await playwright.request.newContext({ baseURL: page.url().replace(/\/api-keys.*/, '') });
    const ok = await client.get('/api/admin/users', { headers: { Authorization: `Bearer ${key}` } });
    expect(ok.status()).toBe(200);

    await page.reload();
    await expect(page.getByTestId('new-key')).toHaveCount(0);
    await page.locator('li.key', { hasText: name }).getByRole('button', { name: /Revoke/ }).click();
    await expect(page.locator('li.key', { hasText: name })).toHaveCount(0);
    const revoked = await client.get('/api/admin/users', { headers: { Authorization: `Bearer ${key}` } });
    expect(revoked.status()).toBe(401);
    await client.dispose();
  });
});
