"""The workbench in a real JupyterLab in a real (headless) browser.

Installs what it needs when absent (Debian's `chromium` by apt-get; JupyterLab, ipykernel and Python `playwright` from PyPI
into this Python's environment; never `playwright install`), starts `jupyter lab` on 127.0.0.1 with a token over a copy
of a notebook, opens it in Chromium, runs all cells from the Run menu, waits for the first explorer widget, moves its
slider with the keyboard, checks that the picture the widget shows changed, and saves screenshots. Then the plotly
explorers: a small notebook with `score_explorer` (notebook 03), `sampler_explorer` (notebook 04) and `flow_explorer`
(notebook 07) is run the same way;
each must draw a real plotly figure (an SVG plot with traces, not an empty output or a text repr), and the figure must
change when a control moves (the score and flow explorers' t sliders, the sampler explorer's menu). Exit status 0 when every
check passed. Run by `make browser` (part of `make test`).

With `--lessons`, it runs instead every teaching notebook (00 to 07) with Run All, one after another, as a student
would: a copy of nbs/ (so their relative links and results resolve), the default kernel, torch's default threads. Each
must finish without an error and within one and a half times the time its "Time on a CPU" line states (and that line at
most 90 s); each time is printed and written to `lessons.json`. Run by `make browser-lessons` (part of `.ci/run`).

    python tools/browser_test.py [--notebook nbs/00_schedules.ipynb] [--out out/browser] [--timeout 240]
    python tools/browser_test.py --lessons [--out out/browser-lessons]
    python tools/browser_test.py --exercises --site out/docs/html [--out out/browser-slow]

With `--exercises`, a student's first exercise: lesson 00's exercise notebook (`diffusion-lab exercises`) run top to bottom
in JupyterLab, its checks saying "not written yet"; the solution typed into the first stub, run, its check seen to pass.
With `--site DIR`, the website built by `make docs`: its index, a lesson page with its figures and formulas, the link to
the API page, and search. Both are run by `make browser-slow` (part of `make test-slow`).
"""
import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']


def say(msg):
    print(f'browser_test: {msg}', flush=True)


def ensure_chromium():
    if Path(CHROMIUM).exists():
        return
    say('installing Debian chromium (apt-get)')
    sudo = [] if os.geteuid() == 0 else ['sudo', '-n']
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(sudo + ['apt-get', 'update', '-q'], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-q', 'chromium'], check=True, env=env, stdout=subprocess.DEVNULL)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f'browser_test: apt-get installed chromium but {CHROMIUM} is missing')


def ensure_python_packages():
    missing = []
    for mod, req in (('playwright', 'playwright>=1.40'), ('jupyterlab', 'jupyterlab>=4'), ('ipykernel', 'ipykernel>=6')):
        try:
            __import__(mod)
        except ImportError:
            missing.append(req)
    if missing:
        say(f'installing {missing} from PyPI')
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', *missing], check=True)


def ready(args) -> Path:
    "Chromium and the Python packages installed when absent; the output folder `args.out` made; returns it."
    ensure_chromium()
    ensure_python_packages()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def prepare_notebook(src: Path, folder: Path) -> Path:
    "A copy of the notebook as it is (it carries its kernelspec and no export cell, so it opens and runs as a student's)."
    return Path(shutil.copy(src, folder / src.name))


LESSONS = ('00_schedules', '01_data', '02_models', '03_score_matching', '04_samplers', '05_training', '06_metrics', '07_flow_matching')


def stated_seconds(nb_path: Path):
    "The seconds a notebook's '**Time on a CPU:** about N seconds' (or 'about a minute') line promises; None without one."
    text = ''.join(''.join(c['source']) for c in json.loads(nb_path.read_text())['cells'] if c['cell_type'] == 'markdown')
    m = re.search(r'\*\*Time on a CPU:\*\*\s*about (a|\d+) (second|s\b|minute)', text)
    if not m:
        return None
    n = 1 if m.group(1) == 'a' else int(m.group(1))
    return n * (60 if m.group(2) == 'minute' else 1)


def start_lab(folder: Path, port: int, token: str, log, one_thread: bool = True):
    settings = folder / '.settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)                                    # no news toast over the notebook
    (settings / 'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    tracker = folder / '.settings' / '@jupyterlab' / 'notebook-extension'
    tracker.mkdir(parents=True)                                     # every cell in the page, so every prompt can be read
    (tracker / 'tracker.jupyterlab-settings').write_text(json.dumps({'windowingMode': 'none'}))
    env = {k: v for k, v in os.environ.items() if one_thread or k not in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS')}
    env = dict(env, **({'OMP_NUM_THREADS': '1'} if one_thread else {}), MPLBACKEND='module://matplotlib_inline.backend_inline',
               JUPYTER_CONFIG_DIR=str(folder / '.jupyter'), JUPYTER_RUNTIME_DIR=str(folder / '.runtime'),
               JUPYTERLAB_SETTINGS_DIR=str(folder / '.settings'), JUPYTERLAB_WORKSPACES_DIR=str(folder / '.workspaces'))
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}',
           f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={folder}', '--ServerApp.open_browser=False',
           '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
    if os.geteuid() == 0:                                           # CI machines run as root
        cmd.append('--allow-root')
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder, start_new_session=True)
    url = f'http://127.0.0.1:{port}/api/status?token={token}'
    for _ in range(120):
        if proc.poll() is not None:
            raise SystemExit(f'browser_test: jupyter lab exited with {proc.returncode}; see its log')
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    raise SystemExit('browser_test: jupyter lab did not answer within 60 s')


def stop_lab(lab, log, work: Path):
    "Stop the JupyterLab server (its whole process group), close its log and remove the working copy."
    os.killpg(lab.pid, 15)
    try:
        lab.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(lab.pid, 9)
    log.close()
    shutil.rmtree(work, ignore_errors=True)


def widget_image(page):
    "The src of the first image inside the first widget output area (the explorer's picture), or None."
    return page.evaluate("""() => {
        const img = document.querySelector('.jupyter-widgets-output-area img, .widget-output img');
        return img ? img.src : null; }""")


def readout(page):
    "The text of the first slider's readout (its value)."
    return page.evaluate("() => document.querySelector('.widget-slider .widget-readout').textContent.trim()")


PLOTLY_CELLS = [
    "from diffusion_lab.data import grid_mixture\nfrom diffusion_lab.schedules import VP\nfrom diffusion_lab.score import score_explorer\n"
    "law, vp = grid_mixture(n=3, std=0.15), VP()\n"
    "score_explorer({'shifted': lambda x, t: law.eps(x, vp, t) + 0.1}, law, vp, n=13)",
    "from diffusion_lab.explorers import sampler_explorer\nsampler_explorer(law, 'vp', n=200, n_paths=10, steps=5)",
    "from diffusion_lab.flow import FLOW, flow_explorer\nflow_explorer({'exact': law.denoiser(FLOW), 'shifted': lambda x, t: law.eps(x, FLOW, t) + 0.2}, n=9, n_paths=10)",
]


def plotly_notebook(folder: Path) -> Path:
    "A notebook holding the three plotly explorers, one per cell."
    cells = [{'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'outputs': [], 'source': c} for c in PLOTLY_CELLS]
    nb = {'cells': cells, 'nbformat': 4, 'nbformat_minor': 5,
          'metadata': {'kernelspec': {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}}}
    dst = folder / 'plotly_explorers.ipynb'
    dst.write_text(json.dumps(nb))
    return dst


def open_and_run_all(page, port, token, name, out, t0, workspace=None):
    """Open notebook `name` in JupyterLab (in its own named workspace when given, so no other notebook is open),
    accept a kernel dialog, run all cells; returns (seconds, errors, cells not run)."""
    where = f'workspaces/{workspace}/tree' if workspace else 'tree'
    page.goto(f'http://127.0.0.1:{port}/lab/{where}/{name}?token={token}')
    page.wait_for_selector('.jp-Notebook .jp-Cell', state='visible')
    page.wait_for_timeout(1500)
    dialog = page.locator('.jp-Dialog')
    if dialog.count():                                   # e.g. the kernel chooser: take its default (Python 3)
        say(f'dialog: {dialog.first.inner_text()[:120]!r}; accepting its default')
        page.screenshot(path=str(out / 'dialog.png'))
        page.locator('.jp-Dialog .jp-mod-accept').first.click()
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state='attached')
    say(f'{name} open, kernel idle after {time.time() - t0:.1f} s; Run > Run All Cells')
    # Run All queues every cell at once, so each prompt reads [*] (or a number, once run) right after the click. A click
    # that came too early (a CI run once saw Run All do nothing: 33 cells, none run) leaves the prompts blank: then the
    # menu is used again, up to three times, before giving up. The kernel's busy light alone is no sign, as a kernel
    # that has just started is busy for a moment of its own.
    for attempt in range(1, 4):
        t1 = time.time()                                 # a lesson's time counts from the click that started it
        page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
        page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()
        try:
            page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""", timeout=30_000)
            break
        except Exception as e:                           # playwright's TimeoutError
            page.screenshot(path=str(out / f'run_all_not_started_{attempt}.png'))
            say(f'{name}: Run All started no cell within 30 s (try {attempt} of 3; {type(e).__name__})')
            if attempt == 3:
                raise RuntimeError(f'{name}: Run All Cells started no cell in three tries') from e
            page.keyboard.press('Escape')                # close a menu left open
            if page.locator('.jp-Dialog').count():       # a dialog that came late (the kernel chooser)
                say(f'dialog: {page.locator(".jp-Dialog").first.inner_text()[:120]!r}; accepting its default')
                page.locator('.jp-Dialog .jp-mod-accept').first.click()
    # done: the kernel idle and no cell still queued or running ([*]); on a loaded machine the indicator alone can read
    # idle for a moment after Run All, before the first cell has started
    page.wait_for_function("""() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]') &&
        ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(p => /\\[\\*\\]/.test(p.textContent))""")
    # JupyterLab draws an error as a stderr output (data-mime-type application/vnd.jupyter.stderr) holding the traceback
    tracebacks = page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea-output')]
        .filter(o => /vnd.jupyter.(error|stderr)/.test(o.getAttribute('data-mime-type') || '') &&
                     /Traceback|Error: /.test(o.textContent)).length""")
    unrun_src = page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell')]
        .filter(c => { const p = c.querySelector('.jp-InputPrompt'); return !p || !/\\[\\d+\\]/.test(p.textContent); })
        .map(c => (c.querySelector('.jp-InputArea-editor') || c).textContent.slice(0, 60))""")
    unrun = len(unrun_src)
    if unrun:
        say(f'{name}: cells without an execution count: {unrun_src}')
    n_cells = page.locator('.jp-Notebook .jp-CodeCell').count()
    run_s = time.time() - t1
    say(f'{name}: all cells ran in {run_s:.1f} s: {n_cells} code cells, {unrun} without an execution count, {tracebacks} errors')
    return run_s, tracebacks, unrun


PLOT_STATE = """(i) => { const boxes = [...document.querySelectorAll('.jp-CodeCell')].map(c => c.querySelector('.js-plotly-plot'));
    const p = boxes.filter(b => b)[i]; if (!p) return null;
    const t = p.querySelector('.gtitle');
    return {title: t ? t.textContent : '', traces: p.querySelectorAll('.scatterlayer .trace, .heatmaplayer .hm, .imagelayer image').length,
            svg: p.querySelectorAll('svg.main-svg').length}; }"""


def plotly_stage(page, port, token, work, out, t0, checks):
    "Run the plotly explorers' notebook; each figure must be drawn and must change when its control moves."
    name = plotly_notebook(work).name
    _, errors, unrun = open_and_run_all(page, port, token, name, out, t0, workspace='plotly')
    checks['plotly notebook ran without an error'] = errors == 0 and unrun == 0
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3")
    page.wait_for_timeout(1000)
    cells = page.locator('.jp-CodeCell')
    for i, (label, move) in enumerate((('score explorer', 'slider'), ('sampler explorer', 'menu'), ('flow explorer', 'slider'))):
        before = page.evaluate(PLOT_STATE, i)
        say(f'{label}: plotly figure {before}')
        checks[f'{label}: plotly figure drawn'] = bool(before and before['svg'] > 0 and before['traces'] > 0 and before['title'])
        cell = cells.nth(i)
        cell.scroll_into_view_if_needed()
        cell.screenshot(path=str(out / f'{label.replace(" ", "_")}_before.png'))
        t2 = time.time()
        if move == 'slider':
            handle = cell.locator('.noUi-handle').first
            handle.focus()
            for _ in range(10):
                page.keyboard.press('ArrowRight')
        else:
            cell.locator('select').first.select_option('dpmpp_2m')
        page.wait_for_function("""([i, old]) => { const ps = [...document.querySelectorAll('.jp-CodeCell')]
                                       .map(c => c.querySelector('.js-plotly-plot')).filter(b => b);
                                     const t = ps[i] && ps[i].querySelector('.gtitle');
                                     return t && t.textContent !== old; }""", arg=[i, before['title'] if before else ''])
        page.wait_for_timeout(1000)
        after = page.evaluate(PLOT_STATE, i)
        say(f'{label}: after the {move} moved ({time.time() - t2:.1f} s): {after}')
        checks[f'{label}: figure changed with its {move}'] = bool(after and before and after['title'] != before['title'] and after['traces'] > 0)
        cell.screenshot(path=str(out / f'{label.replace(" ", "_")}_after.png'))


def run_lessons(args) -> int:
    """Run All of every teaching notebook in one JupyterLab, one after another; each must finish without an error and
    within 1.5 times its stated time (at most 90 s)."""
    out = ready(args)
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix='dl-lessons-'))
    shutil.copytree(ROOT / 'nbs', work / 'nbs', ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    port, token = free_port(), secrets.token_hex(16)
    log = open(out / 'jupyterlab.log', 'w')
    t0 = time.time()
    lab = start_lab(work, port, token, log, one_thread=False)
    rows, ok = [], True
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            for name in (args.lesson or LESSONS):
                stated = stated_seconds(work / 'nbs' / f'{name}.ipynb')
                page = browser.new_page(viewport={'width': 1400, 'height': 1000})
                page.set_default_timeout(max(args.timeout, 3 * (stated or 60)) * 1000)
                seconds, errors, unrun = open_and_run_all(page, port, token, f'nbs/{name}.ipynb', out, t0, workspace=name)
                page.screenshot(path=str(out / f'{name}.png'), full_page=False)
                passed = errors == 0 and unrun == 0 and stated is not None and stated <= 90 and seconds <= 1.5 * stated
                ok &= passed
                rows.append({'notebook': name, 'stated_s': stated, 'run_all_s': round(seconds, 1), 'errors': errors,
                             'cells_not_run': unrun, 'passed': passed})
                say(f"{'PASS' if passed else 'FAIL'} {name}: Run All {seconds:.1f} s (stated {stated} s), {errors} errors, {unrun} cells not run")
                page.close()
                for sess in json.loads(urllib.request.urlopen(f'http://127.0.0.1:{port}/api/sessions?token={token}').read()):
                    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/sessions/{sess['id']}?token={token}", method='DELETE')
                    urllib.request.urlopen(req)                   # shut the kernel down: the next lesson starts alone
            browser.close()
    finally:
        stop_lab(lab, log, work)
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), 'unknown CPU') \
        if Path('/proc/cpuinfo').exists() else 'unknown CPU'
    (out / 'lessons.json').write_text(json.dumps({'cpu': cpu, 'cores': os.cpu_count(), 'lessons': rows,
                                                  'seconds': time.time() - t0}, indent=1))
    say(f'{cpu}, {os.cpu_count()} cores: ' + '; '.join(f"{r['notebook']} {r['run_all_s']} s / {r['stated_s']} s" for r in rows))
    return 0 if ok else 1


def run(args) -> int:
    t_install = time.time()
    out = ready(args)
    say(f'chromium and playwright ready after {time.time() - t_install:.1f} s')
    from playwright.sync_api import sync_playwright
    work = Path(tempfile.mkdtemp(prefix='dl-browser-'))
    nb = prepare_notebook(ROOT / args.notebook, work)
    port, token = free_port(), secrets.token_hex(16)
    log = open(out / 'jupyterlab.log', 'w')
    t0 = time.time()
    lab = start_lab(work, port, token, log)
    say(f'jupyter lab on 127.0.0.1:{port} after {time.time() - t0:.1f} s; notebook {nb.name}')
    checks = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(args.timeout * 1000)
            _, tracebacks, unrun = open_and_run_all(page, port, token, nb.name, out, t0)
            checks['all cells ran without an error'] = tracebacks == 0 and unrun == 0
            handle = page.locator('.jupyter-widgets .noUi-handle, .widget-slider .noUi-handle').first
            handle.wait_for(state='attached')
            handle.scroll_into_view_if_needed()
            page.wait_for_function("""() => !!document.querySelector('.jupyter-widgets-output-area img, .widget-output img')""")
            page.wait_for_function("""() => { const r = document.querySelector('.widget-slider .widget-readout');
                                                 return r && r.textContent.trim().length > 0; }""")
            before = widget_image(page)
            value_before = readout(page)
            area = page.locator('.jupyter-widgets.widget-vbox, .widget-vbox').first
            area.screenshot(path=str(out / 'explorer_before.png'))
            t2 = time.time()
            handle.focus()
            for _ in range(25):                                  # 25 steps of 0.01 to the right: t from 0.30 to 0.55
                page.keyboard.press('ArrowRight')
            page.wait_for_function("""(old) => { const img = document.querySelector('.jupyter-widgets-output-area img, .widget-output img');
                                                 return img && img.src !== old; }""", arg=before)
            page.wait_for_timeout(1500)                          # let the last of the updates arrive
            react = time.time() - t2
            after = widget_image(page)
            value_after = readout(page)
            say(f'slider {value_before} -> {value_after}; picture changed ({len(before)} -> {len(after)} bytes of data URI) '
                f'{react:.1f} s after the first key press')
            checks['slider moved'] = value_after != value_before
            checks['explorer picture changed'] = before is not None and after is not None and after != before
            area.screenshot(path=str(out / 'explorer_after.png'))
            page.screenshot(path=str(out / 'jupyterlab.png'), full_page=False)
            if args.plotly:
                page.close()                                     # a fresh page and workspace: only the plotly notebook open
                page = browser.new_page(viewport={'width': 1400, 'height': 1000})
                page.set_default_timeout(args.timeout * 1000)
                plotly_stage(page, port, token, work, out, t0, checks)
                page.screenshot(path=str(out / 'jupyterlab_plotly.png'), full_page=False)
            browser.close()
    finally:
        stop_lab(lab, log, work)
    for k, ok in checks.items():
        say(('PASS ' if ok else 'FAIL ') + k)
    say(f'screenshots in {out} (jupyterlab.png, explorer_*.png, jupyterlab_plotly.png, *_explorer_*.png); {time.time() - t0:.1f} s in all')
    (out / 'result.json').write_text(json.dumps({'checks': checks, 'seconds': time.time() - t0,
                                                 'seconds_with_installs': time.time() - t_install}, indent=1))
    return 0 if checks and all(checks.values()) else 1


def cell_output(cell) -> str:
    "The text of a notebook cell's outputs as the page shows it."
    return '\n'.join(cell.locator('.jp-OutputArea-output').all_inner_texts())


def exercise_stage(page, port, token, work, out, t0, checks, lesson='00_schedules', name='alpha_bar_from_betas'):
    """A student's first exercise: the exercise notebook of `lesson` (written by `write_exercises`) run top to bottom, its
    checks saying "not written yet"; the solution typed into the stub of `name`, that cell and its check run, the check
    seen to pass."""
    sys.path.insert(0, str(ROOT))
    from diffusion_lab.grading import exercise_cells, write_exercises
    written = write_exercises(work / 'exercises', lesson=lesson)
    n_ex = len(written['exercises'][lesson])
    solution = exercise_cells(json.loads((ROOT / 'nbs' / f'{lesson}.ipynb').read_text()))[name]
    _, errors, unrun = open_and_run_all(page, port, token, f'exercises/{lesson}.ipynb', out, t0, workspace='exercises')
    checks['exercise notebook ran top to bottom without an error'] = errors == 0 and unrun == 0
    cells = page.locator('.jp-CodeCell')
    texts = [cells.nth(i).locator('.jp-InputArea-editor').inner_text() for i in range(cells.count())]
    i = next(k for k, t in enumerate(texts) if f"raise NotImplementedError('write {name}')" in t)
    pending = sum('is not written yet' in cell_output(cells.nth(k)) for k in range(cells.count()))
    say(f'exercise notebook: {pending} of {n_ex} checks say "not written yet"')
    checks[f'every check says "not written yet" ({n_ex})'] = pending == n_ex
    stub_cell, check_cell = cells.nth(i), cells.nth(i + 1)
    stub_cell.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / 'exercise_before.png'))
    before = cell_output(check_cell)
    stub_cell.locator('.cm-content').first.click()
    page.keyboard.press('Control+A')                     # the whole cell, inside its editor
    page.keyboard.insert_text(solution.rstrip('\n'))     # as pasted: no auto-indent or closing brackets
    typed = stub_cell.locator('.jp-InputArea-editor').inner_text()
    checks['the solution typed into its cell'] = 'torch.cumprod(1 - betas, 0)' in typed and 'NotImplementedError' not in typed
    page.keyboard.press('Shift+Enter')                   # run the solution; the check cell is selected next
    page.keyboard.press('Shift+Enter')                   # run the check
    check_cell.locator('.jp-OutputArea-output', has_text=f'{name} is right').first.wait_for(timeout=60_000)
    after = cell_output(check_cell)
    say(f'check before: {before[:90]!r}')
    say(f'check after typing the solution: {after[:120]!r}')
    checks['the check passes once the solution is typed'] = after.startswith('✓') and 'not written yet' in before
    check_cell.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / 'exercise_after.png'))


def site_stage(page, site: Path, out, checks):
    """The built website (tools/build_docs.py), served from its folder: the index lists the lessons in order; a lesson page
    shows its figures (loaded images); its link leads to the API page, which shows the module's functions; search finds a
    function."""
    import functools
    import http.server
    import threading
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}'
    try:
        page.goto(f'{base}/index.html')
        nav = page.locator('nav.bd-links a.reference.internal').all_inner_texts()
        lessons = [t for t in nav if re.match(r'^(The forward process|Data|Models|Score matching|Samplers|Training|Metrics)', t)]
        say(f'site index: {len(nav)} links in the navigation; lessons first: {lessons[:7]}')
        checks['site: the index lists the seven lessons in the navigation'] = len(lessons) >= 7
        page.screenshot(path=str(out / 'site_index.png'))
        page.locator('nav.bd-links a.reference.internal', has_text='The forward process').first.click()
        page.wait_for_load_state('load')
        page.wait_for_function("() => [...document.querySelectorAll('article img')].some(i => i.complete && i.naturalWidth > 0)")
        figures = page.evaluate("() => [...document.querySelectorAll('article img')].filter(i => i.complete && i.naturalWidth > 0).length")
        math = page.evaluate("() => document.querySelectorAll('mjx-container').length")
        say(f'site lesson page {page.url.rsplit("/", 1)[-1]}: {figures} figures loaded, {math} formulas typeset by MathJax (served by the site)')
        checks['site: a lesson page shows its figures'] = figures >= 3
        checks['site: its formulas are typeset offline'] = math >= 5
        page.screenshot(path=str(out / 'site_lesson.png'))
        page.locator('article a', has_text='diffusion_lab.schedules').first.click()
        page.wait_for_load_state('load')
        sigs = page.locator('dt.sig').all_inner_texts()
        say(f'site API page {page.url.rsplit("/", 1)[-1]}: {len(sigs)} signatures, e.g. {[x.split("(")[0] for x in sigs[:4]]}')
        checks['site: the lesson links to its API page, which documents q_sample'] = any('q_sample(' in x for x in sigs)
        page.screenshot(path=str(out / 'site_api.png'))
        page.goto(f'{base}/search.html?q=posterior')
        page.wait_for_function("() => document.querySelectorAll('#search-results li, ul.search li').length > 0", timeout=60_000)
        hits = page.evaluate("() => document.querySelectorAll('#search-results li, ul.search li').length")
        say(f'site search for "posterior": {hits} results')
        checks['site: search finds pages'] = hits > 0
        page.screenshot(path=str(out / 'site_search.png'))
    finally:
        server.shutdown()


def run_slow(args) -> int:
    "The browser checks of the slow suite: an exercise notebook solved in JupyterLab, and the website."
    t0 = time.time()
    out = ready(args)
    from playwright.sync_api import sync_playwright
    checks = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        if args.exercises:
            work = Path(tempfile.mkdtemp(prefix='dl-exercises-'))
            port, token = free_port(), secrets.token_hex(16)
            log = open(out / 'jupyterlab.log', 'w')
            lab = start_lab(work, port, token, log)
            try:
                page = browser.new_page(viewport={'width': 1400, 'height': 1000})
                page.set_default_timeout(args.timeout * 1000)
                exercise_stage(page, port, token, work, out, t0, checks)
                page.close()
            finally:
                stop_lab(lab, log, work)
        if args.site:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(args.timeout * 1000)
            site = Path(args.site).resolve()
            if not (site / 'index.html').exists():
                raise SystemExit(f'browser_test: {site} has no index.html; build the site first (make docs)')
            site_stage(page, site, out, checks)
        browser.close()
    for k, ok in checks.items():
        say(('PASS ' if ok else 'FAIL ') + k)
    say(f'screenshots in {out} (exercise_before.png, exercise_after.png, site_*.png); {time.time() - t0:.1f} s in all')
    (out / 'result.json').write_text(json.dumps({'checks': checks, 'seconds': time.time() - t0}, indent=1))
    return 0 if checks and all(checks.values()) else 1


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--notebook', default='nbs/00_schedules.ipynb', help='notebook to open (default: %(default)s)')
    ap.add_argument('--out', default='out/browser', help='folder for the screenshots and the log (default: %(default)s)')
    ap.add_argument('--timeout', type=float, default=240, help='seconds to wait for any one step (default: %(default)s)')
    ap.add_argument('--no-plotly', dest='plotly', action='store_false', help='leave out the plotly explorers')
    ap.add_argument('--lessons', action='store_true', help='Run All of every teaching notebook against its stated time')
    ap.add_argument('--lesson', action='append', choices=LESSONS, help='with --lessons: only this one (repeatable)')
    ap.add_argument('--exercises', action='store_true', help='an exercise notebook solved in JupyterLab')
    ap.add_argument('--site', help='the built website to check (e.g. out/docs/html)')
    a = ap.parse_args()
    sys.exit(run_lessons(a) if a.lessons else run_slow(a) if a.exercises or a.site else run(a))
