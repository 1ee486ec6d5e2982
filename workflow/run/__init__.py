"""Running definitions: scenarios, random walks, groups of linked cases, and explaining a run.

Everything here drives cases through their public seams (``Case.decide``/``apply``/``fire``).
"""
