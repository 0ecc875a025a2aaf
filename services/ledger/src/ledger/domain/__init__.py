"""The receivables domain: pure functions over accounts, no I/O, no clock.

``decide(command, state) -> events`` checks a command against the account's state and
returns the events it causes; ``evolve(state, event) -> state`` folds one event into the
state. Time and identifiers arrive inside commands.
"""
