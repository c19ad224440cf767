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
// Each page's entry in the JSON also carries how DTLS-SRTP was negotiated,
// as the page's transport stats (getStats(), type "transport") say:
// srtpCipher, dtlsRole, tlsVersion, dtlsCipher, dtlsState ('' when the
// browser does not report one).
//
// Exit code: 0 success, 1 failure, 77 when Chromium or playwright-core is
// missing (scripts/install-browser-deps.sh installs both).
//
// Chromium is started here, not by Playwright's launch(): launch() adds its
// own --disable-features list, which would override the one WebRTC on
// loopback needs (see ../shared FACTS.md, "Chromium"). We attach over CDP.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
// Chromium's process group and profile, for the exits that skip main()'s
// cleanup (overall time limit, SIGTERM): 0 and '' until started.
let chromiumGroup = 0;
let chromiumProfile = '';

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
  // detached: Chromium leads its own process group, so that stopChromium()
  // can wait for (and if need be kill) its helpers too, by that group's id.
  const child = spawn(chromiumPath, flags, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  chromiumGroup = child.pid || 0;
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Whether a process of group `pgid` still runs. Zombies do not count: they
// write nothing, and helpers orphaned by the browser become zombies of
// whoever inherits them, which may never reap them.
function groupRunning(pgid) {
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch (e) {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    // ESRCH: the group is gone already.
  }
}

// Ends Chromium and waits until the browser and every helper of its process
// group are gone, since any of them may still write to the profile. SIGTERM
// goes to the browser alone, which then shuts its helpers down in order (the
// network service still sends a closed page's keepalive DELETE); after 5 s,
// SIGKILL to the whole group and up to 2 s more.
async function stopChromium(child) {
  const pid = child.pid;
  if (!pid) return;
  const phases = [
    { signal: () => child.kill('SIGTERM'), waitMs: 5000 },
    { signal: () => signalGroup(pid, 'SIGKILL'), waitMs: 2000 },
  ];
  for (const { signal, waitMs } of phases) {
    if (!groupRunning(pid)) return;
    signal();
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await sleep(50);
      if (!groupRunning(pid)) return;
    }
  }
  console.error(`harness: Chromium's processes (group ${pid}) outlived SIGKILL`);
}

// Removes Chromium's profile once Chromium is gone; a few bounded retries in
// case the file system is still settling.
async function removeProfile(userDataDir) {
  const attempts = 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      return;
    } catch (e) {
      if (attempt === attempts) {
        console.error(`harness: could not remove ${userDataDir}: ${e.message}`);
        return;
      }
      await sleep(200 * attempt);
    }
  }
}

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
  for (const key of ['srtpCipher', 'dtlsRole', 'tlsVersion', 'dtlsCipher', 'dtlsState']) {
    result[key] = result.stats && typeof result.stats[key] === 'string' ? result.stats[key] : '';
  }
  // Leave like a person closing the tab: the page DELETEs its session. With
  // runBeforeUnload, close() returns before the tab is gone: wait (bounded)
  // for it, so that pagehide has sent the DELETE before Chromium is stopped.
  const closed = new Promise((resolve) => page.once('close', resolve));
  await page.close({ runBeforeUnload: true }).catch(() => {});
  await Promise.race([closed, sleep(5000)]);
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
  chromiumProfile = userDataDir;
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
    // Cleanup never changes the verdict printed above.
    await stopChromium(child).catch(() => {});
    await removeProfile(userDataDir);
  }
}

// Leaving early: no waiting, but no Chromium left behind either.
function abandon(message) {
  console.log(JSON.stringify({ ok: false, error: message }));
  if (chromiumGroup) signalGroup(chromiumGroup, 'SIGKILL');
  if (chromiumProfile) {
    try {
      rmSync(chromiumProfile, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    } catch (e) {
      console.error(`harness: could not remove ${chromiumProfile}: ${e.message}`);
    }
  }
  process.exit(1);
}

const overall = setTimeout(() => abandon('harness: overall time limit'), 180000);
overall.unref();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => abandon(`harness: ${signal}`));

main().then((code) => process.exit(code));
