#!/usr/bin/env python3
"""Run notebooks top to bottom and keep their outputs, as the pages show them (`make outputs NB='nbs/04_samplers.ipynb ...'`).

The notebooks run in execnb's shell, which has no widget front end, so every explorer saves its static picture (what
the web pages show). Cells flagged `test`, `slow`, `cuda` or `eval: false` are left without output, except the test cells
in SHOWN, whose printed numbers the notebook shows (each is one cell that prints a table and tests it). PNG outputs
over 60 kB are re-encoded as JPEG (quality 85) to keep the notebooks small. Run `make export` afterwards."""
import base64
import io
import os
import re
import sys
import time

SHOWN = {'exact_score_samplers_match_the_law', 'gaussians8_mlp_2500_steps', 'tour_writes_figures_and_metrics',
         'tweedie_against_importance_sampling', 'dsm_equals_explicit_score_matching_plus_a_constant', 'elbo_term_is_a_weighted_eps_loss',
         'sampler_refusal_table', 'metrics_refuse_what_they_cannot_measure',
         'every_check_passes_the_solution_and_fails_the_stub_and_each_mistake', 'heun_t_and_euler_orders_with_the_exact_velocity',
         'reflow_of_the_exact_field_is_a_fixed_point'}


def smaller_images(cell):
    from PIL import Image
    for o in cell.get('outputs', []):
        d = o.get('data', {})
        if 'image/png' in d:
            raw = base64.b64decode(''.join(d['image/png']) if isinstance(d['image/png'], list) else d['image/png'])
            if len(raw) > 60_000:
                buf = io.BytesIO()
                Image.open(io.BytesIO(raw)).convert('RGB').save(buf, 'JPEG', quality=85)
                d.pop('image/png')
                d['image/jpeg'] = base64.b64encode(buf.getvalue()).decode()
                o.get('metadata', {}).pop('image/png', None)


def run(path):
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    t0 = time.time()
    nb = read_nb(path)
    here = os.getcwd()
    os.chdir(os.path.dirname(path))
    sh = CaptureShell(mpl_format='png')
    try:
        for c in nb.cells:
            if c.cell_type != 'code':
                continue
            flags = set(re.findall(r'^#\|\s*(test|slow|cuda|eval: false)\b', c.source, flags=re.M))
            shown = re.search(r'^#\|\s*test\s+(\w+)', c.source, flags=re.M)
            if shown and shown.group(1) in SHOWN and not flags & {'slow', 'cuda'}:
                flags.discard('test')
            c.outputs = []
            if flags:
                continue
            code = c.source.rstrip()
            if code.endswith(';'):             # execnb drops a cell's prints when its last line ends with ';'
                code = code[:-1] + '\nNone'
            c.outputs = sh.run(code) or []
            if sh.exc:
                raise SystemExit(f'{path}: a cell failed:\n{c.source[:300]}\n{sh.exc!r}')
            smaller_images(c)
    finally:
        os.chdir(here)
    write_nb(nb, path)
    print(f'nb_outputs: {path} in {time.time() - t0:.1f} s')


if __name__ == '__main__':
    for p in sys.argv[1:]:
        run(os.path.abspath(p))
