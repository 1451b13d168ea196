"""Built-in stand-ins for the image entrypoints Argo's examples rely on.

Images are not pulled; a container with no ``command`` runs its image's entrypoint, so the few
images the examples use that way get a small equivalent here, installed into ``<data>/bin`` and put
first on every pod's PATH (so ``command: [cowsay]`` works too).
"""

from __future__ import annotations

import os
from pathlib import Path

# argoproj/argosay:v2 — sub-commands echo/cat/exit/sleep/assert_contains/sh; no args says hello.
ARGOSAY = r"""#!/bin/sh
set -eu
say() { printf '%s\n' "$1"; }
cmd=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$cmd" ]; then say "hello argo"; exit 0; fi
if [ "$cmd" = echo ]; then
  if [ $# -eq 0 ]; then say "hello argo"
  elif [ $# -eq 1 ]; then say "$1"
  elif [ $# -eq 2 ]; then mkdir -p "$(dirname "$2")"; say "$1" > "$2"
  else exit 1; fi
elif [ "$cmd" = cat ]; then cat "$1"
elif [ "$cmd" = exit ]; then exit "${1:-0}"
elif [ "$cmd" = sleep ]; then sleep "$1"
elif [ "$cmd" = assert_contains ]; then grep -F -- "$2" "$1"
elif [ "$cmd" = assert_eq ]; then [ "$1" = "$2" ] || { echo "expected '$1' == '$2'" >&2; exit 1; }
elif [ "$cmd" = sh ]; then sh "${1:-0}"
else exit 1; fi
"""

# docker/whalesay's cowsay: the message in a speech box above a whale.
COWSAY = r'''#!/bin/sh
msg="$*"
[ -z "$msg" ] && msg=$(cat)
n=${#msg}
line=$(printf '%*s' $((n + 2)) '' | tr ' ' '_')
dash=$(printf '%*s' $((n + 2)) '' | tr ' ' '-')
printf ' %s\n< %s >\n %s\n' "$line" "$msg" "$dash"
cat <<'WHALE'
    \
     \
      \
                    ##        .
              ## ## ##       ==
           ## ## ## ##      ===
       /""""""""""""""""___/ ===
  ~~~ {~~ ~~~~ ~~~ ~~~~ ~~ ~ /  ===- ~~~
       \______ o          __/
        \    \        __/
          \____\______/
WHALE
'''

SCRIPTS = {"argosay": ARGOSAY, "cowsay": COWSAY}

# image (without registry/tag details) → argv prefix of its entrypoint
_ENTRYPOINTS = {
    "argoproj/argosay:v2": ["argosay"],
    "argoproj/argosay:v1": ["cowsay"],
    "argoproj/argosay": ["argosay"],
    "docker/whalesay": ["cowsay"],
    "docker/whalesay:latest": ["cowsay"],
}


def install(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, text in SCRIPTS.items():
        path = bin_dir / name
        if not path.exists() or path.read_text() != text:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text)
            os.chmod(tmp, 0o755)
            tmp.replace(path)


def entrypoint(image: str) -> list[str] | None:
    """The built-in entrypoint for ``image``, or None when the image has none here."""
    name = image.removeprefix("docker.io/").removeprefix("quay.io/")
    if name in _ENTRYPOINTS:
        return list(_ENTRYPOINTS[name])
    base = name.split("@", 1)[0]
    return list(_ENTRYPOINTS[base]) if base in _ENTRYPOINTS else None
