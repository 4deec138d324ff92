"""The live meeting in a group: phases, themes, dot votes, the agreement and the minutes."""
