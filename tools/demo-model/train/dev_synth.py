"""A handful of toy streams for developing the trainer before the real data exists (not used for the model):
beeps (respond, URGENT), two-tone chimes (respond, NORMAL) and noise bursts (ignore) over noise, plus the
numpy dev mel in the features layout (DIR/<audio>.mel)."""
import json
import os
import sys
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devmel  # noqa: E402

SR = 16000


def tone(f, dur, rng):
    t = np.arange(int(dur * SR)) / SR
    return np.sin(2 * np.pi * f * t) * np.minimum(1, np.minimum(t, dur - t) / 0.01)


def event(cls, rng):
    if cls == "beeps":
        x = np.concatenate([np.concatenate([tone(2800, 0.12, rng), np.zeros(int(0.08 * SR))]) for _ in range(5)])
    elif cls == "chime":
        x = np.concatenate([tone(660, 0.4, rng) * np.exp(-np.arange(int(0.4 * SR)) / SR * 4),
                            tone(520, 0.6, rng) * np.exp(-np.arange(int(0.6 * SR)) / SR * 4)])
    else:
        x = rng.randn(int(0.5 * SR)) * 0.5
    return 0.3 * x


def main(out, n, seed):
    rng = np.random.RandomState(seed)
    os.makedirs(os.path.join(out, "streams"), exist_ok=True)
    mel_dir = out + "-mel"
    os.makedirs(os.path.join(mel_dir, "streams"), exist_ok=True)
    lines = []
    for i in range(n):
        dur = 6400 * rng.randint(40, 90) / SR
        x = rng.randn(int(dur * SR)) * 0.01
        evs = []
        t = rng.uniform(0.5, 2.0)
        while t < dur - 2.5:
            cls = ["beeps", "chime", "noise_burst"][rng.randint(3)]
            e = event(cls, rng)
            s = int(t * SR)
            x[s:s + len(e)] += e
            resp = cls != "noise_burst"
            evs.append({"class": cls, "onset": round(t, 3), "offset": round(t + len(e) / SR, 3),
                        "expect": "respond" if resp else "ignore",
                        "emotion": {"beeps": "URGENT", "chime": "NORMAL"}.get(cls),
                        "reply": {"beeps": "Alarm! Please check it.", "chime": "Someone is at the door."}.get(cls)})
            t += len(e) / SR + rng.uniform(1.5, 5.0)
        name = f"streams/{i:05d}.wav"
        pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
        with wave.open(os.path.join(out, name), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SR)
            w.writeframes(pcm.tobytes())
        mel = devmel.windowed(pcm.astype(np.float32) / 32768.0)
        mel.astype("<f4").tofile(os.path.join(mel_dir, name[:-4] + ".mel"))
        lines.append(json.dumps({"audio": name, "duration": round(dur, 3), "events": evs}))
    with open(os.path.join(out, "manifest.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
