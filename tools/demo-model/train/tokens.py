"""Token ids of the released online format (research notes section 3.2) and the demo's byte-level tokenizer.

The demo tokenizer (tools/.../demo/DemoAssets.java) is byte-level with no merges: id i is the i-th byte of
GPT-2's bytes_to_unicode ordering ('!'..'~', 0xA1..0xAC, 0xAE..0xFF, then the remaining bytes ascending).
"""

ASSISTANT = 151602
SILENT = 151605
PAD = 151608
ONLINE = 151609
ENGLISH = 151611
HAPPY, SAD, ANGRY, SURPRISE, NORMAL, URGENT = 151614, 151615, 151616, 151617, 151618, 151619
TEXT_END = 151643
TEXT_BEGIN = 151644   # also SYSTEM; the <response> decision
AUDIO_BEGIN = 151647
EMOTION = {"HAPPY": HAPPY, "NORMAL": NORMAL, "URGENT": URGENT}
EMOTION_NAME = {v: k for k, v in EMOTION.items()}

PADDED_VOCAB = 151936
VOCAB_SIZE = 151643

SYSTEM_PROMPT = ("You are a helpful assistant. When there is no user text, if the audio contains a question, "
                 "please answer it. If it is a sound effect, determine based on the sound whether help is needed.")


def _byte_order():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    bs += [b for b in range(256) if b not in bs]
    return bs


BYTE_ORDER = _byte_order()                       # id -> byte
BYTE_TO_ID = {b: i for i, b in enumerate(BYTE_ORDER)}


def encode(text):
    return [BYTE_TO_ID[b] for b in text.encode("utf-8")]


def decode(ids):
    return bytes(BYTE_ORDER[i] for i in ids if 0 <= i < 256).decode("utf-8", errors="replace")


PREFIX = [ONLINE, ENGLISH, TEXT_BEGIN, TEXT_BEGIN] + encode(SYSTEM_PROMPT) + [TEXT_END]
BLOCK = [AUDIO_BEGIN] + [PAD] * 10 + [ASSISTANT]

CONTROL_IDS = [ASSISTANT, SILENT, PAD, ONLINE, ENGLISH, HAPPY, NORMAL, URGENT, TEXT_END, TEXT_BEGIN, AUDIO_BEGIN]
# the ids the compact model stores as rows, ascending; every other id of the 151,936 shares the `rest` row
USED_IDS = list(range(256)) + sorted(CONTROL_IDS)
ROW = {t: i for i, t in enumerate(USED_IDS)}
REST_COUNT = PADDED_VOCAB - len(USED_IDS)
LOWEST_UNUSED = 256  # the id a full-vocabulary argmax lands on when the rest row wins (ties to the lowest id)
