"""`python -m evimap`: the same command line as `evimap`."""

from evimap.cli import main

main()
