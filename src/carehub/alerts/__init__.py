"""Alerts: which events in the domain tell whom (an offer arrived, an offer declined, a possible earlier referral,
no contact for N days, break-glass). It listens to the apps it watches and hands each message to `notifications`,
which stores and delivers it. Kept apart so notifications sits low enough for any app to call, and this app high
enough to read referrals, cases and repeats (.importlinter)."""
