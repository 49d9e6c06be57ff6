#!/usr/bin/env bash
# Fails when the generated files are out of step with the notebooks (the source):
#   diffusion_lab/ (nbdev_export), tests/ (tools/nb2tests.py), README.md (tools/nb2readme.py), nbs/img (tools/nb_pictures.py),
#   or notebooks that nbdev_clean would still change.
# It regenerates them in place, so after a failure `git diff` shows what was stale: commit it.
set -euo pipefail
VENV=${1:-.venv}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r diffusion_lab tests nbs README.md "$tmp"/
"$VENV"/bin/nbdev_export
"$VENV"/bin/python tools/nb2tests.py
"$VENV"/bin/python tools/nb2readme.py
"$VENV"/bin/python tools/nb_pictures.py
"$VENV"/bin/nbdev_clean
bad=0
for p in diffusion_lab tests nbs README.md; do
  if ! diff -r -q -x __pycache__ -x '*.egg-info' -x .ipynb_checkpoints "$tmp/$p" "$p" >"$tmp/diff.txt"; then
    case $p in
      nbs) echo "check: notebooks were not clean (nbdev_clean changed them):";;
      *)   echo "check: $p was out of step with the notebooks (regenerated now):";;
    esac
    sed 's/^/  /' "$tmp/diff.txt"; bad=1
  fi
done
if [ $bad = 1 ]; then
  echo "check: FAILED. The files above are now regenerated: review 'git diff' and commit them with the notebooks."
  exit 1
fi
echo "check: diffusion_lab/, tests/, README.md and nbs/ are in step with the notebooks"
