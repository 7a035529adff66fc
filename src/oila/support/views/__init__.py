"""HTML pages of services and referrals: the programme staff's (staff) and the partner agencies' (partner)."""
