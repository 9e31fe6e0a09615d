"""Price-break maths and offer choice: pure functions, no I/O."""
