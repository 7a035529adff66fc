"""Case pages: the list, one case, opening a case, visits, decisions, the team dashboard, reports."""
