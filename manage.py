#!/usr/bin/env python
"""Django's command-line utility: the same as the `villes2` console script."""

from villes2.__main__ import main

if __name__ == "__main__":
    main()
