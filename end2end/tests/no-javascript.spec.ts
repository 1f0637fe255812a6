import { test, expect } from './fixtures';
import { ADMIN, adminApi, createUser, unique } from './helpers';

test.use({ javaScriptEnabled: false });

test('sign-in, search, paging, create and edit work without JavaScript', async ({ page, request }) => {
  const api = await adminApi(request);
  const tag = unique('nojs');
  await createUser(api, `${tag}_a`);
  await createUser(api, `${tag}_b`);

  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(ADMIN.username);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid username or password.');

  await page.getByLabel('Username or email').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.username);

  await page.getByLabel('Search users').fill(tag);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`search=${tag}`));
  await expect(page.getByTestId('total')).toHaveText('2 users');

  await page.goto(`/users?search=${tag}&per_page=1`);
  await expect(page.getByTestId('page-of')).toHaveText('Page 1 of 2');
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(page.getByTestId('page-of')).toHaveText('Page 2 of 2');

  await page.goto('/users/new');
  const name = unique('plain');
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Email').fill(`${name}@example.com`);
  await page.getByLabel('First name').fill('Plain');
  await page.getByLabel('Last name').fill('Form');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);

  await page.getByLabel('First name').fill('Edited');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByLabel('First name')).toHaveValue('Edited');
  const stored = await (await api.get('/api/admin/users?search=' + name)).json();
  expect(stored.users.data[0].name_first).toBe('Edited');
});
