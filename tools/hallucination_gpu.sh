#!/usr/bin/env bash
# The fast path of issue 29's compute curve (make hallucination-gpu), for a lent GPU; NOT YET RUN ON ONE.
#   diffusion-lab hallucination --config faithful: the authors' recipe in fp32 (Xavier init, balanced modes in
#   sequential batches of 10,000, T = 1000, beta 1e-3..0.2, Adam 1e-3), trained in resumable segments and measured at
#   10^6, 10^7, 10^8 samples seen and the authors' 10,000 epochs on the 1-D laws (1,2,3) and (1,2,4,5) and the 5x5
#   grid (see nbs/10f_hallucination_faithful.ipynb). $MINUTES (default 7) bounds the training of this call; the same
#   command continues from the checkpoints in $OUT. To go on from the stored CPU curve, copy it first:
#   cp -r nbs/results/hallucination-faithful "$OUT". Then the authors' Simple Shapes (64x64, all 1,000 steps) with a
#   U-Net trained $SHAPES_STEPS steps, as a second command. Prints the paper's number beside ours.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/hallucination-gpu}
MINUTES=${MINUTES:-7}
SHAPES_STEPS=${SHAPES_STEPS:-3000}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
python3 - <<'PY'
import torch
assert torch.cuda.is_available(), 'no CUDA device: this script is for a GPU machine (make hallucination-faithful is the CPU one)'
print('device:', torch.cuda.get_device_name(0), '| torch', torch.__version__)
PY
start=$(date +%s)
python3 -c 'import sys; from diffusion_lab.cli import main; sys.exit(main(sys.argv[1:]))' \
  hallucination --config faithful --minutes "$MINUTES" --device cuda --out "$OUT" --no-progress 2>&1 | tee "$OUT/run.log"
if [ -n "${SHAPES:-}" ]; then
  timeout 170 python3 -c 'import sys; from diffusion_lab.cli import main; sys.exit(main(sys.argv[1:]))' \
    hallucination --config faithful --only shapes --shapes-steps "$SHAPES_STEPS" --out "$OUT/shapes" --no-progress 2>&1 \
    | tee "$OUT/shapes.log" || echo "hallucination_gpu: Simple Shapes did not finish in its 170 s"
fi
echo "hallucination_gpu: took $(( $(date +%s) - start )) s"
python3 - "$OUT/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for law, h in m['headline'].items():
    print(f"{law}: TPR at 96% retention {h['tpr_at_96_retention']:.3f} at {h['samples_seen']:.2e} samples seen "
          f"(the authors: {h['authors_samples_seen']:.0e}); paper: {h['paper_tpr_at_96_retention']:.2f}")
print('finished' if m['finished'] else f"unfinished ({m['stopped_at']}): run the same command again")
PY
