// SoundFlow live page: microphone (getUserMedia + AudioWorklet) or a WAV file -> /v1/realtime; a live timeline.
'use strict';
const RATE = 24000;
const $ = id => document.getElementById(id);
let ws = null, audio = null, feeder = null, reply = null, decided = 0;

function setState(s) { $('state').textContent = s; }
function log(s) { $('log').textContent += s + '\n'; }

function open() {
  return new Promise((resolve, reject) => {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/realtime';
    const key = $('key').value.trim();
    // browsers cannot set Authorization on a WebSocket: the key goes as a subprotocol, as OpenAI's Realtime API takes it
    ws = key ? new WebSocket(url, ['realtime', 'openai-insecure-api-key.' + key]) : new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = m => {
      const e = JSON.parse(m.data);
      if (e.type === 'session.created') {
        ws.send(JSON.stringify({type: 'session.update', session: {type: 'realtime',
          audio: {input: {format: {type: 'audio/pcm', rate: RATE}}},
          soundflow: {mode: $('mode').value, layout: $('layout').value, decision_bias: Number($('bias').value) || 0,
            lenient: $('lenient').checked}}}));
      } else if (e.type === 'session.updated') {
        resolve();
      }
      onEvent(e);
    };
    ws.onerror = () => reject(new Error('WebSocket error'));
    ws.onclose = c => { setState('closed (' + c.code + (c.reason ? ': ' + c.reason : '') + ')'); stopAudio(); };
  });
}

function onEvent(e) {
  switch (e.type) {
    case 'soundflow.decision': {
      decided++;
      const el = document.createElement('span');
      el.dataset.chunk = e.chunk;
      el.dataset.decision = e.decision;
      el.title = 'chunk ' + e.chunk + ' (' + e.t.toFixed(1) + ' s): ' + e.decision +
        (e.margin === null ? '' : ', margin ' + e.margin.toFixed(2)) + ', ' + e.latency_ms.toFixed(0) + ' ms';
      if (e.decision === 'respond') { el.className = 'respond'; el.textContent = 'R'; }
      else { el.className = 'dot' + (e.forced ? ' forced' : ''); }
      $('timeline').appendChild(el);
      if ((e.chunk + 1) % 25 === 0) {
        const s = document.createElement('span');
        s.className = 'sec'; s.textContent = ((e.chunk + 1) * 0.4).toFixed(0) + 's';
        $('timeline').appendChild(s);
      }
      figures({latency: e.latency_ms});
      break;
    }
    case 'response.created':
      reply = document.createElement('div');
      reply.dataset.response = e.response.id;
      reply.innerHTML = '<span class="emotion"></span><span class="text"></span>';
      $('replies').prepend(reply);
      break;
    case 'response.output_text.delta':
      if (reply) reply.querySelector('.text').textContent += e.delta;
      break;
    case 'response.done': {
      const r = e.response;
      const el = document.querySelector('[data-response="' + r.id + '"]') || reply;
      if (el) {
        el.querySelector('.emotion').textContent = r.metadata && r.metadata.emotion !== 'none' ? '[' + r.metadata.emotion + ']' : '';
        el.querySelector('.text').textContent = r.output[0].content[0].text;
        if (r.status !== 'completed') {
          const c = document.createElement('span'); c.className = 'cut'; c.textContent = '(' + r.status + ')'; el.appendChild(c);
        }
      }
      reply = null;
      break;
    }
    case 'soundflow.stats': figures({stats: e}); break;
    case 'soundflow.overrun': log('overrun: ' + e.count + ' samples ' + e.kind + ' (' + e.why + ')'); break;
    case 'soundflow.session.ended': setState('ended (' + e.reason + ')'); break;
    case 'error': log('error ' + e.error.code + ': ' + e.error.message); break;
  }
}

let last = {latency: null, stats: null};
function figures(u) {
  Object.assign(last, u);
  const s = last.stats, f = v => v === null || v === undefined ? '–' : v.toFixed(0) + ' ms';
  $('figures').textContent = 'decisions: ' + decided + ' · last latency: ' + f(last.latency) +
    ' · p50/p95: ' + (s ? f(s.decision_p50_ms) + ' / ' + f(s.decision_p95_ms) : '–') +
    ' · FCL: ' + (s ? f(s.fcl_mean_ms) : '–') + ' · RTF: ' + (s && s.rtf !== null ? s.rtf.toFixed(2) : '–') +
    ' · dropped: ' + (s ? s.dropped_samples : 0);
}

function reset() {
  $('timeline').textContent = ''; $('replies').textContent = ''; $('log').textContent = '';
  decided = 0; last = {latency: null, stats: null}; figures({});
}

async function startMic() {
  reset();
  try {
    await open();
    audio = new AudioContext({sampleRate: RATE});
    await audio.audioWorklet.addModule('/pcm-worklet.js');
    const stream = await navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: false,
      noiseSuppression: false, autoGainControl: false}});
    const node = new AudioWorkletNode(audio, 'pcm16');
    node.port.onmessage = m => { if (ws && ws.readyState === 1) ws.send(m.data); };
    audio.createMediaStreamSource(stream).connect(node);
    audio._stream = stream;
    running('listening (microphone)');
  } catch (err) { log('microphone: ' + err.message); stop(); }
}

async function startFile(file) {
  reset();
  try {
    const bytes = await file.arrayBuffer();
    audio = new AudioContext({sampleRate: RATE});
    const buf = await audio.decodeAudioData(bytes); // resampled to 24 kHz by the browser
    const mono = new Float32Array(buf.length);
    for (let c = 0; c < buf.numberOfChannels; c++) {
      const d = buf.getChannelData(c);
      for (let i = 0; i < d.length; i++) mono[i] += d[i] / buf.numberOfChannels;
    }
    await open();
    running('streaming ' + file.name + ' at real time');
    let off = 0;
    const block = RATE / 10; // 100 ms frames, at real time
    feeder = setInterval(() => {
      if (!ws || ws.readyState !== 1) { clearInterval(feeder); return; }
      if (off >= mono.length) {
        clearInterval(feeder); feeder = null;
        ws.send(JSON.stringify({type: 'soundflow.input_audio.end'}));
        return;
      }
      const n = Math.min(block, mono.length - off), pcm = new Int16Array(n);
      for (let i = 0; i < n; i++) { const v = Math.max(-1, Math.min(1, mono[off + i])); pcm[i] = v < 0 ? v * 32768 : v * 32767; }
      ws.send(pcm.buffer);
      off += n;
    }, 100);
  } catch (err) { log('file: ' + err.message); stop(); }
}

function running(s) { setState(s); $('stop').disabled = false; $('mic').disabled = true; $('file').disabled = true; }

function stopAudio() {
  if (feeder) { clearInterval(feeder); feeder = null; }
  if (audio) { if (audio._stream) audio._stream.getTracks().forEach(t => t.stop()); audio.close(); audio = null; }
  $('stop').disabled = true; $('mic').disabled = false; $('file').disabled = false;
}

function stop() {
  stopAudio();
  if (ws) { ws.close(1000, 'stopped'); ws = null; }
}

$('mic').onclick = startMic;
$('file').onchange = e => { if (e.target.files[0]) startFile(e.target.files[0]); };
$('stop').onclick = stop;
