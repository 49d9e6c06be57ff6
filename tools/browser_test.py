"""The workbench in a real JupyterLab in a real (headless) browser.

Installs what it needs when absent (Debian's `chromium` by apt-get; JupyterLab, ipykernel and Python `playwright` from PyPI
into this Python's environment; never `playwright install`), starts `jupyter lab` on 127.0.0.1 with a token over a copy
of a notebook, opens it in Chromium, runs all cells from the Run menu, waits for the first explorer widget, moves its
slider with the keyboard, checks that the picture the widget shows changed, and saves screenshots. Exit status 0 when
every check passed. Run by `make browser` (part of `make test`).

    python tools/browser_test.py [--notebook nbs/00_schedules.ipynb] [--out out/browser] [--timeout 240]
"""
import argparse
import json
import os
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


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def prepare_notebook(src: Path, folder: Path) -> Path:
    "A copy of the notebook without the cells marked `#| eval: false` (nbdev_export), which are not meant to run."
    nb = json.loads(src.read_text())
    nb['cells'] = [c for c in nb['cells'] if not (c['cell_type'] == 'code' and '#| eval: false' in ''.join(c['source']))]
    nb.setdefault('metadata', {})['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}
    dst = folder / src.name
    dst.write_text(json.dumps(nb))
    return dst


def start_lab(folder: Path, port: int, token: str, log):
    settings = folder / '.settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)                                    # no news toast over the notebook
    (settings / 'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    env = dict(os.environ, OMP_NUM_THREADS='1', MPLBACKEND='module://matplotlib_inline.backend_inline',
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


def widget_image(page):
    "The src of the first image inside the first widget output area (the explorer's picture), or None."
    return page.evaluate("""() => {
        const img = document.querySelector('.jupyter-widgets-output-area img, .widget-output img');
        return img ? img.src : null; }""")


def readout(page):
    "The text of the first slider's readout (its value)."
    return page.evaluate("() => document.querySelector('.widget-slider .widget-readout').textContent.trim()")


def run(args) -> int:
    t_install = time.time()
    ensure_chromium()
    ensure_python_packages()
    say(f'chromium and playwright ready after {time.time() - t_install:.1f} s')
    from playwright.sync_api import sync_playwright
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
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
            page.goto(f'http://127.0.0.1:{port}/lab/tree/{nb.name}?token={token}')
            page.wait_for_selector('.jp-Notebook .jp-Cell', state='visible')
            page.wait_for_timeout(1500)
            dialog = page.locator('.jp-Dialog')
            if dialog.count():                                   # e.g. the kernel chooser: take its default (Python 3)
                say(f'dialog: {dialog.first.inner_text()[:120]!r}; accepting its default')
                page.screenshot(path=str(out / 'dialog.png'))
                page.locator('.jp-Dialog .jp-mod-accept').first.click()
            page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state='attached')
            say(f'notebook open, kernel idle after {time.time() - t0:.1f} s; Run > Run All Cells')
            page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
            page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()
            t1 = time.time()
            page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="busy"]', state='attached', timeout=20_000)
            page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', state='attached')
            run_s = time.time() - t1
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()
            tracebacks = page.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]').count()
            n_cells = page.locator('.jp-Notebook .jp-CodeCell').count()
            unrun = page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                                          .filter(p => !/\\[\\d+\\]/.test(p.textContent)).length""")
            say(f'all cells ran in {run_s:.1f} s: {n_cells} code cells, {unrun} without an execution count, {tracebacks} errors')
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
            browser.close()
    finally:
        os.killpg(lab.pid, 15)
        try:
            lab.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, 9)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    for k, ok in checks.items():
        say(('PASS ' if ok else 'FAIL ') + k)
    say(f'screenshots in {out} (jupyterlab.png, explorer_before.png, explorer_after.png); {time.time() - t0:.1f} s in all')
    (out / 'result.json').write_text(json.dumps({'checks': checks, 'seconds': time.time() - t0,
                                                 'seconds_with_installs': time.time() - t_install}, indent=1))
    return 0 if checks and all(checks.values()) else 1


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--notebook', default='nbs/00_schedules.ipynb', help='notebook to open (default: %(default)s)')
    ap.add_argument('--out', default='out/browser', help='folder for the screenshots and the log (default: %(default)s)')
    ap.add_argument('--timeout', type=float, default=240, help='seconds to wait for any one step (default: %(default)s)')
    sys.exit(run(ap.parse_args()))
