"""Numbers produced by peers, shared by the tests that check against them.

AXELROD_SCORES was produced with the Axelrod library 4.14.0 (Python 3.11, numpy 2.4.6):

    players = [axl.TitForTat(), axl.Grudger(), axl.Cooperator(), axl.Defector(),
               axl.WinStayLoseShift(), axl.TitFor2Tats(), axl.SuspiciousTitForTat(), axl.Alternator()]
    results = axl.Tournament(players, turns=200, repetitions=1).play(processes=None)
    results.normalised_scores   # per-turn score averaged over the 7 other players

Axelrod's normalised_scores leave self-play out (its tournament plays it, its scores do
not count it).  Its WinStayLoseShift figure is 1 ulp below the exact fraction
16755/7000, so compare with a tolerance of about 1e-12.  Keys are gamesim's names
(Axelrod's Grudger is GrimTrigger, TitFor2Tats is TitForTwoTats).
"""

AXELROD_SCORES = {
    "TitForTat": 2.5692857142857144,
    "GrimTrigger": 2.427857142857143,
    "Cooperator": 2.355,
    "Defector": 2.1542857142857144,
    "WinStayLoseShift": 2.3935714285714282,
    "TitForTwoTats": 2.4964285714285714,
    "SuspiciousTitForTat": 2.1485714285714286,
    "Alternator": 2.3285714285714287,
}

AXELROD_RANKING = ["TitForTat", "TitForTwoTats", "GrimTrigger", "WinStayLoseShift", "Cooperator",
                   "Alternator", "Defector", "SuspiciousTitForTat"]
