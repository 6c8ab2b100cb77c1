"""Event classes of the SoundFlow demo model: the one table the data generator and the trainer share.

Each class maps to (expect, emotion, reply). `expect` is "respond" or "ignore"; ignore classes have
no emotion and no reply.
"""

SAMPLE_RATE = 16000
CHUNK_SAMPLES = 6400  # 400 ms

RESPOND = {
    "alarm_beeps": ("URGENT", "Alarm! Please check it."),
    "smoke_alarm": ("URGENT", "Smoke alarm! Get out."),
    "siren": ("URGENT", "A siren! Stay safe."),
    "help": ("URGENT", "I am coming to help!"),
    "doorbell": ("NORMAL", "Someone is at the door."),
    "phone": ("NORMAL", "Your phone is ringing."),
    "hello": ("HAPPY", "Hello! How can I help?"),
}

IGNORE = ["speech", "music", "knock", "click", "noise_burst", "blip"]

EMOTIONS = ["URGENT", "NORMAL", "HAPPY"]


def label(cls):
    """(expect, emotion, reply) for a class name."""
    if cls in RESPOND:
        emotion, reply = RESPOND[cls]
        return "respond", emotion, reply
    if cls in IGNORE:
        return "ignore", None, None
    raise KeyError(cls)
