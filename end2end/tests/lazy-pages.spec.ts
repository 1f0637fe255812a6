import { type ConsoleMessage, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ADMIN, hydrated, signIn } from './helpers';

// Pages an admin rarely opens first are WebAssembly chunks of their own (`cargo leptos --split`).

test('a split page fetches its own code when first shown, and only then', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const fetched: string[] = [];
  const documents: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    fetched.push(path);
    if (request.resourceType() === 'document') documents.push(path);
  });

  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  expect(fetched.filter((path) => path.includes('split_rare_pages'))).toEqual([]);

  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page).toHaveURL(/\/roles$/);
  await expect(page.getByRole('heading', { name: 'Roles' })).toBeVisible();
  // Rendered in the browser by the code it fetched, not loaded from the server.
  expect(documents).not.toContain('/roles');
  expect(fetched.filter((path) => path.includes('split_rare_pages')).length).toBe(1);
  expect(problems).toEqual([]);
});

/** Opens `path` and checks that the page names the chunk `chunk` in its `<meta>`, and that once
 *  the page is live the browser fetches that chunk, once. */
async function expectFetchedAhead(page: Page, path: string, chunk: string) {
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
  await page.goto(path);
  await expect(page.locator('meta[name="roster-prefetch"]')).toHaveAttribute('content', new RegExp(chunk));
  await hydrated(page);
  await expect(page.locator(`link[rel="prefetch"][href*="${chunk}"]`)).toHaveCount(1);
  await expect.poll(() => fetched.filter((file) => file.includes(chunk)).length).toBe(1);
}

test('once the sign-in page is live, the browser fetches the users list ahead', async ({ page }) => {
  await expectFetchedAhead(page, '/sign-in', 'split_users_list');
  // Signing in leads to the list, which then runs on the code fetched ahead (from the cache).
  await page.getByLabel('Username or email').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
});

test("once the users list is live, the browser fetches a user's page ahead; no other page does", async ({ page }) => {
  await signIn(page);
  await page.goto('/roles');
  await hydrated(page);
  await expect(page.locator('meta[name="roster-prefetch"]')).toHaveCount(0);
  await expect(page.locator('link[rel="prefetch"]')).toHaveCount(0);

  await expectFetchedAhead(page, '/users', 'split_user_pages');
});

test('a page whose code cannot be fetched (a newer release replaced it) loads whole from the server', async ({ page }) => {
  await signIn(page);
  await page.goto('/users');
  await hydrated(page);
  await page.route(/split_rare_pages/, (route) => route.abort());
  const documents: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') documents.push(new URL(request.url()).pathname);
  });

  await page.getByRole('link', { name: 'Servers' }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await expect(page.getByRole('heading', { name: 'Servers' })).toBeVisible();
  expect(documents).toEqual(['/servers']);
  // Its code still cannot be fetched, so the page stays as the server rendered it rather than
  // reloading again and again.
  await page.waitForTimeout(1000);
  await expect(page).toHaveURL(/\/servers$/);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  expect(documents).toEqual(['/servers']);
});
