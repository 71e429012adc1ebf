"""The process of a case: its states (a leaf), the machine's one declaration, the guards and
effects it names, the transition context, the legal clocks and who may act."""
