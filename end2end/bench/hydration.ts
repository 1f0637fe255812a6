import { test, expect, type Page } from '@playwright/test';

// Navigation to hydrated on the users page: warm (cached files, localhost) and cold (empty
// cache, Chromium's emulation of a 10 Mbit/s link with 40 ms latency). Medians of RUNS.
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function signIn(page: Page) {
  await page.goto('/sign-in');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Username or email').fill('benchadmin');
  await page.getByLabel('Password').fill('bench admin password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
}

async function toHydrated(page: Page): Promise<number> {
  const started = Date.now();
  await page.goto('/users');
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test('navigation to hydrated on /users', async ({ page }) => {
  await signIn(page);
  await toHydrated(page);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i += 1) warm.push(await toHydrated(page));

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 40,
    downloadThroughput: (10 * 1000 * 1000) / 8,
    uploadThroughput: (10 * 1000 * 1000) / 8,
  });
  const cold: number[] = [];
  for (let i = 0; i < RUNS; i += 1) cold.push(await toHydrated(page));

  console.log(`warm, localhost:            median ${median(warm)} ms  (${warm.join(', ')})`);
  console.log(`cold, 10 Mbit/s and 40 ms:  median ${median(cold)} ms  (${cold.join(', ')})`);
});
