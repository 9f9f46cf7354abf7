"""Events that a model save does not show (a queryset update), sent by the app that does the work.

No imports: any domain app may send these without depending on who listens (alerts.events does).
"""

from django.dispatch import Signal

offer_declined = Signal()  # sender: the Offer class; offer=<Offer>, already marked declined
referral_received = Signal()  # sender: the Referral class; referral=<Referral>, never a sealed one
