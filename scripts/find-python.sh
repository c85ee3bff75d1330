#!/bin/sh
# Print the path of a Python >= 3.12: first from PATH, then from pyenv's installed versions.
# Exit 1 with a message naming what to install when there is none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.13 python3.12 python3 python; do
  candidate=$(command -v "$name" 2>/dev/null) || continue
  if ok "$candidate"; then echo "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for candidate in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
    if ok "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
echo "Thrive needs Python 3.12 or newer (Django 6). Install it, for example 'pyenv install 3.13' or your system's python3.13 package, then run make again." >&2
exit 1
