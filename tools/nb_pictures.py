#!/usr/bin/env python3
"""Copy one picture per notebook into nbs/img/ for the index (README): the image output of the cell named in PICKS
(a piece of its source), else the notebook's first image. The bytes are copied as the notebook holds them (no
re-encoding), so the files are exactly reproducible from the notebooks; pictures of notebooks that no longer
exist are removed."""
import base64
import json
import sys
from pathlib import Path

PICKS = {'00_schedules': 'show_forward(lin, pts', '03_score_matching': 'score_explorer({', '04_samplers': 'sampler_explorer(grid_mixture',
         '05_training': 'ax.plot(range(50, 1501, 50), smooth', '10_hallucination': 'threshold_explorer(run[', '11_hspace': 'fig = edit_grid(ed, pick, haas_dirs',
         '12_generators': 'plot_guidance(samples', '97_commands': "Image(filename=", '13_mnist': "Image(filename='results/bench-mnist/samples.png'",
         '14_generalization': 'fig = headline_figure(examples, ns)'}
EXT = {'image/png': 'png', 'image/jpeg': 'jpg'}


def picture(nb: dict, pick: str | None):
    for cell in nb['cells']:
        if cell['cell_type'] != 'code' or (pick and pick not in ''.join(cell['source'])):
            continue
        for out in cell.get('outputs', []):
            for mime, ext in EXT.items():
                if mime in out.get('data', {}):
                    data = out['data'][mime]
                    return base64.b64decode(''.join(data) if isinstance(data, list) else data), ext
    return None


def main(root='.'):
    nbs = Path(root) / 'nbs'
    img = nbs / 'img'
    img.mkdir(exist_ok=True)
    wanted = set()
    for f in sorted(nbs.glob('*.ipynb')):
        if f.stem == 'index':
            continue
        got = picture(json.loads(f.read_text()), PICKS.get(f.stem))
        if got is None:
            print(f'nb_pictures: no picture in {f.name}', file=sys.stderr)
            continue
        data, ext = got
        path = img / f'{f.stem}.{ext}'
        wanted.add(path.name)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    for p in img.iterdir():
        if p.name not in wanted:
            p.unlink()
    import re
    index = (nbs / 'index.ipynb').read_text()
    missing = sorted(set(re.findall(r'nbs/img/([\w.-]+)', index)) - wanted)
    if missing:
        raise SystemExit(f'nb_pictures: index.ipynb shows {missing}, which are not in nbs/img (now: {sorted(wanted)}): fix the index')
    print(f'nb_pictures: {len(wanted)} pictures in {img}')


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '.')
