"""Analysis: equilibria, repeated-game thresholds, convergence metrics and plots."""
