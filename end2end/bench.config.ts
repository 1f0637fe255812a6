import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import base from './playwright.config';

// Times the console rather than testing it: a release build (`.ci/release`) on a fresh SQLite
// file, measured by bench/*.ts. Run through `.ci/bench-console`.
const port = Number(process.env.BENCH_PORT ?? 3197);

export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '*.ts',
  globalSetup: undefined,
  timeout: 120_000,
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}`, trace: 'off' },
  webServer: {
    command: `../target/release/roster serve --listen 127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      DATABASE_URL: `sqlite://${join(tmpdir(), `roster-bench-console-${Date.now()}.db`)}`,
      LEPTOS_SITE_ROOT: '../target/site',
      ROSTER_ADMIN_USERNAME: 'benchadmin',
      ROSTER_ADMIN_EMAIL: 'bench@example.com',
      ROSTER_ADMIN_PASSWORD: 'bench admin password',
      RUST_LOG: 'warn',
    },
  },
});
