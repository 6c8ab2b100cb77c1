#!/usr/bin/env bash
# Rebuilds the committed demo model from a clean clone: data -> the engine's own mel features -> training ->
# compact export -> held-out scoring in PyTorch (exported BF16 weights) -> reference trace.
#   tools/demo-model/train.sh [WORK_DIR]      (default /tmp/soundflow-demo-train; about 90 min on 2 cores)
# Needs Debian's /usr/bin/python3 with python3-torch (1.13), python3-numpy, python3-yaml; espeak-ng and sox
# for the data. With only the reference BLAS installed (Debian's libblas3) training is ~17x slower:
# `apt-get install libopenblas0-pthread` and this script puts it on LD_LIBRARY_PATH for its own processes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
W="${1:-/tmp/soundflow-demo-train}"
PY=/usr/bin/python3
D="$ROOT/tools/demo-model"
OB=/usr/lib/x86_64-linux-gnu/openblas-pthread
if [[ -e "$OB/libblas.so.3" ]]; then export LD_LIBRARY_PATH="$OB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
export OPENBLAS_NUM_THREADS=2
cd "$ROOT"
for split in train heldout-synth heldout-real heldout-quiet; do
  [[ -f "$W/$split/manifest.jsonl" ]] || $PY "$D/data/make_data.py" --split "$split" --out "$W/$split"
  ./soundflow features --manifest="$W/$split/manifest.jsonl" --out="$W/$split"   # <audio>.mel next to each WAV
done
./soundflow features --manifest="$D/heldout-subset/manifest.jsonl" --out="$W/subset-mel"
BASE="$W/model-base"   # stage 1: from nothing, 3 audio and 3 text layers, half the event windows on negatives
$PY "$D/train/train.py" --manifest "$W/train/manifest.jsonl" --mel-dir "$W/train" --out "$BASE" \
  --seed 1240 --steps 3000 --batch 4 --lr 2e-3 --warmup 40 --threads 2 --respond-weight 3 \
  --event-batch-prob 0.5 --event-batch 8 --negative-share 0.5 --aux-weight 1.0 --ckpt-every 250 \
  --audio-layers 3 --text-layers 3 --text-ffn 512 --log-every 10
OUT="$W/model"         # stage 2: a fine-tune of the stage-1 export, more windows on plain speech and music
$PY "$D/train/train.py" --manifest "$W/train/manifest.jsonl" --mel-dir "$W/train" --out "$OUT" --init "$BASE" \
  --seed 1241 --steps 1000 --batch 4 --lr 6e-4 --warmup 20 --threads 2 --respond-weight 3 \
  --event-batch-prob 0.5 --event-batch 8 --negative-share 0.6 --aux-weight 1.0 --ckpt-every 250 \
  --audio-layers 3 --text-layers 3 --text-ffn 512 --log-every 10
rm -f "$BASE/ckpt.pt" "$OUT/ckpt.pt"   # the float32 training checkpoints are not part of the model
$PY "$D/train/evaluate.py" --model "$OUT" --threads 2 \
  --set "synth=$W/heldout-synth/manifest.jsonl" --set "real=$W/heldout-real/manifest.jsonl" \
  --set "quiet=$W/heldout-quiet/manifest.jsonl" \
  --set "subset=$D/heldout-subset/manifest.jsonl" --mel-root "subset=$W/subset-mel" --reference subset --reference-streams 8
echo "model in $OUT; compare with $D/model (SHA256SUMS; train-report.json holds times and paths)"
