"""Evidence extraction: Records in, sourced Claims out (DESIGN.md, issue 3).

The work is a pipeline of named, versioned steps (`pipeline.py`), each a pure function of
a record and what earlier steps found. Step modules hold pure `find_*` functions that
return spans and values; the pipeline turns findings into Claim fields.
"""
