#!/usr/bin/python3
"""Reproducible continuous multi-event streams for the SoundFlow demo model.

Each stream: 16 kHz mono PCM16 WAV, a whole number of 400 ms chunks, a background bed with 0-3
foreground events (never overlapping, >= 1.2 s apart, first onset >= 0.8 s), labelled in
DIR/manifest.jsonl. See README.md for the splits, seeds and commands.

Run with /usr/bin/python3 (numpy); needs espeak-ng and sox on PATH.
"""

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import wave
from multiprocessing import Pool

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classes import CHUNK_SAMPLES, IGNORE, RESPOND, SAMPLE_RATE, label  # noqa: E402

SR = SAMPLE_RATE
MIN_GAP = 1.2      # seconds between one event's offset and the next onset
FIRST_ONSET = 0.8  # earliest onset
TAIL = 1.0         # seconds of bed kept after the last offset (the model answers within 800 ms)

# ---------------------------------------------------------------------------------------------
# Voices and texts
# ---------------------------------------------------------------------------------------------
TRAIN_VOICES = [b + v for b in ["en-us", "en-gb", "en-gb-x-rp", "en-029"]
                for v in ["", "+m1", "+m2", "+m3", "+f1", "+f2"]]
HELDOUT_VOICES = [b + v for b in ["en-gb-scotland", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
                  for v in ["", "+f3", "+f4", "+m4", "+m5", "+m6"]]
TRAIN_SPEEDS, TRAIN_PITCHES = [130, 150, 170, 190], [30, 40, 50, 60, 70]
HELDOUT_SPEEDS, HELDOUT_PITCHES = [120, 140, 160, 180, 200], [25, 35, 45, 55, 65, 75]

HELP_TEXTS = ["help", "help me", "help!", "somebody help"]
HELLO_TEXTS = ["hello", "hello there", "hi hello"]
SPEECH_TEXTS = [
    "The weather looks fine today.",
    "I left the keys on the kitchen table.",
    "Please pass me the yellow cup.",
    "Hold the door for a second.",
    "He bought a new helmet for his bike.",
    "She found a shell on the beach.",
    "The train leaves at half past nine.",
    "We should water the plants tonight.",
    "My brother plays the guitar.",
    "Turn left at the next corner.",
    "The soup is still too hot.",
    "Can you read the second page again?",
    "It is going to rain this afternoon.",
    "The meeting was moved to Thursday.",
    "I think the cat is asleep.",
    "Hold on, I am almost ready.",
    "The yellow car is parked outside.",
    "They painted the fence last summer.",
    "A fellow from the office called.",
    "The hotel was close to the station.",
    "Put the shells in the blue box.",
    "This pencil needs sharpening.",
    "We watched a film about the ocean.",
    "The bakery opens at seven.",
    "He held the ladder while I climbed.",
    "Her yellow jacket is in the hall.",
    "The children are playing in the garden.",
    "I need to buy milk and bread.",
    "The bus was late again this morning.",
    "Let us go for a walk after dinner.",
    "The river is quite low this year.",
    "Could you close the window please?",
    "The old clock still works.",
    "Wear your helmet when you ride.",
    "The jelly is in the fridge.",
    "Tell me about your holiday.",
    "A small bird sat on the fence.",
    "I will call you back later.",
    "The library has a new reading room.",
    "Mix the flour with the butter.",
    "My sister works at the hospital.",
    "The shelf in the hallway is full.",
    "We are out of coffee.",
    "The game starts in ten minutes.",
    "That song reminds me of school.",
    "Keep the receipt in a safe place.",
    "The mountain was covered in snow.",
    "He told a funny story at lunch.",
    "The lamp in the bedroom is broken.",
    "Yellow flowers grow by the road.",
    "I hold the pen in my left hand.",
    "The lesson ends at noon.",
    "The market sells fresh fish.",
    "Someone left a hat on the bench.",
    "The printer is out of paper.",
    "We can finish this tomorrow.",
    "The kettle is boiling.",
    "The museum is closed on Mondays.",
    "I like the smell of fresh bread.",
    "The dog wants to go outside.",
]
assert all("help" not in t.lower() and "hello" not in t.lower() for t in SPEECH_TEXTS)

# ---------------------------------------------------------------------------------------------
# Real recordings (freedesktop sound theme), held-out only
# ---------------------------------------------------------------------------------------------
FREEDESKTOP = "/usr/share/sounds/freedesktop/stereo"
REAL_RESPOND = {
    "alarm_beeps": ["alarm-clock-elapsed"],
    "phone": ["phone-incoming-call", "phone-outgoing-calling"],
}
# bell.oga is a single 0.14 s high "ding" (rough frequency ~3.8 kHz), not a two/three-note door
# chime, so it is used as an ignore sound (a notification ding), not as a doorbell.
REAL_IGNORE = ["bell", "camera-shutter", "dialog-information", "message", "message-new-instant",
               "complete", "device-added", "power-plug", "trash-empty", "window-attention"]

CACHE_DIR = os.environ.get("SOUNDFLOW_DATA_CACHE",
                           os.path.join(tempfile.gettempdir(), "soundflow-data-cache"))


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------
def t_axis(dur):
    return np.arange(int(round(dur * SR))) / SR


def ramp(x, ms=4.0):
    """Short raised-cosine fades at both ends (no clicks)."""
    n = min(int(ms * SR / 1000), len(x) // 2)
    if n > 0:
        w = 0.5 - 0.5 * np.cos(np.linspace(0, math.pi, n))
        x[:n] *= w
        x[-n:] *= w[::-1]
    return x


def tone(freq, dur, harmonics=(1.0,), phase=0.0):
    t = t_axis(dur)
    out = np.zeros_like(t)
    for k, a in enumerate(harmonics, start=1):
        if freq * k < 0.45 * SR:  # no harmonics above ~Nyquist (they would alias)
            out += a * np.sin(2 * math.pi * freq * k * t + phase * k)
    return out


def sweep_tone(freq_curve, harmonics=(1.0,)):
    """A tone whose instantaneous frequency follows freq_curve (Hz per sample)."""
    phase = 2 * math.pi * np.cumsum(freq_curve) / SR
    out = np.zeros_like(phase)
    for k, a in enumerate(harmonics, start=1):
        fade = np.clip((0.45 * SR - k * freq_curve) / (0.05 * SR), 0.0, 1.0)  # fade out before Nyquist
        out += a * np.sin(k * phase) * fade
    return out


def colored_noise(n, rng, exponent):
    """Noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    spec *= f ** (-exponent / 2)
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def bandpass_noise(n, rng, lo, hi):
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    spec[(f < lo) | (f > hi)] = 0
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def rms(x):
    return float(np.sqrt(np.mean(x ** 2))) if len(x) else 0.0


def trim(x, floor_db=-40.0):
    """Cut leading/trailing parts quieter than floor_db below the peak (10 ms frames)."""
    frame = SR // 100
    x = np.concatenate([x, np.zeros(frame)])  # so the last partial frame is looked at too
    nf = len(x) // frame
    e = np.sqrt(np.mean(x[:nf * frame].reshape(nf, frame) ** 2, axis=1))
    thr = e.max() * 10 ** (floor_db / 20)
    idx = np.nonzero(e > thr)[0]
    return ramp(x[idx[0] * frame:(idx[-1] + 1) * frame].copy(), 2)


def active_rms(x):
    """RMS over the frames that carry the sound (so gapped beeps are not under-rated)."""
    frame = SR // 100
    nf = len(x) // frame
    if nf == 0:
        return rms(x)
    e = np.sqrt(np.mean(x[:nf * frame].reshape(nf, frame) ** 2, axis=1))
    act = e[e > e.max() * 0.1]
    return float(np.sqrt(np.mean(act ** 2)))


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768.0


def write_wav(path, x):
    pcm = np.round(np.clip(x, -1.0, 32767 / 32768) * 32768).astype("<i2")
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def cached(key, make):
    """A 16 kHz mono file in the cache, made once by make(out_path)."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    h = hashlib.sha1(key.encode()).hexdigest()[:20]
    path = os.path.join(CACHE_DIR, h + ".wav")
    if not os.path.exists(path):
        tmp = path + ".%d.tmp.wav" % os.getpid()
        make(tmp)
        os.replace(tmp, path)
    return read_wav(path)


def espeak(text, voice, speed, pitch):
    def make(out):
        cmd = "espeak-ng -v %s -s %d -p %d --stdout %s | sox -V1 -G -t wav - -r %d -c 1 -b 16 %s" % (
            voice, speed, pitch, shquote(text), SR, shquote(out))
        subprocess.run(cmd, shell=True, check=True)
    return cached("espeak|%s|%s|%d|%d" % (text, voice, speed, pitch), make)


def real_sound(name):
    src = os.path.join(FREEDESKTOP, name + ".oga")

    def make(out):
        subprocess.run(["sox", "-V1", "-G", src, "-r", str(SR), "-c", "1", "-b", "16", out], check=True)
    return cached("real|" + name, make)


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------------------------------------
# Beds
# ---------------------------------------------------------------------------------------------
def bed(n, rng):
    """(signal at unit-ish RMS, kind). kinds: silence, white, pink, brown, hum, fan."""
    kind = rng.choice(["silence", "white", "pink", "brown", "hum", "fan"], p=[.15, .15, .2, .15, .15, .2])
    if kind == "silence":
        return colored_noise(n, rng, 0) * 0.05, kind  # near-silent dither, scaled separately
    if kind in ("white", "pink", "brown"):
        return colored_noise(n, rng, {"white": 0, "pink": 1, "brown": 2}[kind]), kind
    if kind == "hum":
        f0 = rng.choice([50.0, 60.0]) * rng.uniform(0.995, 1.005)
        t = np.arange(n) / SR
        x = np.zeros(n)
        for k in range(1, 8):
            x += rng.uniform(0.05, 1.0) / k * np.sin(2 * math.pi * f0 * k * t + rng.uniform(0, 2 * math.pi))
        x += 0.1 * colored_noise(n, rng, 1)
        return x / rms(x), kind
    # fan: band-limited noise with a slow amplitude wobble and a blade-rate tone
    lo, hi = rng.uniform(60, 300), rng.uniform(1000, 4000)
    x = bandpass_noise(n, rng, lo, hi) + 0.5 * colored_noise(n, rng, 2)
    t = np.arange(n) / SR
    x *= 1 + 0.15 * np.sin(2 * math.pi * rng.uniform(0.2, 2.0) * t)
    x += 0.3 * np.sin(2 * math.pi * rng.uniform(80, 250) * t)
    return x / rms(x), kind


# ---------------------------------------------------------------------------------------------
# Foreground sounds: one function per kind. Each returns a float signal (any level).
# ---------------------------------------------------------------------------------------------
def snd_alarm_beeps(rng, p):
    """Repeated identical beeps: evenly spaced (half the draws) or in groups of 2-4 with longer pauses
    between groups (the digital alarm-clock "beep-beep ... beep-beep"); soft or hard (clicking) edges."""
    f = rng.uniform(800, 4600)
    harm = [(1.0,), (1.0, 0.0, 0.33, 0.0, 0.2), (1.0, 0.5, 0.3)][rng.integers(3)]
    edge = 3 if rng.random() < 0.6 else 0.3
    if rng.random() < 0.5:
        total = rng.uniform(0.8, 3.0)
        on, off = rng.uniform(0.05, 0.25), rng.uniform(0.05, 0.25)
        beep = ramp(tone(f, on, harm), edge)
        n_beeps = max(2, int(total / (on + off)))
        seg = np.concatenate([beep, np.zeros(int(off * SR))])
        return np.tile(seg, n_beeps)[:len(seg) * n_beeps - int(off * SR)]
    group, groups = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    on, off, pause = rng.uniform(0.06, 0.22), rng.uniform(0.04, 0.12), rng.uniform(0.3, 0.9)
    beep = ramp(tone(f, on, harm), edge)
    seg = np.concatenate([np.concatenate([beep, np.zeros(int(off * SR))]) for _ in range(group)])
    seg = np.concatenate([seg[:len(seg) - int(off * SR)], np.zeros(int(pause * SR))])
    return np.tile(seg, groups)[:len(seg) * groups - int(pause * SR)]


def snd_smoke_alarm(rng, p):
    f = rng.uniform(2900, 3500)
    harm = (1.0, 0.3, 0.5, 0.1, 0.2)
    chirp = rng.random() < 0.3
    on = rng.uniform(0.04, 0.12) if chirp else rng.uniform(0.35, 0.55)
    off = rng.uniform(0.3, 0.6)
    beep = ramp(tone(f, on, harm), 2)
    group = np.concatenate([beep, np.zeros(int(off * SR))] * 3)[:-int(off * SR)]
    if rng.random() < 0.4:  # a second T3 group after the 1.5 s pause
        group = np.concatenate([group, np.zeros(int(rng.uniform(1.3, 1.7) * SR)), group])
    return group


def snd_siren(rng, p):
    dur = rng.uniform(1.5, 4.0)
    n = int(dur * SR)
    t = np.arange(n) / SR
    lo, hi = rng.uniform(500, 900), rng.uniform(1200, 1800)
    if rng.random() < 0.5:  # wail: slow up/down
        period = rng.uniform(1.0, 3.0)
    else:  # yelp: fast
        period = rng.uniform(0.12, 0.4)
    ph = rng.uniform(0, 1)
    tri = 1 - np.abs(2 * ((t / period + ph) % 1) - 1)
    freq = lo + (hi - lo) * tri
    harm = [(1.0,), (1.0, 0.5, 0.33, 0.25), (1.0, 0.0, 0.33, 0.0, 0.2)][rng.integers(3)]
    return ramp(sweep_tone(freq, harm), 30)


def snd_doorbell(rng, p):
    base = rng.uniform(400, 1200)
    intervals = [[0, -4], [0, -3], [0, -5], [0, -4, -7], [7, 4, 0], [0, 4, 7]][rng.integers(6)]
    gap = rng.uniform(0.3, 0.6)
    tau = rng.uniform(0.3, 0.8)
    partials = [(1.0, 1.0), (2.0, 0.4), (3.0, 0.2), (4.2, 0.1)]
    note_len = gap * (len(intervals) - 1) + tau * 5
    out = np.zeros(int(note_len * SR) + SR // 10)
    for i, semi in enumerate(intervals):
        f = base * 2 ** (semi / 12)
        t = t_axis(tau * 5)
        x = sum(a * np.exp(-t * k / tau) * np.sin(2 * math.pi * f * k * t) for k, a in partials)
        start = int(i * gap * SR)
        out[start:start + len(x)] += ramp(x, 2)
    return out


def snd_phone(rng, p):
    total = rng.uniform(1.5, 3.0)
    n = int(total * SR)
    t = np.arange(n) / SR
    if rng.random() < 0.5:  # dual-tone ring, US or UK cadence
        f1, f2 = (440.0, 480.0) if rng.random() < 0.6 else (400.0, 450.0)
        x = np.sin(2 * math.pi * f1 * t) + np.sin(2 * math.pi * f2 * t)
        if rng.random() < 0.5:  # UK: 0.4 on, 0.2 off, 0.4 on, 2.0 off
            cyc = (t % 3.0)
            gate = ((cyc < 0.4) | ((cyc >= 0.6) & (cyc < 1.0))).astype(float)
            x *= gate
    else:  # bell trill: a metallic tone struck ~20 times a second, in bursts
        f = rng.uniform(900, 2200)
        rate = rng.uniform(15, 25)
        strike = np.exp(-(t % (1 / rate)) * rng.uniform(40, 90))
        x = strike * (np.sin(2 * math.pi * f * t) + 0.5 * np.sin(2 * math.pi * f * 2.76 * t))
        on = rng.uniform(0.6, 1.0)
        off = rng.uniform(0.2, 0.4)
        x *= ((t % (on + off)) < on)
    return ramp(x, 5)


def snd_music(rng, p):
    dur = rng.uniform(1.0, 4.0)
    root = 220 * 2 ** (rng.integers(-5, 8) / 12)
    scale = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16]
    harm = [(1.0, 0.5, 0.25, 0.12), (1.0, 0.2, 0.4, 0.1, 0.15), (1.0, 0.7, 0.5, 0.3, 0.2, 0.1)][rng.integers(3)]
    out = np.zeros(int(dur * SR) + SR)
    kind = rng.integers(3)
    if kind == 0:  # chord progression
        n_chords = rng.integers(1, 4)
        length = dur / n_chords
        for i in range(n_chords):
            deg = rng.integers(0, 5)
            for step in (0, 2, 4):
                f = root * 2 ** (scale[deg + step] / 12)
                x = adsr(tone(f, length, harm), rng)
                s = int(i * length * SR)
                out[s:s + len(x)] += x
    else:  # melody, optionally over a held chord
        n_notes = rng.integers(3, 10)
        length = dur / n_notes
        for i in range(n_notes):
            f = root * 2 * 2 ** (scale[rng.integers(0, len(scale))] / 12)
            x = adsr(tone(f, length * rng.uniform(0.7, 1.0), harm), rng)
            s = int(i * length * SR)
            out[s:s + len(x)] += x
        if kind == 2:
            for step in (0, 4, 7):
                x = 0.4 * adsr(tone(root * 2 ** (step / 12), dur, harm), rng)
                out[:len(x)] += x
    return out


def adsr(x, rng):
    n = len(x)
    a, d = int(min(rng.uniform(0.005, 0.05) * SR, n / 4)), int(min(rng.uniform(0.05, 0.2) * SR, n / 4))
    r = int(min(rng.uniform(0.05, 0.2) * SR, n / 4))
    s = rng.uniform(0.4, 0.8)
    env = np.full(n, s)
    env[:a] = np.linspace(0, 1, a)
    env[a:a + d] = np.linspace(1, s, d)
    env[n - r:] *= np.linspace(1, 0, r)
    return x * env


def knock_rap(rng):
    t = t_axis(0.12)
    f = rng.uniform(120, 450)
    tau = rng.uniform(0.012, 0.035)
    x = np.exp(-t / tau) * np.sin(2 * math.pi * f * t)
    x += 0.4 * np.exp(-t / 0.004) * bandpass_noise(len(t), rng, 200, 3000)
    return x


def snd_knock(rng, p):
    n_raps = rng.integers(1, 3)
    gap = rng.uniform(0.12, 0.3)
    out = np.zeros(int((gap * (n_raps - 1) + 0.15) * SR))
    for i in range(n_raps):
        x = knock_rap(rng) * rng.uniform(0.7, 1.0)
        s = int(i * gap * SR)
        out[s:s + len(x)] += x
    return out


def snd_click(rng, p):
    t = t_axis(rng.uniform(0.01, 0.04))
    tau = rng.uniform(0.0005, 0.004)
    x = np.exp(-t / tau) * bandpass_noise(len(t), rng, rng.uniform(300, 2000), rng.uniform(4000, 7900))
    return np.concatenate([x, np.zeros(SR // 50)])


def snd_noise_burst(rng, p):
    dur = rng.uniform(0.3, 1.5)
    n = int(dur * SR)
    x = colored_noise(n, rng, rng.choice([0.0, 1.0, 1.5]))
    rise = rng.uniform(0.2, 0.7)
    u = np.arange(n) / n
    env = np.where(u < rise, np.sin(0.5 * math.pi * u / rise) ** 2,
                   np.cos(0.5 * math.pi * (u - rise) / (1 - rise)) ** 2)
    return x * env


def snd_blip(rng, p):
    """A notification blip (ignore): one decaying "ding", or 2-3 quick decaying notes at different
    pitches (a musical interval apart), or a short pitch glide; 0.05-0.8 s in all."""
    kind = rng.integers(3)
    harm = [(1.0,), (1.0, 0.3), (1.0, 0.0, 0.2)][rng.integers(3)]
    if kind == 2:  # glide up or down over 60-300 ms
        dur = rng.uniform(0.06, 0.3)
        f0, f1 = rng.uniform(500, 3000), rng.uniform(500, 3000)
        n = int(dur * SR)
        curve = f0 * (f1 / f0) ** (np.arange(n) / n)
        return ramp(sweep_tone(curve, harm) * np.exp(-np.arange(n) / (rng.uniform(0.3, 1.0) * n)), 3)
    f = rng.uniform(600, 4500)
    notes = 1 if kind == 0 else int(rng.integers(2, 4))
    step = rng.choice([-12, -7, -5, -4, -3, 3, 4, 5, 7, 12])
    gap = rng.uniform(0.05, 0.16)
    tau = rng.uniform(0.02, 0.12)
    out = np.zeros(int((gap * (notes - 1) + 5 * tau) * SR) + SR // 50)
    for i in range(notes):
        t = t_axis(5 * tau)
        x = np.exp(-t / tau) * tone(f * 2 ** (step * i / 12), 5 * tau, harm)[:len(t)]
        start = int(i * gap * SR)
        out[start:start + len(x)] += ramp(x, 1)
    return out


def speech_of(texts):
    def snd(rng, p):
        text = texts[rng.integers(len(texts))]
        voice = p["voices"][rng.integers(len(p["voices"]))]
        speed = p["speeds"][rng.integers(len(p["speeds"]))]
        pitch = p["pitches"][rng.integers(len(p["pitches"]))]
        return espeak(text, voice, speed, pitch)
    return snd


SYNTH = {
    "alarm_beeps": snd_alarm_beeps,
    "smoke_alarm": snd_smoke_alarm,
    "siren": snd_siren,
    "help": speech_of(HELP_TEXTS),
    "doorbell": snd_doorbell,
    "phone": snd_phone,
    "hello": speech_of(HELLO_TEXTS),
    "speech": speech_of(SPEECH_TEXTS),
    "music": snd_music,
    "knock": snd_knock,
    "click": snd_click,
    "noise_burst": snd_noise_burst,
    "blip": snd_blip,
}
IGNORE_WEIGHTS = {"speech": 0.3, "music": 0.2, "knock": 0.12, "click": 0.12, "noise_burst": 0.16, "blip": 0.1}


# ---------------------------------------------------------------------------------------------
# Splits
# ---------------------------------------------------------------------------------------------
SPLITS = {
    "train": dict(seed=1000, voices=TRAIN_VOICES, speeds=TRAIN_SPEEDS, pitches=TRAIN_PITCHES, real=False),
    "heldout-synth": dict(seed=2000, voices=HELDOUT_VOICES, speeds=HELDOUT_SPEEDS, pitches=HELDOUT_PITCHES,
                          real=False),
    "heldout-quiet": dict(seed=3000, voices=HELDOUT_VOICES, speeds=HELDOUT_SPEEDS, pitches=HELDOUT_PITCHES,
                          real=False),
    "heldout-real": dict(seed=4000, voices=HELDOUT_VOICES, speeds=HELDOUT_SPEEDS, pitches=HELDOUT_PITCHES,
                         real=True),
    "demo": dict(seed=5004, voices=HELDOUT_VOICES, speeds=HELDOUT_SPEEDS, pitches=HELDOUT_PITCHES, real=False),
    "test-subset": dict(seed=6000, voices=HELDOUT_VOICES, speeds=HELDOUT_SPEEDS, pitches=HELDOUT_PITCHES,
                        real=False),
}
DEFAULT_STREAMS = {"train": 3000, "heldout-synth": 200, "heldout-quiet": 8, "heldout-real": 100,
                   "demo": 1, "test-subset": 8}


def make_event(cls, rng, p):
    """(class name for the label, unit-RMS trimmed signal). A real ignore sound is labelled by its file name."""
    if p["real"]:
        names = REAL_RESPOND[cls] if cls in RESPOND else REAL_IGNORE
        name = names[rng.integers(len(names))]
        x = real_sound(name)
        if cls not in RESPOND:
            cls = name
    else:
        x = SYNTH[cls](rng, p)
    x = trim(np.asarray(x, dtype=np.float64))
    return cls, x / (active_rms(x) + 1e-12)


def pick_classes(rng, p, split):
    """Class names of a stream's events, in order."""
    respond = list(REAL_RESPOND) if p["real"] else list(RESPOND)
    ignore = list(IGNORE_WEIGHTS)
    w = np.array([IGNORE_WEIGHTS[c] for c in ignore])
    if p["real"]:
        ignore, w = ["real_ignore"], np.array([1.0])
    draw_ignore = lambda: ignore[rng.choice(len(ignore), p=w / w.sum())]  # noqa: E731
    if rng.random() < 0.5:
        n = rng.choice([1, 2, 3], p=[.1, .35, .55])
        out = [respond[rng.integers(len(respond))]]
        for _ in range(n - 1):
            out.append(respond[rng.integers(len(respond))] if rng.random() < 0.9 else draw_ignore())
        rng.shuffle(out)
    else:
        n = rng.choice([0, 1, 2, 3], p=[.25, .45, .2, .1])
        out = [draw_ignore() for _ in range(n)]
    return out


def place_and_mix(events, duration, rng, bed_sig, bed_kind, snr_range):
    """Mix unit-RMS events over the bed at random SNRs and random times. Returns (mix, labels)."""
    n = len(bed_sig)
    if bed_kind == "silence":
        bed_level = 10 ** (rng.uniform(-75, -60) / 20)
        ref = 0.1
    else:
        bed_level = 10 ** (rng.uniform(-45, -30) / 20)
        ref = bed_level
    mix = bed_sig * bed_level
    lens = [len(x) / SR for _, x in events]
    need = FIRST_ONSET + sum(lens) + MIN_GAP * max(0, len(events) - 1) + TAIL
    slack = max(0.0, duration - need)
    parts = rng.dirichlet(np.ones(len(events) + 1)) * slack if events else [slack]
    t = FIRST_ONSET + parts[0]
    labels = []
    for i, ((cls, x), L) in enumerate(zip(events, lens)):
        start = int(round(t * SR))
        if bed_kind == "silence":
            level = ref * 10 ** (rng.uniform(-12, 6) / 20)
        else:
            level = ref * 10 ** (rng.uniform(*snr_range) / 20)
        end = min(n, start + len(x))
        mix[start:end] += level * x[:end - start]
        labels.append((cls, start / SR, end / SR))
        t = end / SR + MIN_GAP + parts[i + 1]
    peak = np.max(np.abs(mix))
    if events or bed_kind != "silence":
        mix *= 10 ** (rng.uniform(-20, -1) / 20) / peak
    return mix, labels


def build_stream(split, p, index, classes=None, duration=None, snr_range=(4, 25), bed_kind=None):
    rng = np.random.default_rng([p["seed"], index])
    if classes is None:
        classes = pick_classes(rng, p, split)
    events = [make_event(cls, rng, p) for cls in classes]

    def need(evs):
        return FIRST_ONSET + sum(len(x) / SR for _, x in evs) + MIN_GAP * max(0, len(evs) - 1) + TAIL
    max_dur = duration[1] if duration else 24.0
    while events and need(events) > max_dur:
        events.pop()
    lo, hi = duration if duration else (8.0, 24.0)
    dur = max(rng.uniform(lo, hi), need(events), lo)
    n_chunks = min(int(math.ceil(dur * SR / CHUNK_SAMPLES)), int(hi * SR) // CHUNK_SAMPLES)
    n = n_chunks * CHUNK_SAMPLES
    while True:
        sig, kind = bed(n, rng)
        if bed_kind is None or kind in bed_kind:
            break
    mix, labels = place_and_mix(events, n / SR, rng, sig, kind, snr_range)
    out = []
    for cls, on, off in labels:
        expect, emotion, reply = label(cls) if (cls in RESPOND or cls in IGNORE) else ("ignore", None, None)
        out.append({"class": cls, "onset": round(on, 3), "offset": round(off, 3),
                    "expect": expect, "emotion": emotion, "reply": reply})
    return mix, out, kind


def job(args):
    split, p, index, out_dir, rel, kw = args
    mix, events, kind = build_stream(split, p, index, **kw)
    write_wav(os.path.join(out_dir, rel), mix)
    return {"audio": rel, "duration": round(len(mix) / SR, 3), "events": events}


def stream_jobs(split, p, n, out_dir):
    """(split, params, index, out_dir, relative audio path, build kwargs) per stream."""
    jobs = []
    if split == "heldout-quiet":
        for i in range(n):
            jobs.append((i, dict(classes=quiet_classes(p, i), duration=(60.0, 120.0))))
    elif split == "test-subset":
        respond = list(RESPOND)
        ignore = ["speech", "music", "knock", "noise_burst", "click", "speech", "music", "knock"]
        for i in range(n):
            cls = [respond[i]] if i < len(respond) else []
            cls += [ignore[i % len(ignore)]]
            if i >= len(respond):
                cls += ["speech"]
            jobs.append((i, dict(classes=cls, duration=(8.0, 9.6))))
    else:
        for i in range(n):
            jobs.append((i, {}))
    return [(split, p, i, out_dir, "streams/%05d.wav" % i, kw) for i, kw in jobs]


def quiet_classes(p, index):
    rng = np.random.default_rng([p["seed"], index, 7])
    ign = list(IGNORE_WEIGHTS)
    w = np.array([IGNORE_WEIGHTS[c] for c in ign])
    return [ign[rng.choice(len(ign), p=w)] for _ in range(int(rng.integers(10, 20)))]


def make_demo(p, out_dir):
    """One fixed stream: noise, doorbell, speech, alarm beeps, noise burst, hello, noise."""
    classes = ["doorbell", "speech", "alarm_beeps", "noise_burst", "hello"]
    best = None
    for attempt in range(50):  # first draw whose length lands in 16-20 s with a noisy bed
        mix, events, kind = build_stream("demo", p, attempt, classes=classes, duration=(16.0, 20.0),
                                         snr_range=(15, 22), bed_kind=("pink", "fan", "brown"))
        if len(events) == len(classes):
            best = (mix, events)
            break
    mix, events = best
    write_wav(os.path.join(out_dir, "demo.wav"), mix)
    return [{"audio": "demo.wav", "duration": round(len(mix) / SR, 3), "events": events}]


def generate(split, out_dir, n, seed, jobs_n):
    p = dict(SPLITS[split])
    if seed is not None:
        p["seed"] = seed
    os.makedirs(os.path.join(out_dir, "streams"), exist_ok=True)
    if split == "demo":
        rows = make_demo(p, out_dir)
    else:
        todo = stream_jobs(split, p, n, out_dir)
        if jobs_n > 1:
            with Pool(jobs_n) as pool:
                rows = pool.map(job, todo, chunksize=8)
        else:
            rows = [job(j) for j in todo]
    tmp = os.path.join(out_dir, "manifest.jsonl.tmp")
    with open(tmp, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, os.path.join(out_dir, "manifest.jsonl"))
    return rows


# ---------------------------------------------------------------------------------------------
# Check
# ---------------------------------------------------------------------------------------------
def check(manifest):
    base = os.path.dirname(os.path.abspath(manifest))
    problems, n, total, counts = [], 0, 0.0, {}
    for line in open(manifest):
        r = json.loads(line)
        n += 1
        x = read_wav(os.path.join(base, r["audio"]))
        total += len(x) / SR
        if len(x) % CHUNK_SAMPLES:
            problems.append("%s: %d samples, not a multiple of %d" % (r["audio"], len(x), CHUNK_SAMPLES))
        if abs(len(x) / SR - r["duration"]) > 1e-3:
            problems.append("%s: duration mismatch" % r["audio"])
        if np.max(np.abs(x)) >= 32767 / 32768:
            problems.append("%s: clipped" % r["audio"])
        prev = None
        for e in r["events"]:
            counts[e["class"]] = counts.get(e["class"], 0) + 1
            if e["onset"] < FIRST_ONSET - 1e-3 or e["offset"] > r["duration"] + 1e-3 or e["offset"] <= e["onset"]:
                problems.append("%s: bad event times %s" % (r["audio"], e))
            if prev and e["onset"] - prev["offset"] < MIN_GAP - 1e-3:
                problems.append("%s: events too close %s %s" % (r["audio"], prev, e))
            prev = e
    print("%d streams, %.1f min audio, events: %s" % (n, total / 60, json.dumps(counts, sort_keys=True)))
    for pr in problems[:20]:
        print("PROBLEM", pr)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=list(SPLITS), required=False)
    ap.add_argument("--out", help="output folder")
    ap.add_argument("--streams", type=int, help="number of streams (default per split)")
    ap.add_argument("--seed", type=int, help="base seed (default per split)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--check", metavar="MANIFEST", help="validate a manifest and its WAVs, then exit")
    a = ap.parse_args()
    if a.check:
        sys.exit(0 if check(a.check) else 1)
    if not a.split or not a.out:
        ap.error("--split and --out are required")
    n = a.streams or DEFAULT_STREAMS[a.split]
    generate(a.split, a.out, n, a.seed, a.jobs)
    ok = check(os.path.join(a.out, "manifest.jsonl"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
