// AudioWorklet: the microphone's float samples (at the AudioContext's rate, 24 kHz) as PCM16 little-endian,
// posted to the page in 100 ms blocks, which sends them as binary WebSocket frames.
class Pcm16 extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(Math.round(sampleRate / 10));
    this.n = 0;
  }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) {
      for (let i = 0; i < ch.length; i++) {
        const v = Math.max(-1, Math.min(1, ch[i]));
        this.block[this.n++] = v < 0 ? Math.round(v * 32768) : Math.round(v * 32767);
        if (this.n === this.block.length) {
          this.port.postMessage(this.block.buffer.slice(0));
          this.n = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor('pcm16', Pcm16);
