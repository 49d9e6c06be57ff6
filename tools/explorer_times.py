#!/usr/bin/env python3
"""Response times of the five explorers on this machine, at the sizes the notebooks use: each widget is built
headless, its controls are set from code, and each response is timed from the control change until the figure
is drawn and encoded as it would be sent to the browser (PNG for matplotlib, JSON for plotly). Untrained
networks of the notebooks' sizes stand in for trained ones (the same cost). Writes out/explorers/metrics.json."""
import io
import json
import sys
import time
from pathlib import Path

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import torch

from diffusion_lab.data import circle_mixture, grid_mixture, load_digits_images
from diffusion_lab.studies.hallucination import threshold_explorer
from diffusion_lab.studies.hspace import direction_explorer
from diffusion_lab.models import MLPDenoiser, build_unet
from diffusion_lab.explorers import sampler_explorer
from diffusion_lab.schedules import VP, forward_slider
from diffusion_lab.score import model_denoiser, score_explorer


def render(fig):
    if isinstance(fig, plt.Figure):
        buf = io.BytesIO(); fig.savefig(buf, format='png'); plt.close(fig)
    else:
        fig.to_json()


def timed(box, changes):
    "Seconds per change (control name, value): the explorer's own update plus encoding its figure."
    times = []
    for name, value in changes:
        t0 = time.perf_counter()
        box.controls[name].value = value
        render(box.state['figure'])
        times.append(round(time.perf_counter() - t0, 4))
    return times


def main(out='out/explorers'):
    torch.set_num_threads(2)
    torch.manual_seed(0)
    vp = VP()
    res = {}
    pts = circle_mixture(std=0.1).sample(2000, seed=0)[0]
    res['forward (2,000 points)'] = timed(forward_slider(pts, widget=True), [('t', 0.5), ('t', 0.8), ('schedule', 'cosine')])
    res['forward (8 digits)'] = timed(forward_slider(load_digits_images()[0][:8], widget=True), [('t', 0.5), ('t', 0.8), ('schedule', 'cosine')])
    law = circle_mixture(std=0.15)
    box = score_explorer({'MLP': model_denoiser(MLPDenoiser(dim=2, hidden=128, depth=3), vp)}, law, vp, widget=True)
    res['score field (25x25 grid, new settings)'] = timed(box, [('t', 0.5), ('model', 'exact'), ('t', 0.05)])
    res['score field (cached)'] = timed(box, [('t', 0.5), ('model', 'MLP')])
    box = sampler_explorer(grid_mixture(n=3, std=0.15), 'vp', steps=10, widget=True)
    res['samplers (400 points, new settings)'] = timed(box, [('steps', 50), ('sampler', 'heun'), ('sampler', 'dpmpp_2m'), ('eta', 0.5), ('sampler', 'ddim')])
    res['samplers (cached)'] = timed(box, [('steps', 10), ('eta', 0.0)])
    g = torch.Generator().manual_seed(0)
    x = torch.randn(10_000, 2, generator=g) * 4
    between = torch.rand(10_000, generator=g) < 0.03
    box = threshold_explorer(x, torch.rand(10_000, generator=g) + between.double(), ~between, between, widget=True)
    res['hallucination threshold (10,000 samples)'] = timed(box, [('retention', 0.9), ('retention', 0.8), ('retention', 0.99)])
    net = build_unet('plain-small').eval()
    xT = torch.randn(8, 1, 16, 16, generator=g)
    h = net(xT, torch.zeros(8), return_h=True)[1]
    dirs = {f'direction {k}': torch.randn(15, *h.shape[1:], generator=g) * 0.1 for k in range(4)}
    box = direction_explorer(net, vp, xT, dirs, steps=15, widget=True)
    res['h-space (8 samples x 15 steps, 16x16 U-Net)'] = timed(box, [('direction 0', 1.0), ('direction 1', -2.0), ('direction 0', 0.0)])
    m = {'seconds_per_response': res, 'max_seconds': max(max(v) for v in res.values()), 'threads': torch.get_num_threads()}
    out = Path(out); out.mkdir(parents=True, exist_ok=True)
    (out / 'metrics.json').write_text(json.dumps(m, indent=1))
    for k, v in res.items():
        print(f'{k:45s} ' + '  '.join(f'{t:.3f}' for t in v) + ' s')
    print(f'slowest response: {m["max_seconds"]:.3f} s; metrics.json in {out.resolve()}')


if __name__ == '__main__':
    main(*sys.argv[1:])
