#!/usr/bin/env python3
"""One training step of notebook 13's MNIST U-Net (batch 64, 28x28) in fp32 and under bf16 autocast on this CPU, and the
precision `fit(compute=Compute(amp='auto'))` picks here. Prints the CPU model, its bf16 flags and the median of a few timed steps each;
writes them to OUT/metrics.json (default out/precision). A benchmark, not a test: the times depend on the machine.

Usage: python tools/precision_bench.py [OUT] [--steps K]"""
import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from diffusion_lab.experiment import cpu_model
from diffusion_lab.schedules import get_schedule
from diffusion_lab.score import diffusion_loss
from diffusion_lab.studies.mnist import MNIST_CPU, mnist_model
from diffusion_lab.precision import cpu_has_native_bf16, precision_name
from diffusion_lab.train import make_optimizer, train_step


def step_seconds(amp, steps: int) -> float:
    model = mnist_model(MNIST_CPU, 10, 1, seed=0)
    x, y = torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10
    opt, sched = make_optimizer(model, 2e-3)
    g = torch.Generator().manual_seed(0)
    S = get_schedule('edm')
    loss_fn = lambda m, xb, yb, g: diffusion_loss(m, xb, S, pred='edm', y=yb, generator=g)
    times = []
    for i in range(steps + 1):                      # the first step warms up and is not counted
        t0 = time.perf_counter()
        train_step(model, loss_fn, (x, y), g, opt, sched, 1.0, amp)
        times.append(time.perf_counter() - t0)
    return statistics.median(times[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out', nargs='?', default='out/precision')
    ap.add_argument('--steps', type=int, default=3)
    a = ap.parse_args()
    if a.steps < 1:
        ap.error('--steps must be >= 1')
    m = {'cpu': cpu_model(), 'native_bf16': cpu_has_native_bf16(), 'auto_picks': precision_name('auto', 'cpu'),
         'threads': torch.get_num_threads(), 'torch': torch.__version__, 'batch': 64, 'steps_timed': a.steps,
         'step_seconds_fp32': step_seconds(False, a.steps), 'step_seconds_bf16': step_seconds('bf16', a.steps)}
    m['bf16_over_fp32'] = m['step_seconds_bf16'] / m['step_seconds_fp32']
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out / 'metrics.json').write_text(json.dumps(m, indent=2))
    print(json.dumps(m, indent=2))


if __name__ == '__main__':
    main()
