#!/usr/bin/env python
"""The spread of the training miniatures' numbers, from which their stored-results tests take their tolerances.

A miniature that trains (the generator bench and the MNIST bench in miniature, `nbs/results/miniatures/*.json`) gives
one draw of a random quantity: its digits move with the seed, the thread count and MKL's code path (an Intel Xeon with
AMX, a Zen 4 with AVX-512 and an AVX2-only AMD take three). This reruns each miniature's stored call under

  - seed 0 with one thread, as stored; under MKL_ENABLE_INSTRUCTIONS=AVX2; under MKL_CBWR=COMPATIBLE; with two threads
  - seeds 1 and 2 with one thread

and writes into the miniature's JSON, beside the stored numbers, `spread` (each number's values per condition) and
`tolerance` (per number, the largest distance from the stored value over all conditions, times 1.5): the test compares
at that tolerance, so it holds on any CPU and still fails on a change that moves a number beyond a seed's reach.

    .venv/bin/python tools/miniature_spread.py [generators] [mnist]      # about 15 minutes on 2 cores
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / 'nbs' / 'results' / 'miniatures'
ONE = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1'}
CONDITIONS = {  # name: (seed, environment)
    'seed0': (0, ONE), 'seed0_mkl_avx2': (0, dict(ONE, MKL_ENABLE_INSTRUCTIONS='AVX2')),
    'seed0_mkl_cbwr_compatible': (0, dict(ONE, MKL_CBWR='COMPATIBLE')),
    'seed0_two_threads': (0, {'OMP_NUM_THREADS': '2', 'MKL_NUM_THREADS': '2', 'OPENBLAS_NUM_THREADS': '2'}),
    'seed1': (1, ONE), 'seed2': (2, ONE)}
# each miniature: the code that runs it at `seed` into `d` and prints the numbers its test compares (the same extraction)
RUNS = {
    'generators': """
from diffusion_lab.studies.generators import run_generators
m = run_generators('cpu', d, seed=seed, steps=60, fid_n=100, nfes=(10,), samplers=('ddim',), n_per_class=4, zero_shot_trials=2,
                   zero_shot_n=50, classifier_steps=50, baseline_steps=3, progress=False)
got = dict(m)
""",
    'mnist': """
from diffusion_lab.studies.mnist import run_bench_mnist
run_bench_mnist(d, seed=seed, data='digits', curve_steps=(20, 60), n=200, cas_n=400, cas_steps=40, adaptive_sweep=(0.99, 2.0),
                progress=False, amp=False)
s = json.loads((d / 'metrics.json').read_text())
got = dict(s, curve_fid=[r['fid'] for r in s['curve']], nfe_adaptive=s['adaptive_guidance']['nfe_adaptive'])
"""}


def flat(x, path=''):
    "Numbers of a nested dict/list by the paths `compare_numbers` prints ('.fid', '.curve_fid[0]', '.cfg_accuracy.3')."
    if isinstance(x, dict):
        return {p: v for k, y in x.items() for p, v in flat(y, f'{path}.{k}').items()}
    if isinstance(x, (list, tuple)):
        return {p: v for i, y in enumerate(x) for p, v in flat(y, f'{path}[{i}]').items()}
    return {path: x} if isinstance(x, (int, float)) and not isinstance(x, bool) else {}


def run_one(name: str, condition: str, want: dict) -> dict:
    seed, env = CONDITIONS[condition]
    code = ('import json, sys, tempfile\nfrom pathlib import Path\nd = Path(tempfile.mkdtemp())\nseed = %d\n' % seed
            + RUNS[name] + '\nprint("NUMBERS " + json.dumps({k: got[k] for k in %r}))' % list(want))
    p = subprocess.run([sys.executable, '-c', code], env=dict(os.environ, **env), capture_output=True, text=True, cwd=ROOT)
    line = [x for x in p.stdout.splitlines() if x.startswith('NUMBERS ')]
    if p.returncode or not line:
        raise SystemExit(f'miniature_spread: {name} under {condition} failed:\n{p.stderr[-3000:]}')
    print(f'  {name} {condition}: done', flush=True)
    return json.loads(line[0][8:])


def main(names):
    for name in names:
        f = MINI / f'{name}.json'
        stored = json.loads(f.read_text())
        want = stored['numbers']
        with ThreadPoolExecutor(2) as ex:           # two at a time on 2 cores; the two-thread run alone would oversubscribe
            conds = [c for c in CONDITIONS if c != 'seed0_two_threads']
            got = dict(zip(conds, ex.map(lambda c: run_one(name, c, want), conds)))
        got['seed0_two_threads'] = run_one(name, 'seed0_two_threads', want)
        w = flat(want)
        spread = {p: {c: flat(g)[p] for c, g in got.items()} for p in w}
        tol = {p: round(1.5 * max(abs(v - w[p]) for v in spread[p].values()), 6) for p in w}
        stored.update(spread=spread, tolerance=tol,
                      spread_note='values per condition (tools/miniature_spread.py); tolerance = 1.5 x the largest distance '
                                  'from the stored number over all conditions, an absolute bound per number')
        f.write_text(json.dumps(stored, indent=1) + '\n')
        print(name, json.dumps(tol))


if __name__ == '__main__':
    names = sys.argv[1:] or list(RUNS)
    bad = [n for n in names if n not in RUNS]
    if bad:
        print(f'miniature_spread: no miniature {bad}; the miniatures are {list(RUNS)}', file=sys.stderr)
        sys.exit(2)
    main(names)
