"""Adapters: the engine's definitions driven by other libraries' machines.

An adapter builds another library's state machine from a ``Definition`` and keeps a ``workflow.Case`` behind
each model it drives, so the rules, the findings and the history stay the engine's while the app keeps the
library it already uses. ``workflow.adapters.transitions`` does this for ``transitions.Machine``. Adapters use
only the core's public API; nothing in the core imports them.
"""
