#!/usr/bin/env bash
# The GPU acceptance run of issue 7, prepared to run once on a lent GPU (an H100), sized for under 8 minutes:
#   diffusion-lab bench --config gpu   (MNIST at 32x32, a 9.6M-parameter class-conditional U-Net, 180 s of training
#   with bf16 autocast, channels_last, fused AdamW and torch.compile; the plain fp32 eager loop on the same model and
#   batch; feature-FID against evaluations for DDIM, Heun and DPM-Solver++(2M); guidance; the zero-shot classifier)
# then prints the acceptance checks. MNIST: $MNIST, else shared/data/mnist in or above the repository (copy
# ../shared/data/mnist into the checkout's shared/ for a device machine, which receives the repository alone).
# Every image metric compares with held-out images (heldout_split): with MNIST=<folder of the full set> the model
# trains on the 60k train split and the 10k test split is held out; else 8,000 of the 10k split train, 2,000 are held out.
# Needs python3 with a CUDA torch, tqdm, matplotlib, scipy and scikit-learn; writes under $OUT (default out/gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/gpu}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export DIFFUSION_LAB_CACHE=${DIFFUSION_LAB_CACHE:-/tmp/diffusion_lab_cache}
python3 - <<'PY'
import torch
assert torch.cuda.is_available(), 'no CUDA device: this script is for a GPU machine (diffusion-lab bench --config cpu is the CPU one)'
print('device:', torch.cuda.get_device_name(0), '| torch', torch.__version__)
PY
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv || true
start=$(date +%s)
timeout 470 python3 -c 'import sys; from diffusion_lab.cli import main; sys.exit(main(sys.argv[1:]))' \
  bench --config gpu --out "$OUT/bench" --no-progress ${MNIST:+--data-dir "$MNIST"} 2>&1 | tee "$OUT/bench.log"
echo "gpu_bench: bench took $(( $(date +%s) - start )) s"
python3 - "$OUT/bench/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"train {m['train_images_per_s']:.0f} images/s vs plain fp32 loop {m['baseline_train_images_per_s']:.0f} "
      f"({m['speedup_vs_baseline']:.2f}x); {m['flops_per_image_train'] / 1e9:.2f} GFLOP per training image, "
      f"{m['achieved_train_tflops']:.1f} TFLOP/s, MFU {m['mfu'] if m['mfu'] is None else round(m['mfu'], 4)}")
print(f"{m['split']}: FID {m['fid']:.3f} (floor {m['fid_floor']:.3f}), precision {m['precision']:.3f}, recall {m['recall']:.3f}, "
      f"n = {m['n']} held-out images, with {m['fid_sampler']} at {m['nfe']} evaluations; "
      f"sampling {m['sample_images_per_s']:.0f} images/s; peak memory {m['peak_memory_bytes'] / 2**30:.2f} GiB")
print(f"guidance: confidence {m['cfg_confidence']}; zero-shot accuracy {m['zero_shot_accuracy']:.4f} "
      f"({m['zero_shot_seconds_per_image'] * 1e3:.2f} ms/image) vs discriminative {m['discriminative_accuracy']:.4f}")
for r in m['fid_table']:
    print(f"  {r['sampler']:9s} NFE {r['nfe']:3d}  FID {r['fid']:.3f}  {r['images_per_s']:.0f} images/s")
checks = {'FID <= 5 at <= 20 evaluations': m['fid'] <= 5 and m['nfe'] <= 20,
          'U-Net of 5-15M parameters': 5e6 <= m['params'] <= 15e6,
          'at least 3x the plain fp32 loop': m['speedup_vs_baseline'] >= 3,
          'guidance raises confidence': m['cfg_confidence']['3'] > m['cfg_confidence']['0']}
for k, ok in checks.items():
    print(('PASS ' if ok else 'MISS ') + k)
PY
