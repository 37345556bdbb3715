"""The bargaining oracle: feasible sets, bargaining solutions, disagreement points,
CoCo / Shapley / Harsanyi values and cores.

Work in progress: the public names are re-exported here once each module lands.
"""
