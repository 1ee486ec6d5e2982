"""Proving a definition: exhaustive exploration, covering paths, invariants.

The explorer works on cases through their public seams and learns what each rule reads from the rule's
own declaration.
"""
