#!/usr/bin/env node
// Drives Debian's headless Chromium against picortc's viewer page and prints
// what the page saw as JSON on stdout.
//
//   node harness.mjs --url http://127.0.0.1:8080/?stream=cam
//        [--pages N]            open N pages at once (default 1)
//        [--expect frames|answer]
//                               frames (default): every page decodes
//                               --min-frames frames with a size, and keeps
//                               decoding (framesDecoded grows over 1 s);
//                               answer: every page listed the streams and
//                               applied a WHEP answer (no media needed)
//        [--min-frames N]       default 10
//        [--timeout SECONDS]    default 30
//
// Exit code: 0 success, 1 failure, 77 when Chromium or playwright-core is
// missing (scripts/install-browser-deps.sh installs both).
//
// Chromium is started here, not by Playwright's launch(): launch() adds its
// own --disable-features list, which would override the one WebRTC on
// loopback needs (see ../shared FACTS.md, "Chromium"). We attach over CDP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SKIP = 77;

function parseArgs(argv) {
  const args = { url: '', pages: 1, expect: 'frames', minFrames: 10, timeout: 30 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    switch (key) {
      case '--url': args.url = value; i++; break;
      case '--pages': args.pages = parseInt(value, 10); i++; break;
      case '--expect': args.expect = value; i++; break;
      case '--min-frames': args.minFrames = parseInt(value, 10); i++; break;
      case '--timeout': args.timeout = parseFloat(value); i++; break;
      default:
        console.error(`harness: unknown argument ${key}`);
        process.exit(2);
    }
  }
  if (!args.url || !(args.pages >= 1) || !['frames', 'answer'].includes(args.expect)) {
    console.error('usage: harness.mjs --url URL [--pages N] [--expect frames|answer] [--min-frames N] [--timeout S]');
    process.exit(2);
  }
  return args;
}

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

function startChromium(userDataDir) {
  const flags = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${userDataDir}`, '--remote-debugging-port=0',
    // WebRTC on loopback (FACTS.md) and muted autoplay without a gesture.
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--autoplay-policy=no-user-gesture-required',
    'about:blank',
  ];
  const child = spawn(chromiumPath, flags, { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('Chromium printed no DevTools URL in 20 s')), 20000);
    child.stderr.on('data', (chunk) => {
      buffered += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
      if (buffered.length > 65536) buffered = buffered.slice(-4096);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited early (code ${code}, signal ${signal})`));
    });
  });
  return { child, endpoint };
}

async function stopChromium(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function readStats(page) {
  return page.evaluate(() => (window.picortcStats ? JSON.parse(JSON.stringify(window.picortcStats)) : null));
}

function reached(stats, args) {
  if (!stats) return false;
  if (args.expect === 'answer') return stats.streams.length > 0 && stats.answerApplied === true;
  return stats.framesDecoded >= args.minFrames && stats.frameWidth > 0 && stats.frameHeight > 0;
}

async function watchPage(context, args, index) {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  const started = Date.now();
  await page.goto(args.url, { waitUntil: 'load', timeout: args.timeout * 1000 });
  const deadline = started + args.timeout * 1000;
  let stats = null;
  while (Date.now() < deadline) {
    stats = await readStats(page);
    if (reached(stats, args)) break;
    await sleep(200);
  }
  const result = { page: index, ok: reached(stats, args), stats, consoleErrors };
  if (result.ok && args.expect === 'frames') {
    // No freeze: decoding goes on.
    const before = stats.framesDecoded;
    await sleep(1000);
    const after = await readStats(page);
    result.framesDecodedGrowth = after.framesDecoded - before;
    result.stats = after;
    result.ok = result.framesDecodedGrowth > 0;
  }
  result.timeToFirstFrameMs = result.stats ? result.stats.timeToFirstFrameMs : null;
  result.framesDecoded = result.stats ? result.stats.framesDecoded : 0;
  result.width = result.stats ? result.stats.frameWidth : 0;
  result.height = result.stats ? result.stats.frameHeight : 0;
  // Leave like a person closing the tab: the page DELETEs its session.
  await page.close({ runBeforeUnload: true }).catch(() => {});
  return result;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(chromiumPath)) {
    console.log(JSON.stringify({ ok: false, skipped: `no ${chromiumPath}` }));
    return SKIP;
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, skipped: 'playwright-core is not installed' }));
    return SKIP;
  }

  const userDataDir = mkdtempSync(join(tmpdir(), 'picortc-chromium-'));
  const { child, endpoint } = startChromium(userDataDir);
  let browser = null;
  const started = Date.now();
  try {
    const wsUrl = await endpoint;
    browser = await chromium.connectOverCDP(wsUrl);
    const context = browser.contexts()[0] || (await browser.newContext());
    const pages = await Promise.all(
      Array.from({ length: args.pages }, (_, i) => watchPage(context, args, i)));
    const ok = pages.every((p) => p.ok);
    console.log(JSON.stringify({ ok, expect: args.expect, url: args.url, elapsedMs: Date.now() - started, pages }));
    return ok ? 0 : 1;
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: String(e && e.message ? e.message : e) }));
    return 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    await stopChromium(child).catch(() => {});
    // Chromium's helpers may still be writing the profile as it exits: retry,
    // and never let cleanup change the verdict printed above.
    try {
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.error(`harness: could not remove ${userDataDir}: ${e.message}`);
    }
  }
}

const overall = setTimeout(() => {
  console.log(JSON.stringify({ ok: false, error: 'harness: overall time limit' }));
  process.exit(1);
}, 180000);
overall.unref();

main().then((code) => process.exit(code));
