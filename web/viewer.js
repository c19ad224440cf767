// picortc viewer: lists the streams of this `picortc serve` and plays one
// over WHEP (draft-ietf-wish-whep): POST the offer, PATCH trickle
// candidates, DELETE on leave. Reconnects by itself with backoff.
//
// URL parameters: ?stream=NAME  &token=BEARER  &server=https://other-host:8080
// Tests read window.picortcStats (see tests/browser/harness.mjs).
'use strict';

(function () {
  const params = new URLSearchParams(location.search);
  const server = (params.get('server') || location.origin).replace(/\/+$/, '');
  const token = params.get('token') || '';
  let wanted = params.get('stream') || '';

  const video = document.getElementById('video');
  const overlay = document.getElementById('overlay');
  const errorLine = document.getElementById('error');
  const $ = (id) => document.getElementById(id);

  const stats = {
    stream: '',
    state: 'idle',            // idle, connecting, connected, reconnecting, failed
    connectionState: 'new',   // RTCPeerConnection.connectionState
    iceConnectionState: 'new',
    signalingState: 'stable',
    streams: [],
    offerPosted: false,
    answerStatus: 0,
    answerApplied: false,
    candidatesSent: 0,
    framesDecoded: 0,
    frameWidth: 0,
    frameHeight: 0,
    fps: 0,
    bitrateKbps: 0,
    rttMs: null,
    packetsLost: 0,
    lossPercent: 0,
    // From the transport stats: how DTLS-SRTP was negotiated, e.g.
    // srtpCipher 'SRTP_AEAD_AES_128_GCM' (Chromium 156), dtlsRole 'client'
    // (serve answers passive, so it is the DTLS server), tlsVersion 'FEFD'
    // (DTLS 1.2). Empty until DTLS is connected, or when the browser does
    // not say.
    dtlsState: '',
    dtlsRole: '',
    tlsVersion: '',
    dtlsCipher: '',
    srtpCipher: '',
    timeToFirstFrameMs: null, // from page load (performance.timeOrigin)
    reconnects: 0,
    error: '',
  };
  window.picortcStats = stats;

  function authHeaders(extra) {
    const headers = Object.assign({}, extra || {});
    if (token) headers['Authorization'] = 'Bearer ' + token;
    return headers;
  }

  function showError(text) {
    stats.error = text || '';
    errorLine.textContent = text || '';
    errorLine.hidden = !text;
  }

  function setState(state, detail) {
    stats.state = state;
    $('s-state').textContent = detail ? state + ' (' + detail + ')' : state;
    overlay.hidden = state === 'connected' && stats.framesDecoded > 0;
    overlay.textContent = detail ? state + ': ' + detail : state;
  }

  // ---- stream list -------------------------------------------------------

  function streamLink(name) {
    const p = new URLSearchParams(location.search);
    p.set('stream', name);
    return '?' + p.toString();
  }

  function renderStreams(list) {
    const nav = $('streams');
    nav.textContent = '';
    if (list.length === 0) {
      nav.innerHTML = '<span class="muted">no streams</span>';
      return;
    }
    for (const s of list) {
      const a = document.createElement('a');
      a.href = streamLink(s.name);
      a.textContent = s.name;
      a.dataset.stream = s.name;
      if (s.name === stats.stream) a.className = 'current';
      const meta = document.createElement('span');
      meta.className = 'meta';
      const size = s.width && s.height ? s.width + '×' + s.height : s.ingest;
      meta.textContent = size + ' · ' + s.viewers + ' 👁';
      a.appendChild(meta);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        history.replaceState(null, '', a.href);
        wanted = s.name;
        start(s.name);
      });
      nav.appendChild(a);
    }
  }

  async function loadStreams() {
    try {
      const res = await fetch(server + '/api/streams', { headers: authHeaders(), cache: 'no-store' });
      if (!res.ok) throw new Error('/api/streams: ' + res.status + ' ' + (await res.text()).trim());
      stats.streams = await res.json();
      renderStreams(stats.streams);
      return stats.streams;
    } catch (e) {
      $('streams').innerHTML = '<span class="error">cannot list streams</span>';
      showError(String(e.message || e));
      return null;
    }
  }

  // ---- WHEP session ------------------------------------------------------

  let session = null;    // { pc, location, ufrag, pwd, mid, pending: [], ended }
  let generation = 0;    // bumps on every start(), so stale callbacks stand down
  let retryDelayMs = 1000;
  let retryTimer = null;
  let statsTimer = null;
  let lastBytes = null;

  // Link: <stun:host:port>; rel="ice-server"; username="u"; credential="c"
  function parseIceServerLinks(headerValue) {
    const servers = [];
    if (!headerValue) return servers;
    for (const part of headerValue.split(/,(?=\s*<)/)) {
      const url = /<([^>]+)>/.exec(part);
      if (!url || !/rel="?ice-server"?/i.test(part)) continue;
      const server = { urls: url[1] };
      const user = /username="((?:[^"\\]|\\.)*)"/.exec(part);
      const cred = /credential="((?:[^"\\]|\\.)*)"/.exec(part);
      if (user) server.username = user[1].replace(/\\(.)/g, '$1');
      if (cred) server.credential = cred[1].replace(/\\(.)/g, '$1');
      servers.push(server);
    }
    return servers;
  }

  function sdpValue(sdp, attribute) {
    const m = new RegExp('^a=' + attribute + ':(.*)$', 'm').exec(sdp);
    return m ? m[1].trim() : '';
  }

  function fragmentFor(s, candidates, ended) {
    // RFC 8840 sdpfrag: credentials, the m= line and mid, the candidates.
    let frag = 'a=ice-ufrag:' + s.ufrag + '\r\n' + 'a=ice-pwd:' + s.pwd + '\r\n' +
      'm=video 9 UDP/TLS/RTP/SAVPF 0\r\n' + 'a=mid:' + s.mid + '\r\n';
    for (const c of candidates) frag += 'a=' + c + '\r\n';
    if (ended) frag += 'a=end-of-candidates\r\n';
    return frag;
  }

  async function flushCandidates(s) {
    if (!s.location || s.ended || (s.pending.length === 0 && !s.gatheringDone)) return;
    const candidates = s.pending.splice(0);
    const ended = s.gatheringDone && !s.endSent;
    if (candidates.length === 0 && !ended) return;
    if (ended) s.endSent = true;
    try {
      const res = await fetch(s.location, {
        method: 'PATCH',
        headers: authHeaders({ 'Content-Type': 'application/trickle-ice-sdpfrag' }),
        body: fragmentFor(s, candidates, ended),
      });
      if (res.ok) stats.candidatesSent += candidates.length;
    } catch (e) {
      // Trickle is an optimisation: the server learns peer-reflexive
      // candidates from our checks anyway.
    }
  }

  function endSession(s, useBeacon) {
    if (!s || s.ended) return;
    s.ended = true;
    try { s.pc.close(); } catch (e) { /* already closed */ }
    if (s.location) {
      // keepalive lets the DELETE outlive the page on unload.
      fetch(s.location, { method: 'DELETE', headers: authHeaders(), keepalive: !!useBeacon }).catch(() => {});
    }
  }

  function scheduleReconnect(reason) {
    if (retryTimer) return;
    stats.reconnects += 1;
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, 10000);
    setState('reconnecting', reason + ', retry in ' + Math.round(delay / 1000) + ' s');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      start(stats.stream);
    }, delay);
  }

  function reconnectNow() {
    if (!stats.stream || stats.state === 'connected' || stats.state === 'connecting') return;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    start(stats.stream);
  }

  async function start(name) {
    const myGeneration = ++generation;
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    endSession(session, false);
    session = null;
    stats.stream = name;
    stats.offerPosted = false;
    stats.answerApplied = false;
    stats.answerStatus = 0;
    renderStreams(stats.streams);
    setState('connecting');
    showError('');

    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    const s = { pc, location: '', ufrag: '', pwd: '', mid: '0', pending: [], ended: false,
                gatheringDone: false, endSent: false };
    session = s;
    pc.addTransceiver('video', { direction: 'recvonly' });

    pc.ontrack = (event) => {
      const receiver = event.receiver;
      // Ask for the lowest delay the browser allows.
      if ('jitterBufferTarget' in receiver) { try { receiver.jitterBufferTarget = 0; } catch (e) { /* */ } }
      if ('playoutDelayHint' in receiver) { try { receiver.playoutDelayHint = 0; } catch (e) { /* */ } }
      video.srcObject = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      video.play().catch(() => {});
    };
    pc.onicecandidate = (event) => {
      if (s.ended) return;
      if (event.candidate && event.candidate.candidate) {
        s.pending.push(event.candidate.candidate);
      } else if (!event.candidate) {
        s.gatheringDone = true;
      }
      flushCandidates(s);
    };
    pc.onconnectionstatechange = () => {
      if (myGeneration !== generation) return;
      stats.connectionState = pc.connectionState;
      if (pc.connectionState === 'connected') {
        retryDelayMs = 1000;
        setState('connected');
      } else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        scheduleReconnect('connection ' + pc.connectionState);
      } else if (pc.connectionState === 'disconnected') {
        setState('connecting', 'disconnected');
        // Give ICE a moment to recover by itself before starting over.
        setTimeout(() => {
          if (myGeneration === generation && pc.connectionState === 'disconnected') scheduleReconnect('disconnected');
        }, 3000);
      }
    };
    pc.oniceconnectionstatechange = () => { stats.iceConnectionState = pc.iceConnectionState; };
    pc.onsignalingstatechange = () => { stats.signalingState = pc.signalingState; };

    try {
      const offer = await pc.createOffer();
      const res = await fetch(server + '/whep/' + encodeURIComponent(name), {
        method: 'POST',
        headers: authHeaders({ 'Content-Type': 'application/sdp' }),
        body: offer.sdp,
      });
      stats.offerPosted = true;
      stats.answerStatus = res.status;
      if (myGeneration !== generation) return;
      if (res.status !== 201) {
        const reason = (await res.text()).trim();
        showError('WHEP ' + res.status + ': ' + reason);
        // A refusal for a reason that will not change by itself stops here.
        if (res.status === 400 || res.status === 401 || res.status === 404 || res.status === 406 || res.status === 415) {
          setState('failed', String(res.status));
          pc.close();
          return;
        }
        const retryAfter = parseInt(res.headers.get('Retry-After') || '0', 10);
        if (retryAfter > 0) retryDelayMs = Math.max(retryDelayMs, Math.min(retryAfter * 1000, 10000));
        pc.close();
        scheduleReconnect('HTTP ' + res.status);
        return;
      }
      s.location = new URL(res.headers.get('Location'), server + '/').toString();
      const iceServers = parseIceServerLinks(res.headers.get('Link'));
      if (iceServers.length > 0) pc.setConfiguration({ bundlePolicy: 'max-bundle', iceServers });
      const answer = await res.text();
      // Gathering starts here, with the ICE servers from the Link headers.
      await pc.setLocalDescription(offer);
      s.ufrag = sdpValue(pc.localDescription.sdp, 'ice-ufrag');
      s.pwd = sdpValue(pc.localDescription.sdp, 'ice-pwd');
      s.mid = sdpValue(pc.localDescription.sdp, 'mid') || '0';
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      stats.answerApplied = true;
      flushCandidates(s);
    } catch (e) {
      if (myGeneration !== generation) return;
      showError(String(e.message || e));
      pc.close();
      scheduleReconnect('error');
    }
  }

  // ---- stats ------------------------------------------------------------

  function markFirstFrame() {
    if (stats.timeToFirstFrameMs === null) {
      stats.timeToFirstFrameMs = Math.round(performance.now());
      $('s-first').textContent = stats.timeToFirstFrameMs + ' ms';
    }
  }
  if ('requestVideoFrameCallback' in HTMLVideoElement.prototype) {
    const onFrame = () => { markFirstFrame(); };
    video.addEventListener('loadstart', () => video.requestVideoFrameCallback(onFrame));
    video.requestVideoFrameCallback(onFrame);
  } else {
    video.addEventListener('loadeddata', markFirstFrame);
  }

  async function pollStats() {
    const s = session;
    if (!s || s.ended) return;
    let report;
    try { report = await s.pc.getStats(); } catch (e) { return; }
    let inbound = null;
    let pair = null;
    let transport = null; // max-bundle: one transport carries everything
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') inbound = r;
      if (r.type === 'transport') {
        transport = r;
        if (r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId);
      }
    });
    if (transport) {
      stats.dtlsState = transport.dtlsState || '';
      stats.dtlsRole = transport.dtlsRole || '';
      stats.tlsVersion = transport.tlsVersion || '';
      stats.dtlsCipher = transport.dtlsCipher || '';
      stats.srtpCipher = transport.srtpCipher || '';
    }
    if (!pair) report.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r; });
    if (inbound) {
      stats.framesDecoded = inbound.framesDecoded || 0;
      stats.frameWidth = inbound.frameWidth || 0;
      stats.frameHeight = inbound.frameHeight || 0;
      stats.fps = inbound.framesPerSecond || 0;
      stats.packetsLost = inbound.packetsLost || 0;
      const received = inbound.packetsReceived || 0;
      stats.lossPercent = received + stats.packetsLost > 0 ? (100 * stats.packetsLost) / (received + stats.packetsLost) : 0;
      if (lastBytes && inbound.timestamp > lastBytes.timestamp) {
        stats.bitrateKbps = Math.round((8 * (inbound.bytesReceived - lastBytes.bytes)) / (inbound.timestamp - lastBytes.timestamp));
      }
      lastBytes = { bytes: inbound.bytesReceived || 0, timestamp: inbound.timestamp };
      if (stats.framesDecoded > 0) markFirstFrame();
    }
    stats.rttMs = pair && pair.currentRoundTripTime !== undefined ? Math.round(pair.currentRoundTripTime * 1000) : null;
    if (stats.state === 'connected') overlay.hidden = stats.framesDecoded > 0;
    $('s-resolution').textContent = stats.frameWidth ? stats.frameWidth + '×' + stats.frameHeight : '–';
    $('s-fps').textContent = stats.fps ? String(Math.round(stats.fps)) : '–';
    $('s-bitrate').textContent = stats.bitrateKbps ? stats.bitrateKbps + ' kbit/s' : '–';
    $('s-rtt').textContent = stats.rttMs !== null ? stats.rttMs + ' ms' : '–';
    $('s-loss').textContent = stats.packetsLost + ' (' + stats.lossPercent.toFixed(1) + ' %)';
  }

  // ---- lifecycle ----------------------------------------------------------

  window.addEventListener('pagehide', () => endSession(session, true));
  // The device or its network came back: try at once instead of waiting
  // for the backoff timer.
  window.addEventListener('online', reconnectNow);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) reconnectNow(); });

  statsTimer = setInterval(pollStats, 1000);
  void statsTimer;

  loadStreams().then((list) => {
    if (!list) return;
    if (!wanted && list.length > 0) wanted = list[0].name;
    if (wanted) start(wanted);
  });
  // Keep the list (viewers, ingest state) fresh.
  setInterval(loadStreams, 10000);
})();
