"""One module a chapter (`chNN.py`), each defining `EXERCISES`: the chapter's exercises with their
probes, solutions and catalogues of known mistakes. See `minigrad.homework.exercise`."""
