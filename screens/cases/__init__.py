"""Screens of cases: the colour board, a case's detail and actions, intake, dashboard, handover."""
