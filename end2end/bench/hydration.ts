import { test, expect, type Page, type CDPSession } from '@playwright/test';

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

async function toHydrated(page: Page): Promise<number> {
  await page.goto('/users');
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { hydratedAt: number }).hydratedAt);
}

/** Bytes received (headers and encoded bodies) for each file a cold load of /users fetched
 *  before the page was hydrated. */
async function coldDownload(page: Page, cdp: CDPSession): Promise<Map<string, number>> {
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  const onRequest = (e: { requestId: string; request: { url: string } }) =>
    urls.set(e.requestId, new URL(e.request.url).pathname);
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    const url = urls.get(e.requestId);
    if (url) bytes.set(url, e.encodedDataLength);
  };
  cdp.on('Network.requestWillBeSent', onRequest);
  cdp.on('Network.loadingFinished', onFinished);
  await toHydrated(page);
  cdp.off('Network.requestWillBeSent', onRequest);
  cdp.off('Network.loadingFinished', onFinished);
  return bytes;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test('navigation to hydrated on /users', async ({ page }) => {
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === 'true') {
        (window as unknown as { hydratedAt: number }).hydratedAt = Math.round(performance.now());
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
  const download = await coldDownload(page, cdp);
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
