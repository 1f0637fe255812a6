import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each run serves a freshly built Roster on a database of its own: E2E_DATABASE_URL when the
// test command gives one (SQLite or PostgreSQL), else a new SQLite file.
const port = Number(process.env.E2E_PORT ?? 3107);
const databaseUrl =
  process.env.E2E_DATABASE_URL ?? `sqlite://${join(tmpdir(), `roster-e2e-${Date.now()}.db`)}`;

// Mail goes over SMTP to the run's own server (global-setup.ts), which files it here. Set once
// in the runner, so the workers it starts see the same folder.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? port + 18);
process.env.E2E_SMTP_PORT = String(smtpPort);
process.env.E2E_MAIL_DIR ??= join(tmpdir(), `roster-e2e-mail-${Date.now()}`);

export const ADMIN = { username: 'e2eadmin', email: 'e2e@example.com', password: 'e2e admin password' };

export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    // `localhost`, not an address: WebAuthn takes no IP address as a relying party's id.
    baseURL: `http://localhost:${port}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--host-resolver-rules=MAP localhost 127.0.0.1',
      ],
    },
  },
  webServer: {
    command: `../target/debug/roster serve --listen 127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'roster',
      ROSTER_ADMIN_USERNAME: ADMIN.username,
      ROSTER_ADMIN_EMAIL: ADMIN.email,
      ROSTER_ADMIN_PASSWORD: ADMIN.password,
      ROSTER_PUBLIC_URL: `http://localhost:${port}`,
      ROSTER_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      // Webhooks go to the tests' own receivers on the loopback.
      ROSTER_WEBHOOK_ALLOW_HTTP: 'true',
      ROSTER_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      RUST_LOG: 'warn',
    },
  },
});
