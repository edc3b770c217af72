# Shared by scripts/start and scripts/test: find Python 3.12+, make .venv, install Thrive.
# shellcheck shell=bash

find_python() {
  local candidate
  local -a candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.14 python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}" ]; then
    local root="${PYENV_ROOT:-$HOME/.pyenv}"
    for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
      candidates+=("$candidate/bin/python3")
    done
  fi
  for candidate in "${candidates[@]}"; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"
      return 0
    fi
  done
  echo "Thrive needs Python 3.12 or newer (Django 6.1 requires it); none was found." >&2
  echo "Install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
  return 1
}

# ensure_venv [extra]: create .venv if needed and (re)install when pyproject.toml changed.
ensure_venv() {
  local extra="${1:-}"
  local spec="."
  [ -n "$extra" ] && spec=".[$extra]"
  if [ ! -x .venv/bin/python ]; then
    local python
    python=$(find_python)
    echo "Creating .venv with $("$python" --version)…"
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  local stamp=".venv/.thrive-installed-${extra:-base}"
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Thrive${extra:+ with $extra dependencies} into .venv (the first time takes a minute or two)…"
    local began=$SECONDS
    # One line per package as pip fetches it, so a long first install shows it is moving.
    local line
    .venv/bin/python -m pip install --disable-pip-version-check -e "$spec" \
      | while IFS= read -r line; do
          case "$line" in
            "Collecting "*) line=${line#Collecting }; echo "  collecting ${line%% *}" ;;
            "Processing /"*) line=${line##*/}; echo "  collecting ${line%%-*}" ;;
            "Installing collected packages"*) echo "  unpacking them all (the longest step)…" ;;
            "Successfully installed"*) echo "  installed" ;;
          esac
        done
    echo "Installed in $((SECONDS - began)) s."
    echo "$want" > "$stamp"
  fi
}
