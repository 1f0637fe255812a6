import { test, expect, type Page } from '@playwright/test';

// Navigation to hydrated on the users page: warm (cached files, localhost) and cold (empty
// cache, Chromium's emulation of a 10 Mbit/s link with 40 ms latency). Medians of RUNS. The
// time is the page's own: from the start of navigation to the moment the WebAssembly marks the
// document hydrated. A cold run also counts what the browser downloaded until then.
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function signIn(page: Page) {
  await page.goto('/sign-in');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Username or email').fill('benchadmin');
  await page.getByLabel('Password').fill('bench admin password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/users/);
}

/** Loads /users, reads `measure` in the page once it is hydrated, then waits for the link to
 *  go quiet, so that what the page fetches ahead once live (a user's page) finishes before the
 *  next navigation. */
async function loadUsers<T>(page: Page, measure: () => T): Promise<T> {
  await page.goto('/users');
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  const value = await page.evaluate(measure);
  await page.waitForLoadState('networkidle');
  return value;
}

/** Navigation to hydrated, in ms, as the page itself timed it. */
function toHydrated(page: Page): Promise<number> {
  return loadUsers(page, () => Math.round((window as unknown as { hydratedAt: number }).hydratedAt));
}

/** Bytes received (headers and encoded bodies, as Resource Timing reports them) for each file a
 *  cold load of /users started fetching before the page was hydrated. */
async function coldDownload(page: Page): Promise<Map<string, number>> {
  const entries = await loadUsers(page, () => {
    const hydratedAt = (window as unknown as { hydratedAt: number }).hydratedAt;
    return [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ]
      .map((entry) => entry as PerformanceResourceTiming)
      .filter((entry) => entry.startTime <= hydratedAt)
      .map((entry) => [new URL(entry.name).pathname, entry.transferSize] as [string, number]);
  });
  return new Map(entries);
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test('navigation to hydrated on /users', async ({ page }) => {
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        (window as unknown as { hydratedAt: number }).hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
  });
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
  const download = await coldDownload(page);
  const cold: number[] = [];
  for (let i = 0; i < RUNS; i += 1) cold.push(await toHydrated(page));

  console.log(`warm, localhost:            median ${median(warm)} ms  (${warm.join(', ')})`);
  console.log(`cold, 10 Mbit/s and 40 ms:  median ${median(cold)} ms  (${cold.join(', ')})`);
  let total = 0;
  for (const [url, size] of download) {
    console.log(`  ${String(size).padStart(9)}  ${url}`);
    total += size;
  }
  console.log(`downloaded before hydrated (cold, brotli, with headers): ${total} bytes in ${download.size} files`);
});
