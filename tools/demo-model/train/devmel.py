"""A numpy Whisper log-mel, for development and for the golden check only (the real training run reads
the engine's own features from `./soundflow features`). float64 like the Java LogMel."""
import numpy as np

SR, N_FFT, HOP, N_MELS = 16000, 400, 160, 128
CHUNK = 6400


def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = f / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, mels)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * m
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_filters():
    """librosa.filters.mel(sr=16000, n_fft=400, n_mels=128) (Slaney scale and norm), float64."""
    fft = np.linspace(0, SR / 2, 1 + N_FFT // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SR / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft[None, :]
    w = np.zeros((N_MELS, len(fft)))
    for i in range(N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        w[i] = np.maximum(0, np.minimum(lower, upper))
    w *= (2.0 / (mel_f[2:N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return w.astype(np.float32).astype(np.float64)


_W = mel_filters()
_HANN = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)


def raw_log_mel(padded, frames):
    """padded: the centred buffer (HOP * (frames - 1) + N_FFT samples) -> log10 mel [128, frames]."""
    idx = np.arange(frames)[:, None] * HOP + np.arange(N_FFT)[None, :]
    spec = np.fft.rfft(padded[idx] * _HANN[None, :], axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    return np.log10(np.maximum(_W @ power.T, 1e-10))


def finish(raw, mx):
    return ((np.maximum(raw, mx - 8.0) + 4.0) / 4.0).astype(np.float32)


def chunk_local(x):
    """One mel per 6400-sample chunk, each reflected at both edges: [chunks, 128, 40]."""
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    n = len(x) // CHUNK
    out = []
    for c in range(n):
        s = x[c * CHUNK:(c + 1) * CHUNK]
        p = np.pad(s, (200, 200), mode="reflect")
        raw = raw_log_mel(p, 41)[:, :40]
        out.append(finish(raw, raw.max()))
    return np.stack(out)


def windowed(x, window_chunks=16):
    """An approximation of the engine's `windowed` front end (continuous STFT, clamp over recent chunks)."""
    x = np.asarray(x, dtype=np.float32).astype(np.float64)
    n = len(x) // CHUNK
    p = np.pad(x, (200, 200), mode="reflect")
    raw = raw_log_mel(p, n * 40 + 1)[:, : n * 40]
    out, maxima = [], []
    for c in range(n):
        r = raw[:, c * 40:(c + 1) * 40]
        maxima.append(r.max())
        out.append(finish(r, max(max(maxima[-window_chunks:]), -10.0)))
    return np.stack(out)


def read_wav(path):
    import wave
    with wave.open(str(path), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == SR, path
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float32) / 32768.0
