"""The lessons as a website: every notebook with its stored outputs, the reading order as navigation, the API reference
from the docstrings, and search, built offline by Sphinx.

Why Sphinx with myst-nb and the book theme: nbdev's own path (`nbdev_docs`) needs Quarto, whose PyPI package downloads its
binary when installed, which these machines cannot do. Sphinx, myst-nb (notebooks with their stored outputs, never executed
here), sphinx-book-theme (a sidebar in reading order) and sphinx-mathjax-offline (MathJax served from the site itself, so
the formulas render without a network) all install from the package index and build with no network. Sphinx's own search
index is a static file: search works from the built folder.

The notebooks are copied into a staging folder first, unchanged except that nbdev's lines (`#| export`, ...) are dropped,
cells marked `#| hide` or `#| default_exp` are left out, and each module's notebook starts with a link to its API page.

    python tools/build_docs.py [--out out/docs]      # the site in out/docs/html; make docs
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'

CONF = r'''
project = "diffusion_lab"
author = "diffusion_lab maintainers"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx-mathjax-offline"]
nb_execution_mode = "off"                       # the stored outputs are the pages' pictures; nothing runs here
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "myst.xref_missing", "misc.highlighting_failure"]
exclude_patterns = ["_build"]
html_theme = "sphinx_book_theme"
html_title = "diffusion_lab"
html_theme_options = {"show_navbar_depth": 1, "home_page_in_toc": True}
autodoc_default_options = {"members": True, "undoc-members": False, "member-order": "bysource"}
autodoc_typehints = "signature"
default_role = "literal"                        # the docstrings write `name` for code


def _markdown_docstring(app, what, name, obj, options, lines):
    "The docstrings are written as Markdown (nbdev's habit): `code` becomes a literal, and *, | and name_ lose their reST meaning."
    import re
    def plain(t):
        t = t.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
        return re.sub(r"(\w)_(?=\W|$)", r"\1\\_", t)
    for i, line in enumerate(lines):
        parts = line.split("`")
        if len(parts) % 2 == 0:                 # an odd number of backticks: leave the line as plain text
            lines[i] = plain(line.replace("`", "'"))
            continue
        lines[i] = "".join(plain(p) if k % 2 == 0 else (f"``{p}``" if p.strip() else p) for k, p in enumerate(parts))


def setup(app):
    app.connect("autodoc-process-docstring", _markdown_docstring)
'''


def groups() -> dict:
    "The notebooks in reading order: the lessons, the research notebooks, then the library's own notebooks."
    names = sorted(p.stem for p in NBS.glob('[0-9]*.ipynb'))
    lesson = [n for n in names if re.fullmatch(r'0\d_[a-z_]+', n)]
    research = [n for n in names if 10 <= int(n[:2]) < 90]
    library = [n for n in names if n not in lesson and n not in research]
    return {'Lessons': lesson, 'Research notebooks': research, 'The library, notebook by notebook': library}


def module_of(nb: dict) -> str | None:
    for c in nb['cells']:
        m = re.match(r'#\|\s*default_exp\s+(\S+)', ''.join(c['source']))
        if c['cell_type'] == 'code' and m:
            return m.group(1)
    return None


def staged(nb: dict, api_link: str | None) -> dict:
    "A notebook as its page shows it: nbdev's lines dropped, hidden cells left out, a link to its API page first."
    cells = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'code':
            if re.match(r'#\|\s*(hide|default_exp)', src):
                continue
            c = dict(c, source='\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip('\n'))
        cells.append(dict(c, id=c.get('id') or f'cell-{len(cells)}'))
    if api_link:
        first = next((i for i, c in enumerate(cells) if c['cell_type'] == 'markdown'), 0)
        cells.insert(first + 1, {'cell_type': 'markdown', 'id': 'api-link', 'metadata': {}, 'source': api_link})
    return dict(nb, cells=cells)


def stage(src: Path) -> dict:
    "Write the Sphinx source folder `src`; returns the pages by kind."
    if src.exists():
        shutil.rmtree(src)
    (src / 'nbs').mkdir(parents=True)
    (src / 'api').mkdir()
    for d in ('img', 'results'):
        if (NBS / d).exists():
            shutil.copytree(NBS / d, src / 'nbs' / d)
    (src / 'conf.py').write_text(CONF)
    modules, order = {}, groups()                  # module -> the notebook it is exported from
    for names in order.values():
        for n in names:
            nb = json.loads((NBS / f'{n}.ipynb').read_text())
            mod = module_of(nb)
            link = None
            if mod:
                modules[mod] = n
                link = f'> API reference of this notebook\'s module: [diffusion_lab.{mod}](../api/{mod}.md)'
            (src / 'nbs' / f'{n}.ipynb').write_text(json.dumps(staged(nb, link)))
    for mod, back in modules.items():
        (src / 'api' / f'{mod}.md').write_text(
            f'# diffusion_lab.{mod}\n\nThe module exported from the notebook [{back}](../nbs/{back}.ipynb).\n\n'
            f'```{{eval-rst}}\n.. automodule:: diffusion_lab.{mod}\n```\n')
    (src / 'api' / 'index.md').write_text('# API reference\n\nEvery module, its docstrings as written in its notebook.\n\n'
                                          '```{toctree}\n:maxdepth: 1\n\n' + '\n'.join(sorted(modules)) + '\n```\n')
    home = json.loads((NBS / 'index.ipynb').read_text())
    tocs = ''.join(f'\n```{{toctree}}\n:caption: {cap}\n:maxdepth: 1\n\n' + '\n'.join(f'nbs/{n}' for n in names) + '\n```\n'
                   for cap, names in order.items())
    tocs += '\n```{toctree}\n:caption: Reference\n:maxdepth: 1\n\napi/index\n```\n'
    home = staged(home, None)
    home['cells'].append({'cell_type': 'markdown', 'id': 'reading-order', 'metadata': {}, 'source': tocs})
    (src / 'index.ipynb').write_text(json.dumps(home))
    return {'notebooks': sum(len(v) for v in order.values()) + 1, 'api': len(modules) + 1}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='out/docs', help='folder for the staged sources (src/) and the site (html/)')
    a = ap.parse_args()
    out = Path(a.out).resolve()
    t0 = time.time()
    pages = stage(out / 'src')
    html = out / 'html'
    cmd = [sys.executable, '-m', 'sphinx', '-b', 'html', '-q', str(out / 'src'), str(html)]
    r = subprocess.run(cmd)
    if r.returncode:
        print(f'build_docs: sphinx failed (status {r.returncode})', file=sys.stderr)
        return r.returncode
    n_html = sum(1 for p in html.rglob('*.html') if '_static' not in p.parts)
    info = {'seconds': round(time.time() - t0, 1), 'html_pages': n_html, **pages, 'site': str(html / 'index.html')}
    (out / 'docs.json').write_text(json.dumps(info, indent=1))
    print(f"build_docs: {n_html} pages ({pages['notebooks']} notebooks, {pages['api']} API pages, with search) in "
          f"{info['seconds']} s: {html / 'index.html'}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
